/*
 * The digital building blocks of the training workloads: everything a network
 * of the paper (§5.3: the 784-256-128-10 sigmoid FCN and the LeNet-like CNN on
 * MNIST) computes outside the crossbars. The analog layers' MVMs and pulsed
 * updates live in models/; this part supplies activations, the log-softmax +
 * NLL loss, im2col/col2im and max-pooling for the convolutions, a
 * floating-point fully connected layer for Digital SGD reference runs,
 * the learned per-output scale of aimcsim's row-wise mapping (mapping.scheme
 * aimcsim_rowwise), and
 * the per-epoch shuffle.
 *
 * Data are float32 mini-batches stored row-major, batch x features. Images are
 * channels-first (C x H x W, row-major within a channel), one after another.
 * Every function validates its shape arguments and returns AIMC_EINVAL with a
 * message naming the offending shape; nothing is allocated except by
 * aimc_nn_linear_create. Results never depend on the number of OpenMP threads:
 * threads only split independent outputs, and every reduction runs in a fixed
 * order. (OpenBLAS's own threading, used by the matrix products, is outside
 * this guarantee.)
 *
 * Random draws (initialisation, shuffling) come from the counter-based
 * generator of aimc/rng.h with purpose AIMC_RNG_USER, keyed as documented at
 * each function, so they are pure functions of their seeds.
 */
#ifndef AIMC_SIM_NN_H
#define AIMC_SIM_NN_H

#include <stddef.h>
#include <stdint.h>

#include "aimc/error.h"
#include "aimc_sim/dataset.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Streams of aimc_rng_key_make(seed, stream) used here; others should avoid them. */
#define AIMC_NN_RNG_STREAM_INIT 0x1417u    /* aimc_nn_init_uniform */
#define AIMC_NN_RNG_STREAM_SHUFFLE 0x5ffu  /* aimc_nn_shuffle */

/* ---- Activations ------------------------------------------------------- */

typedef enum aimc_nn_activation {
  AIMC_NN_IDENTITY = 0, /* y = x */
  AIMC_NN_SIGMOID,      /* y = 1 / (1 + exp(-x)), evaluated without overflow for any x */
  AIMC_NN_TANH          /* y = tanh(x) */
} aimc_nn_activation;

/* "identity", "sigmoid", "tanh"; NULL for a value outside the enum. */
const char *aimc_nn_activation_name(aimc_nn_activation activation);
/* The inverse of aimc_nn_activation_name; AIMC_EINVAL for an unknown name. */
aimc_status aimc_nn_activation_parse(const char *name, aimc_nn_activation *activation);

/* y[i] = f(x[i]) for n >= 1 values; y may equal x. */
aimc_status aimc_nn_activation_forward(aimc_nn_activation activation, size_t n, const float *x, float *y);

/* dx[i] = f'(x[i]) dy[i], computed from the forward output y (sigmoid: y(1-y),
 * tanh: 1-y^2, identity: 1). dx may equal dy. */
aimc_status aimc_nn_activation_backward(aimc_nn_activation activation, size_t n, const float *y,
                                        const float *dy, float *dx);

/* ---- Loss -------------------------------------------------------------- */

/* Log-softmax followed by the negative log-likelihood of labels, for batch x
 * classes logits (1 <= classes <= 256, each label < classes). Writes the mean
 * loss over the batch; grad_logits (may be NULL) receives the gradient of that
 * mean, (softmax - onehot) / batch; correct (may be NULL) the number of samples
 * whose argmax (the first one on ties) equals the label. The maximum logit is
 * subtracted before exponentiating. AIMC_ENUMERIC if a logit is not finite. */
aimc_status aimc_nn_log_softmax_nll(size_t batch, size_t classes, const float *logits, const uint8_t *labels,
                                    double *mean_loss, float *grad_logits, size_t *correct);

/* ---- Convolution support ----------------------------------------------- */

/* A valid (unpadded), stride-1 convolution with a square kernel. */
typedef struct aimc_nn_conv_shape {
  size_t channels; /* input channels C, >= 1 */
  size_t height;   /* input height H in pixels, >= kernel */
  size_t width;    /* input width W in pixels, >= kernel */
  size_t kernel;   /* kernel side k in pixels, >= 1 */
} aimc_nn_conv_shape;

/* Output geometry: (H-k+1) x (W-k+1) patches, each of C*k*k values. */
static inline size_t aimc_nn_conv_out_height(const aimc_nn_conv_shape *s) { return s->height - s->kernel + 1; }
static inline size_t aimc_nn_conv_out_width(const aimc_nn_conv_shape *s) { return s->width - s->kernel + 1; }
static inline size_t aimc_nn_conv_patches(const aimc_nn_conv_shape *s) {
  return aimc_nn_conv_out_height(s) * aimc_nn_conv_out_width(s);
}
static inline size_t aimc_nn_conv_patch_size(const aimc_nn_conv_shape *s) {
  return s->channels * s->kernel * s->kernel;
}

