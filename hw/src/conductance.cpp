// Weight-to-conductance mapping (conductance.h).
#include "aimc_hw/conductance.h"

#include <algorithm>
#include <cmath>

namespace aimc::hw {

ConductanceMap::ConductanceMap(const aimc_hw_conductance_params &params, const aimc_device_params &device)
    : params_(params),
      w_min_(device.w_min),
      w_max_(device.w_max),
      w_span_(std::max(device.w_max, -device.w_min)) {}

void ConductanceMap::devices(float w, double *first, double *second) const {
  double range = params_.g_max - params_.g_min;
  if (params_.mapping == AIMC_HW_DIFFERENTIAL_PAIR) {
    double g = params_.g_min + range * std::min(std::fabs(static_cast<double>(w)) / w_span_, 1.0);
    *first = w >= 0.0f ? g : params_.g_min;
    *second = w >= 0.0f ? params_.g_min : g;
  } else {
    double span = w_max_ - w_min_;
    double fraction = std::clamp((static_cast<double>(w) - w_min_) / span, 0.0, 1.0);
    *first = params_.g_min + range * fraction;
    *second = params_.g_min + range * std::clamp(-w_min_ / span, 0.0, 1.0);
  }
}

double ConductanceMap::sum(const float *w, size_t n) const {
  // Eight independent partial sums let the compiler vectorise the reduction.
  double lanes[8] = {0, 0, 0, 0, 0, 0, 0, 0};
  size_t whole = n - n % 8;
  double range = params_.g_max - params_.g_min;
  if (params_.mapping == AIMC_HW_DIFFERENTIAL_PAIR) {
    double inverse = 1.0 / w_span_;
    for (size_t c = 0; c < whole; c += 8) {
      for (int l = 0; l < 8; ++l) lanes[l] += std::min(std::fabs(static_cast<double>(w[c + l])) * inverse, 1.0);
    }
    double total = 0.0;
    for (double v : lanes) total += v;
    for (size_t c = whole; c < n; ++c) total += std::min(std::fabs(static_cast<double>(w[c])) * inverse, 1.0);
    return 2.0 * params_.g_min * static_cast<double>(n) + range * total;
  }
  double span = w_max_ - w_min_, inverse = 1.0 / span;
  for (size_t c = 0; c < whole; c += 8) {
    for (int l = 0; l < 8; ++l)
      lanes[l] += std::clamp((static_cast<double>(w[c + l]) - w_min_) * inverse, 0.0, 1.0);
  }
  double total = 0.0;
  for (double v : lanes) total += v;
  for (size_t c = whole; c < n; ++c) total += std::clamp((static_cast<double>(w[c]) - w_min_) * inverse, 0.0, 1.0);
  double reference = params_.g_min + range * std::clamp(-w_min_ * inverse, 0.0, 1.0);
  return (params_.g_min + reference) * static_cast<double>(n) + range * total;
}

}  // namespace aimc::hw
