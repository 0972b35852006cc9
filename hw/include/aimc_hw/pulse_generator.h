// The update pulse generator of a tile. For every sample of a pulsed update it
// loads the row and column probabilities (setup time), then drives the bit
// trains the C core drew, one slot per pulse period, all lines in parallel:
// a sample takes setup + BL x period. Line charging costs energy per pulse on a
// row or column line (aimc_hw_row_line_pulse_energy, _col_: C_line V^2 or a table value). Samples the C core skipped (x = 0 or d = 0) cost nothing.
#ifndef AIMC_HW_PULSE_GENERATOR_H
#define AIMC_HW_PULSE_GENERATOR_H

#include <systemc>

#include "aimc/update.h"
#include "aimc_hw/params.h"
#include "aimc_hw/stats.h"

namespace aimc::hw {

class PulseGenerator : public sc_core::sc_module, public StatProvider {
 public:
  // chip.pulse with the tile geometry and cell pitches that set the line lengths.
  PulseGenerator(const sc_core::sc_module_name &name, const aimc_hw_chip_params &chip);
  double row_line_energy() const { return row_energy_; }
  double col_line_energy() const { return col_energy_; }

  const sc_core::sc_time &period() const { return period_; }
  const sc_core::sc_time &width() const { return width_; }
  const sc_core::sc_time &setup_time() const { return setup_; }
  // Duration of `samples` applied samples using `slots` slots in total.
  sc_core::sc_time duration(uint64_t samples, uint64_t slots) const;
  // Records what one update call of the C core did (its statistics).
  void fire(const aimc_update_stats &update, aimc_hw_phase phase);

 private:
  sc_core::sc_time period_, width_, setup_;
  double row_energy_, col_energy_;  // J per pulse on one row / column line
  Counter &samples_;
  Counter &slots_;
  Counter &row_pulses_;
  Counter &col_pulses_;
};

}  // namespace aimc::hw

#endif
