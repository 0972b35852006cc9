/*
 * The paper's synthetic least-squares workload (Wu et al. 2024, App. I.1, and
 * the authors' scripts): f(W) = (1/m) ||A W - b||^2 with A (m x D) Gaussian of
 * standard deviation sigma_a, b = A W*, W* Gaussian of standard deviation
 * sigma_w, W0 constant. Each step reads A W from the chip (m forward MVMs of the
 * 1 x D weight row), forms the full-batch gradient (2/m) A^T (A W - b) digitally,
 * adds N(0, sigma_g^2) noise per coordinate, and applies it:
 *   digital_sgd  W <- W - lr g                      (floating point, no chip)
 *   analog_sgd   pulsed update of W with x = g, d = 1
 *   tiki_taka    pulsed update of A with fast_lr; every transfer_every steps
 *                n_reads_per_transfer columns of A are read and written into C.
 * Every step logs f - f*, the paper's learning error f / D, ||grad f||^2 and the
 * saturation ||W||_inf / w_max from the exact weights (a host read, not a chip
 * operation); the asymptotic error is the mean of f - f* over the last 20 steps,
 * as the authors compute it.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "aimc/rng.h"
#include "train_internal.h"

enum { LS_STREAM = 0x1500u, LS_TAIL = 20 };

typedef struct ls_problem {
  int m, dim;
  float *a;        /* m x dim */
  float *b;        /* m */
  float *w_star;   /* dim */
  double f_star;   /* f(W*) in double (b is rounded to float) */
} ls_problem;

typedef struct ls_state {
  run_context *ctx;
  ls_problem problem;
  float *w;        /* dim: digital weights, or the host copy of the chip's */
  float *y;        /* m: A W */
  float *y_fast;   /* m: Tiki-Taka's read of A (gamma != 0) */
  float *grad;     /* dim */
  double *tail;    /* last LS_TAIL values of f - f* */
  double *tail_grad;
  int first_step;      /* 0, or the step a resumed run continues at */
  int next_step;       /* steps done so far */
  int transfer_column; /* Tiki-Taka's next column of A */
  aimc_status status;
} ls_state;

/* Checkpoints: the position, Tiki-Taka's column, the tails of the asymptotic
 * means and the weights (digital runs keep them here; analog runs on the chip). */
static void save_state(const void *state, aimc_writer *out) {
  const ls_state *s = state;
  aimc_write_u64(out, (uint64_t)s->next_step);
  aimc_write_u32(out, (uint32_t)s->transfer_column);
  aimc_write_f64s(out, s->tail, LS_TAIL);
  aimc_write_f64s(out, s->tail_grad, LS_TAIL);
  aimc_write_u32(out, (uint32_t)s->problem.dim);
  aimc_write_f32s(out, s->w, (size_t)s->problem.dim);
}

static aimc_status load_state(ls_state *s, const aimc_checkpoint_section *section) {
  aimc_reader in;
  aimc_reader_init(&in, section->data, section->size);
  uint64_t step = aimc_read_u64(&in);
  uint32_t column = aimc_read_u32(&in);
  aimc_read_f64s(&in, s->tail, LS_TAIL);
  aimc_read_f64s(&in, s->tail_grad, LS_TAIL);
  uint32_t dim = aimc_read_u32(&in);
  aimc_status status = aimc_reader_status(&in, "checkpoint (least squares)");
  if (status != AIMC_OK) return status;
  if (dim != (uint32_t)s->problem.dim || step > (uint64_t)s->ctx->config->experiment.steps ||
      column >= (uint32_t)s->problem.dim)
    return aimc_error_set(AIMC_EFORMAT, "checkpoint (least squares): step %llu, column %u or dimension %u out of range",
                          (unsigned long long)step, column, dim);
  aimc_read_f32s(&in, s->w, dim);
  if (in.pos != in.size) aimc_reader_fail(&in);
  s->first_step = s->next_step = (int)step;
  s->transfer_column = (int)column;
  if ((status = aimc_reader_status(&in, "checkpoint (least squares)")) != AIMC_OK) return status;
  /* Behind the CRC: every value possible for this run at this step. */
  if (s->ctx->samples_trained != step)
    return aimc_checkpoint_refuse("the steps trained (%llu) and the workload's step (%llu) differ",
                                  (unsigned long long)s->ctx->samples_trained, (unsigned long long)step);
  for (int k = 0; k < LS_TAIL && status == AIMC_OK; ++k) {
    status = aimc_checkpoint_check_finite(s->tail[k], 1, "the tail of f - f* (entry %d)", k);
    if (status == AIMC_OK && !isnan(s->tail_grad[k]))
      status = aimc_checkpoint_check_nonnegative(s->tail_grad[k], "", "the tail of |grad|^2 (entry %d)", k);
  }
  if (status == AIMC_OK) status = aimc_checkpoint_check_floats(s->w, dim, "the least-squares weights");
  return status;
}

