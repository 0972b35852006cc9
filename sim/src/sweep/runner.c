/*
 * `aimcsim sweep SWEEP.yaml [-o OUTDIR] [-j N]`: runs every point of a sweep
 * as an ordinary `aimcsim run` in OUTDIR/points/NNNN and collects the results
 * in OUTDIR/results.csv (docs/sweeps.md).
 *
 * OUTDIR keeps a copy of the sweep file (sweep.yaml); a rerun into the same
 * OUTDIR must bring the same file, and skips the points whose run completed
 * with the configuration the sweep gives them now (their config.yaml is
 * compared, field by field, with the base config plus the point's overrides).
 * Every other point's directory is removed and the point runs again. Under
 * mpirun (built with AIMC_WITH_MPI) rank 0 does all of this, runs points itself
 * and hands the rest out to the other ranks (mpi.c).
 */
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "../cli/cli_common.h"
#include "aimc_sim/checkpoint.h"
#include "aimc_sim/commands.h"
#include "aimc_sim/config.h"
#include "aimc_sim/fileio.h"
#include "sweep_internal.h"

#define OUTDIR_MAX 4096

static const char usage[] =
    "usage: aimcsim sweep SWEEP.yaml [-o OUTDIR] [-j N] [--dry-run]\n"
    "  runs each point of the sweep as `aimcsim run` in OUTDIR/points/NNNN and writes\n"
    "  OUTDIR/results.csv, one row per point (docs/sweeps.md)\n"
    "  -o OUTDIR  sweep directory (default: runs/<sweep name>-<date>-<time>-<pid>); a rerun into\n"
    "             the same OUTDIR runs only the points that have not completed\n"
    "  -j N       points run at once (per rank under mpirun), default 1\n"
    "  --dry-run  print each point's `aimcsim run` command and stop\n"
    "  exit status: 0 every point completed, 1 some failed, 2 a usage or sweep file error,\n"
    "  3 stopped by SIGINT or SIGTERM (rerun to finish)\n";

static volatile sig_atomic_t stop_signal = 0;

static void request_stop(int signal_number) { stop_signal = signal_number; }

int sweep_stop_requested(void) { return stop_signal != 0; }

long sweep_next_point(sweep_run *run) {
  while (run->next < run->plan->point_count && run->rows[run->next].status != SWEEP_PENDING) run->next++;
  if (sweep_stop_requested() || run->next >= run->plan->point_count) return -1;
  return (long)run->next++;
}

static int points_left(sweep_run *run) {
  while (run->next < run->plan->point_count && run->rows[run->next].status != SWEEP_PENDING) run->next++;
  return !sweep_stop_requested() && run->next < run->plan->point_count;
}

static void show_progress(const sweep_run *run, int running) {
  if (!run->tty) return;
  fprintf(stderr, "\rsweep: %zu/%zu points done, %zu failed, %d running   ", run->finished, run->plan->point_count,
          run->failed, running);
  fflush(stderr);
}

void sweep_record(sweep_run *run, size_t point, int wait_status, double wall) {
  sweep_row *row = &run->rows[point];
  sweep_row_collect(run->plan, run->outdir, point, wait_status, wall, sweep_stop_requested(), row);
  run->finished++;
  run->started++;
  if (row->status == SWEEP_FAILED) {
    run->failed++;
    fprintf(stderr, "%ssweep: point %zu failed: %s\n", run->tty ? "\r\033[K" : "", point,
            row->error ? row->error : "");
  }
  if (sweep_results_write(run->plan, run->outdir, run->rows) != AIMC_OK && !run->write_failed) {
    fprintf(stderr, "%saimcsim sweep: cannot write results.csv: %s\n", run->tty ? "\r\033[K" : "", aimc_error_message());
    run->write_failed = 1;
  }
}

