// Trace window and chip-level waveform variables (trace.h).
#include "aimc_hw/trace.h"

namespace aimc::hw {

void TraceWindow::declare_chip(const std::string &scope) {
  operation_var_ = vcd_.declare(scope, "operation", VcdWriter::Kind::integer, VcdWriter::View::enumeration,
                                {"idle", "forward", "backward", "update", "transfer", "digital"});
  step_var_ = vcd_.declare(scope, "step", VcdWriter::Kind::integer, VcdWriter::View::signed_decimal);
}

void TraceWindow::begin_operation(uint64_t index, uint64_t step, aimc_hw_phase phase, const sc_core::sc_time &start) {
  active_ = index >= params_.first_operation && index <= params_.last_operation && step >= params_.first_step &&
            step <= params_.last_step;
  if (active_) vcd_.change(start, operation_var_, static_cast<int64_t>(phase) + 1);
}

void TraceWindow::end_operation(const sc_core::sc_time &end) {
  if (active_) vcd_.change(end, operation_var_, 0);
  active_ = false;
}

void TraceWindow::step(uint64_t step, const sc_core::sc_time &now) {
  if (step >= params_.first_step && step <= params_.last_step)
    vcd_.change(now, step_var_, static_cast<int64_t>(step));
}

}  // namespace aimc::hw
