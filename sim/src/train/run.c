/*
 * `aimcsim run`: loads the configuration (or the embedded default), checks it
 * whole (preflight.c), creates and locks the run directory (outdir.c), builds
 * the chip (timed or not), trains, and writes config.yaml (fully resolved),
 * metrics.csv, stats.json, summary.txt and the final weights
 * (weights/layerN.idx, IDX float) - every file atomically.
 */
#include <errno.h>
#include <math.h>
#include <signal.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <cblas.h>

#include "../cli/cli_common.h"
#include "aimc_sim/commands.h"
#include "aimc_sim/fileio.h"
#include "aimc_sim/idx.h"
#include "aimc_sim/trace.h"
#include "train_internal.h"

extern const unsigned char aimc_default_config[];
extern const size_t aimc_default_config_length;

const char *const metric_names[METRIC_COUNT] = {
    "step", "epoch", "lr", "loss", "train_accuracy", "test_accuracy", "f_minus_fstar", "learning_error",
    "grad_norm_sq", "saturation", "sim_time_s", "energy_j", "energy_forward_j", "energy_backward_j",
    "energy_update_j", "energy_transfer_j", "energy_digital_j", "wall_s"};


static volatile sig_atomic_t stop_requested = 0;

static void request_stop(int signal_number) {
  (void)signal_number;
  stop_requested = 1;
}

int run_stop_requested(void) { return stop_requested != 0; }

