/*
 * `aimcsim pulse-check CONFIG [-o OUTDIR]`: how faithfully a tile of the
 * configured device and update scheme applies W <- W - lr d x^T
 * (docs/pulse-check.md).
 *
 * Every trial draws x and d from the `pulse_check` distributions (Philox, keyed
 * by seed and trial, so results do not depend on threads), puts every cell back
 * at the same start state w, and applies one single-sample update three ways on
 * arrays with the tile's own cells and random streams:
 *   - the configured scheme, observed through its pulse trains: the realised
 *     update dW_t and the pulses and half-selects of every cell;
 *   - the same with half_select_disturb = 0 (only when it is on): the disturb is
 *     the difference;
 *   - the paper's expected discrete-time model (pulse type `expected`).
 * The same update also runs on a one-layer timed chip (aimc_hw_chip_update),
 * which gives the time and energy of each update; its weights must equal the
 * observed array's bit for bit, which ties the pulse counts to the chip.
 *
 * Per cell, with the ideal update I_t = -lr d_i x_j, the error e_t = dW_t - I_t
 * gives bias = mean e and variance = sample variance of e. The paper's model
 * (Wu et al. 2024, eq. 7) predicts the mean update F(w) mean I - G(w) mean |I|,
 * i.e. a bias (F - 1) mean I - G mean |I| (the asymmetric drift of the G term);
 * the residual dW_t - F I_t + G |I_t| is what the model leaves unexplained.
 */
#include <dirent.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "aimc/aimc.h"
#include "aimc_hw/chip.h"
#include "aimc_sim/commands.h"
#include "aimc_sim/config.h"
#include "aimc_sim/fileio.h"
#include "aimc_sim/trace.h"
#include "../train/resources.h"
#include "cli_common.h"

/* Key stream of the x and d draws under pulse_check.seed; rows 0 and 1 of the counter. */
enum { DRAW_STREAM = 0x9c4eu, DRAW_X = 0, DRAW_D = 1 };

static const char usage[] =
    "usage: aimcsim pulse-check CONFIG [-o OUTDIR] [-p section.key=value]...\n"
    "  CONFIG     YAML configuration: device, update, chip and pulse_check sections\n"
    "  -o OUTDIR  also write pulse_check.json, cells.csv, pulses_histogram.csv and config.yaml\n"
    "exit status: 0 every limit holds, 4 a pulse_check limit is broken, 1 a failure, 2 a usage\n"
    "or configuration error\n";

/* Sums over the trials for one cell. */
typedef struct cell_sums {
  double error_mean, error_m2;       /* Welford mean and sum of squares of e = dW - I */
  double residual_mean, residual_m2; /* the same for dW - F I + G |I| */
  double ideal, ideal_abs;           /* sums of I and |I| */
  double realised, expected;         /* sums of dW and of the expected model's update */
  double pulses, half_selects;       /* sums of the cell's pulses and half-selected slots */
  double disturb;                    /* sum of the half-select disturb */
  uint32_t pulses_max;
} cell_sums;

/* What one update cost and did, over the trials. */
typedef struct update_sums {
  double energy, energy_max;         /* J */
  double time, time_max;             /* s */
  double slots, device_pulses, half_selected;
  double half_selected_cells;        /* cells with at least one half-selected slot (from the trains) */
  uint64_t slots_max, half_selected_max, pulses_cell_max, skipped;
} update_sums;

typedef struct check {
  const aimc_config *config;
  const aimc_pulse_check_params *p;
  const char *config_path;
  int rows, cols;
  size_t cells;
  float lr;
  aimc_update_params expected_update;
  aimc_array measured;    /* the tile's cells and streams, observed through its trains */
  aimc_array undisturbed; /* the same cells with half_select_disturb = 0 */
  aimc_array expected;    /* the paper's expected model */
  int have_measured, have_undisturbed, have_expected;
  int per_cell_pulses;    /* the scheme hands out pulse trains (stochastic compressed) */
  aimc_hw_chip *chip;
  int layer;
  float *x, *d, *start, *chip_weights;
  double *F, *G;          /* response components of every cell at its start weight */
  uint32_t *trial_pulses, *trial_half;
  cell_sums *sums;
  uint64_t *histogram;    /* (cell, update) pairs by pulse count */
  size_t histogram_size;
  double error_sq, ideal_sq;
  double disturb_abs, disturb_abs_max;
  update_sums updates;
  uint64_t trials_done;
  aimc_status status;
  char message[512];      /* the failure's message, kept across the SystemC thread */
} check;

/* ---- Drawing x and d ---- */

static void draw_vector(aimc_rng_key key, uint64_t trial, uint32_t line, aimc_pulse_check_distribution distribution,
                        double scale, int n, float *out) {
  for (int j = 0; j < n; j += 4) {
    uint32_t words[4];
    float normals[4];
    if (distribution == AIMC_PULSE_CHECK_GAUSSIAN)
      aimc_rng_normal4(key, trial, 0, AIMC_RNG_USER, line, (uint32_t)j >> 2, normals);
    else
      aimc_rng_words(key, trial, 0, AIMC_RNG_USER, line, (uint32_t)j >> 2, words);
    for (int m = 0; m < 4 && j + m < n; ++m) {
      double v;
      switch (distribution) {
        /* Midpoints of 2^24 equal bins: exactly symmetric about 0. */
        case AIMC_PULSE_CHECK_UNIFORM: v = 2.0 * ((double)(words[m] >> 8) + 0.5) / 16777216.0 - 1.0; break;
        case AIMC_PULSE_CHECK_GAUSSIAN: v = normals[m]; break;
        case AIMC_PULSE_CHECK_SIGN: v = (words[m] >> 31) ? 1.0 : -1.0; break;
        default: v = 1.0; break;
      }
      out[j + m] = (float)(scale * v);
    }
  }
}

/* ---- One trial ---- */

static const float *programmed(const aimc_array *array) {
  return array->w_persistent ? array->w_persistent : array->w;
}

