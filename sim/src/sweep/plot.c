/*
 * `aimcsim plot SWEEPDIR`: the Pareto front of a sweep, PLOTDIR/pareto.{png,svg},
 * and `aimcsim plot SWEEPDIR --table`: results.csv as a markdown table.
 *
 * The front is over the objectives the sweep file chose (SWEEPDIR/sweep.yaml's
 * objectives:, default error, energy, latency, area; the pareto column of
 * results.csv). The figure has one panel per pair of chosen objectives (one
 * objective: that objective against the point index); each completed point is
 * a dot, the front's points are drawn larger, in colour, with their point
 * index. The front is over all the chosen objectives at once, so in one
 * panel's projection a front point may sit above and right of another: it is
 * better in another objective. An objective no completed point reports (the
 * latency of an untimed sweep) gets no panel. Axes are logarithmic when all
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
#include "sweep_internal.h"

extern char **environ;

#define LINE_MAX_BYTES 65536
#define MAX_FIELDS 1024

enum { COLUMN_POINT, COLUMN_STATUS, COLUMN_ENERGY, COLUMN_LATENCY, COLUMN_AREA, COLUMN_ASYMPTOTIC, COLUMN_ACCURACY,
       COLUMN_LOSS, COLUMN_PARETO, COLUMN_COUNT };
static const char *const column_names[COLUMN_COUNT] = {
    "point", "status", "energy_per_sample_j", "latency_per_sample_s", "area_mm2", "asymptotic_error",
    "final_test_accuracy", "final_loss", "pareto"};

static const char *const axis_labels[AIMC_SWEEP_OBJECTIVES] = {
    "error (asymptotic error, 1 - test accuracy, or final loss)", "energy per sample [J]",
    "latency per sample [s]", "area [mm^2]"};

typedef struct plot_point {
  long index;
  double objective[AIMC_SWEEP_OBJECTIVES]; /* by AIMC_SWEEP_ERROR ... AIMC_SWEEP_AREA; NaN where absent */
  double accuracy;
  int front;
  int completed;
  char *labels; /* the varied keys' values and the status, " | "-separated (for --table) */
} plot_point;

typedef struct plot_table {
  plot_point *points;
  size_t count;
  char *keys; /* the varied keys' names, " | "-separated */
  size_t key_count;
} plot_table;

static void table_free(plot_table *table) {
  for (size_t i = 0; i < table->count; ++i) free(table->points[i].labels);
  free(table->points);
  free(table->keys);
  memset(table, 0, sizeof *table);
}

/* fields[first..last) joined with " | " (malloc'ed). */
static char *join(char **fields, int first, int last) {
  size_t length = 1;
  for (int f = first; f < last; ++f) length += strlen(fields[f]) + 3;
  char *text = malloc(length);
  if (!text) return NULL;
  text[0] = '\0';
  for (int f = first; f < last; ++f) {
    if (f > first) strcat(text, " | ");
    strcat(text, fields[f]);
  }
  return text;
}

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