static float normal_at(aimc_rng_key key, uint64_t event, uint32_t row, uint32_t col) {
  float z[4];
  aimc_rng_normal4(key, event, col >> 2, AIMC_RNG_USER, row, col >> 2, z);
  return z[col & 3u];
}

static aimc_status problem_create(ls_problem *p, const aimc_least_squares_params *params, uint64_t seed) {
  p->m = params->rows;
  p->dim = params->dim;
  p->a = malloc(sizeof(float) * (size_t)p->m * p->dim);
  p->b = malloc(sizeof(float) * (size_t)p->m);
  p->w_star = malloc(sizeof(float) * (size_t)p->dim);
  if (!p->a || !p->b || !p->w_star) return aimc_error_set(AIMC_ENOMEM, "least squares: out of memory");
  aimc_rng_key key = aimc_rng_key_make(seed, LS_STREAM);
  for (int i = 0; i < p->m; ++i)
    for (int j = 0; j < p->dim; ++j) p->a[(size_t)i * p->dim + j] = (float)params->sigma_a * normal_at(key, 0, (uint32_t)i, (uint32_t)j);
  for (int j = 0; j < p->dim; ++j) p->w_star[j] = (float)params->sigma_w * normal_at(key, 1, 0, (uint32_t)j);
  for (int i = 0; i < p->m; ++i) {
    double sum = 0.0;
    for (int j = 0; j < p->dim; ++j) sum += (double)p->a[(size_t)i * p->dim + j] * p->w_star[j];
    p->b[i] = (float)sum;
  }
  p->f_star = 0.0;
  for (int i = 0; i < p->m; ++i) {
    double sum = -(double)p->b[i];
    for (int j = 0; j < p->dim; ++j) sum += (double)p->a[(size_t)i * p->dim + j] * p->w_star[j];
    p->f_star += sum * sum / p->m;
  }
  return AIMC_OK;
}

static void problem_free(ls_problem *p) {
  free(p->a);
  free(p->b);
  free(p->w_star);
}

/* f(W) and ||grad f(W)||^2 in double. */
static void exact_objective(const ls_problem *p, const float *w, double *f, double *grad_norm_sq) {
  double *residual = malloc(sizeof(double) * (size_t)p->m);
  double value = 0.0, norm = 0.0;
  if (!residual) {
    *f = *grad_norm_sq = NAN;
    return;
  }
  for (int i = 0; i < p->m; ++i) {
    double r = -(double)p->b[i];
    for (int j = 0; j < p->dim; ++j) r += (double)p->a[(size_t)i * p->dim + j] * w[j];
    residual[i] = r;
    value += r * r / p->m;
  }
  for (int j = 0; j < p->dim; ++j) {
    double g = 0.0;
    for (int i = 0; i < p->m; ++i) g += 2.0 / p->m * (double)p->a[(size_t)i * p->dim + j] * residual[i];
    norm += g * g;
  }
  free(residual);
  *f = value;
  *grad_norm_sq = norm;
}

/* y = A W through the chip (with gamma*A_fast + C for Tiki-Taka), or on the host. */
static aimc_status read_outputs(ls_state *s) {
  run_context *ctx = s->ctx;
  const ls_problem *p = &s->problem;
  if (!ctx->chip) {
    for (int i = 0; i < p->m; ++i) {
      float sum = 0.0f;
      for (int j = 0; j < p->dim; ++j) sum += p->a[(size_t)i * p->dim + j] * s->w[j];
      s->y[i] = sum;
    }
    return AIMC_OK;
  }
  return algorithm_forward(ctx, 0, p->a, s->y, s->y_fast, (size_t)p->m, 1);
}

