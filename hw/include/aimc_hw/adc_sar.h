// Successive-approximation ADC: one comparator decision per bit.
#ifndef AIMC_HW_ADC_SAR_H
#define AIMC_HW_ADC_SAR_H

#include "aimc_hw/adc.h"

namespace aimc::hw {

class SarAdc : public AdcBank {
 public:
  SarAdc(const sc_core::sc_module_name &name, const aimc_hw_adc_params &params, int lines);
  uint64_t comparisons_per_conversion() const override;
};

}  // namespace aimc::hw

#endif
