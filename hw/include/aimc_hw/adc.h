// The ADC family: the output converters of one side of a tile. `columns_per_adc`
// lines share one ADC, lines are assigned to ADCs in turn, so converting n
// outputs takes ceil(n / adcs) rounds of one conversion time. A variant decides
// how many comparator decisions a conversion takes (an action count); energy is
// per conversion, and it and the conversion time follow bits and type under the
// model cost (aimc_hw_adc_energy_per_conversion, params.h). The codes are the C core's output quantisation, reported for
// observation only.
#ifndef AIMC_HW_ADC_H
#define AIMC_HW_ADC_H

#include <cstdint>
#include <memory>

#include <systemc>

#include "aimc_hw/params.h"
#include "aimc_hw/stats.h"

namespace aimc::hw {

class AdcBank : public sc_core::sc_module, public StatProvider {
 public:
  AdcBank(const sc_core::sc_module_name &name, const aimc_hw_adc_params &params, int lines, const char *kind);

  int adcs() const { return adcs_; }
  int bits() const { return params_.bits; }
  // Conversion rounds for `outputs` lines: ceil(outputs / adcs).
  uint64_t rounds(int outputs) const { return (static_cast<uint64_t>(outputs) + adcs_ - 1) / adcs_; }
  // The conversion time and energy of params (model or table cost, params.h).
  const sc_core::sc_time &conversion_time() const { return conversion_; }
  double energy_per_conversion() const { return energy_per_conversion_; }
  virtual uint64_t comparisons_per_conversion() const = 0;

  // Records `passes` analog passes converting `outputs` lines each; `clipped`
  // outputs ended at the range limits.
  void convert(uint64_t passes, int outputs, uint64_t clipped, aimc_hw_phase phase);

  // Integer codes of outputs y produced with output scale `scale` (alpha times
  // the bound-management factor times out_scale); false if the ADC does not
  // quantise (perfect or unquantised periphery).
  static bool codes(const aimc_io_params &io, const float *y, int n, float scale, int32_t *out);

 protected:
  aimc_hw_adc_params params_;

 private:
  int adcs_;
  sc_core::sc_time conversion_;
  double energy_per_conversion_;
  Counter &conversions_;
  Counter &comparisons_;
  Counter &clipped_;
};

// The variant chosen by params.type.
std::unique_ptr<AdcBank> make_adc_bank(const char *name, const aimc_hw_adc_params &params, int lines);

}  // namespace aimc::hw

#endif