void sweep_run_points(sweep_run *run, int jobs) {
  sweep_children children;
  if (sweep_children_init(&children, jobs) != AIMC_OK) {
    fprintf(stderr, "aimcsim sweep: %s\n", aimc_error_message());
    run->write_failed = 1;
    return;
  }
  int forwarded = 0;
  for (;;) {
    if (sweep_stop_requested() && !forwarded) {
      sweep_children_signal(&children, stop_signal);
      forwarded = 1;
    }
    int busy = 0;
    while (children.running < jobs) {
      long point = sweep_next_point(run);
      if (point < 0) break;
      busy = 1;
      if (sweep_child_start(&children, run->plan, run->exe, run->outdir, (size_t)point) != AIMC_OK) {
        fprintf(stderr, "%saimcsim sweep: %s\n", run->tty ? "\r\033[K" : "", aimc_error_message());
        sweep_record(run, (size_t)point, -1, 0.0);
      }
    }
    size_t point;
    int wait_status;
    double wall;
    while (sweep_child_poll(&children, &point, &wait_status, &wall)) {
      sweep_record(run, point, wait_status, wall);
      busy = 1;
    }
    int remote_done = 1;
#ifdef AIMC_WITH_MPI
    if (run->ranks > 1) {
      size_t before = run->finished;
      sweep_mpi_serve(run);
      busy |= run->finished != before;
      remote_done = sweep_mpi_workers_done();
    }
#endif
    if (busy) show_progress(run, children.running);
    if (children.running == 0 && !points_left(run) && remote_done) break;
    if (!busy) sweep_pause();
  }
  sweep_children_free(&children);
  if (run->tty) fputs("\n", stderr);
}

static int same_bytes(const char *path, const char *text, size_t length) {
  FILE *file = fopen(path, "rb");
  if (!file) return 0;
  int same = 1;
  for (size_t i = 0; i < length && same; ++i) same = fgetc(file) == (unsigned char)text[i];
  same = same && fgetc(file) == EOF;
  fclose(file);
  return same;
}

/* 1 if the sweep file at `copy` differs from the plan's only in its
 * objectives: (the front is derived from the rows, so it is recomputed). */
static int same_but_objectives(const sweep_plan *plan, const char *copy) {
  FILE *file = fopen(copy, "rb");
  if (!file) return 0;
  char *text = malloc((size_t)1 << 20);
  size_t length = text ? fread(text, 1, ((size_t)1 << 20) - 1, file) : 0;
  int complete = text && !ferror(file) && feof(file);
  fclose(file);
  int same = complete && sweep_same_but_objectives(copy, text, length, plan->text, plan->text_length);
  free(text);
  return same;
}

static int directory_is_empty(const char *path) {
  DIR *dir = opendir(path);
  if (!dir) return 0;
  int entries = 0;
  for (struct dirent *e; (e = readdir(dir)) != NULL;)
    entries += strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0 && !aimc_is_outdir_lock(e->d_name);
  closedir(dir);
  return entries == 0;
}

/* Whether an existing OUTDIR may take the sweep: a directory of the same sweep
 * (its sweep.yaml equal to the plan's text) or an empty one. An exit status. */
static int check_outdir(const sweep_plan *plan, const char *outdir, const char *copy) {
  struct stat st;
  if (stat(outdir, &st) != 0) return AIMC_EXIT_OK;
  if (access(copy, F_OK) == 0) {
    /* A FIFO or device in its place would block the comparison's read. */
    if (aimc_require_regular_file("sweep directory's", copy) != AIMC_OK) {
      fprintf(stderr, "aimcsim sweep: %s\n", aimc_error_message());
      return AIMC_EXIT_USAGE;
    }
    if (!same_bytes(copy, plan->text, plan->text_length) && !same_but_objectives(plan, copy)) {
      fprintf(stderr,
              "aimcsim sweep: %s holds another sweep (its sweep.yaml differs from %s); give another -o, "
              "or remove it to start over\n",
              outdir, plan->path);
      return AIMC_EXIT_USAGE;
    }
  } else if (!S_ISDIR(st.st_mode) || !directory_is_empty(outdir)) {
    fprintf(stderr, "aimcsim sweep: %s exists and is not a sweep directory (no sweep.yaml)\n", outdir);
    return AIMC_EXIT_USAGE;
  }
  return AIMC_EXIT_OK;
}

/* Checks OUTDIR, creates and locks it (one sweep per directory; *lock gets the
 * lock's descriptor), checks it again under the lock (another sweep may have
 * held it meanwhile), and writes sweep.yaml and points/. Returns an exit status. */