double wall_seconds(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

void metrics_clear_row(double row[METRIC_COUNT]) {
  for (int k = 0; k < METRIC_COUNT; ++k) row[k] = NAN;
}

aimc_status metrics_append(run_context *ctx, double row[METRIC_COUNT]) {
  if (ctx->chip) {
    aimc_hw_totals totals;
    aimc_hw_chip_totals(ctx->chip, &totals);
    row[METRIC_SIM_TIME] = totals.timed ? totals.simulated_time : NAN;
    row[METRIC_ENERGY] = totals.energy_total;
    row[METRIC_ENERGY_FORWARD] = totals.energy[AIMC_HW_PHASE_FORWARD];
    row[METRIC_ENERGY_BACKWARD] = totals.energy[AIMC_HW_PHASE_BACKWARD];
    row[METRIC_ENERGY_UPDATE] = totals.energy[AIMC_HW_PHASE_UPDATE];
    row[METRIC_ENERGY_TRANSFER] = totals.energy[AIMC_HW_PHASE_TRANSFER];
    row[METRIC_ENERGY_DIGITAL] = totals.energy[AIMC_HW_PHASE_DIGITAL];
  }
  row[METRIC_WALL_TIME] = wall_seconds() - ctx->wall_start;
  return metrics_restore(ctx, row);
}

aimc_status metrics_restore(run_context *ctx, const double row[METRIC_COUNT]) {
  metrics_log *log = &ctx->metrics;
  if (log->count == log->capacity) {
    size_t capacity = log->capacity ? 2 * log->capacity : 64;
    double *rows = realloc(log->rows, capacity * METRIC_COUNT * sizeof *rows);
    if (!rows) return aimc_error_set(AIMC_ENOMEM, "metrics: out of memory");
    log->rows = rows;
    log->capacity = capacity;
  }
  memcpy(log->rows + log->count * METRIC_COUNT, row, METRIC_COUNT * sizeof *row);
  log->count++;
  return AIMC_OK;
}

void metrics_free(metrics_log *log) {
  free(log->rows);
  memset(log, 0, sizeof *log);
}

/* Writes what `write` produces into outdir/name atomically. */
static aimc_status write_report(const char *outdir, const char *name, aimc_status (*write)(const void *, FILE *),
                                const void *source) {
  char *buffer = NULL;
  size_t size = 0;
  FILE *memory = open_memstream(&buffer, &size);
  if (!memory) return aimc_error_set(AIMC_ENOMEM, "%s: cannot buffer output", name);
  aimc_status status = write(source, memory);
  if (fclose(memory) != 0 && status == AIMC_OK) status = aimc_error_set(AIMC_EIO, "%s: cannot buffer output", name);
  char *path = aimc_path_join(outdir, name);
  aimc_atomic_file file;
  if (status == AIMC_OK && !path) status = aimc_error_set(AIMC_ENOMEM, "out of memory");
  if (status == AIMC_OK) status = aimc_atomic_open(&file, path);
  if (status == AIMC_OK) {
    status = aimc_atomic_write(&file, buffer, size);
    if (status == AIMC_OK)
      status = aimc_atomic_commit(&file);
    else
      aimc_atomic_abort(&file);
  }
  free(path);
  free(buffer);
  return status;
}

static aimc_status print_metrics(const void *source, FILE *out) {
  const run_context *ctx = source;
  for (int k = 0; k < METRIC_COUNT; ++k) fprintf(out, "%s%s", metric_names[k], k + 1 < METRIC_COUNT ? "," : "\n");
  for (size_t r = 0; r < ctx->metrics.count; ++r) {
    const double *row = ctx->metrics.rows + r * METRIC_COUNT;
    for (int k = 0; k < METRIC_COUNT; ++k) {
      const char *end = k + 1 < METRIC_COUNT ? "," : "\n";
      if (isnan(row[k]))
        fputs(end, out);
      else
        fprintf(out, "%.9g%s", row[k], end);
    }
  }
  return AIMC_OK;
}

aimc_status metrics_write(const run_context *ctx) {
  return write_report(ctx->outdir, "metrics.csv", print_metrics, ctx);
}

void progress_report(run_context *ctx, const char *what, double done, double total, double loss, int final) {
  if (ctx->quiet || !ctx->tty) return;
  double now = wall_seconds();
  if (!final && now - ctx->last_progress < 0.2) return;
  ctx->last_progress = now;
  double elapsed = now - ctx->wall_start;
  double eta = done > 0 ? elapsed * (total - done) / done : 0.0;
  char energy[64] = "";
  if (ctx->chip) {
    aimc_hw_totals totals;
    aimc_hw_chip_totals(ctx->chip, &totals);
    snprintf(energy, sizeof energy, "  energy %.4g J", totals.energy_total);
    if (totals.timed) snprintf(energy + strlen(energy), sizeof energy - strlen(energy), "  sim %.4g s", totals.simulated_time);
  }
  fprintf(stderr, "\r%s %.0f/%.0f  loss %.4g%s  elapsed %.1fs  eta %.1fs   %s", what, done, total, loss, energy, elapsed,
          eta, final ? "\n" : "");
  fflush(stderr);
}

void layer_params_from_config(const aimc_config *config, int out, int in, uint32_t layer_index,
                              aimc_hw_layer_params *layer) {
  aimc_hw_layer_params_default(layer, out, in, &config->chip);
  layer->device = config->device;
  layer->update = config->update;
  layer->forward_io = config->forward;
  layer->backward_io = config->backward;
  layer->seed = config->experiment.seed * 1000003u + layer_index;
  layer->device.construction_seed = config->device.construction_seed + layer_index;
  if (config->experiment.algorithm == AIMC_ALGORITHM_TIKI_TAKA) {
    layer->fast = 1;
    layer->fast_device = config->fast_device;
    layer->fast_device.construction_seed = config->fast_device.construction_seed + 7919u * (layer_index + 1);
    layer->fast_update = config->fast_update;
    layer->transfer_io = config->transfer_forward;
  }
}

aimc_status run_record_weights(run_context *ctx, int layer, int fast, const float *weights, const float *saturation,
                               size_t n) {
  if (ctx->n_histograms >= 2 * AIMC_MAX_LAYERS) return aimc_error_set(AIMC_EINVAL, "too many weight histograms");
  weight_histogram *h = &ctx->histograms[ctx->n_histograms++];
  memset(h, 0, sizeof *h);
  h->layer = layer;
  h->fast = fast;
  h->has_saturation = saturation != NULL;
  for (size_t k = 0; k < n; ++k) {
    double w = (weights[k] + 1.0) * 0.5 * AIMC_HISTOGRAM_BINS;
    int bin = w < 0.0 ? 0 : (w >= AIMC_HISTOGRAM_BINS ? AIMC_HISTOGRAM_BINS - 1 : (int)w);
    h->weight[bin]++;
    if (saturation) {
      double s = saturation[k] * AIMC_HISTOGRAM_BINS;
      int sbin = s < 0.0 ? 0 : (s >= AIMC_HISTOGRAM_BINS ? AIMC_HISTOGRAM_BINS - 1 : (int)s);
      h->saturation[sbin]++;
    }
  }
  return AIMC_OK;
}

aimc_status run_record_chip_weights(run_context *ctx) {
  aimc_status status = AIMC_OK;
  int arrays = ctx->config->experiment.algorithm == AIMC_ALGORITHM_TIKI_TAKA ? 2 : 1;
  for (int layer = 0; layer < ctx->n_layers && status == AIMC_OK; ++layer) {
    size_t n = (size_t)ctx->layer_out[layer] * (size_t)ctx->layer_in[layer];
    float *w = malloc(sizeof(float) * n), *sat = malloc(sizeof(float) * n);
    for (int fast = 0; fast < arrays && status == AIMC_OK; ++fast) {
      aimc_hw_array which = fast ? AIMC_HW_ARRAY_FAST : AIMC_HW_ARRAY_MAIN;
      status = w && sat ? aimc_hw_chip_get_weights(ctx->chip, layer, which, w) : aimc_error_set(AIMC_ENOMEM, "out of memory");
      if (status == AIMC_OK) status = aimc_hw_chip_get_saturation(ctx->chip, layer, which, sat);
      if (status == AIMC_OK) status = run_record_weights(ctx, layer, fast, w, sat, n);
    }
    free(w);
    free(sat);
  }
  return status;
}

static aimc_status print_histograms(const void *source, FILE *out) {
  const run_context *ctx = source;
  fprintf(out, "layer,array,quantity,bin_low,bin_high,count\n");
  for (int k = 0; k < ctx->n_histograms; ++k) {
    const weight_histogram *h = &ctx->histograms[k];
    const char *array = h->fast ? "fast" : "main";
    for (int b = 0; b < AIMC_HISTOGRAM_BINS; ++b)
      fprintf(out, "%d,%s,weight,%.6g,%.6g,%llu\n", h->layer, array, -1.0 + 2.0 * b / AIMC_HISTOGRAM_BINS,
              -1.0 + 2.0 * (b + 1) / AIMC_HISTOGRAM_BINS, (unsigned long long)h->weight[b]);
    for (int b = 0; b < AIMC_HISTOGRAM_BINS && h->has_saturation; ++b)
      fprintf(out, "%d,%s,saturation,%.6g,%.6g,%llu\n", h->layer, array, (double)b / AIMC_HISTOGRAM_BINS,
              (double)(b + 1) / AIMC_HISTOGRAM_BINS, (unsigned long long)h->saturation[b]);
  }
  return AIMC_OK;
}

static aimc_status write_histograms(const run_context *ctx) {
  return ctx->n_histograms ? write_report(ctx->outdir, "histograms.csv", print_histograms, ctx) : AIMC_OK;
}

/* Starts the waveform trace once every layer exists (called by the workloads
 * before training). The VCD path is relative to the run directory unless absolute. */
aimc_status run_start_trace(run_context *ctx) {
  if (!ctx->trace) return AIMC_OK;
  aimc_hw_trace_params params;
  aimc_status status = aimc_trace_params_from_config(ctx->trace, ctx->outdir, &params);
  return status == AIMC_OK ? aimc_hw_chip_trace_start(ctx->chip, &params) : status;
}

aimc_status run_add_layer(run_context *ctx, int out, int in, int *layer) {
  if (ctx->n_layers >= AIMC_MAX_LAYERS) return aimc_error_set(AIMC_EINVAL, "more than %d analog layers", AIMC_MAX_LAYERS);
  aimc_hw_layer_params params;
  layer_params_from_config(ctx->config, out, in, (uint32_t)ctx->n_layers, &params);
  aimc_status status = aimc_hw_chip_add_layer(ctx->chip, &params, layer);
  if (status != AIMC_OK) return status;
  ctx->layer_out[ctx->n_layers] = out;
  ctx->layer_in[ctx->n_layers] = in;
  ctx->n_layers++;
  return AIMC_OK;
}

static aimc_status write_config_dump(const void *config, FILE *out) {
  return aimc_cfg_dump(out, &aimc_config_schema, config);
}
static aimc_status write_stats(const void *chip, FILE *out) { return aimc_hw_chip_write_stats_json(chip, out); }

static aimc_status write_digital_stats(const void *unused, FILE *out) {
  (void)unused;
  fputs("{\n  \"chip\": null,\n  \"note\": \"digital_sgd runs in floating point without the hardware model\"\n}\n", out);
  return AIMC_OK;
}

typedef struct summary_source {
  const run_context *ctx;
  double wall;
  const char *failure; /* why the run failed, or NULL */
} summary_source;

static aimc_status write_summary(const void *source, FILE *out) {
  const summary_source *s = source;
  const run_context *ctx = s->ctx;
  const aimc_config *c = ctx->config;
  fprintf(out, "aimcsim run summary\n");
  if (s->failure) fprintf(out, "status FAILED: %s\n", s->failure);
  fprintf(out, "workload          %s\n", aimc_workload_name(c->experiment.workload));
  fprintf(out, "algorithm         %s\n", aimc_algorithm_name(c->experiment.algorithm));
  fprintf(out, "device            %s\n", aimc_device_model_name(c->device.model));
  fprintf(out, "seed              %llu\n", (unsigned long long)c->experiment.seed);
  fprintf(out, "timing            %s\n", ctx->chip ? (c->experiment.timing ? "SystemC-timed" : "untimed") : "none (digital)");
  if (!isnan(ctx->final_loss)) fprintf(out, "final loss        %.9g\n", ctx->final_loss);
  if (!isnan(ctx->asymptotic_error)) fprintf(out, "asymptotic error  %.9g  (mean f - f* over the last 20 steps)\n", ctx->asymptotic_error);
  if (!isnan(ctx->asymptotic_grad_norm_sq))
    fprintf(out, "asymptotic |grad|^2 %.9g  (mean over the last 20 steps)\n", ctx->asymptotic_grad_norm_sq);
  if (!isnan(ctx->final_test_accuracy)) fprintf(out, "test accuracy     %.4f\n", ctx->final_test_accuracy);
  fprintf(out, "%s   %llu\n", c->experiment.workload == AIMC_WORKLOAD_LEAST_SQUARES ? "steps trained  " : "samples trained",
          (unsigned long long)ctx->samples_trained);
  if (ctx->chip) {
    /* Least squares counts gradient steps (each reads all m rows), the networks samples. */
    const char *unit = c->experiment.workload == AIMC_WORKLOAD_LEAST_SQUARES ? "step" : "sample";
    aimc_hw_totals t;
    aimc_hw_chip_totals(ctx->chip, &t);
    double n = ctx->samples_trained > 0 ? (double)ctx->samples_trained : 1.0;
    fprintf(out, "energy            %.6g J total, %.6g J per training %s", t.energy_total,
            (t.energy_total - ctx->eval_energy) / n, unit);
    if (ctx->eval_energy > 0.0) fprintf(out, " (test-set reads, %.6g J, excluded)", ctx->eval_energy);
    fprintf(out, "\n");
    for (int p = 0; p < AIMC_HW_PHASE_COUNT; ++p)
      fprintf(out, "  %-10s      %.6g J per %s\n", aimc_hw_phase_name((aimc_hw_phase)p), t.energy[p] / n, unit);
    fprintf(out, "  %-10s      %.6g J per %s (static power %.6g W over the simulated run)\n", "leakage",
            t.leakage / n, unit, t.static_power);
    if (t.timed) {
      fprintf(out, "simulated time    %.6g s total, %.6g s per %s\n", t.simulated_time, t.simulated_time / n, unit);
      for (int p = 0; p < AIMC_HW_PHASE_COUNT; ++p)
        fprintf(out, "  %-10s      %.6g s per %s\n", aimc_hw_phase_name((aimc_hw_phase)p), t.time[p] / n, unit);
    }
  }
  if (ctx->interrupted) fprintf(out, "interrupted       by a signal, at a step boundary\n");
  fprintf(out, "wall time         %.3f s\n", s->wall);
  if (ctx->chip) {
    fprintf(out, "\n");
    return aimc_hw_chip_write_summary(ctx->chip, out);
  }
  return AIMC_OK;
}

/* result.json: the run's outcome in one machine-readable object (the sweep reads it). */
typedef struct result_source {
  const run_context *ctx;
  double wall;
  const char *status; /* completed, interrupted, failed */
  const char *error;  /* the failure's message, or NULL */
} result_source;

static void json_number(FILE *out, const char *key, double value, int last) {
  if (isfinite(value))
    fprintf(out, "  \"%s\": %.17g%s\n", key, value, last ? "" : ",");
  else
    fprintf(out, "  \"%s\": null%s\n", key, last ? "" : ",");
}

static void json_string(FILE *out, const char *key, const char *value) {
  if (!value) {
    fprintf(out, "  \"%s\": null,\n", key);
    return;
  }
  fprintf(out, "  \"%s\": \"", key);
  for (const unsigned char *c = (const unsigned char *)value; *c; ++c) {
    if (*c == '"' || *c == '\\')
      fprintf(out, "\\%c", *c);
    else if (*c < 0x20)
      fprintf(out, "\\u%04x", *c);
    else
      fputc(*c, out);
  }
  fprintf(out, "\",\n");
}

static aimc_status write_result(const void *source, FILE *out) {
  const result_source *r = source;
  const run_context *ctx = r->ctx;
  const aimc_config *c = ctx->config;
  int steps = c->experiment.workload == AIMC_WORKLOAD_LEAST_SQUARES;
  aimc_hw_totals t;
  memset(&t, 0, sizeof t);
  if (ctx->chip) aimc_hw_chip_totals(ctx->chip, &t);
  double n = ctx->samples_trained > 0 ? (double)ctx->samples_trained : NAN;
  double energy = ctx->chip ? t.energy_total : NAN;
  double time = ctx->chip && t.timed ? t.simulated_time : NAN;
  double area = NAN;
  aimc_hw_area chip_area;
  if (ctx->chip && aimc_hw_chip_area(ctx->chip, &chip_area) == AIMC_OK) area = chip_area.total_mm2;
  fprintf(out, "{\n  \"format\": \"aimcsim-run-result\",\n  \"version\": 1,\n");
  json_string(out, "status", r->status);
  json_string(out, "error", r->error);
  json_string(out, "workload", aimc_workload_name(c->experiment.workload));
  json_string(out, "algorithm", aimc_algorithm_name(c->experiment.algorithm));
  json_string(out, "unit", steps ? "step" : "sample");
  json_number(out, "seed", (double)c->experiment.seed, 0);
  json_number(out, "samples_trained", (double)ctx->samples_trained, 0);
  json_number(out, "final_loss", ctx->final_loss, 0);
  json_number(out, "final_test_accuracy", ctx->final_test_accuracy, 0);
  json_number(out, "asymptotic_error", ctx->asymptotic_error, 0);
  json_number(out, "energy_total_j", energy, 0);
  json_number(out, "energy_per_sample_j", (energy - ctx->eval_energy) / n, 0);
  json_number(out, "latency_per_sample_s", time / n, 0);
  json_number(out, "simulated_time_s", time, 0);
  json_number(out, "area_mm2", area, 0);
  json_number(out, "wall_s", r->wall, 1);
  fprintf(out, "}\n");
  return AIMC_OK;
}

static aimc_status write_weights(const run_context *ctx) {
  if (!ctx->chip) return AIMC_OK;
  char *directory = aimc_path_join(ctx->outdir, "weights");
  aimc_status status = directory ? aimc_make_directories(directory) : aimc_error_set(AIMC_ENOMEM, "out of memory");
  for (int layer = 0; layer < ctx->n_layers && status == AIMC_OK; ++layer) {
    char name[64];
    snprintf(name, sizeof name, "layer%d.idx", layer);
    char *path = aimc_path_join(directory, name);
    if (!path) {
      status = aimc_error_set(AIMC_ENOMEM, "out of memory");
      break;
    }
    int out = ctx->layer_out[layer], in = ctx->layer_in[layer];
    float *w = malloc(sizeof(float) * (size_t)out * in);
    if (!w) status = aimc_error_set(AIMC_ENOMEM, "out of memory");
    if (status == AIMC_OK) status = aimc_hw_chip_get_weights(ctx->chip, layer, AIMC_HW_ARRAY_MAIN, w);
    if (status == AIMC_OK) {
      aimc_idx idx;
      memset(&idx, 0, sizeof idx);
      idx.type = AIMC_IDX_FLOAT;
      idx.ndims = 2;
      idx.dims[0] = (uint32_t)out;
      idx.dims[1] = (uint32_t)in;
      idx.count = (size_t)out * in;
      idx.data = w;
      status = aimc_idx_write(path, &idx);
    }
    free(w);
    free(path);
  }
  free(directory);
  return status;
}

static const char usage[] =
    "usage: aimcsim run [CONFIG] [-o OUTDIR] [-p section.key=value]... [--seed N] [--threads N]\n"
    "                   [--no-timing] [--quiet] [--force] [--checkpoint-every N[steps|epochs]]\n"
    "       aimcsim run --resume OUTDIR [--threads N] [--quiet] [--checkpoint-every N[steps|epochs]]\n"
    "  CONFIG       YAML configuration (default: the embedded configs/default.yaml)\n"
    "  -o OUTDIR    run directory (default: runs/<name>-<date>-<time>)\n"
    "  --seed N     experiment.seed;  --threads N  experiment.threads\n"
    "  --no-timing  same numerics without SystemC time (experiment.timing = false)\n"
    "  --quiet      no progress line;  --force  write into a non-empty OUTDIR\n"
    "  --checkpoint-every N   write OUTDIR/checkpoint.bin every N steps (least squares) or\n"
    "               mini-batches (networks), or every N epochs with the suffix 'epochs'\n"
    "  --resume OUTDIR   continue a stopped run from its last checkpoint (its config.yaml);\n"
    "               the result is bit-identical to an uninterrupted run\n";

/* "N", "Nsteps" or "Nepochs" (N >= 1). */
static int parse_checkpoint_every(const char *text, run_checkpointing *c) {
  unsigned long long n = 0;
  const char *end = cli_parse_digits(text, (unsigned long long)INT64_MAX, &n);
  if (!end || n == 0) {
    fprintf(stderr, "aimcsim run: --checkpoint-every: '%s' is not a count in [1, %lld]\n", text, (long long)INT64_MAX);
    return 0;
  }
  if (*end == '\0' || strcmp(end, "steps") == 0 || strcmp(end, "step") == 0) {
    c->per_epoch = 0;
  } else if (strcmp(end, "epochs") == 0 || strcmp(end, "epoch") == 0) {
    c->per_epoch = 1;
  } else {
    fprintf(stderr, "aimcsim run: --checkpoint-every: unknown unit '%s' (steps or epochs)\n", end);
    return 0;
  }
  c->every = n;
  c->every_given = 1;
  return 1;
}

int aimc_cmd_run(int argc, char **argv) {
  const char *path = NULL, *outdir_arg = NULL, *resume_dir = NULL;
  long seed = -1, threads = -1;
  int no_timing = 0, quiet = 0, force = 0;
  run_checkpointing checkpointing;
  memset(&checkpointing, 0, sizeof checkpointing);
  cli_overrides overrides = {{0}, 0};
  for (int k = 1; k < argc; ++k) {
    const char *a = argv[k];
    int has_value = k + 1 < argc;
    if (strcmp(a, "--help") == 0) {
      fputs(usage, stdout);
      return AIMC_EXIT_OK;
    } else if (strcmp(a, "-o") == 0 && has_value) {
      outdir_arg = argv[++k];
    } else if (strcmp(a, "-p") == 0 && has_value) {
      if (!cli_overrides_add(&overrides, "run", argv[++k])) return AIMC_EXIT_USAGE;
    } else if (strcmp(a, "--seed") == 0 && has_value) {
      if (!cli_parse_long("run", a, argv[++k], 0, 0x7fffffffL, &seed)) return AIMC_EXIT_USAGE;
    } else if (strcmp(a, "--threads") == 0 && has_value) {
      if (!cli_parse_long("run", a, argv[++k], 1, 1024, &threads)) return AIMC_EXIT_USAGE;
    } else if (strcmp(a, "--no-timing") == 0) {
      no_timing = 1;
    } else if (strcmp(a, "--quiet") == 0) {
      quiet = 1;
    } else if (strcmp(a, "--force") == 0) {
      force = 1;
    } else if (strcmp(a, "--resume") == 0 && has_value) {
      resume_dir = argv[++k];
    } else if (strcmp(a, "--checkpoint-every") == 0 && has_value) {
      if (!parse_checkpoint_every(argv[++k], &checkpointing)) return AIMC_EXIT_USAGE;
    } else if (a[0] != '-' && !path) {
      path = a;
    } else {
      fprintf(stderr, "aimcsim run: unexpected argument '%s'\n%s", a, usage);
      return AIMC_EXIT_USAGE;
    }
  }
  char resume_config[AIMC_PATH_MAX];
  if (resume_dir) {
    /* The run directory's resolved config.yaml is the configuration; nothing may change it. */
    if (path || outdir_arg || overrides.count || seed >= 0 || no_timing || force) {
      fprintf(stderr, "aimcsim run: --resume takes the run directory's config.yaml as it is; it cannot be combined "
                      "with CONFIG, -o, -p, --seed, --no-timing or --force\n");
      return AIMC_EXIT_USAGE;
    }
    int written = snprintf(resume_config, sizeof resume_config, "%s/config.yaml", resume_dir);
    if (written < 0 || (size_t)written >= sizeof resume_config || access(resume_config, R_OK) != 0) {
      fprintf(stderr, "aimcsim run: --resume %s: not a run directory (no readable config.yaml)\n", resume_dir);
      return AIMC_EXIT_USAGE;
    }
    if (run_directory_completed(resume_dir)) {
      printf("aimcsim run: %s holds a completed run; nothing to resume\n", resume_dir);
      return AIMC_EXIT_OK;
    }
    path = resume_config;
    outdir_arg = resume_dir;
  }
  aimc_config *config = malloc(sizeof *config);
  if (!config) {
    fprintf(stderr, "aimcsim run: out of memory\n");
    return AIMC_EXIT_FAILURE;
  }
  int exit_status = AIMC_EXIT_OK;
  if (path) {
    exit_status = cli_load_config(path, &overrides, config);
  } else {
    aimc_cfg_error error;
    if (aimc_cfg_load_string(&aimc_config_schema, config, "configs/default.yaml (embedded)",
                             (const char *)aimc_default_config, aimc_default_config_length, overrides.items,
                             overrides.count, &error) != AIMC_OK) {
      fputs(error.text, stderr);
      exit_status = AIMC_EXIT_USAGE;
    }
  }
  if (exit_status != AIMC_EXIT_OK) {
    free(config);
    return exit_status;
  }
  if (seed >= 0) config->experiment.seed = (uint64_t)seed;
  if (threads > 0) config->experiment.threads = (int)threads;
  if (no_timing) config->experiment.timing = 0;
  if (config->experiment.threads > 0) omp_set_num_threads(config->experiment.threads);
  /* aimcsim parallelises with OpenMP itself; BLAS threads would compete with it
   * (and could change the order of a reduction). */
  openblas_set_num_threads(1);

  char outdir[AIMC_PATH_MAX];
  if (outdir_arg) {
    snprintf(outdir, sizeof outdir, "%s", outdir_arg);
  } else {
    aimc_default_output_dir(path, outdir, sizeof outdir);
  }
  if (checkpointing.per_epoch && config->experiment.workload == AIMC_WORKLOAD_LEAST_SQUARES) {
    fprintf(stderr, "aimcsim run: --checkpoint-every: least squares has no epochs; give a number of steps\n");
    free(config);
    return AIMC_EXIT_USAGE;
  }
  /* Refuse what cannot work or fit before allocating or creating anything. */
  if (run_preflight(config, &checkpointing, resume_dir != NULL) != AIMC_OK ||
      run_check_resources(config, outdir, checkpointing.every > 0 || resume_dir) != AIMC_OK) {
    fprintf(stderr, "aimcsim run: %s\n", aimc_error_message());
    free(config);
    return AIMC_EXIT_USAGE;
  }
  char unused[512];
  if (run_unused_sections(config, unused, sizeof unused) > 0)
    fprintf(stderr, "aimcsim run: note: experiment.algorithm %s on the %s workload does not use the sections %s; "
            "their settings have no effect on this run\n", aimc_algorithm_name(config->experiment.algorithm),
            aimc_workload_name(config->experiment.workload), unused);
  int lock = -1;
  exit_status = run_prepare_outdir(outdir, force, resume_dir != NULL, &lock);
  if (exit_status != AIMC_EXIT_OK) {
    if (lock >= 0) close(lock);
    free(config);
    return exit_status;
  }
  if (config->trace.enabled && run_check_trace_target(outdir, &config->trace) != AIMC_OK) {
    fprintf(stderr, "aimcsim run: %s\n", aimc_error_message());
    close(lock);
    free(config);
    return AIMC_EXIT_USAGE;
  }
  if (resume_dir || force) run_remove_stale_temporaries(outdir);
  aimc_checkpoint checkpoint;
  memset(&checkpoint, 0, sizeof checkpoint);
  int have_checkpoint = 0;
  if (resume_dir) {
    char *file = aimc_path_join(outdir, AIMC_CHECKPOINT_NAME);
    if (file && access(file, F_OK) == 0) {
      aimc_status read = aimc_checkpoint_read_file(file, run_state_bytes_limit(config), &checkpoint);
      if (read != AIMC_OK) {
        fprintf(stderr, "aimcsim run: --resume: %s\n", aimc_error_message());
        free(file);
        free(config);
        close(lock);
        return read == AIMC_EFORMAT ? AIMC_EXIT_USAGE : AIMC_EXIT_FAILURE; /* a damaged file is refused input */
      }
      have_checkpoint = 1;
    } else if (!quiet) {
      fprintf(stderr, "aimcsim run: %s has no checkpoint yet; the run starts again from its beginning\n", outdir);
    }
    free(file);
  }

  run_context ctx;
  memset(&ctx, 0, sizeof ctx);
  ctx.config = config;
  ctx.outdir = outdir;
  ctx.quiet = quiet;
  ctx.tty = isatty(STDERR_FILENO);
  ctx.final_loss = ctx.final_test_accuracy = ctx.asymptotic_error = ctx.asymptotic_grad_norm_sq = NAN;
  ctx.checkpointing = checkpointing;
  ctx.checkpointing.config_identity = run_config_identity(config);
  ctx.checkpointing.resume = have_checkpoint ? &checkpoint : NULL;

  /* A resumed run keeps its config.yaml: the checkpoint was taken under it. */
  aimc_status status = resume_dir ? AIMC_OK : write_report(outdir, "config.yaml", write_config_dump, config);
  if (status == AIMC_OK && config->experiment.algorithm != AIMC_ALGORITHM_DIGITAL_SGD)
    status = aimc_hw_chip_create(&ctx.chip, &config->chip, config->experiment.timing);
  /* run_preflight refused tracing without the timed chip. */
  ctx.trace = status == AIMC_OK && ctx.chip && config->trace.enabled ? &config->trace : NULL;
  /* SIGINT and SIGTERM end the run at the next step boundary with its results written. */
  struct sigaction action;
  memset(&action, 0, sizeof action);
  action.sa_handler = request_stop;
  sigemptyset(&action.sa_mask);
  sigaction(SIGINT, &action, NULL);
  sigaction(SIGTERM, &action, NULL);
  ctx.wall_start = wall_seconds();
  if (status == AIMC_OK) status = run_resume_begin(&ctx);
  if (status == AIMC_OK) {
    switch (config->experiment.workload) {
      case AIMC_WORKLOAD_LEAST_SQUARES: status = least_squares_run(&ctx); break;
      default: status = network_run(&ctx); break;
    }
  }
  if (status != AIMC_OK && ctx.checkpointing.refused) {
    /* A refused checkpoint changes nothing on disk: the run directory stays
     * as the stopped run left it. */
    fprintf(stderr, "aimcsim run: --resume: %s\n", aimc_error_message());
    if (ctx.chip) aimc_hw_chip_destroy(ctx.chip);
    aimc_checkpoint_free(&checkpoint);
    metrics_free(&ctx.metrics);
    free(config);
    close(lock);
    return AIMC_EXIT_USAGE;
  }
  double wall = wall_seconds() - ctx.wall_start;
  char failure[1024] = "";
  if (status != AIMC_OK) snprintf(failure, sizeof failure, "%s", aimc_error_message());
  /* Results so far are written even after a failure, so nothing is lost. */
  aimc_status write_status = metrics_write(&ctx);
  if (write_status == AIMC_OK)
    write_status = ctx.chip ? write_report(outdir, "stats.json", write_stats, ctx.chip)
                            : write_report(outdir, "stats.json", write_digital_stats, NULL);
  summary_source summary = {&ctx, wall, status != AIMC_OK ? failure : NULL};
  if (write_status == AIMC_OK) write_status = write_report(outdir, "summary.txt", write_summary, &summary);
  if (write_status == AIMC_OK && status == AIMC_OK) write_status = write_weights(&ctx);
  if (write_status == AIMC_OK && status == AIMC_OK) write_status = write_histograms(&ctx);
  if (write_status == AIMC_OK && ctx.trace) write_status = aimc_hw_chip_trace_finish(ctx.chip);
  if (write_status == AIMC_OK) {
    result_source result = {&ctx, wall, status != AIMC_OK ? "failed" : (ctx.interrupted ? "interrupted" : "completed"),
                            status != AIMC_OK ? failure : NULL};
    write_status = write_report(outdir, "result.json", write_result, &result);
  }
  if (status != AIMC_OK) {
    fprintf(stderr, "aimcsim run: %s\n", failure);
    exit_status = AIMC_EXIT_FAILURE;
  } else if (write_status != AIMC_OK) {
    fprintf(stderr, "aimcsim run: %s\n", aimc_error_message());
    exit_status = AIMC_EXIT_FAILURE;
  } else if (ctx.interrupted && ctx.trace) {
    /* A traced run cannot resume (run_preflight), so no checkpoint is offered. */
    fprintf(stderr, "aimcsim run: stopped by a signal after %llu %s; the results so far are in %s (a traced run cannot "
                    "be resumed; rerun it to trace the whole window)\n",
            (unsigned long long)ctx.samples_trained,
            config->experiment.workload == AIMC_WORKLOAD_LEAST_SQUARES ? "steps" : "samples", outdir);
    exit_status = AIMC_EXIT_INTERRUPTED;
  } else if (ctx.interrupted) {
    fprintf(stderr,
            "aimcsim run: stopped by a signal after %llu %s; the results so far and a checkpoint are in %s\n"
            "  continue with: aimcsim run --resume %s\n",
            (unsigned long long)ctx.samples_trained,
            config->experiment.workload == AIMC_WORKLOAD_LEAST_SQUARES ? "steps" : "samples", outdir, outdir);
    exit_status = AIMC_EXIT_INTERRUPTED;
  } else if (!quiet) {
    write_summary(&summary, stdout);
    printf("\nwrote %s (config.yaml, metrics.csv, stats.json, summary.txt, result.json, weights/)\n", outdir);
  }
  if (ctx.chip) aimc_hw_chip_destroy(ctx.chip);
  aimc_checkpoint_free(&checkpoint);
  metrics_free(&ctx.metrics);
  free(config);
  close(lock);
  return exit_status;
}
