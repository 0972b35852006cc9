// ADC family: shared accounting, the output codes, and the variant factory (adc.h).
#include "aimc_hw/adc.h"

#include <cmath>

#include "aimc_hw/adc_flash.h"
#include "aimc_hw/adc_ramp.h"
#include "aimc_hw/adc_sar.h"
#include "aimc_hw/timebase.h"

namespace aimc::hw {

AdcBank::AdcBank(const sc_core::sc_module_name &name, const aimc_hw_adc_params &params, int lines, const char *kind)
    : sc_core::sc_module(name),
      StatProvider(kind),
      params_(params),
      adcs_((lines + params.columns_per_adc - 1) / params.columns_per_adc),
      conversion_(seconds(aimc_hw_adc_conversion_time(&params))),
      energy_per_conversion_(aimc_hw_adc_dynamic_energy_per_conversion(&params)),
      conversions_(add_counter("conversions", "1", "analog-to-digital conversions")),
      comparisons_(add_counter("comparisons", "1", "comparator decisions of those conversions")),
      clipped_(add_counter("clipped", "1", "outputs at the range limit in the final pass")) {
  set_static_power(adcs_ * aimc_hw_adc_static_power(&params));
}

void AdcBank::convert(uint64_t passes, int outputs, uint64_t clipped, aimc_hw_phase phase) {
  uint64_t conversions = passes * static_cast<uint64_t>(outputs);
  conversions_.add(conversions);
  comparisons_.add(conversions * comparisons_per_conversion());
  clipped_.add(clipped);
  add_energy(phase, static_cast<double>(conversions) * energy_per_conversion_);
  add_busy(repeat(conversion_, passes * rounds(outputs)));
}

bool AdcBank::codes(const aimc_io_params &io, const float *y, int n, float scale, int32_t *out) {
  double fraction = io.out_res <= 0.0 ? 0.0 : (io.out_res > 1.0 ? 1.0 / io.out_res : io.out_res);
  double step = static_cast<double>(static_cast<float>(fraction * 2.0 * io.out_bound));
  if (io.is_perfect || !(step > 0.0)) return false;
  double lsb = step * static_cast<double>(scale);
  for (int k = 0; k < n; ++k) out[k] = lsb > 0.0 ? static_cast<int32_t>(std::lround(y[k] / lsb)) : 0;
  return true;
}

std::unique_ptr<AdcBank> make_adc_bank(const char *name, const aimc_hw_adc_params &params, int lines) {
  switch (params.type) {
    case AIMC_HW_ADC_FLASH: return std::make_unique<FlashAdc>(name, params, lines);
    case AIMC_HW_ADC_RAMP: return std::make_unique<RampAdc>(name, params, lines);
    case AIMC_HW_ADC_SAR:
    default: return std::make_unique<SarAdc>(name, params, lines);
  }
}

}  // namespace aimc::hw