static aimc_status train_step(ls_state *s, int step, int *transfer_column) {
  run_context *ctx = s->ctx;
  const aimc_config *config = ctx->config;
  const ls_problem *p = &s->problem;
  aimc_status status = read_outputs(s);
  if (status != AIMC_OK) return status;
  /* Full-batch gradient plus injected noise, computed digitally. */
  aimc_rng_key key = aimc_rng_key_make(config->experiment.seed, LS_STREAM + 1);
  for (int j = 0; j < p->dim; ++j) {
    double g = 0.0;
    for (int i = 0; i < p->m; ++i)
      g += 2.0 / p->m * (double)p->a[(size_t)i * p->dim + j] * ((double)s->y[i] - p->b[i]);
    s->grad[j] = (float)(g + config->least_squares.sigma_g * normal_at(key, (uint64_t)step, 0, (uint32_t)j));
    if (!isfinite(s->grad[j]))
      return aimc_error_set(AIMC_ENUMERIC, "least squares: step %d: layer 0: gradient[%d] is %g (diverged; a smaller "
                            "learning rate?)", step, j, (double)s->grad[j]);
  }
  float lr = (float)train_lr(&config->experiment, step);
  if (!ctx->chip) {
    for (int j = 0; j < p->dim; ++j) s->w[j] -= lr * s->grad[j];
    return AIMC_OK;
  }
  status = aimc_hw_chip_digital(ctx->chip, AIMC_HW_PHASE_DIGITAL, AIMC_HW_OP_LOSS, (uint64_t)p->m);
  if (status == AIMC_OK)
    status = aimc_hw_chip_digital(ctx->chip, AIMC_HW_PHASE_DIGITAL, AIMC_HW_OP_ADD, (uint64_t)p->m * (uint64_t)p->dim);
  const float one = 1.0f;
  if (status != AIMC_OK) return status;
  return algorithm_update(ctx, 0, s->grad, &one, 1, p->dim, lr, (uint64_t)step, transfer_column);
}

static int program(void *context) {
  ls_state *s = context;
  run_context *ctx = s->ctx;
  const aimc_config *config = ctx->config;
  const ls_problem *p = &s->problem;
  int steps = config->experiment.steps, ran = s->first_step;
  double w_max = fabs(config->device.w_max) > fabs(config->device.w_min) ? fabs(config->device.w_min)
                                                                          : fabs(config->device.w_max);
  for (int step = s->first_step; step < steps; ++step) {
    run_fault_step(ctx, (uint64_t)step);
    if (run_stop_requested()) { /* stop at this step boundary with what ran, and a checkpoint */
      ctx->interrupted = 1;
      s->status = run_checkpoint_write(ctx, save_state, s);
      if (s->status != AIMC_OK) return 1;
      break;
    }
    if (ctx->chip) aimc_hw_chip_set_step(ctx->chip, (uint64_t)step);
    s->status = train_step(s, step, &s->transfer_column);
    if (s->status != AIMC_OK) return 1;
    if (ctx->chip) {
      s->status = aimc_hw_chip_get_weights(ctx->chip, 0, AIMC_HW_ARRAY_MAIN, s->w);
      if (s->status != AIMC_OK) return 1;
    }
    double f, grad_norm_sq, w_inf = 0.0;
    exact_objective(p, s->w, &f, &grad_norm_sq);
    for (int j = 0; j < p->dim; ++j) w_inf = fabs(s->w[j]) > w_inf ? fabs(s->w[j]) : w_inf;
    if (!isfinite(f)) {
      s->status = aimc_error_set(AIMC_ENUMERIC, "least squares: step %d: layer 0: the weights diverged (the objective "
                                 "is %g, ||W||_inf %g; a smaller learning rate?)", step, f, w_inf);
      return 1;
    }
    s->tail[step % LS_TAIL] = f - p->f_star;
    s->tail_grad[step % LS_TAIL] = grad_norm_sq;
    ctx->samples_trained++;
    ctx->final_loss = f;
    ran = step + 1;
    int last = step == steps - 1;
    if ((step + 1) % config->experiment.log_every == 0 || last) {
      double row[METRIC_COUNT];
      metrics_clear_row(row);
      row[METRIC_STEP] = step + 1;
      row[METRIC_LR] = train_lr(&config->experiment, step);
      row[METRIC_LOSS] = f;
      row[METRIC_F_MINUS_FSTAR] = f - p->f_star;
      row[METRIC_LEARNING_ERROR] = f / p->dim;
      row[METRIC_GRAD_NORM_SQ] = grad_norm_sq;
      row[METRIC_SATURATION] = w_max > 0.0 ? w_inf / w_max : NAN;
      s->status = metrics_append(ctx, row);
      if (s->status != AIMC_OK) return 1;
      progress_report(ctx, "step", step + 1, steps, f - p->f_star, last);
    }
    s->next_step = step + 1;
    if (run_checkpoint_due(ctx, (uint64_t)(step + 1), -1)) {
      s->status = run_checkpoint_write(ctx, save_state, s);
      if (s->status != AIMC_OK) return 1;
    }
  }
  if (ran > 0) { /* the mean over the last LS_TAIL steps that ran */
    int n = ran < LS_TAIL ? ran : LS_TAIL;
    double sum = 0.0, sum_grad = 0.0;
    for (int k = 0; k < n; ++k) {
      sum += s->tail[k];
      sum_grad += s->tail_grad[k];
    }
    ctx->asymptotic_error = sum / n;
    ctx->asymptotic_grad_norm_sq = sum_grad / n;
  }
  return 0;
}

