/*
 * `aimcsim response`: the pulse response of the configured device, as device
 * fitting tools expect it. Table one is `pulse,w`: the starting weight (--w0,
 * default the device's lower bound), then the weight after each of the up pulses
 * (--up, default --pulses), then after each of the down pulses (--down, default
 * --pulses).
 * Table two is `w,q_up,q_down,F,G` over the weight range: the normalised
 * response factors and the paper's symmetric and asymmetric components.
 * The device is the mean device (no device-to-device variation) unless --cell
 * picks one drawn cell; cycle-to-cycle noise is off unless --noise.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aimc/aimc.h"
#include "aimc_sim/commands.h"
#include "aimc_sim/fileio.h"
#include "cli_common.h"

static const char usage[] =
    "usage: aimcsim response CONFIG [--pulses N] [--w0 W] [--up N] [--down M] [--points N]\n"
    "                        [--cell ROW,COL] [--noise] [--seed N] [-o FILE.csv]\n"
    "                        [-p section.key=value]...\n"
    "  --pulses N   up pulses, then as many down pulses (default 1000)\n"
    "  --w0 W       starting weight, inside the device's bounds (default: its lower bound)\n"
    "  --up N       up pulses from w0 (0 to 10000000; default --pulses)\n"
    "  --down M     down pulses after them (0 to 10000000; default --pulses)\n"
    "  --points N   weights of the response-factor table (default 101)\n"
    "  --cell R,C   use the device drawn for cell (R, C) instead of the mean device\n"
    "  --noise      apply the configured cycle-to-cycle noise (off by default)\n"
    "  -o FILE.csv  write the pulse table to FILE.csv and the factors to FILE.factors.csv\n";

typedef struct text_sink {
  FILE *stream;              /* stdout, or NULL when writing a file */
  aimc_atomic_file file;
} text_sink;

static aimc_status sink_line(text_sink *sink, const char *format, double a, double b, double c, double d,
                             double e, int columns) {
  char line[256];
  switch (columns) {
    case 2: snprintf(line, sizeof line, format, a, b); break;
    default: snprintf(line, sizeof line, format, a, b, c, d, e); break;
  }
  if (sink->stream) return fputs(line, sink->stream) >= 0 ? AIMC_OK : aimc_error_set(AIMC_EIO, "cannot write to stdout");
  return aimc_atomic_write(&sink->file, line, strlen(line));
}

static aimc_status write_pulses(text_sink *sink, const aimc_device *device, const aimc_cell *cell, float w0,
                                long up, long down, int noise, uint64_t seed) {
  aimc_status status = sink_line(sink, "pulse,w\n", 0, 0, 0, 0, 0, 2);
  float w = w0;
  aimc_rng_key key = aimc_rng_key_make(seed, 0x5e5u);
  for (long n = 0; n <= up + down && status == AIMC_OK; ++n) {
    status = sink_line(sink, "%.0f,%.9g\n", (double)n, (double)w, 0, 0, 0, 2);
    if (n == up + down) break;
    float xi = 0.0f;
    if (noise) {
      float z[4];
      aimc_rng_normal4(key, (uint64_t)n, 0, AIMC_RNG_USER, 0, 0, z);
      xi = z[0];
    }
    w = aimc_device_pulse(device, cell, w, n < up ? +1 : -1, xi);
  }
  return status;
}

static aimc_status write_factors(text_sink *sink, const aimc_device *device, const aimc_cell *cell, long points) {
  aimc_status status = sink_line(sink, "w,q_up,q_down,F,G\n", 0, 0, 0, 0, 0, 2);
  for (long k = 0; k < points && status == AIMC_OK; ++k) {
    double w = cell->b_min + (cell->b_max - cell->b_min) * (double)k / (double)(points - 1);
    status = sink_line(sink, "%.9g,%.9g,%.9g,%.9g,%.9g\n", w, aimc_device_q_up(device, cell, w),
                       aimc_device_q_down(device, cell, w), aimc_device_F(device, cell, w),
                       aimc_device_G(device, cell, w), 5);
  }
  return status;
}

/* FILE.csv -> FILE.factors.csv (or FILE.factors.csv for a name without .csv). */
static char *factors_path(const char *path) {
  size_t length = strlen(path);
  size_t stem = length >= 4 && strcmp(path + length - 4, ".csv") == 0 ? length - 4 : length;
  char *out = malloc(stem + sizeof ".factors.csv");
  if (!out) return NULL;
  memcpy(out, path, stem);
  memcpy(out + stem, ".factors.csv", sizeof ".factors.csv");
  return out;
}

