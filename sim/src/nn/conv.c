/*
 * Convolution as matrix products, so that a crossbar computes it: a valid,
 * stride-1 convolution of a C x H x W image with out_channels kernels of
 * C x k x k is, per output pixel, one MVM of the out_channels x (C*k*k) weight
 * matrix with the patch under the kernel. im2col lays the patches out as rows
 * (column q = (c*k + ky)*k + kx, PyTorch's weight order), col2im is its adjoint
 * for the backward pass, and transpose converts between the patch-major MVM
 * output and channels-first images. Each image is independent, so OpenMP splits
 * the batch; within an image the order of every sum is fixed.
 */
#include <string.h>

#include "aimc_sim/nn.h"
#include "nn_internal.h"

aimc_status aimc_nn_conv_shape_validate(const aimc_nn_conv_shape *s) {
  if (s->channels == 0 || s->kernel == 0 || s->kernel > s->height || s->kernel > s->width)
    return aimc_error_set(AIMC_EINVAL,
                          "convolution: kernel %zu x %zu does not fit the image shape %zu x %zu x %zu (C x H x W)",
                          s->kernel, s->kernel, s->channels, s->height, s->width);
  /* The patch matrix of one image must be addressable. */
  size_t patches = aimc_nn_conv_patches(s);
  if (s->channels > SIZE_MAX / s->height / s->width || s->channels > SIZE_MAX / s->kernel / s->kernel ||
      patches > SIZE_MAX / aimc_nn_conv_patch_size(s))
    return aimc_error_set(AIMC_EINVAL, "convolution: image shape %zu x %zu x %zu with kernel %zu overflows size_t",
                          s->channels, s->height, s->width, s->kernel);
  return AIMC_OK;
}

static aimc_status check_conv(const char *where, const aimc_nn_conv_shape *shape, size_t batch) {
  aimc_status status = aimc_nn_conv_shape_validate(shape);
  if (status != AIMC_OK) return status;
  size_t image_size = shape->channels * shape->height * shape->width;
  size_t patch_matrix = aimc_nn_conv_patches(shape) * aimc_nn_conv_patch_size(shape);
  size_t larger = image_size > patch_matrix ? image_size : patch_matrix;
  if (batch == 0 || batch > SIZE_MAX / larger)
    return aimc_error_set(AIMC_EINVAL, "%s: batch of %zu images of shape %zu x %zu x %zu is empty or overflows size_t",
                          where, batch, shape->channels, shape->height, shape->width);
  return AIMC_OK;
}

aimc_status aimc_nn_im2col(const aimc_nn_conv_shape *shape, size_t batch, const float *images, float *columns) {
  aimc_status status = check_conv("im2col", shape, batch);
  if (status != AIMC_OK) return status;
  const size_t k = shape->kernel, height = shape->height, width = shape->width, channels = shape->channels;
  const size_t out_height = aimc_nn_conv_out_height(shape), out_width = aimc_nn_conv_out_width(shape);
  const size_t patches = out_height * out_width, patch_size = aimc_nn_conv_patch_size(shape);
  const size_t image_size = channels * height * width;
#pragma omp parallel for schedule(static) if (batch * patches * patch_size >= NN_PARALLEL_MIN_ELEMENTS)
  for (size_t b = 0; b < batch; ++b) {
    const float *image = images + b * image_size;
    float *row = columns + b * patches * patch_size;
    for (size_t oy = 0; oy < out_height; ++oy) {
      for (size_t ox = 0; ox < out_width; ++ox, row += patch_size) {
        /* Each (c, ky) pair is k adjacent pixels of one image row. */
        for (size_t c = 0; c < channels; ++c) {
          for (size_t ky = 0; ky < k; ++ky)
            memcpy(row + (c * k + ky) * k, image + (c * height + oy + ky) * width + ox, k * sizeof *row);
        }
      }
    }
  }
  return AIMC_OK;
}

aimc_status aimc_nn_col2im(const aimc_nn_conv_shape *shape, size_t batch, const float *columns, float *images) {
  aimc_status status = check_conv("col2im", shape, batch);
  if (status != AIMC_OK) return status;
  const size_t k = shape->kernel, height = shape->height, width = shape->width, channels = shape->channels;
  const size_t out_height = aimc_nn_conv_out_height(shape), out_width = aimc_nn_conv_out_width(shape);
  const size_t patches = out_height * out_width, patch_size = aimc_nn_conv_patch_size(shape);
  const size_t image_size = channels * height * width;
#pragma omp parallel for schedule(static) if (batch * patches * patch_size >= NN_PARALLEL_MIN_ELEMENTS)
  for (size_t b = 0; b < batch; ++b) {
    float *image = images + b * image_size;
    const float *row = columns + b * patches * patch_size;
    for (size_t oy = 0; oy < out_height; ++oy) {
      for (size_t ox = 0; ox < out_width; ++ox, row += patch_size) {
        for (size_t c = 0; c < channels; ++c) {
          for (size_t ky = 0; ky < k; ++ky) {
            float *pixels = image + (c * height + oy + ky) * width + ox;
            const float *values = row + (c * k + ky) * k;
            for (size_t kx = 0; kx < k; ++kx) pixels[kx] += values[kx];
          }
        }
      }
    }
  }
  return AIMC_OK;
}

aimc_status aimc_nn_transpose(size_t batch, size_t rows, size_t cols, const float *in, float *out) {
  const size_t dims[3] = {batch, rows, cols};
  aimc_status status = nn_check_tensor("transpose", "batch x rows x cols", 3, dims);
  if (status != AIMC_OK) return status;
  const size_t matrix = rows * cols;
#pragma omp parallel for schedule(static) if (batch * matrix >= NN_PARALLEL_MIN_ELEMENTS)
  for (size_t b = 0; b < batch; ++b) {
    const float *source = in + b * matrix;
    float *target = out + b * matrix;
    for (size_t r = 0; r < rows; ++r) {
      for (size_t c = 0; c < cols; ++c) target[c * rows + r] = source[r * cols + c];
    }
  }
  return AIMC_OK;
}