/* Pulses and half-selected slots of every cell, from the trains of the sample. */
static void on_sample(void *context, uint64_t sample, int bl, int words, int rows, const uint64_t *row_bits,
                      const int8_t *row_sign, int cols, const uint64_t *col_bits, const int8_t *col_sign,
                      int weight_sign) {
  (void)sample, (void)bl, (void)row_sign, (void)col_sign, (void)weight_sign;
  check *c = context;
  for (int i = 0; i < rows; ++i) {
    const uint64_t *r = row_bits + (size_t)i * words;
    for (int j = 0; j < cols; ++j) {
      const uint64_t *col = col_bits + (size_t)j * words;
      uint32_t both = 0, one = 0;
      for (int k = 0; k < words; ++k) {
        both += (uint32_t)__builtin_popcountll(r[k] & col[k]);
        one += (uint32_t)__builtin_popcountll(r[k] ^ col[k]);
      }
      c->trial_pulses[(size_t)i * cols + j] = both;
      c->trial_half[(size_t)i * cols + j] = one;
    }
  }
}

static aimc_status count_pulses(check *c, uint32_t pulses) {
  if (pulses >= c->histogram_size) {
    size_t size = c->histogram_size ? c->histogram_size : 64;
    while (size <= pulses) size *= 2;
    uint64_t *grown = realloc(c->histogram, size * sizeof *grown);
    if (!grown) return aimc_error_set(AIMC_ENOMEM, "pulse-check: out of memory");
    memset(grown + c->histogram_size, 0, (size - c->histogram_size) * sizeof *grown);
    c->histogram = grown;
    c->histogram_size = size;
  }
  c->histogram[pulses]++;
  return AIMC_OK;
}

static void welford(double *mean, double *m2, double value, double n) {
  double delta = value - *mean;
  *mean += delta / n;
  *m2 += delta * (value - *mean);
}

static aimc_status accumulate(check *c, const aimc_update_stats *stats, const aimc_hw_totals *before,
                              const aimc_hw_totals *after) {
  double n = (double)(c->trials_done + 1);
  const float *realised = programmed(&c->measured), *expected = programmed(&c->expected);
  const float *undisturbed = c->have_undisturbed ? programmed(&c->undisturbed) : NULL;
  for (int i = 0; i < c->rows; ++i) {
    for (int j = 0; j < c->cols; ++j) {
      size_t k = (size_t)i * c->cols + j;
      cell_sums *s = &c->sums[k];
      double ideal = -(double)c->lr * (double)c->d[i] * (double)c->x[j];
      double update = (double)realised[k] - (double)c->start[k];
      welford(&s->error_mean, &s->error_m2, update - ideal, n);
      welford(&s->residual_mean, &s->residual_m2, update - c->F[k] * ideal + c->G[k] * fabs(ideal), n);
      s->ideal += ideal;
      s->ideal_abs += fabs(ideal);
      s->realised += update;
      s->expected += (double)expected[k] - (double)c->start[k];
      c->error_sq += (update - ideal) * (update - ideal);
      c->ideal_sq += ideal * ideal;
      if (c->per_cell_pulses) {
        s->pulses += c->trial_pulses[k];
        s->half_selects += c->trial_half[k];
        if (c->trial_pulses[k] > s->pulses_max) s->pulses_max = c->trial_pulses[k];
        if (c->trial_half[k] > 0) c->updates.half_selected_cells += 1.0;
        aimc_status status = count_pulses(c, c->trial_pulses[k]);
        if (status != AIMC_OK) return status;
      }
      if (undisturbed) {
        double disturb = (double)realised[k] - (double)undisturbed[k];
        s->disturb += disturb;
        c->disturb_abs += fabs(disturb);
        if (fabs(disturb) > c->disturb_abs_max) c->disturb_abs_max = fabs(disturb);
      }
    }
  }
  update_sums *u = &c->updates;
  double energy = after->energy_total - before->energy_total;
  /* Simulated times are whole multiples of the resolution; the difference of two
   * large ones is not, until rounded back. */
  double time = round((after->simulated_time - before->simulated_time) / AIMC_HW_TIME_RESOLUTION) *
                AIMC_HW_TIME_RESOLUTION;
  u->energy += energy;
  u->time += time;
  if (energy > u->energy_max) u->energy_max = energy;
  if (time > u->time_max) u->time_max = time;
  u->slots += (double)stats->slots;
  u->device_pulses += (double)(stats->pulses_up + stats->pulses_down);
  u->half_selected += (double)stats->half_selected;
  if (stats->slots > u->slots_max) u->slots_max = stats->slots;
  if (stats->half_selected > u->half_selected_max) u->half_selected_max = stats->half_selected;
  if (stats->max_pulses_cell > u->pulses_cell_max) u->pulses_cell_max = stats->max_pulses_cell;
  u->skipped += stats->skipped;
  c->trials_done++;
  return AIMC_OK;
}

static aimc_status run_trial(check *c, uint64_t trial) {
  const aimc_pulse_check_params *p = c->p;
  aimc_rng_key key = aimc_rng_key_make(p->seed, DRAW_STREAM);
  draw_vector(key, trial, DRAW_X, p->x_distribution, p->x_scale, c->cols, c->x);
  draw_vector(key, trial, DRAW_D, p->d_distribution, p->d_scale, c->rows, c->d);
  aimc_hw_chip_set_step(c->chip, trial);
  aimc_status status = aimc_array_set_weights(&c->measured, c->start);
  if (status == AIMC_OK && c->have_undisturbed) status = aimc_array_set_weights(&c->undisturbed, c->start);
  if (status == AIMC_OK) status = aimc_array_set_weights(&c->expected, c->start);
  if (status == AIMC_OK) status = aimc_hw_chip_set_weights(c->chip, c->layer, AIMC_HW_ARRAY_MAIN, c->start);
  if (status != AIMC_OK) return status;

  memset(c->trial_pulses, 0, c->cells * sizeof *c->trial_pulses);
  memset(c->trial_half, 0, c->cells * sizeof *c->trial_half);
  aimc_update_stats stats;
  memset(&stats, 0, sizeof stats);
  aimc_train_sink sink = {c, on_sample};
  status = aimc_array_update(&c->measured, c->x, c->d, 1, c->lr, &c->config->update, &stats, &sink);
  aimc_hw_totals before, after;
  aimc_hw_chip_totals(c->chip, &before);
  if (status == AIMC_OK) status = aimc_hw_chip_update(c->chip, c->layer, AIMC_HW_ARRAY_MAIN, c->x, c->d, 1, c->lr);
  aimc_hw_chip_totals(c->chip, &after);
  if (status == AIMC_OK) status = aimc_hw_chip_get_weights(c->chip, c->layer, AIMC_HW_ARRAY_MAIN, c->chip_weights);
  if (status == AIMC_OK && memcmp(c->chip_weights, c->measured.w, c->cells * sizeof(float)) != 0) {
    size_t k = 0;
    while (memcmp(&c->chip_weights[k], &c->measured.w[k], sizeof(float)) == 0) ++k;
    return aimc_error_set(AIMC_EINVAL,
                          "pulse-check: trial %llu: the chip's weight of cell (%zu, %zu) is %.9g, the C core's %.9g",
                          (unsigned long long)trial, k / c->cols, k % c->cols, (double)c->chip_weights[k],
                          (double)c->measured.w[k]);
  }
  if (status == AIMC_OK && c->have_undisturbed)
    status = aimc_array_update(&c->undisturbed, c->x, c->d, 1, c->lr, &c->config->update, NULL, NULL);
  if (status == AIMC_OK) status = aimc_array_update(&c->expected, c->x, c->d, 1, c->lr, &c->expected_update, NULL, NULL);
  if (status == AIMC_OK) status = accumulate(c, &stats, &before, &after);
  return status;
}