int aimc_cmd_response(int argc, char **argv) {
  const char *path = NULL, *output = NULL;
  long pulses = 1000, points = 101, seed = 1, row = -1, col = -1, up = -1, down = -1;
  const char *w0_text = NULL;
  double w0 = 0.0;
  int noise = 0;
  cli_overrides overrides = {{0}, 0};
  for (int k = 1; k < argc; ++k) {
    const char *a = argv[k];
    int has_value = k + 1 < argc;
    if (strcmp(a, "--help") == 0) {
      fputs(usage, stdout);
      return AIMC_EXIT_OK;
    } else if (strcmp(a, "--pulses") == 0 && has_value) {
      if (!cli_parse_long("response", a, argv[++k], 1, 10000000, &pulses)) return AIMC_EXIT_USAGE;
    } else if (strcmp(a, "--up") == 0 && has_value) {
      if (!cli_parse_long("response", a, argv[++k], 0, 10000000, &up)) return AIMC_EXIT_USAGE;
    } else if (strcmp(a, "--down") == 0 && has_value) {
      if (!cli_parse_long("response", a, argv[++k], 0, 10000000, &down)) return AIMC_EXIT_USAGE;
    } else if (strcmp(a, "--w0") == 0 && has_value) {
      w0_text = argv[++k];
      if (!cli_parse_real("response", a, w0_text, &w0)) return AIMC_EXIT_USAGE;
    } else if (strcmp(a, "--points") == 0 && has_value) {
      if (!cli_parse_long("response", a, argv[++k], 2, 10000000, &points)) return AIMC_EXIT_USAGE;
    } else if (strcmp(a, "--seed") == 0 && has_value) {
      if (!cli_parse_long("response", a, argv[++k], 0, 0x7fffffffL, &seed)) return AIMC_EXIT_USAGE;
    } else if (strcmp(a, "--cell") == 0 && has_value) {
      const char *value = argv[++k];
      unsigned long long r = 0, c = 0;
      const char *comma = cli_parse_digits(value, (1ULL << 24) - 1, &r);
      if (!comma || *comma != ',' || !cli_parse_count(comma + 1, 0, (1ULL << 24) - 1, &c)) {
        fprintf(stderr, "aimcsim response: --cell needs ROW,COL (non-negative integers), got '%s'\n", value);
        return AIMC_EXIT_USAGE;
      }
      row = (long)r;
      col = (long)c;
    } else if (strcmp(a, "--noise") == 0) {
      noise = 1;
    } else if (strcmp(a, "-o") == 0 && has_value) {
      output = argv[++k];
    } else if (strcmp(a, "-p") == 0 && has_value) {
      if (!cli_overrides_add(&overrides, "response", argv[++k])) return AIMC_EXIT_USAGE;
    } else if (a[0] != '-' && !path) {
      path = a;
    } else {
      fprintf(stderr, "aimcsim response: unexpected argument '%s'\n%s", a, usage);
      return AIMC_EXIT_USAGE;
    }
  }
  if (!path) {
    fprintf(stderr, "aimcsim response: missing CONFIG\n%s", usage);
    return AIMC_EXIT_USAGE;
  }
  aimc_config config;
  int exit_status = cli_load_config(path, &overrides, &config);
  if (exit_status != AIMC_EXIT_OK) return exit_status;
  aimc_device device;
  if (aimc_device_init(&device, &config.device) != AIMC_OK) {
    fprintf(stderr, "aimcsim response: %s: %s\n", path, aimc_error_message());
    return AIMC_EXIT_USAGE;
  }
  aimc_cell cell;
  if (row >= 0)
    aimc_device_draw_cell(&device, (uint32_t)row, (uint32_t)col, &cell);
  else
    aimc_device_mean_cell(&device, &cell);
  if (up < 0) up = pulses;
  if (down < 0) down = pulses;
  float start = cell.b_min;
  if (w0_text) {
    /* The weight is a float on the chip; the bounds are those of the chosen cell. */
    start = (float)w0;
    if (!(start >= cell.b_min && start <= cell.b_max)) {
      fprintf(stderr, "aimcsim response: --w0 %s is outside the device's bounds [%.9g, %.9g]\n", w0_text,
              (double)cell.b_min, (double)cell.b_max);
      return AIMC_EXIT_USAGE;
    }
  }

  aimc_status status;
  if (!output) {
    text_sink sink = {stdout, {-1, NULL, NULL}};
    status = write_pulses(&sink, &device, &cell, start, up, down, noise, (uint64_t)seed);
    if (status == AIMC_OK) status = fputs("\n", stdout) >= 0 ? AIMC_OK : AIMC_EIO;
    if (status == AIMC_OK) status = write_factors(&sink, &device, &cell, points);
  } else {
    char *second = factors_path(output);
    text_sink sinks[2] = {{NULL, {-1, NULL, NULL}}, {NULL, {-1, NULL, NULL}}};
    status = second ? AIMC_OK : aimc_error_set(AIMC_ENOMEM, "out of memory");
    if (status == AIMC_OK) status = aimc_atomic_open(&sinks[0].file, output);
    if (status == AIMC_OK) status = aimc_atomic_open(&sinks[1].file, second);
    if (status == AIMC_OK) status = write_pulses(&sinks[0], &device, &cell, start, up, down, noise, (uint64_t)seed);
    if (status == AIMC_OK) status = write_factors(&sinks[1], &device, &cell, points);
    aimc_atomic_file files[2] = {sinks[0].file, sinks[1].file};
    if (status == AIMC_OK)
      status = aimc_atomic_commit_all(files, 2);
    else
      aimc_atomic_abort_all(files, 2);
    if (status == AIMC_OK) printf("wrote %s and %s\n", output, second);
    free(second);
  }
  if (status != AIMC_OK) {
    fprintf(stderr, "aimcsim response: %s\n", aimc_error_message());
    return AIMC_EXIT_FAILURE;
  }
  return AIMC_EXIT_OK;
}