/* AIMC_EINVAL unless every field is >= 1 and the kernel fits the image. */
aimc_status aimc_nn_conv_shape_validate(const aimc_nn_conv_shape *shape);

/* Unfolds batch images (each C x H x W) into a (batch * P) x (C*k*k) matrix,
 * P = aimc_nn_conv_patches(shape). Row b*P + oy*OW + ox holds the patch whose
 * top-left pixel is (oy, ox) of image b; its column
 *     q = (c * k + ky) * k + kx      (channel-major, then kernel row, then kernel column)
 * holds pixel (c, oy+ky, ox+kx). A crossbar holding the out_channels x (C*k*k)
 * weight matrix W[o][q] = PyTorch's Conv2d weight[o][c][ky][kx] computes one
 * output pixel of every channel per patch: the result, (batch * P) x
 * out_channels, becomes channels-first with aimc_nn_transpose(batch, P,
 * out_channels, ...). */
aimc_status aimc_nn_im2col(const aimc_nn_conv_shape *shape, size_t batch, const float *images, float *columns);

/* The adjoint of aimc_nn_im2col: adds every entry of the (batch * P) x (C*k*k)
 * matrix columns to the pixel it was copied from, accumulating into images
 * (which the caller zeroes for a plain backward pass). */
aimc_status aimc_nn_col2im(const aimc_nn_conv_shape *shape, size_t batch, const float *columns, float *images);

/* out[b][c][r] = in[b][r][c] for batch matrices of rows x cols; out != in.
 * Turns the patch-major MVM output into channels-first images and back. */
aimc_status aimc_nn_transpose(size_t batch, size_t rows, size_t cols, const float *in, float *out);

/* ---- Max-pooling, 2 x 2 windows, stride 2 ------------------------------ */

/* Pools batch*channels planes of height x width (both >= 2) into planes of
 * (height/2) x (width/2), dropping an odd last row or column as PyTorch's
 * MaxPool2d(2) does. argmax receives, per output, the index y*width + x within
 * its input plane of the maximum (the first in row-major window order on ties;
 * a NaN wins). */
aimc_status aimc_nn_maxpool2_forward(size_t batch, size_t channels, size_t height, size_t width, const float *x,
                                     float *y, uint32_t *argmax);

/* Routes each output gradient to the input that won its window: dx (batch x
 * channels x height x width) is overwritten, zero except at the argmax entries. */
aimc_status aimc_nn_maxpool2_backward(size_t batch, size_t channels, size_t height, size_t width,
                                      const float *dy, const uint32_t *argmax, float *dx);

/* ---- Initialisation, bias and SGD --------------------------------------- */

/* values[i] ~ U[-bound, bound) for i < n: word i%4 of aimc_rng_words(
 * aimc_rng_key_make(seed, AIMC_NN_RNG_STREAM_INIT), event i/4, block 0,
 * AIMC_RNG_USER, row layer_id, col tensor) as a 24-bit uniform u gives
 * bound * (2u - 1). layer_id < 2^28 names the layer, tensor the parameter
 * (0 weights, 1 biases), so every element is a pure function of
 * (seed, layer_id, tensor, i). bound must be finite and > 0. */
aimc_status aimc_nn_init_uniform(float *values, size_t n, float bound, uint64_t seed, uint32_t layer_id,
                                 uint32_t tensor);

/* PyTorch's default for Linear and Conv2d (kaiming-uniform with a = sqrt(5)):
 * weights (out x fan_in) and biases (out; may be NULL) ~ U[-1/sqrt(fan_in),
 * 1/sqrt(fan_in)), drawn by aimc_nn_init_uniform with tensors 0 and 1. For a
 * convolution fan_in = C*k*k. */
aimc_status aimc_nn_init_pytorch(float *weights, float *biases, size_t out, size_t fan_in, uint64_t seed,
                                 uint32_t layer_id);

/* y[b][i] += bias[i] for a batch x features matrix. */
aimc_status aimc_nn_bias_forward(size_t batch, size_t features, const float *bias, float *y);

/* grad_bias[i] = sum over b of dy[b][i] (overwritten). */
aimc_status aimc_nn_bias_backward(size_t batch, size_t features, const float *dy, float *grad_bias);

/* param[i] -= learning_rate * grad[i] for n values; learning_rate finite. */
aimc_status aimc_nn_sgd_step(size_t n, float learning_rate, const float *grad, float *param);

/* ---- Digital fully connected layer (Digital SGD reference runs) --------- */

typedef struct aimc_nn_linear {
  size_t in_features;  /* inputs per sample, 1 .. INT_MAX */
  size_t out_features; /* outputs per sample, 1 .. INT_MAX */
  float *weight;       /* out_features x in_features, row-major */
  float *bias;         /* out_features */
  float *grad_weight;  /* out_features x in_features: dL/dW of the last backward, summed over its batch */
  float *grad_bias;    /* out_features: dL/db of the last backward */
} aimc_nn_linear;

