/*
 * Checkpoints of a run (docs/reliability.md): what run.c and the workloads save
 * at a step boundary - the run's totals and metrics, the workload's position
 * and state, the chip - and how a resumed run gets them back. A resumed run
 * continues from exactly the saved state, so it ends bit-identical to a run
 * that was never interrupted (the wall-time column aside).
 */
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aimc_sim/checkpoint.h"
#include "aimc_sim/fileio.h"
#include "train_internal.h"

uint64_t run_config_identity(const aimc_config *config) {
  /* Everything but the thread count, which does not change results. */
  aimc_config *copy = malloc(sizeof *copy);
  if (!copy) return 0;
  memcpy(copy, config, sizeof *copy);
  copy->experiment.threads = 0;
  char *text = NULL;
  size_t size = 0;
  uint64_t hash = 0;
  FILE *memory = open_memstream(&text, &size);
  if (memory) {
    aimc_cfg_dump(memory, &aimc_config_schema, copy);
    if (fclose(memory) == 0) hash = aimc_hash64(text, size, 0x636f6e66u);
  }
  free(text);
  free(copy);
  return hash;
}

/* AIMCSIM_FAULT=kill-at-step=N, kill-in-checkpoint=N or interrupt-at-step=N:
 * the process kills itself with SIGKILL at the start of step N (0-based;
 * mini-batches for the networks) or halfway through writing its N-th
 * checkpoint (1-based), or sends itself SIGINT at the start of step N. A
 * fault-injection hook for the tests of crash safety. */
static int fault_matches(const char *kind, uint64_t value) {
  const char *fault = getenv("AIMCSIM_FAULT");
  size_t n = strlen(kind);
  if (!fault || strncmp(fault, kind, n) != 0 || fault[n] != '=') return 0;
  char *end = NULL;
  unsigned long long at = strtoull(fault + n + 1, &end, 10);
  return end != fault + n + 1 && *end == '\0' && at == value;
}

void run_fault_step(const run_context *ctx, uint64_t step) {
  (void)ctx;
  if (fault_matches("kill-at-step", step)) raise(SIGKILL);
  if (fault_matches("interrupt-at-step", step)) raise(SIGINT);
}

int run_checkpoint_due(const run_context *ctx, uint64_t steps_done, int epochs_done) {
  const run_checkpointing *c = &ctx->checkpointing;
  if (c->every == 0) return 0;
  if (c->per_epoch) return epochs_done > 0 && (uint64_t)epochs_done % c->every == 0;
  return epochs_done < 0 && steps_done > 0 && steps_done % c->every == 0;
}

static void save_run(const run_context *ctx, aimc_writer *out) {
  aimc_write_u32(out, (uint32_t)ctx->config->experiment.workload);
  aimc_write_u32(out, (uint32_t)ctx->config->experiment.algorithm);
  aimc_write_u64(out, ctx->samples_trained);
  aimc_write_f64(out, ctx->eval_energy);
  aimc_write_f64(out, ctx->final_loss);
  aimc_write_f64(out, ctx->final_test_accuracy);
  aimc_write_f64(out, wall_seconds() - ctx->wall_start);
  aimc_write_u64(out, ctx->checkpointing.every);
  aimc_write_u8(out, (uint8_t)ctx->checkpointing.per_epoch);
}

aimc_status run_checkpoint_write(run_context *ctx, void (*save_workload)(const void *state, aimc_writer *out),
                                 const void *state) {
  /* A traced run cannot resume (run_preflight refuses it): a checkpoint, even
   * the one of a run stopped by a signal, would only promise a resume. */
  if (ctx->trace) return AIMC_OK;
  run_checkpointing *c = &ctx->checkpointing;
  aimc_writer out;
  aimc_writer_init(&out);
  aimc_checkpoint_start(&out);
  size_t at = aimc_checkpoint_begin_section(&out, AIMC_CKPT_CONFIG);
  aimc_write_u64(&out, c->config_identity);
  aimc_checkpoint_end_section(&out, at);
  at = aimc_checkpoint_begin_section(&out, AIMC_CKPT_RUN);
  save_run(ctx, &out);
  aimc_checkpoint_end_section(&out, at);
  at = aimc_checkpoint_begin_section(&out, AIMC_CKPT_METRICS);
  aimc_write_u64(&out, ctx->metrics.count);
  aimc_write_f64s(&out, ctx->metrics.rows, ctx->metrics.count * METRIC_COUNT);
  aimc_checkpoint_end_section(&out, at);
  at = aimc_checkpoint_begin_section(&out, AIMC_CKPT_WORKLOAD);
  save_workload(state, &out);
  aimc_checkpoint_end_section(&out, at);
  aimc_status status = AIMC_OK;
  if (ctx->chip) {
    at = aimc_checkpoint_begin_section(&out, AIMC_CKPT_CHIP);
    status = aimc_hw_chip_save_state(ctx->chip, &out);
    aimc_checkpoint_end_section(&out, at);
  }
  if (status == AIMC_OK) status = aimc_checkpoint_finish(&out);
  char *path = status == AIMC_OK ? aimc_path_join(ctx->outdir, AIMC_CHECKPOINT_NAME) : NULL;
  if (status == AIMC_OK && !path) status = aimc_error_set(AIMC_ENOMEM, "checkpoint: out of memory");
  aimc_atomic_file file;
  if (status == AIMC_OK) status = aimc_atomic_open(&file, path);
  if (status == AIMC_OK) {
    c->written++;
    if (fault_matches("kill-in-checkpoint", c->written)) {
      aimc_atomic_write(&file, out.data, out.size / 2);
      raise(SIGKILL);
    }
    status = aimc_atomic_write(&file, out.data, out.size);
    if (status == AIMC_OK)
      status = aimc_atomic_commit(&file);
    else
      aimc_atomic_abort(&file);
  }
  free(path);
  aimc_writer_free(&out);
  return status;
}

