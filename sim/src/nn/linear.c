/*
 * The floating-point fully connected layer of the Digital SGD reference runs,
 * y = x W^T + b on batch x features rows, with its backward pass
 * (dx = dy W, dW = dy^T x, db = column sums of dy) and the plain SGD step; plus
 * PyTorch's default initialisation, which the analog layers share before their
 * weights are mapped onto devices. The matrix products are cblas_sgemm; the
 * bias sums run over the batch in double, in batch order.
 *
 * PyTorch initialises Linear and Conv2d weights with kaiming_uniform_(a =
 * sqrt(5)): gain sqrt(2 / (1 + a^2)) = sqrt(1/3), bound = gain * sqrt(3 /
 * fan_in) = 1 / sqrt(fan_in); biases use the same bound. The draws here follow
 * that distribution, not PyTorch's generator.
 */
#include <cblas.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "aimc/rng.h"
#include "aimc_sim/nn.h"
#include "nn_internal.h"

#define LAYER_ID_LIMIT ((uint32_t)1 << 28) /* the row field of the RNG counter */
#define EVENT_LIMIT ((uint64_t)1 << 48)    /* the event field of the RNG counter */

aimc_status aimc_nn_init_uniform(float *values, size_t n, float bound, uint64_t seed, uint32_t layer_id,
                                 uint32_t tensor) {
  if (n == 0 || (uint64_t)(n - 1) / 4 >= EVENT_LIMIT)
    return aimc_error_set(AIMC_EINVAL, "uniform init: shape of %zu elements is empty or beyond 2^50", n);
  if (!isfinite(bound) || bound <= 0.0f)
    return aimc_error_set(AIMC_EINVAL, "uniform init: bound %g is not finite and > 0", (double)bound);
  if (layer_id >= LAYER_ID_LIMIT)
    return aimc_error_set(AIMC_EINVAL, "uniform init: layer id %u is not below 2^28", (unsigned)layer_id);
  const aimc_rng_key key = aimc_rng_key_make(seed, AIMC_NN_RNG_STREAM_INIT);
  for (size_t first = 0; first < n; first += 4) {
    uint32_t words[4];
    aimc_rng_words(key, (uint64_t)(first / 4), 0, AIMC_RNG_USER, layer_id, tensor, words);
    for (size_t i = first; i < n && i < first + 4; ++i)
      values[i] = bound * (2.0f * aimc_rng_uniform(words[i - first]) - 1.0f);
  }
  return AIMC_OK;
}

aimc_status aimc_nn_init_pytorch(float *weights, float *biases, size_t out, size_t fan_in, uint64_t seed,
                                 uint32_t layer_id) {
  aimc_status status = nn_check_matrix("PyTorch init", "out x fan_in", out, fan_in);
  if (status != AIMC_OK) return status;
  const float bound = (float)(1.0 / sqrt((double)fan_in));
  status = aimc_nn_init_uniform(weights, out * fan_in, bound, seed, layer_id, 0);
  if (status == AIMC_OK && biases) status = aimc_nn_init_uniform(biases, out, bound, seed, layer_id, 1);
  return status;
}

aimc_status aimc_nn_bias_forward(size_t batch, size_t features, const float *bias, float *y) {
  aimc_status status = nn_check_matrix("bias forward", "batch x features", batch, features);
  if (status != AIMC_OK) return status;
  for (size_t b = 0; b < batch; ++b) {
    float *row = y + b * features;
    for (size_t i = 0; i < features; ++i) row[i] += bias[i];
  }
  return AIMC_OK;
}

aimc_status aimc_nn_bias_backward(size_t batch, size_t features, const float *dy, float *grad_bias) {
  aimc_status status = nn_check_matrix("bias backward", "batch x features", batch, features);
  if (status != AIMC_OK) return status;
  for (size_t i = 0; i < features; ++i) {
    double sum = 0.0;
    for (size_t b = 0; b < batch; ++b) sum += dy[b * features + i];
    grad_bias[i] = (float)sum;
  }
  return AIMC_OK;
}