static int program(void *context) {
  check *c = context;
  for (uint64_t trial = 0; trial < (uint64_t)c->p->trials; ++trial) {
    c->status = run_trial(c, trial);
    if (c->status != AIMC_OK) {
      snprintf(c->message, sizeof c->message, "%s", aimc_error_message());
      return 1;
    }
  }
  return 0;
}

/* ---- Setup ---- */

/* Steps of the trace window are trials here. */
static aimc_status trace_params(const check *c, const char *outdir, aimc_hw_trace_params *params) {
  return aimc_trace_params_from_config(&c->config->trace, outdir, params);
}

/* The start weight of every cell, clipped as the array stores it. */
static aimc_status start_state(check *c) {
  for (size_t k = 0; k < c->cells; ++k) {
    if (c->p->weight_state == AIMC_PULSE_CHECK_STATE_SYMMETRIC_POINT) {
      double w_sym;
      if (aimc_device_symmetric_point(&c->measured.device, &c->measured.cells[k], &w_sym) != AIMC_OK) {
        char reason[256]; /* the message buffer is about to be rewritten */
        snprintf(reason, sizeof reason, "%s", aimc_error_message());
        return aimc_error_set(AIMC_EINVAL, "pulse_check.weight_state symmetric_point: cell (%zu, %zu): %s",
                              k / c->cols, k % c->cols, reason);
      }
      c->start[k] = (float)w_sym;
    } else {
      c->start[k] = (float)c->p->w0;
    }
  }
  /* Clipped by the expected-model array: the observed array's event counters must
   * stay in step with the chip's tile. */
  aimc_status status = aimc_array_set_weights(&c->expected, c->start);
  if (status != AIMC_OK) return status;
  memcpy(c->start, programmed(&c->expected), c->cells * sizeof(float));
  for (size_t k = 0; k < c->cells; ++k) {
    c->F[k] = aimc_device_F(&c->measured.device, &c->measured.cells[k], c->start[k]);
    c->G[k] = aimc_device_G(&c->measured.device, &c->measured.cells[k], c->start[k]);
  }
  return AIMC_OK;
}

/* The names pulse-check writes in OUTDIR (the VCD below waveforms/). */
static const char *const own_outputs[] = {"pulse_check.json", "cells.csv", "pulses_histogram.csv", "config.yaml",
                                          "waveforms"};

/* Whether name is one of own_outputs, or the temporary file of one that a
 * killed pulse-check left ("NAME.tmp.<pid>"; replaced by the next write). */
static int own_output(const char *name) {
  for (size_t k = 0; k < sizeof own_outputs / sizeof own_outputs[0]; ++k) {
    size_t n = strlen(own_outputs[k]);
    if (strncmp(name, own_outputs[k], n) == 0 && (name[n] == '\0' || strncmp(name + n, ".tmp.", 5) == 0)) return 1;
  }
  return 0;
}

/* OUTDIR may be new, empty, or a pulse-check's own: a file another command
 * wrote there (a run's metrics.csv, or its config.yaml beside no
 * pulse_check.json) is never written over or mixed with this check's files. */
static aimc_status check_outdir_is_ours(const char *outdir) {
  DIR *dir = opendir(outdir);
  if (!dir) return AIMC_OK; /* created later; another failure is reported there */
  int config = 0, report = 0;
  char foreign[256] = "";
  for (struct dirent *e; (e = readdir(dir)) != NULL;) {
    if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0 || aimc_is_outdir_lock(e->d_name)) continue;
    config |= strcmp(e->d_name, "config.yaml") == 0;
    report |= strcmp(e->d_name, "pulse_check.json") == 0;
    if (!foreign[0] && !own_output(e->d_name)) aimc_escape(e->d_name, SIZE_MAX, foreign, sizeof foreign);
  }
  closedir(dir);
  if (!foreign[0] && config && !report) snprintf(foreign, sizeof foreign, "config.yaml");
  if (foreign[0])
    return aimc_error_set(AIMC_EINVAL, "-o %s holds %s, which pulse-check did not write; give a new or empty "
                          "directory, or one of an earlier pulse-check", outdir, foreign);
  return AIMC_OK;
}

/* What the setup would refuse only after OUTDIR exists, refused before it is
 * created (a refused start changes nothing on disk): the array against the
 * tile, and the traced lines against the array, with the chip's own check and
 * the configuration's key names (trace.rows, not the chip's trace.tiles[0]). */
