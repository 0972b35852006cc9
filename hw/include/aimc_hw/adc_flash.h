// Flash ADC: all 2^bits - 1 comparators decide at once.
#ifndef AIMC_HW_ADC_FLASH_H
#define AIMC_HW_ADC_FLASH_H

#include "aimc_hw/adc.h"

namespace aimc::hw {

class FlashAdc : public AdcBank {
 public:
  FlashAdc(const sc_core::sc_module_name &name, const aimc_hw_adc_params &params, int lines);
  uint64_t comparisons_per_conversion() const override;
};

}  // namespace aimc::hw

#endif
