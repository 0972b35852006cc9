/*
 * Resource checks before a run allocates anything (docs/reliability.md): the
 * memory its arrays, data and buffers will take and the disk its results,
 * checkpoints and waveforms will fill, estimated from the configuration alone
 * and compared with what the machine offers. A run that cannot fit is refused
 * with the estimate instead of failing hours later.
 */
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/statvfs.h>

#include "aimc/array.h"
#include "aimc/serial.h"
#include "aimc_sim/fileio.h"
#include "../cli/cli_common.h"
#include "resources.h"
#include "train_internal.h"

int run_workload_layers(const aimc_config *config, double out[AIMC_MAX_CHIP_LAYERS],
                        double in[AIMC_MAX_CHIP_LAYERS]) {
  int o[AIMC_MAX_CHIP_LAYERS], i[AIMC_MAX_CHIP_LAYERS];
  int n = aimc_workload_chip_layers(config, o, i, AIMC_MAX_CHIP_LAYERS);
  if (n > AIMC_MAX_CHIP_LAYERS) n = AIMC_MAX_CHIP_LAYERS; /* refused by the config's check */
  for (int k = 0; k < n; ++k) out[k] = o[k], in[k] = i[k];
  return n;
}

/* Tiles of one array of a layer (out x in) on the chip's tiles. */
static double tile_count(const aimc_config *config, double out, double in) {
  double rows = config->chip.tile.rows > 0 ? config->chip.tile.rows : 1, cols = config->chip.tile.cols > 0 ? config->chip.tile.cols : 1;
  return ceil(out / rows) * ceil(in / cols);
}

/* Samples of an MNIST-format image file: from its size (plain) or the size
 * recorded at the end of a gzip stream; 70,000 (all of MNIST) if unknown. */
static double image_bytes(const char *path, int limit) {
  const double pixels = 28.0 * 28.0;
  if (limit > 0) return limit * pixels;
  FILE *file = fopen(path, "rb");
  if (!file) return 70000.0 * pixels;
  double bytes = 70000.0 * pixels;
  unsigned char head[2], tail[4];
  if (fread(head, 1, 2, file) == 2) {
    if (head[0] == 0x1f && head[1] == 0x8b) {
      if (fseek(file, -4, SEEK_END) == 0 && fread(tail, 1, 4, file) == 4)
        bytes = (double)((uint32_t)tail[0] | (uint32_t)tail[1] << 8 | (uint32_t)tail[2] << 16 | (uint32_t)tail[3] << 24);
    } else if (fseek(file, 0, SEEK_END) == 0) {
      long size = ftell(file);
      if (size > 0) bytes = (double)size;
    }
  }
  fclose(file);
  return bytes;
}