static aimc_status check_before_outdir(const aimc_config *config, const char *outdir) {
  const aimc_pulse_check_params *p = &config->pulse_check;
  if (p->rows > config->chip.tile.rows || p->cols > config->chip.tile.cols)
    return aimc_error_set(AIMC_EINVAL, "pulse_check: a %d x %d array does not fit one %d x %d tile (chip.tile); "
                          "the check covers one tile", p->rows, p->cols, config->chip.tile.rows, config->chip.tile.cols);
  if (outdir) {
    aimc_status status = check_outdir_is_ours(outdir);
    if (status != AIMC_OK) return status;
  }
  if (!config->trace.enabled) return AIMC_OK;
  if (!outdir)
    return aimc_error_set(AIMC_EINVAL, "trace.enabled: the VCD (trace.vcd '%s') goes below the output directory: "
                          "give -o OUTDIR", config->trace.vcd);
  aimc_hw_trace_params params;
  aimc_hw_trace_params_default(&params);
  aimc_trace_params_fill(&config->trace, &params);
  snprintf(params.vcd_path, sizeof params.vcd_path, "%s", config->trace.vcd); /* checked with its section */
  const aimc_hw_trace_layer layer = {.out = p->rows, .in = p->cols, .fast = 0};
  return aimc_hw_trace_params_check_layers(&params, &config->chip.tile, &layer, 1, "trace");
}

static aimc_status check_setup(check *c, const char *outdir) {
  const aimc_config *config = c->config;
  const aimc_pulse_check_params *p = c->p;
  c->rows = p->rows;
  c->cols = p->cols;
  c->cells = (size_t)p->rows * (size_t)p->cols;
  c->lr = (float)p->lr;
  c->per_cell_pulses = config->update.pulse_type == AIMC_PULSE_STOCHASTIC_COMPRESSED;
  c->expected_update = config->update;
  c->expected_update.pulse_type = AIMC_PULSE_EXPECTED;

  c->x = malloc(sizeof(float) * (size_t)c->cols);
  c->d = malloc(sizeof(float) * (size_t)c->rows);
  c->start = malloc(sizeof(float) * c->cells);
  c->chip_weights = malloc(sizeof(float) * c->cells);
  c->F = malloc(sizeof(double) * c->cells);
  c->G = malloc(sizeof(double) * c->cells);
  c->trial_pulses = malloc(sizeof(uint32_t) * c->cells);
  c->trial_half = malloc(sizeof(uint32_t) * c->cells);
  c->sums = calloc(c->cells, sizeof *c->sums);
  if (!c->x || !c->d || !c->start || !c->chip_weights || !c->F || !c->G || !c->trial_pulses || !c->trial_half ||
      !c->sums)
    return aimc_error_set(AIMC_ENOMEM, "pulse-check: out of memory");

  /* Tile (0, 0) of a layer: stream 0 of the layer's seed, the device's own construction seed. */
  aimc_status status = aimc_array_create(&c->measured, c->rows, c->cols, &config->device, p->seed, 0);
  c->have_measured = status == AIMC_OK;
  if (status == AIMC_OK && config->device.half_select_disturb > 0.0) {
    aimc_device_params quiet = config->device;
    quiet.half_select_disturb = 0.0;
    status = aimc_array_create(&c->undisturbed, c->rows, c->cols, &quiet, p->seed, 0);
    c->have_undisturbed = status == AIMC_OK;
  }
  if (status == AIMC_OK) status = aimc_array_create(&c->expected, c->rows, c->cols, &config->device, p->seed, 0);
  c->have_expected = status == AIMC_OK;
  if (status == AIMC_OK) status = aimc_update_params_validate(&config->update);
  if (status == AIMC_OK) status = start_state(c);

  if (status == AIMC_OK) status = aimc_hw_chip_create(&c->chip, &config->chip, 1);
  if (status == AIMC_OK) {
    aimc_hw_layer_params layer;
    aimc_hw_layer_params_default(&layer, c->rows, c->cols, &config->chip);
    layer.device = config->device;
    layer.update = config->update;
    layer.seed = p->seed;
    status = aimc_hw_chip_add_layer(c->chip, &layer, &c->layer);
  }
  if (status == AIMC_OK && config->trace.enabled) {
    aimc_hw_trace_params params;
    status = trace_params(c, outdir, &params);
    if (status == AIMC_OK) status = aimc_hw_chip_trace_start(c->chip, &params);
  }
  return status;
}

static void check_free(check *c) {
  if (c->chip) aimc_hw_chip_destroy(c->chip);
  if (c->have_measured) aimc_array_destroy(&c->measured);
  if (c->have_undisturbed) aimc_array_destroy(&c->undisturbed);
  if (c->have_expected) aimc_array_destroy(&c->expected);
  free(c->x);
  free(c->d);
  free(c->start);
  free(c->chip_weights);
  free(c->F);
  free(c->G);
  free(c->trial_pulses);
  free(c->trial_half);
  free(c->sums);
  free(c->histogram);
}

/* ---- Results ---- */

enum { LIMIT_PULSES = 0, LIMIT_TIME, LIMIT_ENERGY, LIMIT_BIAS, LIMIT_COUNT };

typedef struct limit {
  const char *name;      /* the pulse_check key */
  aimc_cfg_unit unit;
  double limit;          /* 0: off */
  double measured;
  int broken;
} limit;

/* Figures over the cells and updates (docs/pulse-check.md, "What is measured"). */
typedef struct summary {
  double n;
  double ideal_abs_mean, ideal_mean;
  double bias_mean, bias_abs_max, variance_mean, bias_z_max, relative_error;
  int bias_max_row, bias_max_col;
  double F_mean, G_mean, f_term_mean, g_term_mean, model_bias_mean, expected_bias_mean;
  double residual_mean, residual_abs_max, residual_z_max;
  double pulses_mean, half_selects_cell_mean;
  double disturb_mean, disturb_abs_mean, disturb_abs_max;
  limit limits[LIMIT_COUNT];
  int broken;
} summary;

static double cell_stderr(double m2, double n) { return sqrt(m2 / (n - 1.0) / n); }

