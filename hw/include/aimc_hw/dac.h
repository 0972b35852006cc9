// The DAC family: the input converters of one side of a tile, one DAC per line.
// A variant decides the integration window of an analog pass; all variants
// count conversions and charge energy per conversion (aimc_hw_dac_energy_per_conversion:
// a pulse-width drive whatever its length, an amplitude DAC by its bits). The levels a DAC applies
// are the C core's input quantisation (io.h: u = clip(round(x / scale / step))),
// reported here for observation only; the C core does the arithmetic.
#ifndef AIMC_HW_DAC_H
#define AIMC_HW_DAC_H

#include <cstdint>
#include <memory>

#include <systemc>

#include "aimc_hw/params.h"
#include "aimc_hw/stats.h"

namespace aimc::hw {

class DacBank : public sc_core::sc_module, public StatProvider {
 public:
  DacBank(const sc_core::sc_module_name &name, const aimc_hw_dac_params &params, int lines, const char *kind);

  int lines() const { return lines_; }
  int bits() const { return params_.bits; }
  const sc_core::sc_time &setup_time() const { return setup_; }
  // Integration window of one analog pass.
  virtual sc_core::sc_time window() const = 0;

  // Records one analog pass with `inputs` lines driven.
  void convert(uint64_t passes, int inputs, aimc_hw_phase phase);

  // The input scale alpha the periphery applies to a vector (noise management).
  static float input_scale(const aimc_io_params &io, const float *x, int n);
  // Integer DAC levels of a pass with input scale `scale` (alpha times the
  // bound-management factor); false if the DAC does not quantise
  // deterministically, so that no levels can be named.
  static bool levels(const aimc_io_params &io, const float *x, int n, float scale, int32_t *out);

 protected:
  aimc_hw_dac_params params_;

 private:
  int lines_;
  sc_core::sc_time setup_;
  double energy_per_conversion_;
  Counter &passes_;
  Counter &conversions_;
};

// The variant chosen by params.encoding.
std::unique_ptr<DacBank> make_dac_bank(const char *name, const aimc_hw_dac_params &params,
                                       const aimc_hw_read_params &read, int lines);

}  // namespace aimc::hw

#endif
