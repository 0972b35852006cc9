// Waveform tracing of a run: which operations are in the trace window, and the
// VCD variables of the chip and of each traced tile. The pulse lines come from
// the very bit trains the C core handed to its aimc_train_sink while it applied
// them; ADC codes and conductances are read from the same calls' results.
#ifndef AIMC_HW_TRACE_H
#define AIMC_HW_TRACE_H

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <systemc>

#include "aimc_hw/chip.h"
#include "aimc_hw/vcd.h"

namespace aimc::hw {

// Activity codes of a traced tile (the VCD "activity" variable).
enum class TileActivity : int { idle = 0, forward, backward, update, transfer_read, transfer_update };

// The VCD variables of one traced tile (indices into the VcdWriter).
struct TileTrace {
  VcdWriter *vcd = nullptr;
  const bool *active = nullptr;       // the trace window of the current operation
  int activity = -1;
  std::vector<int> rows, cols;        // traced lines, local to the tile
  std::vector<int> row_pulse, row_positive, row_code;
  std::vector<int> col_pulse, col_positive, col_code;
  std::vector<int> device_row, device_col, device_first, device_second;
  bool on() const { return *active; }
};

// The chip-level part: the window, the operation and step variables.
class TraceWindow {
 public:
  explicit TraceWindow(const aimc_hw_trace_params &params) : params_(params) {}
  VcdWriter &vcd() { return vcd_; }
  const bool *active_flag() const { return &active_; }
  void declare_chip(const std::string &scope);
  // Called by the Controller around every operation.
  void begin_operation(uint64_t index, uint64_t step, aimc_hw_phase phase, const sc_core::sc_time &start);
  void end_operation(const sc_core::sc_time &end);
  void step(uint64_t step, const sc_core::sc_time &now);

 private:
  aimc_hw_trace_params params_;
  VcdWriter vcd_;
  bool active_ = false;
  int operation_var_ = -1, step_var_ = -1;
};

}  // namespace aimc::hw

#endif
