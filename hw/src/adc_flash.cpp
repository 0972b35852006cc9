// Flash ADC (adc_flash.h).
#include "aimc_hw/adc_flash.h"

namespace aimc::hw {

FlashAdc::FlashAdc(const sc_core::sc_module_name &name, const aimc_hw_adc_params &params, int lines)
    : AdcBank(name, params, lines, "adc_flash") {}

uint64_t FlashAdc::comparisons_per_conversion() const { return (1ull << params_.bits) - 1; }

}  // namespace aimc::hw