/* The rows of results.csv. 0 with a message on failure. */
static int read_points(const char *path, plot_table *table) {
  memset(table, 0, sizeof *table);
  FILE *file = fopen(path, "r");
  if (!file) {
    fprintf(stderr, "aimcsim plot: %s: %s\n", path, strerror(errno));
    return 0;
  }
  char *line = malloc(LINE_MAX_BYTES);
  char **fields = malloc(MAX_FIELDS * sizeof *fields);
  size_t capacity = 0;
  int columns[COLUMN_COUNT], ok = line && fields && fgets(line, LINE_MAX_BYTES, file) != NULL;
  if (ok) {
    int header = split_csv(line, fields, MAX_FIELDS);
    for (int c = 0; c < COLUMN_COUNT; ++c) {
      columns[c] = -1;
      for (int f = 0; f < header; ++f)
        if (strcmp(fields[f], column_names[c]) == 0) columns[c] = f;
      ok = ok && columns[c] >= 0;
    }
    /* The varied keys lie between point and status. */
    ok = ok && columns[COLUMN_POINT] == 0 && columns[COLUMN_STATUS] >= 1;
    if (ok) {
      table->key_count = (size_t)columns[COLUMN_STATUS] - 1;
      table->keys = join(fields, 1, columns[COLUMN_STATUS]);
      ok = table->keys != NULL;
    }
  }
  if (!ok) fprintf(stderr, "aimcsim plot: %s is not the results.csv of aimcsim sweep\n", path);
  while (ok && fgets(line, LINE_MAX_BYTES, file)) {
    int fields_count = split_csv(line, fields, MAX_FIELDS);
    if (columns[COLUMN_STATUS] >= fields_count) continue;
    if (table->count == capacity) {
      capacity = capacity ? 2 * capacity : 64;
      plot_point *grown = realloc(table->points, capacity * sizeof *grown);
      if (!grown) {
        fprintf(stderr, "aimcsim plot: out of memory\n");
        ok = 0;
        break;
      }
      table->points = grown;
    }
    plot_point *p = &table->points[table->count++];
    memset(p, 0, sizeof *p);
    p->index = (long)field_number(fields, fields_count, columns[COLUMN_POINT]);
    p->completed = strcmp(fields[columns[COLUMN_STATUS]], "completed") == 0;
    p->objective[AIMC_SWEEP_ENERGY] = field_number(fields, fields_count, columns[COLUMN_ENERGY]);
    p->objective[AIMC_SWEEP_LATENCY] = field_number(fields, fields_count, columns[COLUMN_LATENCY]);
    p->objective[AIMC_SWEEP_AREA] = field_number(fields, fields_count, columns[COLUMN_AREA]);
    p->accuracy = field_number(fields, fields_count, columns[COLUMN_ACCURACY]);
    p->objective[AIMC_SWEEP_ERROR] =
        aimc_sweep_error_objective(field_number(fields, fields_count, columns[COLUMN_ASYMPTOTIC]), p->accuracy,
                                   field_number(fields, fields_count, columns[COLUMN_LOSS]));
    p->front = field_number(fields, fields_count, columns[COLUMN_PARETO]) == 1.0;
    p->labels = join(fields, 1, columns[COLUMN_STATUS] + 1);
    if (!p->labels) {
      fprintf(stderr, "aimcsim plot: out of memory\n");
      ok = 0;
    }
  }
  fclose(file);
  free(line);
  free(fields);
  if (!ok) table_free(table);
  return ok;
}

/* The chosen objectives of the sweep directory (its sweep.yaml). 0 with a message on failure. */
static int read_chosen(const char *sweepdir, int *objectives, size_t *count) {
  char *path = aimc_path_join(sweepdir, "sweep.yaml");
  aimc_cfg_error error;
  aimc_status status = path ? sweep_read_objectives(path, objectives, count, &error) : AIMC_ENOMEM;
  free(path);
  if (status == AIMC_OK) return 1;
  if (path) fprintf(stderr, "aimcsim plot: %s", error.text);
  if (!path) fprintf(stderr, "aimcsim plot: out of memory\n");
  return 0;
}

static void put_value(FILE *out, double value) {
  if (isfinite(value))
    fprintf(out, " %.17g", value);
  else
    fputs(" ?", out);
}

