// Helpers shared by the C-core test suites.
#ifndef AIMC_TEST_UTIL_H
#define AIMC_TEST_UTIL_H

#include <stdexcept>
#include <vector>

extern "C" {
#include "aimc/aimc.h"
}

// A device without device-to-device variation (all *_dtod zero).
inline aimc_device_params quiet_device(aimc_device_model model) {
  aimc_device_params p;
  aimc_device_params_default(&p, model);
  p.dw_min_dtod = 0;
  p.up_down_dtod = 0;
  p.w_max_dtod = 0;
  p.w_min_dtod = 0;
  p.gamma_up_dtod = 0;
  p.gamma_down_dtod = 0;
  p.pow_gamma_dtod = 0;
  p.dw_min_std = 0;
  p.reset_std = 0;
  return p;
}

// An array owned by the test; destroyed at scope exit.
struct Array {
  aimc_array a;
  Array(int rows, int cols, const aimc_device_params &p, uint64_t seed = 1) {
    aimc_status s = aimc_array_create(&a, rows, cols, &p, seed, 0);
    if (s != AIMC_OK) throw std::runtime_error(aimc_error_message());
  }
  ~Array() { aimc_array_destroy(&a); }
  Array(const Array &) = delete;
  Array &operator=(const Array &) = delete;
  std::vector<float> weights() const { return std::vector<float>(a.w, a.w + (size_t)a.rows * a.cols); }
};

#endif
