/*
 * Elementwise activations of the paper's networks: sigmoid (the FCN), tanh (the
 * CNN) and identity (the last layer before log-softmax). Backward passes use
 * the forward output, from which every derivative here is cheapest: sigmoid
 * y(1-y), tanh 1-y^2. Sigmoid never evaluates exp of a positive argument, so it
 * neither overflows nor loses the small tail for large |x|.
 */
#include <math.h>
#include <string.h>

#include "aimc_sim/nn.h"
#include "nn_internal.h"

static const char *const activation_names[] = {"identity", "sigmoid", "tanh"};
#define ACTIVATION_COUNT (sizeof activation_names / sizeof activation_names[0])

const char *aimc_nn_activation_name(aimc_nn_activation activation) {
  if ((unsigned)activation >= ACTIVATION_COUNT) return NULL;
  return activation_names[activation];
}

aimc_status aimc_nn_activation_parse(const char *name, aimc_nn_activation *activation) {
  for (unsigned i = 0; i < ACTIVATION_COUNT; ++i) {
    if (strcmp(name, activation_names[i]) == 0) {
      *activation = (aimc_nn_activation)i;
      return AIMC_OK;
    }
  }
  return aimc_error_set(AIMC_EINVAL, "unknown activation '%s' (expected identity, sigmoid or tanh)", name);
}

/* exp(-|x|) <= 1, so neither branch overflows; the negative branch keeps
 * e/(1+e) accurate where 1 - 1/(1+exp(-x)) would cancel. */
static inline float sigmoid(float x) {
  if (x >= 0.0f) return 1.0f / (1.0f + expf(-x));
  float e = expf(x);
  return e / (1.0f + e);
}

static aimc_status check_activation(const char *where, aimc_nn_activation activation, size_t n) {
  if ((unsigned)activation >= ACTIVATION_COUNT)
    return aimc_error_set(AIMC_EINVAL, "%s: unknown activation %d", where, (int)activation);
  if (n == 0) return aimc_error_set(AIMC_EINVAL, "%s: shape of 0 elements", where);
  return AIMC_OK;
}

aimc_status aimc_nn_activation_forward(aimc_nn_activation activation, size_t n, const float *x, float *y) {
  aimc_status status = check_activation("activation forward", activation, n);
  if (status != AIMC_OK) return status;
  switch (activation) {
    case AIMC_NN_IDENTITY:
      if (y != x) memcpy(y, x, n * sizeof *y);
      break;
    case AIMC_NN_SIGMOID:
#pragma omp parallel for schedule(static) if (n >= NN_PARALLEL_MIN_ELEMENTS)
      for (size_t i = 0; i < n; ++i) y[i] = sigmoid(x[i]);
      break;
    case AIMC_NN_TANH:
#pragma omp parallel for schedule(static) if (n >= NN_PARALLEL_MIN_ELEMENTS)
      for (size_t i = 0; i < n; ++i) y[i] = tanhf(x[i]);
      break;
  }
  return AIMC_OK;
}

aimc_status aimc_nn_activation_backward(aimc_nn_activation activation, size_t n, const float *y,
                                        const float *dy, float *dx) {
  aimc_status status = check_activation("activation backward", activation, n);
  if (status != AIMC_OK) return status;
  switch (activation) {
    case AIMC_NN_IDENTITY:
      if (dx != dy) memcpy(dx, dy, n * sizeof *dx);
      break;
    case AIMC_NN_SIGMOID:
#pragma omp parallel for schedule(static) if (n >= NN_PARALLEL_MIN_ELEMENTS)
      for (size_t i = 0; i < n; ++i) dx[i] = dy[i] * (y[i] * (1.0f - y[i]));
      break;
    case AIMC_NN_TANH:
#pragma omp parallel for schedule(static) if (n >= NN_PARALLEL_MIN_ELEMENTS)
      for (size_t i = 0; i < n; ++i) dx[i] = dy[i] * (1.0f - y[i] * y[i]);
      break;
  }
  return AIMC_OK;
}
