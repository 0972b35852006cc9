// Mapping of the C core's normalised weights onto device conductances, for the
// read energy V_read^2 * sum(G) * t of a pass and for traced conductances.
//
// Differential pair: w >= 0 puts G+ = g_min + (g_max - g_min) min(w / w_span, 1)
// and G- = g_min (mirrored for w < 0), w_span = max(w_max, -w_min) of the
// device's mean bounds. Reference device: G = g_min + (g_max - g_min) *
// clip((w - w_min) / (w_max - w_min), 0, 1) against a fixed reference
// G_ref = G(0). Either way every weight is two conducting devices, and a read
// drives both.
#ifndef AIMC_HW_CONDUCTANCE_H
#define AIMC_HW_CONDUCTANCE_H

#include <cstddef>

#include "aimc/device.h"
#include "aimc_hw/params.h"

namespace aimc::hw {

class ConductanceMap {
 public:
  ConductanceMap(const aimc_hw_conductance_params &params, const aimc_device_params &device);

  // The two device conductances of weight w: (G+, G-) or (G, G_ref).
  void devices(float w, double *first, double *second) const;
  // Sum of the conductances of all devices of n weights (in double, order-free
  // to within rounding of the final sum).
  double sum(const float *w, size_t n) const;

 private:
  aimc_hw_conductance_params params_;
  double w_min_, w_max_, w_span_;
};

}  // namespace aimc::hw

#endif