static void summarise(const check *c, summary *s) {
  memset(s, 0, sizeof *s);
  double n = (double)c->trials_done, cells = (double)c->cells;
  s->n = n;
  s->bias_z_max = s->residual_z_max = -1.0; /* none yet */
  for (size_t k = 0; k < c->cells; ++k) {
    const cell_sums *cell = &c->sums[k];
    double ideal = cell->ideal / n, ideal_abs = cell->ideal_abs / n, bias = cell->error_mean;
    double f_term = (c->F[k] - 1.0) * ideal, g_term = -c->G[k] * ideal_abs;
    s->ideal_mean += ideal / cells;
    s->ideal_abs_mean += ideal_abs / cells;
    s->bias_mean += bias / cells;
    s->variance_mean += cell->error_m2 / (n - 1.0) / cells;
    if (fabs(bias) > s->bias_abs_max || k == 0) {
      s->bias_abs_max = fabs(bias);
      s->bias_max_row = (int)(k / c->cols);
      s->bias_max_col = (int)(k % c->cols);
    }
    double stderr_bias = cell_stderr(cell->error_m2, n), stderr_residual = cell_stderr(cell->residual_m2, n);
    if (stderr_bias > 0.0 && fabs(bias) / stderr_bias > s->bias_z_max) s->bias_z_max = fabs(bias) / stderr_bias;
    s->F_mean += c->F[k] / cells;
    s->G_mean += c->G[k] / cells;
    s->f_term_mean += f_term / cells;
    s->g_term_mean += g_term / cells;
    s->model_bias_mean += (f_term + g_term) / cells;
    s->expected_bias_mean += (cell->expected / n - ideal) / cells;
    s->residual_mean += cell->residual_mean / cells;
    if (fabs(cell->residual_mean) > s->residual_abs_max) s->residual_abs_max = fabs(cell->residual_mean);
    if (stderr_residual > 0.0 && fabs(cell->residual_mean) / stderr_residual > s->residual_z_max)
      s->residual_z_max = fabs(cell->residual_mean) / stderr_residual;
    s->pulses_mean += cell->pulses / n / cells;
    s->half_selects_cell_mean += cell->half_selects / n / cells;
    s->disturb_mean += cell->disturb / n / cells;
  }
  /* Without any variance (a deterministic scheme) the ratios are undefined. */
  if (s->bias_z_max < 0.0) s->bias_z_max = NAN;
  if (s->residual_z_max < 0.0) s->residual_z_max = NAN;
  s->relative_error = c->ideal_sq > 0.0 ? sqrt(c->error_sq / c->ideal_sq) : NAN;
  s->disturb_abs_mean = c->disturb_abs / (n * cells);
  s->disturb_abs_max = c->disturb_abs_max;
  if (!c->per_cell_pulses) s->pulses_mean = c->updates.device_pulses / n / cells;

  const aimc_pulse_check_params *p = c->p;
  limit limits[LIMIT_COUNT] = {
    {"max_pulses_per_device", AIMC_UNIT_NONE, p->max_pulses_per_device, (double)c->updates.pulses_cell_max, 0},
    {"max_update_time", AIMC_UNIT_TIME, p->max_update_time, c->updates.time_max, 0},
    {"max_energy_per_update", AIMC_UNIT_ENERGY, p->max_energy_per_update, c->updates.energy_max, 0},
    {"max_abs_bias", AIMC_UNIT_NONE, p->max_abs_bias, s->bias_abs_max, 0},
  };
  for (int k = 0; k < LIMIT_COUNT; ++k) {
    limits[k].broken = limits[k].limit > 0.0 && !(limits[k].measured <= limits[k].limit);
    s->broken += limits[k].broken;
    s->limits[k] = limits[k];
  }
}

/* A measured value to 4 significant digits with an SI prefix ("165.9ns"). */
static const char *quantity(char *buffer, size_t size, double value, aimc_cfg_unit unit) {
  char rounded[32];
  snprintf(rounded, sizeof rounded, "%.4g", value);
  aimc_cfg_format_quantity(buffer, size, strtod(rounded, NULL), unit);
  return buffer;
}

typedef struct report_source {
  const check *c;
  const summary *s;
} report_source;

static void line(FILE *out, const char *label, double value) { fprintf(out, "  %-44s %.4g\n", label, value); }

static void line_unit(FILE *out, const char *label, double value, aimc_cfg_unit unit) {
  char text[64];
  fprintf(out, "  %-44s %s\n", label, quantity(text, sizeof text, value, unit));
}