/* One panel: objective y against objective x (x < 0: the point index). */
static void write_panel(FILE *out, const plot_table *table, int x, int y, int log_x, int log_y) {
  fprintf(out, "unset logscale\nset format x '%%g'\nset format y '%%g'\nset xlabel '%s'\nset ylabel '%s'\n",
          x < 0 ? "point" : axis_labels[x], axis_labels[y]);
  if (log_x) fprintf(out, "set logscale x\n");
  if (log_y) fprintf(out, "set logscale y\n");
  int others = 0, front = 0;
  for (size_t i = 0; i < table->count; ++i) {
    const plot_point *p = &table->points[i];
    int drawn = p->completed && isfinite(p->objective[y]) && (x < 0 || isfinite(p->objective[x]));
    others += drawn && !p->front;
    front += drawn && p->front;
  }
  /* Columns of the data blocks: point index, then the four objectives. */
  int cx = x < 0 ? 1 : 2 + x, cy = 2 + y;
  fprintf(out, "plot ");
  if (others)
    fprintf(out, "$others using %d:%d with points pt 7 ps 0.9 lc rgb '#8c96a0' title 'other points'%s", cx, cy,
            front ? ", " : "");
  if (front)
    fprintf(out, "$front using %d:%d with points pt 7 ps 1.6 lc rgb '#d62728' title 'Pareto front', "
                 "$front using %d:%d:1 with labels offset char 1,0.8 font ',9' notitle",
            cx, cy, cx, cy);
  if (!others && !front) fprintf(out, "NaN notitle");
  fprintf(out, "\n");
}

static void write_script(FILE *out, const char *terminal, const char *extension, const char *plotdir,
                         const plot_table *table, const int *drawn, size_t drawn_count, const int *log_axis,
                         const char *over, size_t completed) {
  size_t panels = drawn_count == 1 ? 1 : drawn_count * (drawn_count - 1) / 2;
  size_t columns = panels < 3 ? panels : 3, rows = (panels + columns - 1) / columns;
  fprintf(out, "reset\nset terminal %s size %zu,%zu%s\nset output '%s/pareto.%s.tmp'\n", terminal, 560 * columns + 40,
          420 * rows + 60, strcmp(extension, "svg") == 0 ? " dynamic" : "", plotdir, extension);
  fprintf(out, "set datafile missing '?'\n");
  for (int front = 0; front < 2; ++front) {
    fprintf(out, "$%s << EOD\n", front ? "front" : "others");
    for (size_t i = 0; i < table->count; ++i) {
      const plot_point *p = &table->points[i];
      if (!p->completed || p->front != front) continue;
      fprintf(out, "%ld", p->index);
      for (int k = 0; k < AIMC_SWEEP_OBJECTIVES; ++k) put_value(out, p->objective[k]);
      fprintf(out, "\n");
    }
    fprintf(out, "EOD\n");
  }
  fprintf(out, "set multiplot layout %zu,%zu title 'Pareto front over %s (%zu points)'\n", rows, columns, over,
          completed);
  fprintf(out, "set grid\nset key top right\n");
  if (drawn_count == 1) {
    write_panel(out, table, -1, drawn[0], 0, log_axis[drawn[0]]);
  } else {
    for (size_t a = 0; a < drawn_count; ++a)
      for (size_t b = a + 1; b < drawn_count; ++b)
        write_panel(out, table, drawn[a], drawn[b], log_axis[drawn[a]], log_axis[drawn[b]]);
  }
  fprintf(out, "unset multiplot\nset output\n");
}

/* A number for the markdown table: 4 significant digits; empty when absent. */
static void put_cell(double value) {
  if (isfinite(value))
    printf(" %.4g |", value);
  else
    printf("  |");
}

