/*
 * 2 x 2 max-pooling with stride 2, as PyTorch's MaxPool2d(2) (floor mode: an
 * odd last row or column is dropped). The forward pass keeps, per output, the
 * position of the winning input within its plane; the backward pass sends the
 * output gradient there. Windows do not overlap, so the backward pass is a
 * scatter without sums and planes run independently on OpenMP threads.
 */
#include <math.h>
#include <string.h>

#include "aimc_sim/nn.h"
#include "nn_internal.h"

static aimc_status check_pool(const char *where, size_t batch, size_t channels, size_t height, size_t width) {
  const size_t dims[4] = {batch, channels, height, width};
  aimc_status status = nn_check_tensor(where, "batch x channels x height x width", 4, dims);
  if (status != AIMC_OK) return status;
  if (height < 2 || width < 2)
    return aimc_error_set(AIMC_EINVAL, "%s: plane shape %zu x %zu is smaller than the 2 x 2 window", where, height,
                          width);
  if (height > UINT32_MAX / width)
    return aimc_error_set(AIMC_EINVAL, "%s: plane shape %zu x %zu has more pixels than 32-bit indices name", where,
                          height, width);
  return AIMC_OK;
}

aimc_status aimc_nn_maxpool2_forward(size_t batch, size_t channels, size_t height, size_t width, const float *x,
                                     float *y, uint32_t *argmax) {
  aimc_status status = check_pool("maxpool forward", batch, channels, height, width);
  if (status != AIMC_OK) return status;
  const size_t planes = batch * channels, out_height = height / 2, out_width = width / 2;
  const size_t plane_size = height * width, out_plane_size = out_height * out_width;
#pragma omp parallel for schedule(static) if (planes * plane_size >= NN_PARALLEL_MIN_ELEMENTS)
  for (size_t p = 0; p < planes; ++p) {
    const float *in = x + p * plane_size;
    float *out = y + p * out_plane_size;
    uint32_t *winner = argmax + p * out_plane_size;
    for (size_t oy = 0; oy < out_height; ++oy) {
      for (size_t ox = 0; ox < out_width; ++ox) {
        const size_t top_left = 2 * oy * width + 2 * ox;
        const size_t window[4] = {top_left, top_left + 1, top_left + width, top_left + width + 1};
        size_t best = window[0];
        for (int i = 1; i < 4; ++i) {
          /* Strictly greater keeps the first maximum; a NaN, once it wins, stays. */
          if (in[window[i]] > in[best] || (isnan(in[window[i]]) && !isnan(in[best]))) best = window[i];
        }
        out[oy * out_width + ox] = in[best];
        winner[oy * out_width + ox] = (uint32_t)best;
      }
    }
  }
  return AIMC_OK;
}

aimc_status aimc_nn_maxpool2_backward(size_t batch, size_t channels, size_t height, size_t width,
                                      const float *dy, const uint32_t *argmax, float *dx) {
  aimc_status status = check_pool("maxpool backward", batch, channels, height, width);
  if (status != AIMC_OK) return status;
  const size_t planes = batch * channels, out_height = height / 2, out_width = width / 2;
  const size_t plane_size = height * width, out_plane_size = out_height * out_width;
  for (size_t i = 0; i < planes * out_plane_size; ++i) {
    if (argmax[i] >= plane_size)
      return aimc_error_set(AIMC_EINVAL, "maxpool backward: argmax %u of output %zu is outside the %zu x %zu plane",
                            (unsigned)argmax[i], i, height, width);
  }
#pragma omp parallel for schedule(static) if (planes * plane_size >= NN_PARALLEL_MIN_ELEMENTS)
  for (size_t p = 0; p < planes; ++p) {
    float *in_grad = dx + p * plane_size;
    memset(in_grad, 0, plane_size * sizeof *in_grad);
    for (size_t o = 0; o < out_plane_size; ++o) in_grad[argmax[p * out_plane_size + o]] += dy[p * out_plane_size + o];
  }
  return AIMC_OK;
}