static int prepare_outdir(const sweep_plan *plan, const char *outdir, int *lock) {
  char *copy = aimc_path_join(outdir, "sweep.yaml"), *points = aimc_path_join(outdir, "points");
  int status = copy && points ? AIMC_EXIT_OK : AIMC_EXIT_FAILURE;
  if (status == AIMC_EXIT_OK) status = check_outdir(plan, outdir, copy);
  if (status == AIMC_EXIT_OK && aimc_make_directories(outdir) != AIMC_OK) status = AIMC_EXIT_FAILURE;
  if (status == AIMC_EXIT_OK) {
    aimc_status locked = aimc_outdir_lock(outdir, lock);
    if (locked == AIMC_EBUSY) {
      fprintf(stderr, "aimcsim sweep: %s\n", aimc_error_message());
      status = AIMC_EXIT_USAGE;
    } else if (locked != AIMC_OK) {
      status = AIMC_EXIT_FAILURE;
    }
  }
  if (status == AIMC_EXIT_OK) status = check_outdir(plan, outdir, copy);
  if (status == AIMC_EXIT_OK && (aimc_make_directories(points) != AIMC_OK)) status = AIMC_EXIT_FAILURE;
  /* A new directory, or one whose sweep file chose other objectives: sweep.yaml
   * becomes this file, so that it always says which objectives results.csv's
   * pareto column is over. */
  if (status == AIMC_EXIT_OK && !same_bytes(copy, plan->text, plan->text_length)) {
    if (access(copy, F_OK) == 0)
      fprintf(stderr, "sweep: %s chooses other objectives than %s; the Pareto front is recomputed over them\n",
              plan->path, copy);
    aimc_atomic_file file;
    aimc_status written = aimc_atomic_open(&file, copy);
    if (written == AIMC_OK) written = aimc_atomic_write(&file, plan->text, plan->text_length);
    if (written == AIMC_OK)
      written = aimc_atomic_commit(&file);
    else
      aimc_atomic_abort(&file);
    if (written != AIMC_OK) status = AIMC_EXIT_FAILURE;
  }
  if (status == AIMC_EXIT_FAILURE) fprintf(stderr, "aimcsim sweep: %s: %s\n", outdir, aimc_error_message());
  free(copy);
  free(points);
  return status;
}

/* 1 if the point's run directory holds a configuration equal to the one the
 * sweep gives the point now. */
static int config_matches(const sweep_plan *plan, size_t point, const char *directory) {
  aimc_config *recorded = malloc(sizeof *recorded), *expected = malloc(sizeof *expected);
  char *path = aimc_path_join(directory, "config.yaml");
  char **overrides = NULL;
  size_t count = 0;
  aimc_cfg_error error;
  int same = recorded && expected && path && sweep_point_overrides(plan, point, &overrides, &count) == AIMC_OK &&
             aimc_cfg_load_file(&aimc_config_schema, recorded, path, NULL, 0, &error) == AIMC_OK &&
             aimc_cfg_load_file(&aimc_config_schema, expected, plan->base, (const char *const *)overrides, count,
                                &error) == AIMC_OK &&
             aimc_cfg_equal(&aimc_config_schema, recorded, expected);
  sweep_free_strings(overrides);
  free(path);
  free(recorded);
  free(expected);
  return same;
}

/* Whether a point's run directory holds a checkpoint to resume from. */
static int has_checkpoint(const char *directory) {
  char *path = aimc_path_join(directory, AIMC_CHECKPOINT_NAME);
  int found = path && access(path, F_OK) == 0;
  free(path);
  return found;
}

/* Keeps the rows of the points completed before; keeps the run directories of
 * the points interrupted with a checkpoint (they resume from it); removes what
 * other points left behind. Returns the number kept. */
