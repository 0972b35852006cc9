/*
 * `aimcsim plot SWEEPDIR`: the Pareto scatter of a sweep, PLOTDIR/pareto.{png,svg}.
 *
 * Each completed point of results.csv is a dot at (latency per sample, energy
 * per sample), or at (error, energy per sample) when the sweep is untimed; the
 * points of the Pareto front (over energy, latency and error, the pareto
 * column) are drawn larger, in colour, with their point index. The front is
 * three-dimensional, so in the projection a front point may sit above and
 * right of another: it is better in the error. Axes are logarithmic when all
 * their values are positive. gnuplot draws; the data go into its script inline.
 */
#include <errno.h>
#include <math.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "aimc_sim/commands.h"
#include "aimc_sim/fileio.h"
#include "aimc_sim/sweep.h"

extern char **environ;

#define LINE_MAX_BYTES 65536
#define MAX_FIELDS 1024

enum { COLUMN_POINT, COLUMN_STATUS, COLUMN_ENERGY, COLUMN_LATENCY, COLUMN_ASYMPTOTIC, COLUMN_ACCURACY, COLUMN_LOSS,
       COLUMN_PARETO, COLUMN_COUNT };
static const char *const column_names[COLUMN_COUNT] = {"point", "status", "energy_per_sample_j", "latency_per_sample_s",
                                                       "asymptotic_error", "final_test_accuracy", "final_loss", "pareto"};

typedef struct plot_point {
  long index;
  double energy, latency, error;
  int front;
} plot_point;

/* Splits one CSV line in place (quoted fields may hold commas and doubled
 * quotes). Returns the number of fields. */
static int split_csv(char *line, char **fields, int max) {
  int n = 0;
  char *p = line;
  for (;;) {
    if (n == max) return n;
    char *out = p;
    fields[n++] = p;
    if (*p == '"') {
      const char *in = p + 1;
      for (; *in; ++in) {
        if (*in == '"' && in[1] == '"') {
          *out++ = '"';
          ++in;
        } else if (*in == '"') {
          ++in;
          break;
        } else {
          *out++ = *in;
        }
      }
      p = (char *)in;
    } else {
      while (*p && *p != ',' && *p != '\n' && *p != '\r') *out++ = *p++;
    }
    int more = *p == ',';
    *out = '\0';
    if (!more) return n;
    p = p + 1;
  }
}

static double field_number(char **fields, int count, int column) {
  if (column < 0 || column >= count || fields[column][0] == '\0') return NAN;
  char *end = NULL;
  double value = strtod(fields[column], &end);
  return end && *end == '\0' ? value : NAN;
}

/* The completed points of results.csv; *count of them. NULL with a message on failure. */
static plot_point *read_points(const char *path, size_t *count) {
  FILE *file = fopen(path, "r");
  if (!file) {
    fprintf(stderr, "aimcsim plot: %s: %s\n", path, strerror(errno));
    return NULL;
  }
  char *line = malloc(LINE_MAX_BYTES);
  char **fields = malloc(MAX_FIELDS * sizeof *fields);
  plot_point *points = NULL;
  size_t n = 0, capacity = 0;
  int columns[COLUMN_COUNT], ok = line && fields && fgets(line, LINE_MAX_BYTES, file) != NULL;
  if (ok) {
    int header = split_csv(line, fields, MAX_FIELDS);
    for (int c = 0; c < COLUMN_COUNT; ++c) {
      columns[c] = -1;
      for (int f = 0; f < header; ++f)
        if (strcmp(fields[f], column_names[c]) == 0) columns[c] = f;
      ok = ok && columns[c] >= 0;
    }
  }
  if (!ok) fprintf(stderr, "aimcsim plot: %s is not the results.csv of aimcsim sweep\n", path);
  while (ok && fgets(line, LINE_MAX_BYTES, file)) {
    int fields_count = split_csv(line, fields, MAX_FIELDS);
    if (columns[COLUMN_STATUS] >= fields_count || strcmp(fields[columns[COLUMN_STATUS]], "completed") != 0) continue;
    if (n == capacity) {
      capacity = capacity ? 2 * capacity : 64;
      plot_point *grown = realloc(points, capacity * sizeof *grown);
      if (!grown) {
        fprintf(stderr, "aimcsim plot: out of memory\n");
        ok = 0;
        break;
      }
      points = grown;
    }
    plot_point *p = &points[n++];
    p->index = (long)field_number(fields, fields_count, columns[COLUMN_POINT]);
    p->energy = field_number(fields, fields_count, columns[COLUMN_ENERGY]);
    p->latency = field_number(fields, fields_count, columns[COLUMN_LATENCY]);
    p->error = aimc_sweep_error_objective(field_number(fields, fields_count, columns[COLUMN_ASYMPTOTIC]),
                                          field_number(fields, fields_count, columns[COLUMN_ACCURACY]),
                                          field_number(fields, fields_count, columns[COLUMN_LOSS]));
    p->front = field_number(fields, fields_count, columns[COLUMN_PARETO]) == 1.0;
  }
  fclose(file);
  free(line);
  free(fields);
  if (!ok) {
    free(points);
    return NULL;
  }
  *count = n;
  return points ? points : calloc(1, sizeof *points);
}

static double x_of(const plot_point *p, int timed) { return timed ? p->latency : p->error; }

