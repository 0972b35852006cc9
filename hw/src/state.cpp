// Checkpoints of the hardware model: every component's counters, energy and
// busy time, the arrays' weights and random-stream counters, the resource
// timelines (tiles, buffer ports, digital unit) and the simulated time, in
// module-tree order. Each record names its component, so a checkpoint of a
// different chip is refused instead of misread.
#include <cmath>
#include <string>
#include <vector>

#include "aimc_hw/chip_module.h"

namespace aimc::hw {

namespace {

constexpr uint32_t kStateVersion = 1;
constexpr const char *kStateMagic = "aimc-hw-state";

void put_time(aimc_writer *out, const sc_core::sc_time &t) { aimc_write_u64(out, t.value()); }
sc_core::sc_time get_time(aimc_reader *in) { return sc_core::sc_time::from_value(aimc_read_u64(in)); }

// A plain statistics struct of the C core, with its size so that a checkpoint
// of a build with another layout is refused.
template <typename Plain>
void put_plain(aimc_writer *out, const Plain &value) {
  aimc_write_u32(out, static_cast<uint32_t>(sizeof value));
  aimc_write_bytes(out, &value, sizeof value);
}

template <typename Plain>
aimc_status get_plain(aimc_reader *in, Plain *value, const char *what) {
  uint32_t size = aimc_read_u32(in);
  if (!in->failed && size != sizeof *value) {
    return aimc_error_set(AIMC_EFORMAT, "hardware state: %s has %u bytes in the checkpoint, %zu in this build", what,
                          size, sizeof *value);
  }
  aimc_read_bytes(in, value, sizeof *value);
  return aimc_reader_status(in, "hardware state");
}

// Statistics-keeping modules below `object`, depth first in creation order.
void collect(const sc_core::sc_object &object, std::vector<const sc_core::sc_object *> *out) {
  if (dynamic_cast<const StatProvider *>(&object)) out->push_back(&object);
  for (const sc_core::sc_object *child : object.get_child_objects()) {
    if (dynamic_cast<const sc_core::sc_module *>(child)) collect(*child, out);
  }
}

std::string relative_name(const sc_core::sc_object &root, const sc_core::sc_object &object) {
  std::string prefix = std::string(root.name()) + ".";
  std::string name = object.name();
  return name.compare(0, prefix.size(), prefix) == 0 ? name.substr(prefix.size()) : std::string(".");
}

}  // namespace

void StatProvider::save_state(aimc_writer *out) const {
  aimc_write_string(out, kind_.c_str());
  aimc_write_u32(out, static_cast<uint32_t>(counters_.size()));
  for (const auto &counter : counters_) {
    aimc_write_string(out, counter->name().c_str());
    aimc_write_u64(out, counter->count());
    aimc_write_f64(out, counter->amount());
  }
  for (double joules : energy_) aimc_write_f64(out, joules);
  put_time(out, busy_);
}

aimc_status StatProvider::load_state(aimc_reader *in) {
  char text[256], quoted[256];
  aimc_read_string(in, text, sizeof text);
  uint32_t counters = aimc_read_u32(in);
  aimc_status status = aimc_reader_status(in, "hardware state");
  if (status != AIMC_OK) return status;
  if (kind_ != text)
    return aimc_error_set(AIMC_EFORMAT, "hardware state: a %s was saved where this chip has a %s",
                          aimc_escape(text, SIZE_MAX, quoted, sizeof quoted), kind_.c_str());
  if (counters != counters_.size())
    return aimc_error_set(AIMC_EFORMAT, "hardware state: the %s has %u counters in the checkpoint, %zu here",
                          kind_.c_str(), counters, counters_.size());
  for (auto &counter : counters_) {
    aimc_read_string(in, text, sizeof text);
    uint64_t count = aimc_read_u64(in);
    double amount = aimc_read_f64(in);
    if ((status = aimc_reader_status(in, "hardware state")) != AIMC_OK) return status;
    if (counter->name() != text)
      return aimc_error_set(AIMC_EFORMAT, "hardware state: counter '%s' where '%s' was expected",
                            aimc_escape(text, SIZE_MAX, quoted, sizeof quoted), counter->name().c_str());
    // Amounts (energies in J, charges) only ever grow from zero.
    if (!(std::isfinite(amount) && amount >= 0.0))
      return aimc_error_set(AIMC_EFORMAT, "hardware state: %s of the %s is %g, not a finite non-negative number",
                            counter->name().c_str(), kind_.c_str(), amount);
    counter->restore(count, amount);
  }
  for (size_t p = 0; p < energy_.size(); ++p) {
    double joules = aimc_read_f64(in);
    if (!in->failed && !(std::isfinite(joules) && joules >= 0.0))
      return aimc_error_set(AIMC_EFORMAT, "hardware state: energy of the %s in phase %s is %g J, not a finite "
                            "non-negative number", kind_.c_str(),
                            p < AIMC_HW_PHASE_COUNT ? aimc_hw_phase_name(static_cast<aimc_hw_phase>(p)) : "?", joules);
    energy_[p] = joules;
  }
  busy_ = get_time(in);
  return aimc_reader_status(in, "hardware state");
}

void Tile::save_state(aimc_writer *out) const {
  StatProvider::save_state(out);
  aimc_array_save_state(&array_, out);
  put_time(out, free_at_);
  put_plain(out, forward_stats_);
  put_plain(out, backward_stats_);
  put_plain(out, transfer_stats_);
  put_plain(out, update_stats_);
}

aimc_status Tile::load_state(aimc_reader *in) {
  aimc_status status = StatProvider::load_state(in);
  if (status == AIMC_OK) status = aimc_array_load_state(&array_, in);
  if (status != AIMC_OK) return status;
  conductance_dirty_ = true;
  free_at_ = get_time(in);
  status = get_plain(in, &forward_stats_, "the forward read statistics");
  if (status == AIMC_OK) status = get_plain(in, &backward_stats_, "the backward read statistics");
  if (status == AIMC_OK) status = get_plain(in, &transfer_stats_, "the transfer read statistics");
  if (status == AIMC_OK) status = get_plain(in, &update_stats_, "the update statistics");
  if (status != AIMC_OK) return status;
  // The random streams are counted per sample updated and per vector read;
  // their counters must be those of the statistics saved with them.
  uint64_t vectors = forward_stats_.vectors + backward_stats_.vectors + transfer_stats_.vectors;
  if (array_.update_event != update_stats_.samples || array_.io_event != vectors)
    return aimc_error_set(AIMC_EFORMAT, "hardware state: the random-stream counters (%llu updates, %llu reads) are "
                          "not the %llu samples updated and %llu vectors read",
                          static_cast<unsigned long long>(array_.update_event),
                          static_cast<unsigned long long>(array_.io_event),
                          static_cast<unsigned long long>(update_stats_.samples),
                          static_cast<unsigned long long>(vectors));
  return AIMC_OK;
}

void Buffer::save_state(aimc_writer *out) const {
  StatProvider::save_state(out);
  aimc_write_u32(out, static_cast<uint32_t>(port_free_.size()));
  for (const sc_core::sc_time &t : port_free_) put_time(out, t);
}

aimc_status Buffer::load_state(aimc_reader *in) {
  aimc_status status = StatProvider::load_state(in);
  if (status != AIMC_OK) return status;
  uint32_t ports = aimc_read_u32(in);
  if (!in->failed && ports != port_free_.size())
    return aimc_error_set(AIMC_EFORMAT, "hardware state: the buffer has %u ports in the checkpoint, %zu here", ports,
                          port_free_.size());
  for (sc_core::sc_time &t : port_free_) t = get_time(in);
  return aimc_reader_status(in, "hardware state");
}

void Controller::save_state(aimc_writer *out) const {
  StatProvider::save_state(out);
  sc_core::sc_time now = timed_ ? std::max(sc_core::sc_time_stamp(), resume_at_) : sc_core::SC_ZERO_TIME;
  put_time(out, now);
  put_time(out, digital_free_);
  put_time(out, last_end_);
  for (int p = 0; p < AIMC_HW_PHASE_COUNT; ++p) {
    put_time(out, phases_.time[p]);
    aimc_write_u64(out, phases_.operations[p]);
  }
  aimc_write_u64(out, operation_index_);
  aimc_write_u64(out, step_);
}

aimc_status Controller::load_state(aimc_reader *in) {
  aimc_status status = StatProvider::load_state(in);
  if (status != AIMC_OK) return status;
  sc_core::sc_time now = get_time(in);
  digital_free_ = get_time(in);
  last_end_ = get_time(in);
  for (int p = 0; p < AIMC_HW_PHASE_COUNT; ++p) {
    phases_.time[p] = get_time(in);
    phases_.operations[p] = aimc_read_u64(in);
  }
  operation_index_ = aimc_read_u64(in);
  step_ = aimc_read_u64(in);
  if ((status = aimc_reader_status(in, "hardware state")) != AIMC_OK) return status;
  if (timed_ && sc_core::sc_time_stamp() > now)
    return aimc_error_set(AIMC_EFORMAT, "hardware state: saved at %s, but the simulation is already at %s",
                          now.to_string().c_str(), sc_core::sc_time_stamp().to_string().c_str());
  resume_at_ = timed_ ? now : sc_core::SC_ZERO_TIME;
  return AIMC_OK;
}

aimc_status Chip::save_chip_state(aimc_writer *out) const {
  if (controller_.in_parallel_group())
    return aimc_error_set(AIMC_EINVAL, "%s: a checkpoint cannot be taken inside a parallel group", name());
  std::vector<const sc_core::sc_object *> parts;
  collect(*this, &parts);
  aimc_write_string(out, kStateMagic);
  aimc_write_u32(out, kStateVersion);
  aimc_write_u8(out, timed_ ? 1 : 0);
  aimc_write_u32(out, static_cast<uint32_t>(layers()));
  aimc_write_u32(out, static_cast<uint32_t>(parts.size()));
  for (const sc_core::sc_object *part : parts) {
    aimc_write_string(out, relative_name(*this, *part).c_str());
    dynamic_cast<const StatProvider *>(part)->save_state(out);
  }
  return aimc_writer_status(out, "hardware state");
}

aimc_status Chip::load_chip_state(aimc_reader *in) {
  std::vector<const sc_core::sc_object *> parts;
  collect(*this, &parts);
  char text[256], quoted[256];
  aimc_read_string(in, text, sizeof text);
  uint32_t version = aimc_read_u32(in);
  uint8_t timed = aimc_read_u8(in);
  uint32_t layers_saved = aimc_read_u32(in), count = aimc_read_u32(in);
  aimc_status status = aimc_reader_status(in, "hardware state");
  if (status != AIMC_OK) return status;
  if (std::string(text) != kStateMagic || version != kStateVersion)
    return aimc_error_set(AIMC_EFORMAT, "hardware state: not a version %u state of the hardware model", kStateVersion);
  if ((timed != 0) != timed_)
    return aimc_error_set(AIMC_EFORMAT, "hardware state: saved from a%s chip, this one is %s",
                          timed ? " timed" : "n untimed", timed_ ? "timed" : "untimed");
  if (layers_saved != static_cast<uint32_t>(layers()) || count != parts.size())
    return aimc_error_set(AIMC_EFORMAT, "hardware state: saved from a chip of %u layers and %u components, this one "
                          "has %d and %zu", layers_saved, count, layers(), parts.size());
  for (const sc_core::sc_object *part : parts) {
    aimc_read_string(in, text, sizeof text);
    if ((status = aimc_reader_status(in, "hardware state")) != AIMC_OK) return status;
    std::string expected = relative_name(*this, *part);
    if (expected != text)
      return aimc_error_set(AIMC_EFORMAT, "hardware state: component '%s' where '%s' was expected",
                            aimc_escape(text, SIZE_MAX, quoted, sizeof quoted), expected.c_str());
    // The tree is this chip's own; loading changes the parts, not the tree.
    auto *provider = const_cast<StatProvider *>(dynamic_cast<const StatProvider *>(part));
    if ((status = provider->load_state(in)) != AIMC_OK) {
      std::string message = aimc_error_message();
      const std::string prefix = "hardware state: ";
      if (message.compare(0, prefix.size(), prefix) == 0) message = message.substr(prefix.size());
      return aimc_error_set(status, "hardware state: %s: %s", expected.c_str(), message.c_str());
    }
  }
  return AIMC_OK;
}

}  // namespace aimc::hw
