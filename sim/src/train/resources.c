/*
 * Resource checks before a run allocates anything (docs/reliability.md): the
 * memory its arrays, data and buffers will take and the disk its results,
 * checkpoints and waveforms will fill, estimated from the configuration alone
 * and compared with what the machine offers. A run that cannot fit is refused
 * with the estimate instead of failing hours later.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/statvfs.h>

#include "aimc/array.h"
#include "train_internal.h"

int run_workload_layers(const aimc_config *config, double out[4], double in[4]) {
  switch (config->experiment.workload) {
    case AIMC_WORKLOAD_LEAST_SQUARES:
      out[0] = 1, in[0] = config->least_squares.dim;
      return 1;
    case AIMC_WORKLOAD_FCN:
      out[0] = 256, in[0] = 784, out[1] = 128, in[1] = 256, out[2] = 10, in[2] = 128;
      return 3;
    default:
      out[0] = 16, in[0] = 25, out[1] = 32, in[1] = 400, out[2] = 128, in[2] = 512, out[3] = 10, in[3] = 128;
      return 4;
  }
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
  double out[4], in[4];
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
  e->arrays = cells * per_cell * (analog ? arrays : 1);
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
    double lines = config->trace.n_rows + config->trace.n_cols;
    /* Each pulse is a rising and a falling edge, ~16 bytes each with its time stamp;
     * a sample also reads and converts every traced line. */
    e->trace = window * samples * (lines * (2.0 * config->update.desired_bl + 4.0) + config->trace.n_devices) * 16.0;
  }
  e->disk = e->results + e->checkpoint + e->trace;
}

/* Bytes from a limit variable ("123", "64K", "2G"), or -1 if unset or malformed. */
static double limit_from_env(const char *name) {
  const char *text = getenv(name);
  if (!text || !*text) return -1.0;
  char *end = NULL;
  double value = strtod(text, &end);
  if (end == text || value < 0.0) return -1.0;
  switch (*end) {
    case 'K': case 'k': value *= 1024.0; ++end; break;
    case 'M': case 'm': value *= 1024.0 * 1024.0; ++end; break;
    case 'G': case 'g': value *= 1024.0 * 1024.0 * 1024.0; ++end; break;
    case 'T': case 't': value *= 1024.0 * 1024.0 * 1024.0 * 1024.0; ++end; break;
    default: break;
  }
  return *end == '\0' ? value : -1.0;
}

/* Memory the run may use: AIMCSIM_MEMORY_LIMIT, else MemAvailable, lowered by
 * the address-space and data limits of the process. */
static double memory_available(const char **source) {
  double limit = limit_from_env("AIMCSIM_MEMORY_LIMIT");
  if (limit >= 0.0) {
    *source = "AIMCSIM_MEMORY_LIMIT";
    return limit;
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
  return available;
}

/* Free space of the file system that will hold path (its nearest existing ancestor). */
static double disk_available(const char *path, const char **source) {
  double limit = limit_from_env("AIMCSIM_DISK_LIMIT");
  if (limit >= 0.0) {
    *source = "AIMCSIM_DISK_LIMIT";
    return limit;
  }
  *source = "free space";
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

aimc_status run_check_resources(const aimc_config *config, const char *outdir, int checkpointing) {
  run_estimate e;
  run_estimate_resources(config, checkpointing, &e);
  const char *memory_source = NULL, *disk_source = NULL;
  double memory = memory_available(&memory_source);
  if (memory >= 0.0 && e.memory > memory)
    return aimc_error_set(AIMC_EINVAL,
                          "the run needs about %.3g GiB of memory (arrays %.3g GiB, data %.3g GiB, buffers %.3g GiB) "
                          "but %.3g GiB are available (%s); it was not started",
                          gib(e.memory), gib(e.arrays), gib(e.data), gib(e.buffers), gib(memory), memory_source);
  double disk = disk_available(outdir, &disk_source);
  if (disk >= 0.0 && e.disk > disk)
    return aimc_error_set(AIMC_EINVAL,
                          "the run needs about %.3g GiB of disk in %s (results %.3g GiB, checkpoints %.3g GiB, "
                          "waveforms %.3g GiB) but %.3g GiB are available (%s); it was not started",
                          gib(e.disk), outdir, gib(e.results), gib(e.checkpoint), gib(e.trace), gib(disk), disk_source);
  return AIMC_OK;
}

size_t run_state_bytes_limit(const aimc_config *config) {
  run_estimate e;
  run_estimate_resources(config, 1, &e);
  /* The checkpoint estimate counts two copies; a file may hold one, plus slack
   * for the chip's counters. */
  double limit = e.checkpoint + 16.0 * 1024 * 1024;
  return limit >= (double)(SIZE_MAX / 2) ? SIZE_MAX / 2 : (size_t)limit;
}
