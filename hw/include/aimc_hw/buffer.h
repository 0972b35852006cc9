// The SRAM buffer holding activations and errors between layers. An access of
// n bits occupies one port for ceil(n / bits_per_cycle) controller cycles and
// costs n x energy per bit; it takes the port that frees first, so concurrent
// accesses beyond the number of ports serialise. The data itself stays in the
// host arrays; the buffer models its traffic.
#ifndef AIMC_HW_BUFFER_H
#define AIMC_HW_BUFFER_H

#include <vector>

#include <systemc>
#include <tlm>
#include <tlm_utils/simple_target_socket.h>

#include "aimc_hw/params.h"
#include "aimc_hw/stats.h"
#include "aimc_hw/transaction.h"

namespace aimc::hw {

struct BufferConfig {
  aimc_hw_buffer_params buffer;  // validated
  double clock_frequency = 0.0;  // Hz, the controller's
  double static_power = 0.0;     // W, leakage while powered (aimc_hw_buffer_static_power)
  bool timed = false;
};

class Buffer : public sc_core::sc_module, public StatProvider {
 public:
  tlm_utils::simple_target_socket<Buffer> socket;

  Buffer(const sc_core::sc_module_name &name, const BufferConfig &config);

  // Cycles one access of `bits` occupies a port.
  uint64_t cycles(uint64_t bits) const;
  void b_transport(tlm::tlm_generic_payload &payload, sc_core::sc_time &delay);
  void save_state(aimc_writer *out) const override;
  aimc_status load_state(aimc_reader *in) override;

 private:
  aimc_hw_buffer_params params_;
  sc_core::sc_time clock_;
  bool timed_;
  std::vector<sc_core::sc_time> port_free_;
  Counter &reads_;
  Counter &writes_;
  Counter &bits_read_;
  Counter &bits_written_;
  Counter &cycles_;
};

}  // namespace aimc::hw

#endif