/* One saved metrics row: counts whole and non-negative, losses finite,
 * accuracies and saturation in [0, 1], times and energies finite and
 * non-negative; NaN is an empty cell. */
static aimc_status metrics_check_row(const double row[METRIC_COUNT], uint64_t r) {
  for (int k = 0; k < METRIC_COUNT; ++k) {
    double v = row[k];
    if (isnan(v)) continue;
    const char *bad = NULL;
    switch (k) {
      case METRIC_STEP:
      case METRIC_EPOCH:
        if (!(v >= 0.0 && v <= 9007199254740992.0 && v == floor(v))) bad = "a whole non-negative number";
        break;
      case METRIC_TRAIN_ACCURACY:
      case METRIC_TEST_ACCURACY:
      case METRIC_SATURATION:
        if (!(v >= 0.0 && v <= 1.0)) bad = "in [0, 1]";
        break;
      case METRIC_LR:
      case METRIC_LOSS:
      case METRIC_F_MINUS_FSTAR:
      case METRIC_LEARNING_ERROR:
      case METRIC_GRAD_NORM_SQ:
        if (!isfinite(v)) bad = "a finite number";
        break;
      default: /* times and energies */
        if (!(isfinite(v) && v >= 0.0)) bad = "a finite non-negative number";
        break;
    }
    if (bad)
      return aimc_checkpoint_refuse("metrics row %llu: %s is %g, not %s", (unsigned long long)r, metric_names[k], v,
                                    bad);
  }
  return AIMC_OK;
}