void run_estimate_resources(const aimc_config *config, int checkpointing, run_estimate *e) {
  memset(e, 0, sizeof *e);
  double out[AIMC_MAX_CHIP_LAYERS], in[AIMC_MAX_CHIP_LAYERS];
  int layers = run_workload_layers(config, out, in);
  int analog = config->experiment.algorithm != AIMC_ALGORITHM_DIGITAL_SGD;
  int arrays = config->experiment.algorithm == AIMC_ALGORITHM_TIKI_TAKA ? 2 : 1;
  double cells = 0.0;
  for (int k = 0; k < layers; ++k) cells += out[k] * in[k];
  /* A device: its hidden parameters, the planes of the fast update, the weight,
   * and the programmed weight under write noise. Digital layers: weight and gradient. */
  double per_cell = analog ? (double)sizeof(aimc_cell) + 4.0 * AIMC_PLANE_COUNT + 4.0 +
                                 (config->device.write_noise_std > 0.0 ? 4.0 : 0.0)
                           : 8.0;
  e->tiles = 0.0;
  if (analog)
    for (int k = 0; k < layers; ++k) e->tiles += arrays * tile_count(config, out[k], in[k]);
  e->arrays = cells * per_cell * (analog ? arrays : 1) + e->tiles * AIMC_TILE_BYTES;
  double state = cells * 4.0 * (analog ? arrays : 1); /* the weights as saved */
  double batch = config->experiment.batch, steps = config->experiment.steps;
  if (config->experiment.workload == AIMC_WORKLOAD_LEAST_SQUARES) {
    double m = config->least_squares.rows, d = config->least_squares.dim;
    e->data = 4.0 * m * d + 4.0 * m;       /* A and b */
    e->buffers = 4.0 * (3.0 * m + 3.0 * d); /* A W, reads, gradient, weights */
  } else {
    double train = image_bytes(config->data.train_images, config->data.train_limit);
    double test = image_bytes(config->data.test_images, config->data.test_limit);
    e->data = 4.0 * (train + test) + (train + test) / 784.0; /* float pixels and labels */
    double capacity = batch > 100.0 ? batch : 100.0, patches = 24.0 * 24.0;
    /* The widest buffers: im2col of the first convolution, activations of every stage. */
    e->buffers = config->experiment.workload == AIMC_WORKLOAD_CNN ? 4.0 * capacity * patches * (25.0 + 16.0) * 6.0
                                                                  : 4.0 * capacity * (784.0 + 256.0 + 128.0) * 6.0;
    steps = config->experiment.epochs * (train / 784.0 / (batch > 0 ? batch : 1.0) + 1.0);
  }
  double rows = config->experiment.workload == AIMC_WORKLOAD_LEAST_SQUARES
                    ? steps / (config->experiment.log_every > 0 ? config->experiment.log_every : 1)
                    : config->experiment.epochs;
  e->buffers += 8.0 * METRIC_COUNT * rows; /* the metrics log is kept in memory */
  e->memory = e->arrays + e->data + e->buffers + 64.0 * 1024 * 1024; /* + the program and SystemC */
  e->results = state / arrays + 8.0 * 400.0 * 64.0 * layers + 256.0 * rows + 1024.0 * 1024.0;
  /* The old and the new checkpoint exist side by side while one is written. */
  e->checkpoint = checkpointing ? 2.0 * (state + 8.0 * METRIC_COUNT * rows + 64.0 * 1024) : 0.0;
  if (config->trace.enabled) {
    double last = (double)config->trace.last_step < steps - 1 ? (double)config->trace.last_step : steps - 1;
    double window = last >= (double)config->trace.first_step ? last - (double)config->trace.first_step + 1.0 : 0.0;
    double samples = config->experiment.workload == AIMC_WORKLOAD_LEAST_SQUARES ? 1.0 : batch;
    if (config->experiment.workload == AIMC_WORKLOAD_CNN) samples *= 24.0 * 24.0;
    e->trace = resources_trace_bytes(&config->trace, window, samples,
                                     config->experiment.workload == AIMC_WORKLOAD_LEAST_SQUARES
                                         ? AIMC_TRACE_LINE_PULSED_BYTES
                                         : AIMC_TRACE_LINE_READ_BYTES);
    if (config->experiment.workload == AIMC_WORKLOAD_LEAST_SQUARES && !config->forward.is_perfect)
      e->trace += window * config->least_squares.rows * AIMC_TRACE_LS_READ_BYTES;
  }
  e->disk = e->results + e->checkpoint + e->trace;
}

double resources_trace_bytes(const aimc_trace_config *trace, double steps, double samples, double line_bytes) {
  double lines = trace->n_rows + trace->n_cols;
  return AIMC_TRACE_HEADER_BYTES +
         steps * (AIMC_TRACE_STEP_BYTES + AIMC_TRACE_DEVICE_BYTES * trace->n_devices +
                  samples * lines * line_bytes);
}

aimc_status resources_limit(const char *name, double *bytes) {
  *bytes = -1.0;
  const char *text = getenv(name);
  if (!text) return AIMC_OK;
  size_t n = strlen(text), digits = n;
  unsigned long long scale = 1, value = 0;
  switch (n > 0 ? text[n - 1] : '\0') {
    case 'K': case 'k': scale = 1ULL << 10; digits = n - 1; break;
    case 'M': case 'm': scale = 1ULL << 20; digits = n - 1; break;
    case 'G': case 'g': scale = 1ULL << 30; digits = n - 1; break;
    case 'T': case 't': scale = 1ULL << 40; digits = n - 1; break;
    default: break;
  }
  /* The digits may not exceed what the suffix leaves of 2^64 - 1: a value that
   * overflows is refused, never wrapped. */
  const char *end = cli_parse_digits(text, ULLONG_MAX / scale, &value);
  if (end && end == text + digits) {
    *bytes = (double)value * (double)scale;
    return AIMC_OK;
  }
  char quoted[128]; /* the environment's bytes, control characters escaped */
  return aimc_error_set(AIMC_EINVAL,
                        "%s='%s' is not a byte count: give digits with an optional K, M, G or T suffix "
                        "(at most 2^64 - 1 bytes), e.g. %s=16G",
                        name, aimc_escape(text, SIZE_MAX, quoted, sizeof quoted), name);
}

