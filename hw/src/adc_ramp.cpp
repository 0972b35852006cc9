// Ramp (single-slope) ADC (adc_ramp.h).
#include "aimc_hw/adc_ramp.h"

namespace aimc::hw {

RampAdc::RampAdc(const sc_core::sc_module_name &name, const aimc_hw_adc_params &params, int lines)
    : AdcBank(name, params, lines, "adc_ramp") {}

uint64_t RampAdc::comparisons_per_conversion() const { return 1ull << params_.bits; }

}  // namespace aimc::hw
