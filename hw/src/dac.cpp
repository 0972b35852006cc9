// DAC family: shared accounting, the periphery's input scaling and levels, and
// the variant factory (dac.h).
#include "aimc_hw/dac.h"

#include <cmath>

#include "aimc_hw/dac_amplitude.h"
#include "aimc_hw/dac_pulse_width.h"
#include "aimc_hw/timebase.h"

namespace aimc::hw {

DacBank::DacBank(const sc_core::sc_module_name &name, const aimc_hw_dac_params &params, int lines, const char *kind)
    : sc_core::sc_module(name),
      StatProvider(kind),
      params_(params),
      lines_(lines),
      setup_(seconds(params.setup_time)),
      energy_per_conversion_(aimc_hw_dac_energy_per_conversion(&params)),
      passes_(add_counter("passes", "1", "analog passes driven (vectors plus bound-management repeats)")),
      conversions_(add_counter("conversions", "1", "digital-to-analog conversions (lines x passes)")) {}

void DacBank::convert(uint64_t passes, int inputs, aimc_hw_phase phase) {
  uint64_t conversions = passes * static_cast<uint64_t>(inputs);
  passes_.add(passes);
  conversions_.add(conversions);
  add_energy(phase, static_cast<double>(conversions) * energy_per_conversion_);
  add_busy(repeat(setup_ + window(), passes));
}

// Mirrors the noise management of the C core's periphery (io.c), which does
// not expose alpha; only used to name the levels and codes it produced.
float DacBank::input_scale(const aimc_io_params &io, const float *x, int n) {
  switch (io.noise_management) {
    case AIMC_NM_NONE: return 1.0f;
    case AIMC_NM_ABS_MAX: {
      float m = 0.0f;
      for (int j = 0; j < n; ++j) m = std::fabs(x[j]) > m ? std::fabs(x[j]) : m;
      return (io.nm_thres > 0.0 && m > io.nm_thres) ? static_cast<float>(io.nm_thres) : m;
    }
    case AIMC_NM_MAX: {
      float m = x[0];
      for (int j = 1; j < n; ++j) m = x[j] > m ? x[j] : m;
      return m;
    }
    case AIMC_NM_CONSTANT: return static_cast<float>(io.nm_thres);
  }
  return 1.0f;
}

static float resolution_step(double res, double bound) {
  double fraction = res <= 0.0 ? 0.0 : (res > 1.0 ? 1.0 / res : res);
  return static_cast<float>(fraction * 2.0 * bound);
}

bool DacBank::levels(const aimc_io_params &io, const float *x, int n, float scale, int32_t *out) {
  float step = resolution_step(io.inp_res, io.inp_bound);
  if (io.is_perfect || !(step > 0.0f) || io.inp_sto_round) return false;
  float bound = static_cast<float>(io.inp_bound);
  for (int j = 0; j < n; ++j) {
    float u = 0.0f;
    if (scale > 0.0f) {
      u = aimc_io_quantize(x[j] / scale, step, -1.0f);
      u = u < -bound ? -bound : (u > bound ? bound : u);
    }
    out[j] = static_cast<int32_t>(std::lround(u / step));
  }
  return true;
}

std::unique_ptr<DacBank> make_dac_bank(const char *name, const aimc_hw_dac_params &params,
                                       const aimc_hw_read_params &read, int lines) {
  switch (params.encoding) {
    case AIMC_HW_DAC_AMPLITUDE: return std::make_unique<AmplitudeDac>(name, params, read, lines);
    case AIMC_HW_DAC_PULSE_WIDTH:
    default: return std::make_unique<PulseWidthDac>(name, params, lines);
  }
}

}  // namespace aimc::hw