static size_t scan_previous(sweep_run *run) {
  size_t kept = 0;
  for (size_t i = 0; i < run->plan->point_count; ++i) {
    char *directory = sweep_point_directory(run->plan, run->outdir, i);
    char *log = sweep_point_log(run->plan, run->outdir, i);
    if (!directory || !log) {
      free(directory);
      free(log);
      continue;
    }
    sweep_row *row = &run->rows[i];
    int present = access(directory, F_OK) == 0, read = present && sweep_row_read(directory, row);
    if (read && row->status == SWEEP_COMPLETED && config_matches(run->plan, i, directory)) {
      kept++;
    } else if (read && row->status == SWEEP_INTERRUPTED && has_checkpoint(directory) &&
               config_matches(run->plan, i, directory)) {
      fprintf(stderr, "sweep: point %zu was interrupted; it resumes from its checkpoint\n", i);
      sweep_row_clear(row);
    } else {
      if (present && !read)
        fprintf(stderr, "sweep: point %zu is not complete (%s); rerunning it\n", i, aimc_error_message());
      if (present && row->status == SWEEP_COMPLETED)
        fprintf(stderr, "sweep: point %zu ran with another configuration (was the base config edited?); rerunning it\n",
                i);
      sweep_row_clear(row);
      if (present) aimc_remove_tree(directory);
      remove(log);
    }
    free(directory);
    free(log);
  }
  return kept;
}

/* --dry-run: the command of every point. */
static int print_points(const sweep_plan *plan, const char *outdir) {
  printf("sweep %s: %zu points, base %s\n", plan->path, plan->point_count, plan->base);
  for (size_t i = 0; i < plan->point_count; ++i) {
    char **argv = NULL;
    if (sweep_point_arguments(plan, i, "aimcsim", outdir, &argv) != AIMC_OK) {
      fprintf(stderr, "aimcsim sweep: %s\n", aimc_error_message());
      return AIMC_EXIT_FAILURE;
    }
    printf("%zu:", i);
    for (char **a = argv; *a; ++a) printf(" %s", *a);
    printf("\n");
    sweep_free_strings(argv);
  }
  return AIMC_EXIT_OK;
}