aimc_status least_squares_run(run_context *ctx) {
  const aimc_config *config = ctx->config;
  ls_state s;
  memset(&s, 0, sizeof s);
  s.ctx = ctx;
  aimc_status status = problem_create(&s.problem, &config->least_squares, config->experiment.seed);
  int dim = config->least_squares.dim, m = config->least_squares.rows;
  s.w = malloc(sizeof(float) * (size_t)dim);
  s.y = malloc(sizeof(float) * (size_t)m);
  s.y_fast = malloc(sizeof(float) * (size_t)m);
  s.grad = malloc(sizeof(float) * (size_t)dim);
  s.tail = calloc(LS_TAIL, sizeof(double));
  s.tail_grad = calloc(LS_TAIL, sizeof(double));
  if (status == AIMC_OK && (!s.w || !s.y || !s.y_fast || !s.grad || !s.tail || !s.tail_grad))
    status = aimc_error_set(AIMC_ENOMEM, "least squares: out of memory");
  if (status == AIMC_OK) {
    for (int j = 0; j < dim; ++j) s.w[j] = (float)config->least_squares.w0;
    if (ctx->chip) {
      int index = -1;
      status = run_add_layer(ctx, 1, dim, &index);
      if (status == AIMC_OK) status = aimc_hw_chip_set_weights(ctx->chip, index, AIMC_HW_ARRAY_MAIN, s.w);
      if (status == AIMC_OK) status = run_resume_chip(ctx);
      if (status == AIMC_OK) status = run_start_trace(ctx);
    }
    const aimc_checkpoint_section *saved = run_resume_workload(ctx);
    if (status == AIMC_OK && saved && (status = load_state(&s, saved)) != AIMC_OK) ctx->checkpointing.refused = 1;
  }
  if (status == AIMC_OK) {
    int failed = ctx->chip ? aimc_hw_chip_run(ctx->chip, program, &s) : program(&s);
    status = failed ? (s.status != AIMC_OK ? s.status : aimc_error_set(AIMC_EINVAL, "least squares: the simulation failed: %s", aimc_error_message())) : AIMC_OK;
  }
  if (status == AIMC_OK)
    status = ctx->chip ? run_record_chip_weights(ctx) : run_record_weights(ctx, 0, 0, s.w, NULL, (size_t)dim);
  problem_free(&s.problem);
  free(s.w);
  free(s.y);
  free(s.y_fast);
  free(s.grad);
  free(s.tail);
  free(s.tail_grad);
  return status;
}
