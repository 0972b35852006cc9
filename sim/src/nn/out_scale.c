/*
 * aimcsim's row-wise mapping (mapping.scheme aimcsim_rowwise), its own and not
 * AIHWKIT's (whose default does not remap, and whose learned out scale starts at
 * 1; the aihwkit scheme lives in sim/src/train/network.c): the layer computes
 * y_i = s_i z_i from the analog MVM output z, and s is trained by digital SGD. The initial mapping stores W_a = W / s on the
 * devices with s_i = max_j |W_ij| / omega, so the largest weight of each
 * output row sits at the device weight omega and s_i W_a,ij = W_ij. The
 * division runs in double and rounds once, so the product reproduces W to
 * about one float ulp.
 */
#include <math.h>

#include "aimc_sim/nn.h"
#include "nn_internal.h"

aimc_status aimc_nn_out_scale_forward(size_t batch, size_t features, const float *scale, const float *z,
                                      float *y) {
  aimc_status status = nn_check_matrix("out-scale forward", "batch x features", batch, features);
  if (status != AIMC_OK) return status;
  for (size_t b = 0; b < batch; ++b) {
    for (size_t i = 0; i < features; ++i) y[b * features + i] = scale[i] * z[b * features + i];
  }
  return AIMC_OK;
}

aimc_status aimc_nn_out_scale_backward(size_t batch, size_t features, const float *scale, const float *z,
                                       const float *dy, float *dz, float *grad_scale) {
  aimc_status status = nn_check_matrix("out-scale backward", "batch x features", batch, features);
  if (status != AIMC_OK) return status;
  /* The scale gradient reads dy before dz (which may alias it) is written. */
  if (grad_scale) {
    for (size_t i = 0; i < features; ++i) {
      double sum = 0.0;
      for (size_t b = 0; b < batch; ++b) sum += (double)dy[b * features + i] * (double)z[b * features + i];
      grad_scale[i] = (float)sum;
    }
  }
  for (size_t b = 0; b < batch; ++b) {
    for (size_t i = 0; i < features; ++i) dz[b * features + i] = scale[i] * dy[b * features + i];
  }
  return AIMC_OK;
}

aimc_status aimc_nn_columnwise_scaling(size_t out, size_t in, const float *weight, float omega,
                                       float *analog_weight, float *scale) {
  aimc_status status = nn_check_matrix("column-wise scaling", "out x in", out, in);
  if (status != AIMC_OK) return status;
  if (!isfinite(omega) || omega <= 0.0f)
    return aimc_error_set(AIMC_EINVAL, "column-wise scaling: omega %g is not finite and > 0", (double)omega);
  for (size_t k = 0; k < out * in; ++k) {
    if (!isfinite(weight[k]))
      return aimc_error_set(AIMC_ENUMERIC, "column-wise scaling: weight (%zu, %zu) is not finite", k / in, k % in);
  }
  /* All scales first, so that a failure leaves the weights (which analog_weight may alias) untouched. */
  for (size_t i = 0; i < out; ++i) {
    const float *row = weight + i * in;
    float largest = 0.0f;
    for (size_t j = 0; j < in; ++j) largest = fmaxf(largest, fabsf(row[j]));
    const float s = largest > 0.0f ? (float)((double)largest / (double)omega) : 1.0f;
    if (s == 0.0f || !isfinite(s))
      return aimc_error_set(AIMC_ENUMERIC, "column-wise scaling: scale %g / %g of row %zu is not a finite nonzero float",
                            (double)largest, (double)omega, i);
    scale[i] = s;
  }
  for (size_t i = 0; i < out; ++i) {
    for (size_t j = 0; j < in; ++j)
      analog_weight[i * in + j] = (float)((double)weight[i * in + j] / (double)scale[i]);
  }
  return AIMC_OK;
}