aimc_status aimc_nn_sgd_step(size_t n, float learning_rate, const float *grad, float *param) {
  if (n == 0) return aimc_error_set(AIMC_EINVAL, "SGD step: shape of 0 parameters");
  if (!isfinite(learning_rate))
    return aimc_error_set(AIMC_EINVAL, "SGD step: learning rate %g is not finite", (double)learning_rate);
#pragma omp parallel for schedule(static) if (n >= NN_PARALLEL_MIN_ELEMENTS)
  for (size_t i = 0; i < n; ++i) param[i] -= learning_rate * grad[i];
  return AIMC_OK;
}

void aimc_nn_linear_destroy(aimc_nn_linear *layer) {
  free(layer->weight);
  free(layer->bias);
  free(layer->grad_weight);
  free(layer->grad_bias);
  memset(layer, 0, sizeof *layer);
}

aimc_status aimc_nn_linear_create(aimc_nn_linear *layer, size_t in_features, size_t out_features, uint64_t seed,
                                  uint32_t layer_id) {
  memset(layer, 0, sizeof *layer);
  aimc_status status = nn_check_blas_matrix("linear create", "out x in", out_features, in_features);
  if (status != AIMC_OK) return status;
  const size_t n = out_features * in_features;
  if (n > SIZE_MAX / sizeof(float))
    return aimc_error_set(AIMC_EINVAL, "linear create: out x in shape %zu x %zu overflows size_t", out_features,
                          in_features);
  layer->in_features = in_features;
  layer->out_features = out_features;
  layer->weight = malloc(n * sizeof(float));
  layer->bias = malloc(out_features * sizeof(float));
  layer->grad_weight = calloc(n, sizeof(float));
  layer->grad_bias = calloc(out_features, sizeof(float));
  if (!layer->weight || !layer->bias || !layer->grad_weight || !layer->grad_bias) {
    aimc_nn_linear_destroy(layer);
    return aimc_error_set(AIMC_ENOMEM, "linear create: cannot allocate a %zu x %zu layer", out_features, in_features);
  }
  status = aimc_nn_init_pytorch(layer->weight, layer->bias, out_features, in_features, seed, layer_id);
  if (status != AIMC_OK) aimc_nn_linear_destroy(layer);
  return status;
}

static aimc_status check_linear_batch(const char *where, const aimc_nn_linear *layer, size_t batch) {
  aimc_status status = nn_check_blas_matrix(where, "batch x in_features", batch, layer->in_features);
  if (status == AIMC_OK) status = nn_check_blas_matrix(where, "batch x out_features", batch, layer->out_features);
  return status;
}

aimc_status aimc_nn_linear_forward(const aimc_nn_linear *layer, size_t batch, const float *x, float *y) {
  aimc_status status = check_linear_batch("linear forward", layer, batch);
  if (status != AIMC_OK) return status;
  const int rows = (int)batch, in = (int)layer->in_features, out = (int)layer->out_features;
  cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, rows, out, in, 1.0f, x, in, layer->weight, in, 0.0f, y, out);
  return aimc_nn_bias_forward(batch, layer->out_features, layer->bias, y);
}

aimc_status aimc_nn_linear_backward(aimc_nn_linear *layer, size_t batch, const float *x, const float *dy,
                                    float *dx) {
  aimc_status status = check_linear_batch("linear backward", layer, batch);
  if (status != AIMC_OK) return status;
  const int rows = (int)batch, in = (int)layer->in_features, out = (int)layer->out_features;
  cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, out, in, rows, 1.0f, dy, out, x, in, 0.0f, layer->grad_weight,
              in);
  if (dx) cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, rows, in, out, 1.0f, dy, out, layer->weight, in, 0.0f, dx, in);
  return aimc_nn_bias_backward(batch, layer->out_features, dy, layer->grad_bias);
}

aimc_status aimc_nn_linear_sgd_step(aimc_nn_linear *layer, float learning_rate) {
  aimc_status status = aimc_nn_sgd_step(layer->out_features * layer->in_features, learning_rate, layer->grad_weight,
                                        layer->weight);
  if (status == AIMC_OK) status = aimc_nn_sgd_step(layer->out_features, learning_rate, layer->grad_bias, layer->bias);
  return status;
}
