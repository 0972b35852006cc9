/*
 * Log-softmax + negative log-likelihood, the loss of the paper's networks
 * (PyTorch's LogSoftmax followed by NLLLoss with mean reduction). For logits
 * x of one sample, m = max x, log p_j = x_j - m - log sum_k exp(x_k - m), the
 * loss is -log p_label, and its gradient w.r.t. x is softmax(x) - onehot(label).
 * Subtracting m keeps every exponent <= 0, so nothing overflows; the sums run
 * in double. The batch mean divides both loss and gradient by the batch size.
 */
#include <math.h>

#include "aimc_sim/nn.h"
#include "nn_internal.h"

aimc_status aimc_nn_log_softmax_nll(size_t batch, size_t classes, const float *logits, const uint8_t *labels,
                                    double *mean_loss, float *grad_logits, size_t *correct) {
  static const char where[] = "log-softmax NLL";
  aimc_status status = nn_check_matrix(where, "batch x classes", batch, classes);
  if (status != AIMC_OK) return status;
  if (classes > 256)
    return aimc_error_set(AIMC_EINVAL, "%s: batch x classes shape %zu x %zu has more classes than 8-bit labels name",
                          where, batch, classes);
  for (size_t b = 0; b < batch; ++b) {
    if (labels[b] >= classes)
      return aimc_error_set(AIMC_EINVAL, "%s: label %u of sample %zu is outside 0..%zu", where, (unsigned)labels[b], b,
                            classes - 1);
    for (size_t j = 0; j < classes; ++j) {
      if (!isfinite(logits[b * classes + j]))
        return aimc_error_set(AIMC_ENUMERIC, "%s: logit %zu of sample %zu is not finite", where, j, b);
    }
  }
  double loss_sum = 0.0;
  size_t hits = 0;
  const double inverse_batch = 1.0 / (double)batch;
  for (size_t b = 0; b < batch; ++b) {
    const float *x = logits + b * classes;
    size_t best = 0;
    for (size_t j = 1; j < classes; ++j) {
      if (x[j] > x[best]) best = j;
    }
    const double max = x[best];
    double exp_sum = 0.0;
    for (size_t j = 0; j < classes; ++j) exp_sum += exp((double)x[j] - max);
    const double log_normaliser = max + log(exp_sum);
    loss_sum += log_normaliser - (double)x[labels[b]];
    hits += best == labels[b];
    if (grad_logits) {
      float *g = grad_logits + b * classes;
      for (size_t j = 0; j < classes; ++j) {
        double p = exp((double)x[j] - log_normaliser);
        g[j] = (float)((p - (j == labels[b] ? 1.0 : 0.0)) * inverse_batch);
      }
    }
  }
  if (mean_loss) *mean_loss = loss_sum * inverse_batch;
  if (correct) *correct = hits;
  return AIMC_OK;
}
