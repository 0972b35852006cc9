// SAR ADC (adc_sar.h).
#include "aimc_hw/adc_sar.h"

namespace aimc::hw {

SarAdc::SarAdc(const sc_core::sc_module_name &name, const aimc_hw_adc_params &params, int lines)
    : AdcBank(name, params, lines, "adc_sar") {}

uint64_t SarAdc::comparisons_per_conversion() const { return static_cast<uint64_t>(params_.bits); }

}  // namespace aimc::hw
