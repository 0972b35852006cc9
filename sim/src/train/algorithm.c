/*
 * The analog algorithms, written once against the chip's operations and used by
 * every workload: the learning-rate schedule, the read of a layer's effective
 * weight (Tiki-Taka: gamma A + C), and the weight update - Analog SGD's pulsed
 * update of W, or Tiki-Taka's pulsed update of A followed, every transfer_every
 * calls, by the transfer of n_reads_per_transfer columns of A into C (cycling)
 * and, with tiki_taka.with_reset_prob, the reset of transferred columns of A;
 * then the devices' own processes over the mini-batch (diffusion and lifetime
 * decay), as AIHWKIT's post-update step does them (docs/training.md).
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

/* Whether the devices of a layer diffuse or decay between mini-batches. */
static int devices_drift(const aimc_config *config) {
  const aimc_device_params *main = &config->device, *fast = &config->fast_device;
  int tiki_taka = config->experiment.algorithm == AIMC_ALGORITHM_TIKI_TAKA;
  return main->lifetime > 0.0 || main->diffusion > 0.0 ||
         (tiki_taka && (fast->lifetime > 0.0 || fast->diffusion > 0.0));
}

/* AIHWKIT's TransferRPUDevice::readAndUpdate (v0.9.0 rpu_transfer_device.cpp:466-471)
 * resets the columns just read from A with probability with_reset_prob. Here each
 * transferred column draws its own uniform, keyed by (seed, mini-batch, chip
 * layer, column), so a resumed run draws the same. */
enum { RESET_STREAM = 0x7e5e7u };
static aimc_status reset_transferred(run_context *ctx, int layer, uint64_t call, int first, int columns) {
  const aimc_config *config = ctx->config;
  double p = config->tiki_taka.with_reset_prob;
  if (p <= 0.0) return AIMC_OK;
  aimc_rng_key key = aimc_rng_key_make(config->experiment.seed, RESET_STREAM);
  aimc_status status = AIMC_OK;
  for (int c = first; c < first + columns && status == AIMC_OK; ++c) {
    uint32_t words[4];
    aimc_rng_words(key, call, (uint32_t)layer, AIMC_RNG_USER, (uint32_t)c, 0, words);
    if ((double)aimc_rng_uniform(words[0]) < p)
      status = aimc_hw_chip_reset_columns(ctx->chip, layer, AIMC_HW_ARRAY_FAST, c, 1);
  }
  return status;
}

static aimc_status pulsed_update(run_context *ctx, int layer, const float *x, const float *d, size_t rows, int in,
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
    if (status == AIMC_OK) status = reset_transferred(ctx, layer, call, *transfer_column, run);
    *transfer_column = (*transfer_column + run) % in;
    done += run;
  }
  return status;
}

aimc_status algorithm_update(run_context *ctx, int layer, const float *x, const float *d, size_t rows, int in,
                             float lr, uint64_t call, int *transfer_column) {
  aimc_status status = pulsed_update(ctx, layer, x, d, rows, in, lr, call, transfer_column);
  if (status == AIMC_OK && devices_drift(ctx->config)) status = aimc_hw_chip_device_step(ctx->chip, layer);
  return status;
}
