// The update pulse generator of a tile. For every sample of a pulsed update it
// loads the row and column probabilities (setup time), then drives the bit
// trains the C core drew, one slot per pulse period, all lines in parallel:
// a sample takes setup + BL x period. Line charging costs energy per pulse on a
// row or column line. Samples the C core skipped (x = 0 or d = 0) cost nothing.
#ifndef AIMC_HW_PULSE_GENERATOR_H
#define AIMC_HW_PULSE_GENERATOR_H

#include <systemc>

#include "aimc/update.h"
#include "aimc_hw/params.h"
#include "aimc_hw/stats.h"

namespace aimc::hw {

class PulseGenerator : public sc_core::sc_module, public StatProvider {
 public:
  PulseGenerator(const sc_core::sc_module_name &name, const aimc_hw_pulse_params &params);

  const sc_core::sc_time &period() const { return period_; }
  const sc_core::sc_time &width() const { return width_; }
  const sc_core::sc_time &setup_time() const { return setup_; }
  // Duration of `samples` applied samples using `slots` slots in total.
  sc_core::sc_time duration(uint64_t samples, uint64_t slots) const;
  // Records what one update call of the C core did (its statistics).
  void fire(const aimc_update_stats &update, aimc_hw_phase phase);

 private:
  aimc_hw_pulse_params params_;
  sc_core::sc_time period_, width_, setup_;
  Counter &samples_;
  Counter &slots_;
  Counter &row_pulses_;
  Counter &col_pulses_;
};

}  // namespace aimc::hw

#endif