static aimc_status print_report(const void *source, FILE *out) {
  const report_source *r = source;
  const check *c = r->c;
  const summary *s = r->s;
  const aimc_config *config = c->config;
  const aimc_pulse_check_params *p = c->p;
  char text[64];
  fprintf(out, "pulse-check of %s\n", c->config_path);
  fprintf(out, "  device %s (granularity %.4g), update %s (desired_bl %d)\n",
          aimc_device_model_name(config->device.model), (double)c->measured.device.granularity,
          aimc_pulse_type_name(config->update.pulse_type), config->update.desired_bl);
  fprintf(out, "  %d x %d cells, %llu updates at lr %g; x %s(%g), d %s(%g); start ", c->rows, c->cols,
          (unsigned long long)c->trials_done, p->lr, aimc_pulse_check_distribution_name(p->x_distribution), p->x_scale,
          aimc_pulse_check_distribution_name(p->d_distribution), p->d_scale);
  if (p->weight_state == AIMC_PULSE_CHECK_STATE_CONSTANT)
    fprintf(out, "w0 = %g; seed %llu\n", p->w0, (unsigned long long)p->seed);
  else
    fprintf(out, "each cell's symmetric point; seed %llu\n", (unsigned long long)p->seed);

  fprintf(out, "\nRealised update against the ideal I = -lr d x^T (per cell, over the updates)\n");
  line(out, "mean |I|", s->ideal_abs_mean);
  line(out, "mean bias (mean of dW - I)", s->bias_mean);
  snprintf(text, sizeof text, "max |bias| (cell %d, %d)", s->bias_max_row, s->bias_max_col);
  line(out, text, s->bias_abs_max);
  line(out, "max |bias| / its standard error", s->bias_z_max);
  line(out, "mean variance of dW - I", s->variance_mean);
  line(out, "relative error rms(dW - I) / rms(I)", s->relative_error);

  fprintf(out, "\nAsymmetric drift: the paper's E[dW] = F(w) I - G(w) |I|\n");
  line(out, "mean F(w) at the start state", s->F_mean);
  line(out, "mean G(w) at the start state", s->G_mean);
  line(out, "F term: mean (F - 1) mean I", s->f_term_mean);
  line(out, "G term: mean -G mean |I|", s->g_term_mean);
  line(out, "model bias (F term + G term)", s->model_bias_mean);
  line(out, "bias of the expected-model kernel", s->expected_bias_mean);
  line(out, "measured bias", s->bias_mean);
  line(out, "residual (measured - model), mean", s->residual_mean);
  line(out, "residual, max |.| over cells", s->residual_abs_max);
  line(out, "max |residual| / its standard error", s->residual_z_max);

  const update_sums *u = &c->updates;
  double n = s->n;
  fprintf(out, "\nPulses\n");
  line(out, "pulse slots (BL) per update, mean", u->slots / n);
  line(out, "pulse slots (BL) per update, max", (double)u->slots_max);
  line(out, "device pulses per update, mean", u->device_pulses / n);
  line(out, "pulses per device per update, mean", s->pulses_mean);
  line(out, "pulses per device per update, max", (double)u->pulses_cell_max);
  line(out, "updates skipped (x = 0 or d = 0)", (double)u->skipped);
  if (c->per_cell_pulses) {
    fprintf(out, "  histogram of pulses per device per update:\n");
    double total = n * (double)c->cells;
    for (size_t k = 0; k < c->histogram_size && k <= u->pulses_cell_max; ++k)
      if (c->histogram[k]) fprintf(out, "    %6zu %12llu  %8.4f%%\n", k, (unsigned long long)c->histogram[k], 100.0 * (double)c->histogram[k] / total);
  } else {
    fprintf(out, "  (pulse type %s hands out no pulse trains: no per-device counts)\n",
            aimc_pulse_type_name(config->update.pulse_type));
  }

  fprintf(out, "\nHalf-selects (one line of a cell pulsed in a slot)\n");
  line(out, "half-selected (cell, slot) pairs per update", u->half_selected / n);
  line(out, "half-selected pairs per update, max", (double)u->half_selected_max);
  if (c->per_cell_pulses) {
    line(out, "devices half-selected per update, mean", u->half_selected_cells / n);
    line(out, "half-selected slots per device per update", s->half_selects_cell_mean);
  }
  line(out, "device.half_select_disturb", config->device.half_select_disturb);
  line(out, "disturb per device per update, mean", s->disturb_mean);
  line(out, "disturb per device per update, mean |.|", s->disturb_abs_mean);
  line(out, "disturb per device per update, max |.|", s->disturb_abs_max);

  fprintf(out, "\nHardware (one-layer timed chip)\n");
  line_unit(out, "update time, mean", u->time / n, AIMC_UNIT_TIME);
  line_unit(out, "update time, max", u->time_max, AIMC_UNIT_TIME);
  line_unit(out, "energy per update, mean", u->energy / n, AIMC_UNIT_ENERGY);
  line_unit(out, "energy per update, max", u->energy_max, AIMC_UNIT_ENERGY);

  fprintf(out, "\nLimits (pulse_check)\n");
  for (int k = 0; k < LIMIT_COUNT; ++k) {
    const limit *l = &s->limits[k];
    char measured[64], bound[64];
    quantity(measured, sizeof measured, l->measured, l->unit);
    if (l->limit > 0.0)
      aimc_cfg_format_quantity(bound, sizeof bound, l->limit, l->unit);
    else
      snprintf(bound, sizeof bound, "off");
    fprintf(out, "  %-24s limit %-12s measured %-12s %s\n", l->name, bound, measured,
            l->limit > 0.0 ? (l->broken ? "BROKEN" : "ok") : "-");
  }
  if (s->broken)
    fprintf(out, "\nFAIL: %d limit%s broken\n", s->broken, s->broken == 1 ? "" : "s");
  else
    fprintf(out, "\nPASS: every limit holds\n");
  return AIMC_OK;
}

static void json_number(FILE *out, const char *key, double value, const char *end) {
  if (isfinite(value))
    fprintf(out, "\"%s\": %.17g%s", key, value, end);
  else
    fprintf(out, "\"%s\": null%s", key, end);
}

