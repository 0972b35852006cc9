// Ramp (single-slope) ADC: one comparator watches a ramp while a counter counts
// its 2^bits LSB steps, so a conversion takes 2^bits comparator decisions in a
// row (the decisions a flash ADC makes at once).
#ifndef AIMC_HW_ADC_RAMP_H
#define AIMC_HW_ADC_RAMP_H

#include "aimc_hw/adc.h"

namespace aimc::hw {

class RampAdc : public AdcBank {
 public:
  RampAdc(const sc_core::sc_module_name &name, const aimc_hw_adc_params &params, int lines);
  uint64_t comparisons_per_conversion() const override;
};

}  // namespace aimc::hw

#endif