/* Allocates a layer initialised by aimc_nn_init_pytorch(seed, layer_id) with
 * zero gradients. On failure *layer is left empty. */
aimc_status aimc_nn_linear_create(aimc_nn_linear *layer, size_t in_features, size_t out_features, uint64_t seed,
                                  uint32_t layer_id);

/* Frees the arrays and empties *layer; safe on an empty or zeroed struct. */
void aimc_nn_linear_destroy(aimc_nn_linear *layer);

/* y = x W^T + b for x batch x in_features, y batch x out_features (sgemm). */
aimc_status aimc_nn_linear_forward(const aimc_nn_linear *layer, size_t batch, const float *x, float *y);

/* From the forward input x and the output gradient dy (batch x out_features):
 * grad_weight = dy^T x and grad_bias = column sums of dy (both overwritten,
 * summed over the batch; dy is the gradient of the mean loss, so these are the
 * mean gradients), and dx = dy W (batch x in_features) unless dx is NULL. */
aimc_status aimc_nn_linear_backward(aimc_nn_linear *layer, size_t batch, const float *x, const float *dy,
                                    float *dx);

/* W -= learning_rate * grad_weight, b -= learning_rate * grad_bias. */
aimc_status aimc_nn_linear_sgd_step(aimc_nn_linear *layer, float learning_rate);

/* ---- Learned per-output scale (mapping.scheme aimcsim_rowwise) ---------- */

/* y[b][i] = scale[i] * z[b][i], z the analog MVM output (batch x features). y may equal z. */
aimc_status aimc_nn_out_scale_forward(size_t batch, size_t features, const float *scale, const float *z,
                                      float *y);

/* dz[b][i] = scale[i] * dy[b][i] (dz may equal dy) and grad_scale[i] = sum over b
 * of dy[b][i] * z[b][i] (overwritten; may be NULL). z is the forward input. */
aimc_status aimc_nn_out_scale_backward(size_t batch, size_t features, const float *scale, const float *z,
                                       const float *dy, float *dz, float *grad_scale);

/* aimcsim's row-wise mapping (mapping.scheme aimcsim_rowwise; not AIHWKIT's
 * default, which does not remap) of a digital out x in weight matrix onto devices: scale[i] = max_j |weight[i][j]| / omega (1 for an all-zero
 * row) and analog_weight[i][j] = weight[i][j] / scale[i], so that each row's
 * largest magnitude becomes omega and scale[i] * analog_weight[i][j] reproduces
 * weight[i][j] to rounding. omega (the device weight the largest |w| maps to)
 * must be finite and > 0; AIMC_ENUMERIC for a non-finite weight. analog_weight
 * may equal weight. */
aimc_status aimc_nn_columnwise_scaling(size_t out, size_t in, const float *weight, float omega,
                                       float *analog_weight, float *scale);

/* ---- Fixed mapping scales (mapping.scheme aihwkit) ---------------------- */

/* AIHWKIT's apply_weight_scaling of one out x in tile, in float: alpha = max|w| /
 * omega over the tile (alpha[0]) or, with columnwise, over each output row
 * (alpha[0..out-1]); 1 where that maximum is 0; device_weight = weight / alpha
 * (may equal weight). omega must be finite and > 0 (omega 0, no remapping, has
 * no scales). */
aimc_status aimc_nn_fixed_scales(size_t out, size_t in, const float *weight, float omega, int columnwise,
                                 float *alpha, float *device_weight);

/* y[r][i] = z[r][i] * s, or z[r][i] / s with divide, s = scales[i] when
 * n_scales > 1, else scales[0]; rows x out, y may equal z. Multiply: the
 * forward output and the backward read's gradient of a mapped tile; divide: the
 * gradient its pulsed update receives. */
void aimc_nn_tile_scale(size_t rows, size_t out, const float *scales, size_t n_scales, int divide, const float *z,
                        float *y);

/* ---- Data order --------------------------------------------------------- */

/* A permutation of 0..n-1 (1 <= n < 2^32) that is a pure function of (seed,
 * epoch), epoch < 2^28: Fisher-Yates from the last position down, position i
 * swapped with j uniform in [0, i] drawn without bias (Lemire's
 * multiply-and-reject) from aimc_rng_words(aimc_rng_key_make(seed,
 * AIMC_NN_RNG_STREAM_SHUFFLE), event i, block g, AIMC_RNG_USER, row epoch,
 * col 0), using the words of block g = 0, 1, ... in order until one is accepted. */
aimc_status aimc_nn_shuffle(size_t n, uint64_t seed, uint64_t epoch, size_t *permutation);

/* Copies samples indices[0..count-1] of data into contiguous buffers: images
 * (count x rows*cols floats) and labels (count; may be NULL). AIMC_EINVAL for an
 * index >= data->n. */
aimc_status aimc_nn_gather_batch(const aimc_dataset *data, const size_t *indices, size_t count, float *images,
                                 uint8_t *labels);

#ifdef __cplusplus
}
#endif
#endif
