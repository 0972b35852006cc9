/*
 * Design-space sweeps (`aimcsim sweep`, docs/sweeps.md): the Pareto front of a
 * sweep's points and the plot of a sweep directory. The sweep itself runs each
 * point as an ordinary `aimcsim run` in a child process (sim/src/sweep/).
 */
#ifndef AIMC_SIM_SWEEP_H
#define AIMC_SIM_SWEEP_H

#include <stddef.h>

#include "aimc/error.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The objectives a point can be judged by, all minimised; a sweep file's
 * `objectives:` chooses among them (default: all four, in this order). */
enum { AIMC_SWEEP_ERROR = 0, AIMC_SWEEP_ENERGY = 1, AIMC_SWEEP_LATENCY = 2, AIMC_SWEEP_AREA = 3, AIMC_SWEEP_OBJECTIVES = 4 };

/* The name of objective k as a sweep file writes it ("error", "energy",
 * "latency", "area"); -1 from aimc_sweep_objective_find for an unknown name. */
const char *aimc_sweep_objective_name(int objective);
int aimc_sweep_objective_find(const char *name);

/* The error objective of a run: the asymptotic error where there is one (least
 * squares), else 1 - the final test accuracy, else the final loss; NaN when
 * the run reports none of them. Arguments are NaN where a figure is absent. */
double aimc_sweep_error_objective(double asymptotic_error, double final_test_accuracy, double final_loss);

/* Marks the Pareto front over objective_count objectives (1 to
 * AIMC_SWEEP_OBJECTIVES): on_front[i] = 1 if point i is eligible and no other
 * eligible point is at least as good in every objective and better in one,
 * else 0. objectives[objective_count * i + k] is objective k of point i;
 * a NaN (a figure the run does not report, e.g. the latency of an untimed run)
 * counts as worse than any number and equal to another NaN. Points with equal
 * objectives are all on the front. Ineligible points (failed, interrupted)
 * neither join the front nor push others off it. AIMC_ENOMEM is the only
 * failure. */
aimc_status aimc_sweep_pareto_front(size_t count, size_t objective_count, const double *objectives, const int *eligible,
                                    int *on_front);

/* `aimcsim plot SWEEPDIR`: draws PLOTDIR/pareto.{png,svg} (PLOTDIR NULL:
 * SWEEPDIR/plots) from SWEEPDIR/results.csv with gnuplot, one panel per pair of
 * the objectives SWEEPDIR/sweep.yaml chose; with table_only, prints
 * results.csv as a markdown table instead. Prints what it did or what went
 * wrong and returns an exit status (commands.h). */
int aimc_sweep_plot(const char *sweepdir, const char *plotdir, int table_only);

#ifdef __cplusplus
}
#endif
#endif