static aimc_status resume_begin(run_context *ctx) {
  const aimc_checkpoint *checkpoint = ctx->checkpointing.resume;
  if (!checkpoint) return AIMC_OK;
  const aimc_checkpoint_section *conf = aimc_checkpoint_find(checkpoint, AIMC_CKPT_CONFIG);
  const aimc_checkpoint_section *run = aimc_checkpoint_find(checkpoint, AIMC_CKPT_RUN);
  const aimc_checkpoint_section *metrics = aimc_checkpoint_find(checkpoint, AIMC_CKPT_METRICS);
  if (!conf || !run || !metrics || !aimc_checkpoint_find(checkpoint, AIMC_CKPT_WORKLOAD))
    return aimc_error_set(AIMC_EFORMAT, "checkpoint: a section of the run is missing");
  if ((aimc_checkpoint_find(checkpoint, AIMC_CKPT_CHIP) != NULL) != (ctx->chip != NULL))
    return aimc_error_set(AIMC_EFORMAT, "checkpoint: %s hardware state, but the run %s a chip",
                          ctx->chip ? "no" : "a", ctx->chip ? "has" : "has no");
  aimc_reader in;
  aimc_reader_init(&in, conf->data, conf->size);
  uint64_t identity = aimc_read_u64(&in);
  aimc_status status = aimc_reader_status(&in, "checkpoint (configuration)");
  if (status != AIMC_OK) return status;
  if (identity != ctx->checkpointing.config_identity)
    return aimc_error_set(AIMC_EFORMAT, "checkpoint: saved by a run with another configuration (config.yaml changed?)");
  aimc_reader_init(&in, run->data, run->size);
  uint32_t workload = aimc_read_u32(&in), algorithm = aimc_read_u32(&in);
  ctx->samples_trained = aimc_read_u64(&in);
  ctx->eval_energy = aimc_read_f64(&in);
  ctx->final_loss = aimc_read_f64(&in);
  ctx->final_test_accuracy = aimc_read_f64(&in);
  double wall = aimc_read_f64(&in);
  uint64_t every = aimc_read_u64(&in);
  uint8_t per_epoch = aimc_read_u8(&in);
  if ((status = aimc_reader_status(&in, "checkpoint (run)")) != AIMC_OK) return status;
  if (workload != (uint32_t)ctx->config->experiment.workload || algorithm != (uint32_t)ctx->config->experiment.algorithm)
    return aimc_error_set(AIMC_EFORMAT, "checkpoint: saved by another workload or algorithm");
  /* Behind a valid CRC every value is still checked against what this run
   * could have reached (docs/reliability.md, "Checkpoints"). */
  const aimc_train_params *plan = &ctx->config->experiment;
  if (status == AIMC_OK) status = aimc_checkpoint_check_nonnegative(ctx->eval_energy, "J", "the test-read energy");
  if (status == AIMC_OK) status = aimc_checkpoint_check_finite(ctx->final_loss, 1, "the last loss");
  if (status == AIMC_OK && !(isnan(ctx->final_test_accuracy) ||
                             (ctx->final_test_accuracy >= 0.0 && ctx->final_test_accuracy <= 1.0)))
    status = aimc_checkpoint_refuse("the last test accuracy is %g, not in [0, 1]", ctx->final_test_accuracy);
  if (status == AIMC_OK) status = aimc_checkpoint_check_nonnegative(wall, "s", "the wall time");
  if (status == AIMC_OK && per_epoch > 1)
    status = aimc_checkpoint_refuse("the checkpoint unit is %u, not 0 (steps) or 1 (epochs)", per_epoch);
  if (status == AIMC_OK && plan->workload == AIMC_WORKLOAD_LEAST_SQUARES) {
    char limit[64];
    snprintf(limit, sizeof limit, "the %d steps planned", plan->steps);
    status = aimc_checkpoint_check_count(ctx->samples_trained, (uint64_t)plan->steps, limit, "the steps trained");
  }
  if (status != AIMC_OK) return status;
  ctx->wall_start -= wall; /* wall time continues from the saved run */
  if (!ctx->checkpointing.every_given) {
    ctx->checkpointing.every = every;
    ctx->checkpointing.per_epoch = per_epoch != 0;
  }
  aimc_reader_init(&in, metrics->data, metrics->size);
  uint64_t rows = aimc_read_u64(&in);
  if (in.failed || rows > (in.size - in.pos) / (METRIC_COUNT * sizeof(double)))
    return aimc_error_set(AIMC_EFORMAT, "checkpoint: the metrics log is truncated");
  /* At most one row per step trained, plus the first and one per epoch. */
  uint64_t row_limit = ctx->samples_trained + (uint64_t)(plan->epochs > 0 ? plan->epochs : 0) + 2;
  char limit[96];
  snprintf(limit, sizeof limit, "the %llu a run of %llu steps or samples can log", (unsigned long long)row_limit,
           (unsigned long long)ctx->samples_trained);
  if ((status = aimc_checkpoint_check_count(rows, row_limit, limit, "the metrics row count")) != AIMC_OK) return status;
  for (uint64_t r = 0; r < rows; ++r) {
    double row[METRIC_COUNT];
    aimc_read_f64s(&in, row, METRIC_COUNT);
    if ((status = metrics_check_row(row, r)) != AIMC_OK) return status;
    if ((status = metrics_restore(ctx, row)) != AIMC_OK) return status;
  }
  return aimc_reader_status(&in, "checkpoint (metrics)");
}

aimc_status run_resume_begin(run_context *ctx) {
  aimc_status status = resume_begin(ctx);
  if (status != AIMC_OK) ctx->checkpointing.refused = 1;
  return status;
}

const aimc_checkpoint_section *run_resume_workload(const run_context *ctx) {
  return ctx->checkpointing.resume ? aimc_checkpoint_find(ctx->checkpointing.resume, AIMC_CKPT_WORKLOAD) : NULL;
}

/* A traced run never gets here: run_preflight refuses --resume of one. */
aimc_status run_resume_chip(run_context *ctx) {
  if (!ctx->checkpointing.resume || !ctx->chip) return AIMC_OK;
  const aimc_checkpoint_section *chip = aimc_checkpoint_find(ctx->checkpointing.resume, AIMC_CKPT_CHIP);
  aimc_reader in;
  aimc_reader_init(&in, chip->data, chip->size);
  aimc_status status = aimc_hw_chip_load_state(ctx->chip, &in);
  if (status != AIMC_OK) {
    char reason[512];
    snprintf(reason, sizeof reason, "%s", aimc_error_message());
    status = aimc_error_set(status, AIMC_CHECKPOINT_NAME ": %s", reason);
  }
  if (status == AIMC_OK && in.pos != in.size)
    status = aimc_error_set(AIMC_EFORMAT, "checkpoint: %zu bytes after the hardware state", in.size - in.pos);
  if (status != AIMC_OK) ctx->checkpointing.refused = 1;
  return status;
}