static aimc_status print_json(const void *source, FILE *out) {
  const report_source *r = source;
  const check *c = r->c;
  const summary *s = r->s;
  const aimc_config *config = c->config;
  const aimc_pulse_check_params *p = c->p;
  const update_sums *u = &c->updates;
  double n = s->n;
  fprintf(out, "{\n  \"format\": \"aimcsim-pulse-check\",\n  \"version\": 1,\n");
  fprintf(out, "  \"passed\": %s,\n", s->broken ? "false" : "true");
  fprintf(out, "  \"setup\": {\"device_model\": \"%s\", \"pulse_type\": \"%s\", \"rows\": %d, \"cols\": %d, ",
          aimc_device_model_name(config->device.model), aimc_pulse_type_name(config->update.pulse_type), c->rows,
          c->cols);
  json_number(out, "trials", n, ", ");
  json_number(out, "lr", p->lr, ", ");
  fprintf(out, "\"x_distribution\": \"%s\", ", aimc_pulse_check_distribution_name(p->x_distribution));
  json_number(out, "x_scale", p->x_scale, ", ");
  fprintf(out, "\"d_distribution\": \"%s\", ", aimc_pulse_check_distribution_name(p->d_distribution));
  json_number(out, "d_scale", p->d_scale, ", ");
  fprintf(out, "\"weight_state\": \"%s\", ", aimc_pulse_check_state_name(p->weight_state));
  json_number(out, "w0", p->w0, ", ");
  fprintf(out, "\"seed\": %llu, ", (unsigned long long)p->seed);
  json_number(out, "granularity", (double)c->measured.device.granularity, "},\n");
  fprintf(out, "  \"bias\": {");
  json_number(out, "ideal_abs_mean", s->ideal_abs_mean, ", ");
  json_number(out, "ideal_mean", s->ideal_mean, ", ");
  json_number(out, "mean_bias", s->bias_mean, ", ");
  json_number(out, "max_abs_bias", s->bias_abs_max, ", ");
  fprintf(out, "\"max_abs_bias_cell\": [%d, %d], ", s->bias_max_row, s->bias_max_col);
  json_number(out, "max_abs_bias_z", s->bias_z_max, ", ");
  json_number(out, "mean_variance", s->variance_mean, ", ");
  json_number(out, "relative_error", s->relative_error, "},\n");
  fprintf(out, "  \"drift\": {");
  json_number(out, "F_mean", s->F_mean, ", ");
  json_number(out, "G_mean", s->G_mean, ", ");
  json_number(out, "f_term_mean", s->f_term_mean, ", ");
  json_number(out, "g_term_mean", s->g_term_mean, ", ");
  json_number(out, "model_bias_mean", s->model_bias_mean, ", ");
  json_number(out, "expected_kernel_bias_mean", s->expected_bias_mean, ", ");
  json_number(out, "measured_bias_mean", s->bias_mean, ", ");
  json_number(out, "residual_mean", s->residual_mean, ", ");
  json_number(out, "max_abs_residual", s->residual_abs_max, ", ");
  json_number(out, "max_abs_residual_z", s->residual_z_max, "},\n");
  fprintf(out, "  \"pulses\": {");
  json_number(out, "slots_mean", u->slots / n, ", ");
  json_number(out, "slots_max", (double)u->slots_max, ", ");
  json_number(out, "device_pulses_per_update_mean", u->device_pulses / n, ", ");
  json_number(out, "per_device_mean", s->pulses_mean, ", ");
  json_number(out, "per_device_max", (double)u->pulses_cell_max, ", ");
  json_number(out, "skipped_updates", (double)u->skipped, ", ");
  fprintf(out, "\"histogram\": ");
  if (c->per_cell_pulses) {
    fprintf(out, "[");
    for (size_t k = 0; k <= u->pulses_cell_max && k < c->histogram_size; ++k)
      fprintf(out, "%s%llu", k ? ", " : "", (unsigned long long)c->histogram[k]);
    fprintf(out, "]},\n");
  } else {
    fprintf(out, "null},\n");
  }
  fprintf(out, "  \"half_select\": {");
  json_number(out, "events_per_update_mean", u->half_selected / n, ", ");
  json_number(out, "events_per_update_max", (double)u->half_selected_max, ", ");
  json_number(out, "devices_per_update_mean", c->per_cell_pulses ? u->half_selected_cells / n : NAN, ", ");
  json_number(out, "per_device_mean", c->per_cell_pulses ? s->half_selects_cell_mean : NAN, ", ");
  json_number(out, "disturb_fraction", config->device.half_select_disturb, ", ");
  json_number(out, "disturb_mean", s->disturb_mean, ", ");
  json_number(out, "disturb_abs_mean", s->disturb_abs_mean, ", ");
  json_number(out, "disturb_abs_max", s->disturb_abs_max, "},\n");
  fprintf(out, "  \"hardware\": {");
  json_number(out, "update_time_mean_s", u->time / n, ", ");
  json_number(out, "update_time_max_s", u->time_max, ", ");
  json_number(out, "energy_per_update_mean_j", u->energy / n, ", ");
  json_number(out, "energy_per_update_max_j", u->energy_max, ", ");
  json_number(out, "energy_total_j", u->energy, "},\n");
  fprintf(out, "  \"limits\": [\n");
  for (int k = 0; k < LIMIT_COUNT; ++k) {
    const limit *l = &s->limits[k];
    fprintf(out, "    {\"name\": \"%s\", ", l->name);
    json_number(out, "limit", l->limit > 0.0 ? l->limit : NAN, ", ");
    json_number(out, "measured", l->measured, ", ");
    fprintf(out, "\"enabled\": %s, \"broken\": %s}%s\n", l->limit > 0.0 ? "true" : "false",
            l->broken ? "true" : "false", k + 1 < LIMIT_COUNT ? "," : "");
  }
  fprintf(out, "  ]\n}\n");
  return AIMC_OK;
}

static void csv_number(FILE *out, double value, const char *end) {
  if (isfinite(value))
    fprintf(out, "%.9g%s", value, end);
  else
    fputs(end, out);
}

static aimc_status print_cells(const void *source, FILE *out) {
  const report_source *r = source;
  const check *c = r->c;
  double n = r->s->n;
  fprintf(out, "row,col,w,F,G,ideal_mean,ideal_abs_mean,realised_mean,bias,variance,bias_stderr,f_term,g_term,"
               "model_bias,expected_bias,residual,residual_stderr,pulses_mean,pulses_max,half_selects_mean,"
               "disturb_mean\n");
  for (size_t k = 0; k < c->cells; ++k) {
    const cell_sums *cell = &c->sums[k];
    double ideal = cell->ideal / n, ideal_abs = cell->ideal_abs / n;
    double f_term = (c->F[k] - 1.0) * ideal, g_term = -c->G[k] * ideal_abs;
    fprintf(out, "%zu,%zu,", k / c->cols, k % c->cols);
    csv_number(out, c->start[k], ",");
    csv_number(out, c->F[k], ",");
    csv_number(out, c->G[k], ",");
    csv_number(out, ideal, ",");
    csv_number(out, ideal_abs, ",");
    csv_number(out, cell->realised / n, ",");
    csv_number(out, cell->error_mean, ",");
    csv_number(out, cell->error_m2 / (n - 1.0), ",");
    csv_number(out, cell_stderr(cell->error_m2, n), ",");
    csv_number(out, f_term, ",");
    csv_number(out, g_term, ",");
    csv_number(out, f_term + g_term, ",");
    csv_number(out, cell->expected / n - ideal, ",");
    csv_number(out, cell->residual_mean, ",");
    csv_number(out, cell_stderr(cell->residual_m2, n), ",");
    csv_number(out, c->per_cell_pulses ? cell->pulses / n : NAN, ",");
    csv_number(out, c->per_cell_pulses ? (double)cell->pulses_max : NAN, ",");
    csv_number(out, c->per_cell_pulses ? cell->half_selects / n : NAN, ",");
    csv_number(out, cell->disturb / n, "\n");
  }
  return AIMC_OK;
}

static aimc_status print_histogram(const void *source, FILE *out) {
  const report_source *r = source;
  const check *c = r->c;
  double total = r->s->n * (double)c->cells;
  fprintf(out, "pulses,count,fraction\n");
  for (size_t k = 0; k <= c->updates.pulses_cell_max && k < c->histogram_size; ++k)
    fprintf(out, "%zu,%llu,%.9g\n", k, (unsigned long long)c->histogram[k], (double)c->histogram[k] / total);
  return AIMC_OK;
}

static aimc_status print_config(const void *source, FILE *out) {
  const report_source *r = source;
  return aimc_cfg_dump(out, &aimc_config_schema, r->c->config);
}

typedef struct output_file {
  const char *name;
  aimc_status (*write)(const void *source, FILE *out);
} output_file;

