/*
 * `aimcsim plot OUTDIR`: plots of a run directory with gnuplot (PNG and SVG):
 *   training    the loss (least squares: f - f*, log scale) or the accuracies
 *               against steps or epochs, with the cumulative energy on the right axis;
 *   energy      the energy of the run split by phase (from the last metrics row);
 *   histograms  the final weights and their saturation (the paper's Fig. 7), when
 *               histograms.csv exists.
 * gnuplot is an optional dependency (Debian: gnuplot-nox, installed by
 * scripts/setup.sh); without it the command says so and exits 1. Each image is
 * written under a temporary name and renamed, so a killed plot leaves no partial file.
 */
#include <errno.h>
#include <math.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "aimc_sim/commands.h"
#include "aimc_sim/fileio.h"
#include "aimc_sim/sweep.h"

extern char **environ;

static const char usage[] = "usage: aimcsim plot OUTDIR [-o PLOTDIR] [--table]\n"
                            "  writes OUTDIR/plots (or PLOTDIR)/{training,energy,histograms}.{png,svg};\n"
                            "  for a sweep directory (results.csv of aimcsim sweep), pareto.{png,svg}\n"
                            "  --table  (sweep directory) print results.csv as a markdown table instead\n";

static int file_exists(const char *path) {
  struct stat st;
  return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

/* The values of the named columns in the first (which = 0) or last (which = 1) data
 * row of metrics.csv; empty fields stay NAN. Returns 0 if the file cannot be read. */
static int metrics_row(const char *metrics, int which, const char *const *columns, int n, double *values) {
  FILE *f = fopen(metrics, "r");
  if (!f) return 0;
  char header[4096], line[4096], row[4096] = "";
  int ok = fgets(header, sizeof header, f) != NULL;
  while (ok && fgets(line, sizeof line, f)) {
    memcpy(row, line, sizeof row);
    if (which == 0) break;
  }
  fclose(f);
  for (int c = 0; c < n; ++c) values[c] = NAN;
  if (!ok || !row[0]) return ok;
  int index = 0;
  const char *field = row;
  for (char *save = NULL, *name = strtok_r(header, ",\n", &save); name && field;
       name = strtok_r(NULL, ",\n", &save), ++index) {
    for (int c = 0; c < n; ++c)
      if (strcmp(name, columns[c]) == 0 && *field && *field != ',' && *field != '\n') values[c] = strtod(field, NULL);
    field = strchr(field, ',');
    if (field) ++field;
  }
  return 1;
}

/* The gnuplot commands of all plots, for one terminal ("pngcairo" or "svg"). */
/* Whether any line of the file contains `text`. */
static int file_contains(const char *path, const char *text) {
  FILE *f = fopen(path, "r");
  if (!f) return 0;
  char line[512];
  int found = 0;
  while (!found && fgets(line, sizeof line, f)) found = strstr(line, text) != NULL;
  fclose(f);
  return found;
}

/* What a run directory holds, which decides the plots. */
typedef struct plot_content {
  int least_squares;   /* f - f* per step, else accuracies per epoch */
  int chip;            /* energy columns (analog runs); Digital SGD has none */
  int histograms;      /* histograms.csv */
  int saturation;      /* saturation rows in it (analog arrays) */
  double energy[5];    /* last row's energy per phase */
} plot_content;

static void write_script(FILE *out, const char *terminal, const char *extension, const char *rundir,
                         const char *plotdir, const plot_content *c) {
  const int least_squares = c->least_squares;
  const double *energy = c->energy;
  const char *size = strcmp(extension, "png") == 0 ? "size 1000,600" : "size 1000,600 dynamic";
  fprintf(out, "reset\nset terminal %s %s\nset datafile separator ','\nset key outside top center horizontal\n",
          terminal, size);
  fprintf(out, "set grid\n");
  if (c->chip) fprintf(out, "set ytics nomirror\nset y2tics\nset y2label 'cumulative energy [J]'\n");
  const char *energy_curve = c->chip ? ", '' using (column('%s')):(column('energy_j')) axes x1y2 with lines dt 2 "
                                       "title 'energy'"
                                     : "";
  fprintf(out, "set output '%s/training.%s.tmp'\n", plotdir, extension);
  if (least_squares) {
    fprintf(out, "set logscale y\nset xlabel 'step'\nset ylabel 'f - f*'\n");
    fprintf(out, "plot '%s/metrics.csv' using (column('step')):(column('f_minus_fstar')) with lines lw 2 title 'f - f*'",
            rundir);
    fprintf(out, energy_curve, "step");
    fprintf(out, "\n");
    fprintf(out, "unset logscale y\n");
  } else {
    fprintf(out, "set xlabel 'epoch'\nset ylabel 'accuracy'\nset yrange [0:1]\n");
    fprintf(out,
            "plot '%s/metrics.csv' using (column('epoch')):(column('test_accuracy')) with linespoints lw 2 title "
            "'test accuracy', '' using (column('epoch')):(column('train_accuracy')) with linespoints title "
            "'train accuracy'",
            rundir);
    fprintf(out, energy_curve, "epoch");
    fprintf(out, "\n");
    fprintf(out, "set autoscale y\n");
  }
  fprintf(out, "set output\nunset y2tics\nunset y2label\nset ytics mirror\n");
  if (c->chip) { /* Energy by phase: the last row's per-phase columns as boxes. */
  fprintf(out, "set output '%s/energy.%s.tmp'\nset style fill solid 0.6\nset boxwidth 0.6\n", plotdir, extension);
  fprintf(out, "set xlabel 'phase'\nset ylabel 'energy [J]'\nunset key\nset xrange [-0.5:4.5]\n");
  fprintf(out, "set xtics ('forward' 0, 'backward' 1, 'update' 2, 'transfer' 3, 'digital' 4)\n");
  fprintf(out, "$phases << EOD\n");
  for (int p = 0; p < 5; ++p) fprintf(out, "%d,%.9g\n", p, isnan(energy[p]) ? 0.0 : energy[p]);
  fprintf(out, "EOD\nplot $phases using 1:2 with boxes\n");
  }
  fprintf(out, "set output\nset xtics auto\nset autoscale x\nset key outside top center horizontal\n");
  if (c->histograms) {
    fprintf(out, "set output '%s/histograms.%s.tmp'\nset multiplot layout 1,%d\n", plotdir, extension,
            c->saturation ? 2 : 1);
    /* One box per bin of histograms.csv: 400 bins over [-1, 1] and over [0, 1]. */
    fprintf(out, "set xlabel 'weight'\nset ylabel 'count'\nset xrange [-1:1]\nset boxwidth 0.005 absolute\n");
    fprintf(out,
            "plot '%s/histograms.csv' using ((column('bin_low') + column('bin_high')) / 2):"
            "(strcol('quantity') eq 'weight' && strcol('array') eq 'main' ? column('count') : 1/0) with boxes "
            "title 'weights'\n",
            rundir);
    if (c->saturation) {
    fprintf(out, "set xlabel 'saturation |w - w*| / (bound - w*)'\nset xrange [0:1]\nset boxwidth 0.0025 absolute\n");
    fprintf(out,
            "plot '%s/histograms.csv' using ((column('bin_low') + column('bin_high')) / 2):"
            "(strcol('quantity') eq 'saturation' && strcol('array') eq 'main' ? column('count') : 1/0) with boxes "
            "title 'saturation'\n",
            rundir);
    }
    fprintf(out, "unset multiplot\nset output\n");
  }
}

/* Runs gnuplot on script; returns its exit status (-1 if it could not start). */
static int run_gnuplot(const char *script) {
  char *argv[] = {"gnuplot", (char *)script, NULL};
  pid_t pid;
  if (posix_spawnp(&pid, "gnuplot", NULL, NULL, argv, environ) != 0) return -1;
  int status = 0;
  if (waitpid(pid, &status, 0) != pid) return -1;
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

int aimc_cmd_plot(int argc, char **argv) {
  const char *rundir = NULL, *plotdir_arg = NULL;
  int table_only = 0;
  for (int k = 1; k < argc; ++k) {
    if (strcmp(argv[k], "--help") == 0) {
      fputs(usage, stdout);
      return AIMC_EXIT_OK;
    } else if (strcmp(argv[k], "-o") == 0 && k + 1 < argc) {
      plotdir_arg = argv[++k];
    } else if (strcmp(argv[k], "--table") == 0) {
      table_only = 1;
    } else if (argv[k][0] != '-' && !rundir) {
      rundir = argv[k];
    } else {
      fprintf(stderr, "aimcsim plot: unexpected argument '%s'\n%s", argv[k], usage);
      return AIMC_EXIT_USAGE;
    }
  }
  if (!rundir) {
    fputs(usage, stderr);
    return AIMC_EXIT_USAGE;
  }
  char metrics[4096], hist[4096], plotdir[4096], script[4096];
  int lengths[] = {snprintf(metrics, sizeof metrics, "%s/metrics.csv", rundir),
                   snprintf(hist, sizeof hist, "%s/histograms.csv", rundir),
                   plotdir_arg ? snprintf(plotdir, sizeof plotdir, "%s", plotdir_arg)
                               : snprintf(plotdir, sizeof plotdir, "%s/plots", rundir),
                   snprintf(script, sizeof script, "%s/.plot.%ld.gp", plotdir_arg ? plotdir_arg : rundir,
                            (long)getpid())};
  for (size_t k = 0; k < sizeof lengths / sizeof lengths[0]; ++k) {
    if (lengths[k] < 0 || lengths[k] >= 4000) {
      fprintf(stderr, "aimcsim plot: the path of %s is too long\n", rundir);
      return AIMC_EXIT_USAGE;
    }
  }
  if (!plotdir_arg) { /* the script goes into the plot directory */
    if (snprintf(script, sizeof script, "%s/.plot.%ld.gp", plotdir, (long)getpid()) >= (int)sizeof script) {
      fprintf(stderr, "aimcsim plot: the path of %s is too long\n", rundir);
      return AIMC_EXIT_USAGE;
    }
  }
  if (!file_exists(metrics)) {
    /* A sweep directory: the Pareto scatter of its points (sim/src/sweep/plot.c). */
    char results[4096];
    if (snprintf(results, sizeof results, "%s/results.csv", rundir) < (int)sizeof results && file_exists(results))
      return aimc_sweep_plot(rundir, plotdir_arg, table_only);
    fprintf(stderr, "aimcsim plot: %s: no metrics.csv (is it a run directory of aimcsim run?)\n", rundir);
    return AIMC_EXIT_USAGE;
  }
  if (table_only) {
    fprintf(stderr, "aimcsim plot: --table is for a sweep directory; %s has no results.csv\n", rundir);
    return AIMC_EXIT_USAGE;
  }
  if (strchr(rundir, '\'') || strchr(plotdir, '\'')) {
    fprintf(stderr, "aimcsim plot: paths with a single quote are not supported\n");
    return AIMC_EXIT_USAGE;
  }
  const char *first_columns[] = {"f_minus_fstar"};
  const char *phase_columns[] = {"energy_forward_j", "energy_backward_j", "energy_update_j", "energy_transfer_j",
                                 "energy_digital_j"};
  plot_content content;
  double first[1];
  if (!metrics_row(metrics, 0, first_columns, 1, first) || !metrics_row(metrics, 1, phase_columns, 5, content.energy)) {
    fprintf(stderr, "aimcsim plot: %s: cannot read\n", metrics);
    return AIMC_EXIT_FAILURE;
  }
  content.least_squares = !isnan(first[0]);
  content.chip = !isnan(content.energy[0]);
  content.histograms = file_exists(hist);
  content.saturation = content.histograms && file_contains(hist, ",saturation,");
  if (aimc_make_directories(plotdir) != AIMC_OK) {
    fprintf(stderr, "aimcsim plot: %s\n", aimc_error_message());
    return AIMC_EXIT_FAILURE;
  }
  FILE *out = fopen(script, "w");
  if (!out) {
    fprintf(stderr, "aimcsim plot: %s: %s\n", script, strerror(errno));
    return AIMC_EXIT_FAILURE;
  }
  write_script(out, "pngcairo", "png", rundir, plotdir, &content);
  write_script(out, "svg", "svg", rundir, plotdir, &content);
  int closed = fclose(out);
  int status = closed == 0 ? run_gnuplot(script) : -1;
  remove(script);
  if (status == -1) {
    fprintf(stderr, "aimcsim plot: cannot run gnuplot; install it (Debian: apt-get install gnuplot-nox)\n");
    return AIMC_EXIT_FAILURE;
  }
  const char *names[] = {"training", "energy", "histograms"};
  int written = 0;
  for (int n = 0; n < 3; ++n) {
    if ((n == 1 && !content.chip) || (n == 2 && !content.histograms)) continue;
    for (int e = 0; e < 2; ++e) {
      const char *extension = e ? "svg" : "png";
      char from[4200], to[4200];
      int a = snprintf(from, sizeof from, "%s/%s.%s.tmp", plotdir, names[n], extension);
      int b = snprintf(to, sizeof to, "%s/%s.%s", plotdir, names[n], extension);
      if (a < 0 || b < 0 || a >= (int)sizeof from || b >= (int)sizeof to) continue; /* bounded above */
      if (status == 0 && rename(from, to) == 0) {
        ++written;
      } else {
        remove(from);
      }
    }
  }
  if (status != 0) {
    fprintf(stderr, "aimcsim plot: gnuplot failed (status %d) on %s\n", status, rundir);
    return AIMC_EXIT_FAILURE;
  }
  printf("wrote %d plots to %s\n", written, plotdir);
  return AIMC_EXIT_OK;
}