/* `--table`: results.csv as a markdown table, and the front. */
static int print_table(const plot_table *table, const char *over) {
  int accuracy = 0;
  for (size_t i = 0; i < table->count; ++i) accuracy |= isfinite(table->points[i].accuracy);
  printf("| point | %s%sstatus | %s | energy/sample [J] | latency/sample [s] | area [mm2] | front |\n", table->keys,
         table->key_count ? " | " : "", accuracy ? "test accuracy" : "error");
  printf("|---|");
  for (size_t k = 0; k < table->key_count + 6; ++k) printf("---|");
  printf("\n");
  for (size_t i = 0; i < table->count; ++i) {
    const plot_point *p = &table->points[i];
    printf("| %ld | %s |", p->index, p->labels);
    put_cell(accuracy ? p->accuracy : p->objective[AIMC_SWEEP_ERROR]);
    put_cell(p->objective[AIMC_SWEEP_ENERGY]);
    put_cell(p->objective[AIMC_SWEEP_LATENCY]);
    put_cell(p->objective[AIMC_SWEEP_AREA]);
    printf(" %s |\n", p->front ? "yes" : "");
  }
  printf("\nPareto front over %s: points", over);
  int any = 0;
  for (size_t i = 0; i < table->count; ++i) {
    if (!table->points[i].front) continue;
    printf("%s %ld", any ? "," : "", table->points[i].index);
    any = 1;
  }
  printf("%s\n", any ? "" : " none");
  return AIMC_EXIT_OK;
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


int aimc_sweep_plot(const char *sweepdir, const char *plotdir_arg, int table_only) {
  char *results = aimc_path_join(sweepdir, "results.csv");
  char *plotdir = plotdir_arg ? strdup(plotdir_arg) : aimc_path_join(sweepdir, "plots");
  if (!results || !plotdir) {
    fprintf(stderr, "aimcsim plot: out of memory\n");
    free(results);
    free(plotdir);
    return AIMC_EXIT_FAILURE;
  }
  plot_table table;
  int chosen[AIMC_SWEEP_OBJECTIVES];
  size_t chosen_count = 0;
  int status = read_chosen(sweepdir, chosen, &chosen_count) && read_points(results, &table) ? AIMC_EXIT_OK
                                                                                            : AIMC_EXIT_USAGE;
  if (status != AIMC_EXIT_OK) memset(&table, 0, sizeof table);
  char over[64] = "";
  for (size_t k = 0; k < chosen_count; ++k)
    snprintf(over + strlen(over), sizeof over - strlen(over), "%s%s", k ? ", " : "",
             aimc_sweep_objective_name(chosen[k]));
  if (status == AIMC_EXIT_OK && table_only) {
    status = print_table(&table, over);
    table_free(&table);
    free(results);
    free(plotdir);
    return status;
  }
  /* The chosen objectives some completed point reports, and their axes' scale. */
  int drawn[AIMC_SWEEP_OBJECTIVES], log_axis[AIMC_SWEEP_OBJECTIVES];
  size_t drawn_count = 0, completed = 0;
  for (size_t i = 0; i < table.count; ++i) completed += table.points[i].completed;
  for (size_t k = 0; k < chosen_count; ++k) {
    int reported = 0, positive = 1;
    for (size_t i = 0; i < table.count; ++i) {
      double v = table.points[i].objective[chosen[k]];
      if (!table.points[i].completed || !isfinite(v)) continue;
      reported = 1;
      positive = positive && v > 0;
    }
    log_axis[chosen[k]] = positive;
    if (reported) drawn[drawn_count++] = chosen[k];
  }
  if (status == AIMC_EXIT_OK && drawn_count == 0) {
    fprintf(stderr, "aimcsim plot: %s: no completed point reports any of the objectives (%s)\n", results, over);
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
      write_script(out, "pngcairo", "png", plotdir, &table, drawn, drawn_count, log_axis, over, completed);
      write_script(out, "svg", "svg", plotdir, &table, drawn, drawn_count, log_axis, over, completed);
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
      printf("wrote %s/pareto.png and pareto.svg (%zu points, Pareto front over %s; panels:", plotdir, completed,
             over);
      if (drawn_count == 1) printf(" %s against point", aimc_sweep_objective_name(drawn[0]));
      for (size_t a = 0; a < drawn_count; ++a)
        for (size_t b = a + 1; b < drawn_count; ++b)
          printf("%s %s against %s", a + b > 1 ? "," : "", aimc_sweep_objective_name(drawn[b]),
                 aimc_sweep_objective_name(drawn[a]));
      printf(")\n");
    }
  }
  table_free(&table);
  free(results);
  free(plotdir);
  return status;
}