/* Memory the run may use: AIMCSIM_MEMORY_LIMIT, else MemAvailable, lowered by
 * the address-space and data limits of the process. */
static aimc_status memory_available(double *bytes, const char **source) {
  double limit;
  aimc_status status = resources_limit("AIMCSIM_MEMORY_LIMIT", &limit);
  if (status != AIMC_OK) return status;
  if (limit >= 0.0) {
    *source = "AIMCSIM_MEMORY_LIMIT";
    *bytes = limit;
    return AIMC_OK;
  }
  double available = -1.0;
  *source = "MemAvailable";
  FILE *meminfo = fopen("/proc/meminfo", "r");
  if (meminfo) {
    char line[256];
    while (fgets(line, sizeof line, meminfo)) {
      unsigned long long kib;
      if (sscanf(line, "MemAvailable: %llu kB", &kib) == 1) available = 1024.0 * (double)kib;
    }
    fclose(meminfo);
  }
  struct rlimit rl;
  if (getrlimit(RLIMIT_AS, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY &&
      (available < 0.0 || (double)rl.rlim_cur < available)) {
    available = (double)rl.rlim_cur;
    *source = "the address-space limit (ulimit -v)";
  }
  *bytes = available;
  return AIMC_OK;
}

/* Free space of the file system that will hold path (its nearest existing ancestor). */
static double disk_free(const char *path);

static aimc_status disk_available(const char *path, double *bytes, const char **source) {
  double limit;
  aimc_status status = resources_limit("AIMCSIM_DISK_LIMIT", &limit);
  if (status != AIMC_OK) return status;
  if (limit >= 0.0) {
    *source = "AIMCSIM_DISK_LIMIT";
    *bytes = limit;
    return AIMC_OK;
  }
  *source = "free space";
  *bytes = disk_free(path);
  return AIMC_OK;
}

static double disk_free(const char *path) {
  char probe[AIMC_PATH_MAX + 2];
  snprintf(probe, sizeof probe, "%s", path);
  for (;;) {
    struct statvfs fs;
    if (statvfs(probe, &fs) == 0) return (double)fs.f_bavail * (double)fs.f_frsize;
    char *slash = strrchr(probe, '/');
    if (!slash) {
      if (strcmp(probe, ".") == 0) return -1.0;
      snprintf(probe, sizeof probe, ".");
    } else if (slash == probe) {
      probe[1] = '\0';
      if (statvfs(probe, &fs) == 0) return (double)fs.f_bavail * (double)fs.f_frsize;
      return -1.0;
    } else {
      *slash = '\0';
    }
  }
}

static double gib(double bytes) { return bytes / (1024.0 * 1024.0 * 1024.0); }

/* Refuses what does not fit: the memory first, then the disk. */
static aimc_status check_fits(const char *what, double memory_needed, const char *memory_parts, double disk_needed,
                              const char *disk_parts, const char *outdir) {
  const char *memory_source = NULL, *disk_source = NULL;
  double memory = -1.0, disk = -1.0;
  aimc_status status = memory_available(&memory, &memory_source);
  if (status != AIMC_OK) return status;
  if (memory >= 0.0 && memory_needed > memory)
    return aimc_error_set(AIMC_EINVAL,
                          "the %s needs about %.3g GiB of memory (%s) but %.3g GiB are available (%s); it was not started",
                          what, gib(memory_needed), memory_parts, gib(memory), memory_source);
  status = disk_available(outdir ? outdir : ".", &disk, &disk_source);
  if (status != AIMC_OK) return status;
  if (outdir && disk >= 0.0 && disk_needed > disk)
    return aimc_error_set(AIMC_EINVAL,
                          "the %s needs about %.3g GiB of disk in %s (%s) but %.3g GiB are available (%s); it was not "
                          "started",
                          what, gib(disk_needed), outdir, disk_parts, gib(disk), disk_source);
  return AIMC_OK;
}

/* The data files of a network run, refused before anything opens them (the
 * estimate reads their sizes) if they are FIFOs, sockets, devices or
 * directories. A missing file is left to the data loader, which names it. */
static aimc_status check_data_files(const aimc_config *config) {
  if (config->experiment.workload == AIMC_WORKLOAD_LEAST_SQUARES) return AIMC_OK;
  const struct {
    const char *key, *path;
  } files[] = {{"data.train_images", config->data.train_images},
               {"data.train_labels", config->data.train_labels},
               {"data.test_images", config->data.test_images},
               {"data.test_labels", config->data.test_labels}};
  for (size_t k = 0; k < sizeof files / sizeof files[0]; ++k) {
    aimc_status status = aimc_require_regular_file(files[k].key, files[k].path);
    if (status == AIMC_EINVAL) return status;
  }
  return AIMC_OK;
}

aimc_status run_check_resources(const aimc_config *config, const char *outdir, int checkpointing) {
  aimc_status status = check_data_files(config);
  if (status != AIMC_OK) return status;
  run_estimate e;
  run_estimate_resources(config, checkpointing, &e);
  char memory_parts[160], disk_parts[160];
  snprintf(memory_parts, sizeof memory_parts, "arrays %.3g GiB in %.0f tiles, data %.3g GiB, buffers %.3g GiB",
           gib(e.arrays), e.tiles, gib(e.data), gib(e.buffers));
  snprintf(disk_parts, sizeof disk_parts, "results %.3g GiB, checkpoints %.3g GiB, waveforms %.3g GiB", gib(e.results),
           gib(e.checkpoint), gib(e.trace));
  return check_fits("run", e.memory, memory_parts, e.disk, disk_parts, outdir);
}

aimc_status pulse_check_check_resources(const aimc_config *config, const char *outdir) {
  const aimc_pulse_check_params *p = &config->pulse_check;
  double cells = (double)p->rows * (double)p->cols;
  /* The arrays: the observed one, the expected model's, the chip's layer, and
   * the undisturbed one when half-selects disturb. */
  double arrays = 3.0 + (config->device.half_select_disturb > 0.0 ? 1.0 : 0.0);
  double per_cell = (double)sizeof(aimc_cell) + 4.0 * AIMC_PLANE_COUNT + 4.0 +
                    (config->device.write_noise_std > 0.0 ? 4.0 : 0.0);
  double array_bytes = arrays * (cells * per_cell + AIMC_TILE_BYTES);
  double sums = cells * AIMC_PULSE_CHECK_CELL_BYTES;
  /* With -o, cells.csv is rendered in memory before it is written. */
  double csv = outdir ? cells * AIMC_PULSE_CHECK_CSV_BYTES : 0.0;
  double memory = array_bytes + sums + csv + 64.0 * 1024 * 1024;
  double trace = config->trace.enabled ? resources_trace_bytes(&config->trace, (double)p->trials, 1.0, AIMC_TRACE_LINE_READ_BYTES) : 0.0;
  double disk = csv + 1024.0 * 1024.0 + trace;
  char memory_parts[160], disk_parts[160];
  snprintf(memory_parts, sizeof memory_parts, "arrays %.3g GiB, per-cell sums %.3g GiB, cells.csv %.3g GiB",
           gib(array_bytes), gib(sums), gib(csv));
  snprintf(disk_parts, sizeof disk_parts, "cells.csv %.3g GiB, waveforms %.3g GiB", gib(csv), gib(trace));
  return check_fits("pulse-check", memory, memory_parts, disk, disk_parts, outdir);
}

size_t run_state_bytes_limit(const aimc_config *config) {
  run_estimate e;
  run_estimate_resources(config, 1, &e);
  /* The checkpoint estimate counts two copies; a file may hold one, plus slack
   * for the chip's counters. */
  double limit = e.checkpoint + 16.0 * 1024 * 1024;
  return limit >= (double)(SIZE_MAX / 2) ? SIZE_MAX / 2 : (size_t)limit;
}
