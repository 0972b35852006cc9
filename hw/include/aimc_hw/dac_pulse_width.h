// Pulse-width DAC: a line is driven at full read voltage for |level| slots; a
// signed input uses two phases of 2^(bits-1) slots, so the window is 2^bits slots.
#ifndef AIMC_HW_DAC_PULSE_WIDTH_H
#define AIMC_HW_DAC_PULSE_WIDTH_H

#include "aimc_hw/dac.h"

namespace aimc::hw {

class PulseWidthDac : public DacBank {
 public:
  PulseWidthDac(const sc_core::sc_module_name &name, const aimc_hw_dac_params &params, int lines);
  sc_core::sc_time window() const override { return window_; }

 private:
  sc_core::sc_time window_;
};

}  // namespace aimc::hw

#endif