/* Renders every file in memory, then writes them all and renames them into place. */
static aimc_status write_outputs(const char *outdir, const output_file *outputs, size_t count, const void *source) {
  aimc_atomic_file files[8];
  size_t opened = 0;
  aimc_status status = count <= sizeof files / sizeof files[0] ? aimc_make_directories(outdir)
                                                               : aimc_error_set(AIMC_EINVAL, "too many outputs");
  for (size_t k = 0; k < count && status == AIMC_OK; ++k) {
    char *buffer = NULL, *path = NULL;
    size_t size = 0;
    FILE *memory = open_memstream(&buffer, &size);
    if (!memory) {
      status = aimc_error_set(AIMC_ENOMEM, "%s: cannot buffer output", outputs[k].name);
      break;
    }
    status = outputs[k].write(source, memory);
    if (fclose(memory) != 0 && status == AIMC_OK)
      status = aimc_error_set(AIMC_EIO, "%s: cannot buffer output", outputs[k].name);
    if (status == AIMC_OK) {
      path = aimc_path_join(outdir, outputs[k].name);
      status = path ? aimc_atomic_open(&files[opened], path) : aimc_error_set(AIMC_ENOMEM, "out of memory");
    }
    if (status == AIMC_OK) {
      opened++;
      status = aimc_atomic_write(&files[opened - 1], buffer, size);
    }
    free(path);
    free(buffer);
  }
  if (status == AIMC_OK) return aimc_atomic_commit_all(files, opened);
  aimc_atomic_abort_all(files, opened);
  return status;
}

/* ---- The command ---- */

int aimc_cmd_pulse_check(int argc, char **argv) {
  const char *path = NULL, *outdir = NULL;
  cli_overrides overrides = {{0}, 0};
  for (int k = 1; k < argc; ++k) {
    const char *a = argv[k];
    int has_value = k + 1 < argc;
    if (strcmp(a, "--help") == 0) {
      fputs(usage, stdout);
      return AIMC_EXIT_OK;
    } else if (strcmp(a, "-o") == 0 && has_value) {
      outdir = argv[++k];
    } else if (strcmp(a, "-p") == 0 && has_value) {
      if (!cli_overrides_add(&overrides, "pulse-check", argv[++k])) return AIMC_EXIT_USAGE;
    } else if (a[0] != '-' && !path) {
      path = a;
    } else {
      fprintf(stderr, "aimcsim pulse-check: unexpected argument '%s'\n%s", a, usage);
      return AIMC_EXIT_USAGE;
    }
  }
  if (!path) {
    fprintf(stderr, "aimcsim pulse-check: missing CONFIG\n%s", usage);
    return AIMC_EXIT_USAGE;
  }
  aimc_config *config = malloc(sizeof *config);
  check *c = calloc(1, sizeof *c);
  if (!config || !c) {
    fprintf(stderr, "aimcsim pulse-check: out of memory\n");
    free(config);
    free(c);
    return AIMC_EXIT_FAILURE;
  }
  int exit_status = cli_load_config(path, &overrides, config);
  if (exit_status != AIMC_EXIT_OK) {
    free(config);
    free(c);
    return exit_status;
  }
  c->config = config;
  c->p = &config->pulse_check;
  c->config_path = path;
  /* Refuse what cannot fit before allocating or creating anything; then hold
   * OUTDIR against a second writer until the end. */
  aimc_status status = check_before_outdir(config, outdir);
  if (status == AIMC_OK) status = pulse_check_check_resources(config, outdir);
  int lock = -1;
  if (status == AIMC_OK && outdir) {
    status = aimc_make_directories(outdir);
    if (status == AIMC_OK) status = aimc_outdir_lock(outdir, &lock);
  }
  if (status == AIMC_OK) status = check_setup(c, outdir);
  if (status != AIMC_OK) {
    /* A setup that the configuration cannot satisfy is a configuration error. */
    fprintf(stderr, "aimcsim pulse-check: %s: %s\n", path, aimc_error_message());
    check_free(c);
    free(config);
    free(c);
    if (lock >= 0) close(lock);
    /* Another process writing OUTDIR refuses this one like a usage error. */
    return status == AIMC_EINVAL || status == AIMC_EBUSY ? AIMC_EXIT_USAGE : AIMC_EXIT_FAILURE;
  }
  if (aimc_hw_chip_run(c->chip, program, c) != 0) {
    if (c->status == AIMC_OK) /* SystemC failed, not the program */
      snprintf(c->message, sizeof c->message, "pulse-check: the simulation failed: %s", aimc_error_message());
    status = aimc_error_set(c->status != AIMC_OK ? c->status : AIMC_EINVAL, "%s", c->message);
  }
  if (status == AIMC_OK && config->trace.enabled) status = aimc_hw_chip_trace_finish(c->chip);
  summary s;
  report_source source = {c, &s};
  if (status == AIMC_OK) {
    summarise(c, &s);
    if (outdir) {
      output_file outputs[4] = {{"pulse_check.json", print_json}, {"cells.csv", print_cells},
                                {"config.yaml", print_config}};
      size_t count = 3;
      if (c->per_cell_pulses) outputs[count++] = (output_file){"pulses_histogram.csv", print_histogram};
      status = write_outputs(outdir, outputs, count, &source);
    }
  }
  if (status != AIMC_OK) {
    fprintf(stderr, "aimcsim pulse-check: %s\n", aimc_error_message());
    exit_status = AIMC_EXIT_FAILURE;
  } else {
    print_report(&source, stdout);
    if (outdir)
      printf("\nwrote %s (pulse_check.json, cells.csv,%s config.yaml%s)\n", outdir,
             c->per_cell_pulses ? " pulses_histogram.csv," : "", config->trace.enabled ? ", the VCD" : "");
    for (int k = 0; k < LIMIT_COUNT; ++k) {
      const limit *l = &s.limits[k];
      if (!l->broken) continue;
      char measured[64], bound[64];
      quantity(measured, sizeof measured, l->measured, l->unit);
      aimc_cfg_format_quantity(bound, sizeof bound, l->limit, l->unit);
      fprintf(stderr, "aimcsim pulse-check: limit broken: pulse_check.%s: measured %s, limit %s\n", l->name, measured,
              bound);
    }
    exit_status = s.broken ? AIMC_EXIT_LIMIT : AIMC_EXIT_OK;
  }
  check_free(c);
  free(config);
  free(c);
  if (lock >= 0) close(lock);
  return exit_status;
}
