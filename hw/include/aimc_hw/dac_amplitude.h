// Amplitude DAC: the line voltage is proportional to the level and the read
// integrates for the fixed time of aimc_hw_read_params.integration_time.
#ifndef AIMC_HW_DAC_AMPLITUDE_H
#define AIMC_HW_DAC_AMPLITUDE_H

#include "aimc_hw/dac.h"

namespace aimc::hw {

class AmplitudeDac : public DacBank {
 public:
  AmplitudeDac(const sc_core::sc_module_name &name, const aimc_hw_dac_params &params, const aimc_hw_read_params &read,
               int lines);
  sc_core::sc_time window() const override { return window_; }

 private:
  sc_core::sc_time window_;
};

}  // namespace aimc::hw

#endif
