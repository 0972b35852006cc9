/*
 * Private interface of `aimcsim sweep`: the plan read from a sweep file, the
 * child processes that run its points, the rows of results.csv, and the MPI
 * work queue.
 */
#ifndef AIMC_SWEEP_INTERNAL_H
#define AIMC_SWEEP_INTERNAL_H

#include <stddef.h>
#include <sys/types.h>

#include "../config/config_internal.h"
#include "aimc/error.h"
#include "aimc_sim/sweep.h"

/* ---- The plan (plan.c) ---- */

/* One varied parameter: a config key, or the seed (`seeds:` or `repeat:`). */
typedef struct sweep_parameter {
  const char *key;     /* "experiment.lr"; "seed" for the seed */
  int is_seed;         /* passed as --seed, not as -p */
  const char **values; /* the text after "key=" (or --seed), one per value */
  const char **labels; /* the value as results.csv shows it */
  size_t count;        /* number of values */
} sweep_parameter;

/* A factor of the cartesian product: one grid key, or a zip group whose
 * parameters take their k-th values together. */
typedef struct sweep_dimension {
  size_t first_parameter, parameter_count;
  size_t length; /* values of each of its parameters */
} sweep_dimension;

typedef struct sweep_plan {
  cfg_arena arena;            /* owns everything below */
  const char *path;           /* the sweep file as given */
  const char *text;           /* its content (copied to OUTDIR/sweep.yaml) */
  size_t text_length;
  const char *base;           /* the base config as the runs get it */
  const char **set;           /* "key=value" overrides of every point */
  size_t set_count;
  sweep_parameter *parameters; /* in column order: grid and zip keys as in the file, seed */
  size_t parameter_count;
  sweep_dimension *dimensions; /* the first varies slowest */
  size_t dimension_count;
  int threads;                /* --threads of each run */
  int objectives[AIMC_SWEEP_OBJECTIVES]; /* the Pareto front's, as the file lists them */
  size_t objective_count;
  size_t point_count;         /* product of the dimensions' lengths */
} sweep_plan;

/* Reads and checks the sweep file, and loads the base config with `set` once
 * to check it. AIMC_EFORMAT (or AIMC_EIO, AIMC_ENOMEM) with error set, in the
 * config engine's file:line:col form, otherwise. sweep_plan_free releases it. */
aimc_status sweep_plan_load(sweep_plan *plan, const char *path, aimc_cfg_error *error);
void sweep_plan_free(sweep_plan *plan);

/* The objectives a sweep file lists (objectives:), or the default (error,
 * energy, latency, area) when it lists none: reads only that key of the file
 * at path (a sweep directory's sweep.yaml). A missing file gives the default.
 * AIMC_EFORMAT (or AIMC_EIO) with error set otherwise. */
aimc_status sweep_read_objectives(const char *path, int *objectives, size_t *count, aimc_cfg_error *error);

/* 1 if two sweep files are the same apart from their objectives: entries
 * (the same YAML tree otherwise, key order and quoting included). */
int sweep_same_but_objectives(const char *path, const char *a, size_t a_length, const char *b, size_t b_length);

/* Index of the value parameter p takes at point `point`. */
size_t sweep_value_index(const sweep_plan *plan, size_t point, size_t parameter);

/* The config overrides of a point: set, then the varied keys, then
 * experiment.seed and experiment.threads. *overrides holds malloc'ed strings
 * (*count of them), freed with sweep_free_strings. */
aimc_status sweep_point_overrides(const sweep_plan *plan, size_t point, char ***overrides, size_t *count);
/* The argument vector of `aimcsim run` for a point (argv[0] = exe),
 * NULL-terminated, malloc'ed strings; freed with sweep_free_strings. */
aimc_status sweep_point_arguments(const sweep_plan *plan, size_t point, const char *exe, const char *outdir,
                                  char ***argv);
void sweep_free_strings(char **strings);

/* OUTDIR/points/NNNN and OUTDIR/points/NNNN.log (malloc'ed; NULL if out of memory). */
char *sweep_point_directory(const sweep_plan *plan, const char *outdir, size_t point);
char *sweep_point_log(const sweep_plan *plan, const char *outdir, size_t point);

/* ---- Child processes (children.c) ---- */

typedef struct sweep_child {
  pid_t pid;    /* 0: a free slot */
  size_t point;
  double start; /* monotonic seconds */
} sweep_child;

typedef struct sweep_children {
  sweep_child *slots;
  int capacity, running;
} sweep_children;