static void write_script(FILE *out, const char *terminal, const char *extension, const char *plotdir,
                         const plot_point *points, size_t count, int timed, int log_x, int log_y) {
  fprintf(out, "reset\nset terminal %s size 900,650%s\nset output '%s/pareto.%s.tmp'\n", terminal,
          strcmp(extension, "svg") == 0 ? " dynamic" : "", plotdir, extension);
  fprintf(out, "set grid\nset key top right\nset xlabel '%s'\nset ylabel 'energy per sample [J]'\n",
          timed ? "latency per sample [s]" : "error (asymptotic error, 1 - test accuracy, or final loss)");
  fprintf(out, "set title 'Pareto front over energy, latency and error (%zu points)'\n", count);
  if (log_x) fprintf(out, "set logscale x\n");
  if (log_y) fprintf(out, "set logscale y\n");
  for (int front = 0; front < 2; ++front) {
    fprintf(out, "$%s << EOD\n", front ? "front" : "others");
    for (size_t i = 0; i < count; ++i) {
      const plot_point *p = &points[i];
      double x = x_of(p, timed);
      if (p->front != front || !isfinite(x) || !isfinite(p->energy)) continue;
      fprintf(out, "%.17g %.17g %ld\n", x, p->energy, p->index);
    }
    fprintf(out, "EOD\n");
  }
  int others = 0;
  for (size_t i = 0; i < count; ++i) others += !points[i].front && isfinite(x_of(&points[i], timed)) && isfinite(points[i].energy);
  fprintf(out, "plot %s$front using 1:2 with points pt 7 ps 1.6 lc rgb '#d62728' title 'Pareto front', "
          "$front using 1:2:3 with labels offset char 1,0.8 font ',9' notitle\nset output\n",
          others ? "$others using 1:2 with points pt 7 ps 0.9 lc rgb '#8c96a0' title 'other points', " : "");
}

static int run_gnuplot(const char *script) {
  char *argv[] = {"gnuplot", (char *)script, NULL};
  pid_t pid;
  if (posix_spawnp(&pid, "gnuplot", NULL, NULL, argv, environ) != 0) return -1;
  int status = 0;
  while (waitpid(pid, &status, 0) < 0)
    if (errno != EINTR) return -1;
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

int aimc_sweep_plot(const char *sweepdir, const char *plotdir_arg) {
  char *results = aimc_path_join(sweepdir, "results.csv");
  char *plotdir = plotdir_arg ? strdup(plotdir_arg) : aimc_path_join(sweepdir, "plots");
  if (!results || !plotdir) {
    fprintf(stderr, "aimcsim plot: out of memory\n");
    free(results);
    free(plotdir);
    return AIMC_EXIT_FAILURE;
  }
  size_t count = 0;
  plot_point *points = read_points(results, &count);
  int status = points ? AIMC_EXIT_OK : AIMC_EXIT_USAGE;
  int timed = 0, drawable = 0, log_x = 1, log_y = 1;
  for (size_t i = 0; i < count; ++i) timed |= isfinite(points[i].latency);
  for (size_t i = 0; i < count; ++i) {
    double x = x_of(&points[i], timed), y = points[i].energy;
    if (!isfinite(x) || !isfinite(y)) continue;
    drawable++;
    log_x = log_x && x > 0;
    log_y = log_y && y > 0;
  }
  if (status == AIMC_EXIT_OK && drawable == 0) {
    fprintf(stderr, "aimcsim plot: %s: no completed point with an energy per sample to plot\n", results);
    status = AIMC_EXIT_FAILURE;
  }
  if (status == AIMC_EXIT_OK && strchr(plotdir, '\'')) {
    fprintf(stderr, "aimcsim plot: paths with a single quote are not supported\n");
    status = AIMC_EXIT_USAGE;
  }
  if (status == AIMC_EXIT_OK && aimc_make_directories(plotdir) != AIMC_OK) {
    fprintf(stderr, "aimcsim plot: %s\n", aimc_error_message());
    status = AIMC_EXIT_FAILURE;
  }
  char script[4200];
  if (status == AIMC_EXIT_OK &&
      snprintf(script, sizeof script, "%s/.pareto.%ld.gp", plotdir, (long)getpid()) >= (int)sizeof script) {
    fprintf(stderr, "aimcsim plot: the path of %s is too long\n", plotdir);
    status = AIMC_EXIT_USAGE;
  }
  if (status == AIMC_EXIT_OK) {
    FILE *out = fopen(script, "w");
    if (out) {
      write_script(out, "pngcairo", "png", plotdir, points, count, timed, log_x, log_y);
      write_script(out, "svg", "svg", plotdir, points, count, timed, log_x, log_y);
    }
    int gnuplot = out && fclose(out) == 0 ? run_gnuplot(script) : -2;
    remove(script);
    int written = 0;
    for (int e = 0; e < 2; ++e) {
      const char *extension = e ? "svg" : "png";
      char from[4200], to[4200];
      snprintf(from, sizeof from, "%s/pareto.%s.tmp", plotdir, extension);
      snprintf(to, sizeof to, "%s/pareto.%s", plotdir, extension);
      if (gnuplot == 0 && rename(from, to) == 0)
        ++written;
      else
        remove(from);
    }
    if (gnuplot == -2) {
      fprintf(stderr, "aimcsim plot: %s: %s\n", script, strerror(errno));
      status = AIMC_EXIT_FAILURE;
    } else if (gnuplot == -1) {
      fprintf(stderr, "aimcsim plot: cannot run gnuplot; install it (Debian: apt-get install gnuplot-nox)\n");
      status = AIMC_EXIT_FAILURE;
    } else if (gnuplot != 0 || written != 2) {
      fprintf(stderr, "aimcsim plot: gnuplot failed (status %d) on %s\n", gnuplot, results);
      status = AIMC_EXIT_FAILURE;
    } else {
      printf("wrote %s/pareto.png and pareto.svg (%d points, %s)\n", plotdir, drawable,
             timed ? "energy against latency" : "energy against error (untimed sweep)");
    }
  }
  free(points);
  free(results);
  free(plotdir);
  return status;
}
