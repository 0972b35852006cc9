/*
 * The analog algorithms, written once against the chip's operations and used by
 * every workload: the learning-rate schedule, the read of a layer's effective
 * weight (Tiki-Taka: gamma A + C), and the weight update - Analog SGD's pulsed
 * update of W, or Tiki-Taka's pulsed update of A followed, every transfer_every
 * calls, by the transfer of n_reads_per_transfer columns of A into C (cycling).
 */
#include <math.h>

#include "train_internal.h"

double train_lr(const aimc_train_params *train, int period) {
  if (train->lr_step <= 0) return train->lr;
  return train->lr * pow(train->lr_gamma, (double)(period / train->lr_step));
}

aimc_status algorithm_forward(run_context *ctx, int layer, const float *x, float *y, float *scratch, size_t rows,
                              size_t out) {
  aimc_status status = aimc_hw_chip_forward(ctx->chip, layer, AIMC_HW_ARRAY_MAIN, x, y, (int)rows);
  double gamma = ctx->config->tiki_taka.gamma;
  if (status != AIMC_OK || ctx->config->experiment.algorithm != AIMC_ALGORITHM_TIKI_TAKA || gamma == 0.0)
    return status;
  /* gamma A + C: a second read, of A, added digitally. */
  status = aimc_hw_chip_forward(ctx->chip, layer, AIMC_HW_ARRAY_FAST, x, scratch, (int)rows);
  for (size_t k = 0; k < rows * out && status == AIMC_OK; ++k) y[k] += (float)gamma * scratch[k];
  if (status == AIMC_OK)
    status = aimc_hw_chip_digital(ctx->chip, AIMC_HW_PHASE_FORWARD, AIMC_HW_OP_ADD, (uint64_t)(rows * out));
  return status;
}

aimc_status algorithm_update(run_context *ctx, int layer, const float *x, const float *d, size_t rows, int in,
                             float lr, uint64_t call, int *transfer_column) {
  const aimc_config *config = ctx->config;
  if (config->experiment.algorithm == AIMC_ALGORITHM_ANALOG_SGD)
    return aimc_hw_chip_update(ctx->chip, layer, AIMC_HW_ARRAY_MAIN, x, d, (int)rows, lr);
  const aimc_tiki_taka_params *tt = &config->tiki_taka;
  aimc_status status = aimc_hw_chip_update(ctx->chip, layer, AIMC_HW_ARRAY_FAST, x, d, (int)rows, (float)tt->fast_lr);
  if (status != AIMC_OK || (call + 1) % (uint64_t)tt->transfer_every != 0) return status;
  int columns = tt->n_reads_per_transfer < in ? tt->n_reads_per_transfer : in;
  float rate = (float)(tt->transfer_lr * (tt->scale_transfer_lr ? lr : 1.0));
  for (int done = 0; done < columns && status == AIMC_OK;) {
    int run = columns - done < in - *transfer_column ? columns - done : in - *transfer_column;
    status = aimc_hw_chip_transfer(ctx->chip, layer, *transfer_column, run, rate);
    *transfer_column = (*transfer_column + run) % in;
    done += run;
  }
  return status;
}