/* The sweep on this rank; returns the exit status. */
static int sweep(int argc, char **argv, int rank, int ranks) {
  const char *path = NULL, *outdir_arg = NULL;
  long jobs = 1;
  int dry_run = 0;
  for (int k = 1; k < argc; ++k) {
    const char *a = argv[k];
    if (strcmp(a, "--help") == 0) {
      if (rank == 0) fputs(usage, stdout);
      return AIMC_EXIT_OK;
    } else if (strcmp(a, "-o") == 0 && k + 1 < argc) {
      outdir_arg = argv[++k];
    } else if ((strcmp(a, "-j") == 0 && k + 1 < argc) || (strncmp(a, "-j", 2) == 0 && a[2] != '\0')) {
      const char *value = a[2] != '\0' ? a + 2 : argv[++k];
      unsigned long long count = 0;
      if (!cli_parse_count(value, 1, 1024, &count)) {
        if (rank == 0) fprintf(stderr, "aimcsim sweep: -j needs an integer in [1, 1024], got '%s'\n", value);
        return AIMC_EXIT_USAGE;
      }
      jobs = (long)count;
    } else if (strcmp(a, "--dry-run") == 0) {
      dry_run = 1;
    } else if (a[0] != '-' && !path) {
      path = a;
    } else {
      if (rank == 0) fprintf(stderr, "aimcsim sweep: unexpected argument '%s'\n%s", a, usage);
      return AIMC_EXIT_USAGE;
    }
  }
  if (!path) {
    if (rank == 0) fputs(usage, stderr);
    return AIMC_EXIT_USAGE;
  }
  sweep_plan plan;
  aimc_cfg_error error;
  if (sweep_plan_load(&plan, path, &error) != AIMC_OK) {
    if (rank == 0) fputs(error.text, stderr);
    return AIMC_EXIT_USAGE;
  }
  char outdir[OUTDIR_MAX];
  if (outdir_arg)
    snprintf(outdir, sizeof outdir, "%s", outdir_arg);
  else
    aimc_default_output_dir(path, outdir, sizeof outdir);
  if (dry_run) {
    int status = rank == 0 ? print_points(&plan, outdir) : AIMC_EXIT_OK;
    sweep_plan_free(&plan);
    return status;
  }
#ifdef AIMC_WITH_MPI
  if (ranks > 1) sweep_mpi_broadcast_text(outdir, sizeof outdir);
#endif
  char exe[OUTDIR_MAX];
  ssize_t exe_length = readlink("/proc/self/exe", exe, sizeof exe - 1);
  int status = AIMC_EXIT_OK;
  if (exe_length <= 0 || (size_t)exe_length >= sizeof exe - 1) {
    fprintf(stderr, "aimcsim sweep: cannot find this executable (/proc/self/exe): %s\n", strerror(errno));
    status = AIMC_EXIT_FAILURE;
  } else {
    exe[exe_length] = '\0';
  }
  sweep_run run = {.plan = &plan, .outdir = outdir, .exe = exe, .tty = isatty(STDERR_FILENO), .ranks = ranks};
  run.rows = calloc(plan.point_count, sizeof *run.rows);
  if (!run.rows) {
    fprintf(stderr, "aimcsim sweep: out of memory\n");
    status = AIMC_EXIT_FAILURE;
  }
  for (size_t i = 0; run.rows && i < plan.point_count; ++i) sweep_row_clear(&run.rows[i]);
  size_t kept = 0;
  int lock = -1;
  if (status == AIMC_EXIT_OK && rank == 0) {
    status = prepare_outdir(&plan, outdir, &lock);
    if (status == AIMC_EXIT_OK) kept = run.finished = scan_previous(&run);
    if (status == AIMC_EXIT_OK && sweep_results_write(&plan, outdir, run.rows) != AIMC_OK) {
      fprintf(stderr, "aimcsim sweep: cannot write results.csv: %s\n", aimc_error_message());
      status = AIMC_EXIT_FAILURE;
    }
  }
#ifdef AIMC_WITH_MPI
  if (ranks > 1 && !sweep_mpi_all(status == AIMC_EXIT_OK) && status == AIMC_EXIT_OK) status = AIMC_EXIT_FAILURE;
#endif
  struct sigaction action;
  memset(&action, 0, sizeof action);
  action.sa_handler = request_stop;
  sigemptyset(&action.sa_mask);
  if (status == AIMC_EXIT_OK) {
    sigaction(SIGINT, &action, NULL);
    sigaction(SIGTERM, &action, NULL);
  }
  if (status == AIMC_EXIT_OK && rank > 0) {
#ifdef AIMC_WITH_MPI
    sweep_mpi_work(&plan, outdir, exe, (int)jobs);
#endif
    status = sweep_stop_requested() ? AIMC_EXIT_INTERRUPTED : AIMC_EXIT_OK;
  } else if (status == AIMC_EXIT_OK) {
    if (kept > 0) fprintf(stderr, "sweep: %zu of %zu points completed before; running the others\n", kept, plan.point_count);
    sweep_run_points(&run, (int)jobs);
    size_t completed = 0, failed = 0, interrupted = 0;
    for (size_t i = 0; i < plan.point_count; ++i) {
      completed += run.rows[i].status == SWEEP_COMPLETED;
      failed += run.rows[i].status == SWEEP_FAILED;
      interrupted += run.rows[i].status == SWEEP_INTERRUPTED;
    }
    printf("sweep: %zu points: %zu completed, %zu failed, %zu interrupted, %zu not run; %zu run now, %zu kept from "
           "before\n",
           plan.point_count, completed, failed, interrupted, plan.point_count - completed - failed - interrupted,
           run.started, kept);
    if (ranks > 1) printf("sweep: %d MPI ranks; %zu points run by ranks other than 0\n", ranks, run.remote);
    printf("wrote %s/results.csv (Pareto front over", outdir);
    for (size_t k = 0; k < plan.objective_count; ++k)
      printf("%s %s", k ? "," : "", aimc_sweep_objective_name(plan.objectives[k]));
    printf(")\n");
    if (sweep_stop_requested())
      status = AIMC_EXIT_INTERRUPTED;
    else if (run.write_failed || completed < plan.point_count)
      status = AIMC_EXIT_FAILURE;
  }
  for (size_t i = 0; run.rows && i < plan.point_count; ++i) sweep_row_clear(&run.rows[i]);
  free(run.rows);
  sweep_plan_free(&plan);
  if (lock >= 0) close(lock);
  return status;
}

int aimc_cmd_sweep(int argc, char **argv) {
  int rank = 0, ranks = 1;
#ifdef AIMC_WITH_MPI
  sweep_mpi_start(&rank, &ranks);
#endif
  int status = sweep(argc, argv, rank, ranks);
#ifdef AIMC_WITH_MPI
  sweep_mpi_finish();
#endif
  return status;
}
