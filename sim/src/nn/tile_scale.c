/*
 * The fixed mapping scales of mapping.scheme aihwkit, as AIHWKIT 0.9.0's tile
 * periphery applies them (src/aihwkit/simulator/tiles/periphery.py at v0.9.0;
 * docs/training.md, Mapping). With weight_scaling_omega > 0 a tile's weights w
 * are stored as w / alpha on the devices, alpha = max|w| / omega over the tile
 * or over each output row (weight_scaling_columnwise), computed in float as
 * apply_weight_scaling does (lines 462-480; alpha 1 where the maximum is 0).
 * The forward output is then multiplied by alpha (post_forward), so is the
 * gradient of the backward read (pre_backward), and the gradient of the update
 * is divided by it (pre_update): in expectation the effective weight alpha * W
 * takes the step -lr dy x^T, as without the mapping. network.c applies these
 * to every tile; the tests check them on a hand-computed 2 x 3 tile.
 */
#include <math.h>

#include "aimc_sim/nn.h"
#include "nn_internal.h"

aimc_status aimc_nn_fixed_scales(size_t out, size_t in, const float *weight, float omega, int columnwise,
                                 float *alpha, float *device_weight) {
  aimc_status status = nn_check_matrix("fixed mapping scales", "out x in", out, in);
  if (status != AIMC_OK) return status;
  if (!isfinite(omega) || omega <= 0.0f)
    return aimc_error_set(AIMC_EINVAL, "fixed mapping scales: omega %g is not finite and > 0", (double)omega);
  const size_t n = columnwise ? out : 1;
  for (size_t k = 0; k < n; ++k) alpha[k] = 0.0f;
  for (size_t i = 0; i < out; ++i) {
    float *largest = &alpha[columnwise ? i : 0];
    for (size_t j = 0; j < in; ++j) *largest = fmaxf(*largest, fabsf(weight[i * in + j]));
  }
  for (size_t k = 0; k < n; ++k) alpha[k] = alpha[k] == 0.0f ? 1.0f : alpha[k] / omega;
  for (size_t i = 0; i < out; ++i)
    for (size_t j = 0; j < in; ++j) device_weight[i * in + j] = weight[i * in + j] / alpha[columnwise ? i : 0];
  return AIMC_OK;
}

void aimc_nn_tile_scale(size_t rows, size_t out, const float *scales, size_t n_scales, int divide, const float *z,
                        float *y) {
  for (size_t r = 0; r < rows; ++r)
    for (size_t i = 0; i < out; ++i) {
      const float s = scales[n_scales > 1 ? i : 0];
      y[r * out + i] = divide ? z[r * out + i] / s : z[r * out + i] * s;
    }
}