aimc_status sweep_children_init(sweep_children *children, int capacity);
void sweep_children_free(sweep_children *children);
/* Starts `aimcsim run` for a point in a free slot, its output going to the
 * point's log. */
aimc_status sweep_child_start(sweep_children *children, const sweep_plan *plan, const char *exe, const char *outdir,
                              size_t point);
/* Reaps one finished child without blocking: 1 and its point, wait status and
 * wall time, or 0 when none has finished. */
int sweep_child_poll(sweep_children *children, size_t *point, int *wait_status, double *wall);
/* Sends a signal to every running child. */
void sweep_children_signal(const sweep_children *children, int signal_number);
double sweep_now(void);
/* Sleeps briefly while children run (the loops poll). */
void sweep_pause(void);

/* 1 once SIGINT or SIGTERM has asked the sweep to stop (runner.c). */
int sweep_stop_requested(void);

/* ---- Points' results and results.csv (results.c) ---- */

typedef enum sweep_status { SWEEP_PENDING = 0, SWEEP_COMPLETED, SWEEP_FAILED, SWEEP_INTERRUPTED } sweep_status;

typedef struct sweep_row {
  sweep_status status;
  double final_loss, final_test_accuracy, asymptotic_error;
  double energy_per_sample, latency_per_sample, energy_total, simulated_time, area, wall;
  char *error; /* one line, malloc'ed; NULL when none */
  int pareto;
} sweep_row;

/* Reads a point's result.json into *row: 1 if it holds a valid run result, 0
 * (and the reason as the error message) if it is missing or malformed, or if
 * it says completed but does not hold every figure of the results table,
 * typed, or the run's metrics.csv or analog weights are missing. */
int sweep_row_read(const char *point_directory, sweep_row *row);
/* The row of a point whose run just ended with wait_status (-1: it could not
 * be started) after `wall` seconds: result.json where the run wrote one, else
 * the failure found in its log. `stopping`: the sweep is being interrupted. */
void sweep_row_collect(const sweep_plan *plan, const char *outdir, size_t point, int wait_status, double wall,
                       int stopping, sweep_row *row);
void sweep_row_clear(sweep_row *row);
/* Marks the Pareto front over the plan's objectives and writes OUTDIR/results.csv atomically with a row
 * for each point that is not pending. */
aimc_status sweep_results_write(const sweep_plan *plan, const char *outdir, sweep_row *rows);

/* ---- The run of a sweep (runner.c), shared with the MPI queue ---- */

typedef struct sweep_run {
  const sweep_plan *plan;
  const char *outdir;
  const char *exe;       /* this executable, run for every point */
  sweep_row *rows;       /* one per point */
  size_t next;           /* the next point to consider handing out */
  size_t finished;       /* points with a row (kept from before or ended now) */
  size_t failed, started; /* points that failed / were run in this invocation */
  size_t remote;         /* points run by other MPI ranks */
  int ranks;             /* MPI processes (1: local mode) */
  int tty;               /* progress on stderr */
  int write_failed;      /* results.csv could not be written */
} sweep_run;

/* The next point that still has to run, or -1 when none is left (or the sweep
 * is stopping). */
long sweep_next_point(sweep_run *run);
/* Records the end of a point's run and rewrites results.csv. */
void sweep_record(sweep_run *run, size_t point, int wait_status, double wall);
/* Runs the points on `jobs` local children; with MPI (rank 0) also serves the
 * other ranks. Returns when every point has ended or the sweep is stopped. */
void sweep_run_points(sweep_run *run, int jobs);

/* ---- MPI (mpi.c, built with AIMC_WITH_MPI) ---- */

#ifdef AIMC_WITH_MPI
/* Starts MPI when the process was started by an MPI launcher; *rank and *size
 * are 0 and 1 otherwise (local mode). */
void sweep_mpi_start(int *rank, int *size);
void sweep_mpi_finish(void);
/* Gives every rank rank 0's text (size bytes). */
void sweep_mpi_broadcast_text(char *text, size_t size);
/* 1 if every rank passed ok != 0. */
int sweep_mpi_all(int ok);
/* Rank 0: answers the workers' requests and reports without blocking. */
void sweep_mpi_serve(sweep_run *run);
/* Rank 0: 1 once every worker has been told there is no more work and has
 * reported all its points. */
int sweep_mpi_workers_done(void);
/* Ranks > 0: asks rank 0 for points and runs them on `jobs` children until told
 * there are no more. */
void sweep_mpi_work(const sweep_plan *plan, const char *outdir, const char *exe, int jobs);
#endif

#endif
