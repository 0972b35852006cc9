// SRAM buffer with port contention (buffer.h).
#include "aimc_hw/buffer.h"

#include <algorithm>

#include "aimc_hw/timebase.h"

namespace aimc::hw {

Buffer::Buffer(const sc_core::sc_module_name &name, const BufferConfig &config)
    : sc_core::sc_module(name),
      StatProvider("buffer"),
      socket("socket"),
      params_(config.buffer),
      clock_(seconds(1.0 / config.clock_frequency)),
      timed_(config.timed),
      port_free_(static_cast<size_t>(config.buffer.ports), sc_core::SC_ZERO_TIME),
      reads_(add_counter("reads", "1", "read accesses")),
      writes_(add_counter("writes", "1", "write accesses")),
      bits_read_(add_counter("bits_read", "bit", "bits read")),
      bits_written_(add_counter("bits_written", "bit", "bits written")),
      cycles_(add_counter("port_cycles", "cycle", "port cycles occupied by accesses")) {
  socket.register_b_transport(this, &Buffer::b_transport);
  keep_time(timed_);
  set_static_power(config.static_power);
}

uint64_t Buffer::cycles(uint64_t bits) const {
  return (bits + static_cast<uint64_t>(params_.bits_per_cycle) - 1) / static_cast<uint64_t>(params_.bits_per_cycle);
}

void Buffer::b_transport(tlm::tlm_generic_payload &payload, sc_core::sc_time &delay) {
  auto *access = payload.get_extension<BufferAccess>();
  bool read = payload.get_command() == tlm::TLM_READ_COMMAND;
  if (!access || (!read && payload.get_command() != tlm::TLM_WRITE_COMMAND)) {
    payload.set_response_status(tlm::TLM_COMMAND_ERROR_RESPONSE);
    return;
  }
  uint64_t n = cycles(access->bits);
  (read ? reads_ : writes_).add(1);
  (read ? bits_read_ : bits_written_).add(access->bits);
  cycles_.add(n);
  double per_bit = read ? params_.read_energy_per_bit : params_.write_energy_per_bit;
  add_energy(access->phase, static_cast<double>(access->bits) * per_bit);
  if (timed_) {
    sc_core::sc_time now = sc_core::sc_time_stamp();
    auto port = std::min_element(port_free_.begin(), port_free_.end());
    sc_core::sc_time start = std::max(now + delay, *port);
    sc_core::sc_time duration = repeat(clock_, n);
    *port = start + duration;
    delay = *port - now;
    add_busy(duration);
  }
  payload.set_response_status(tlm::TLM_OK_RESPONSE);
}

}  // namespace aimc::hw
