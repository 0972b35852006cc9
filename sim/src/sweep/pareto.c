/*
 * The Pareto front of a sweep over the objectives its file chooses (error,
 * energy per sample, latency per sample, area), all minimised.
 *
 * The eligible points are sorted lexicographically by their objectives. A
 * point can be dominated only by one that sorts before it, and if that one is
 * itself dominated, its dominator dominates the point too (dominance is
 * transitive), so each point needs comparing only with the front found so
 * far: O(n log n + n f) for a front of f points, instead of O(n^2).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "aimc_sim/sweep.h"

static const char *const objective_names[AIMC_SWEEP_OBJECTIVES] = {"error", "energy", "latency", "area"};

const char *aimc_sweep_objective_name(int objective) {
  return objective >= 0 && objective < AIMC_SWEEP_OBJECTIVES ? objective_names[objective] : "?";
}

int aimc_sweep_objective_find(const char *name) {
  for (int k = 0; k < AIMC_SWEEP_OBJECTIVES; ++k)
    if (strcmp(name, objective_names[k]) == 0) return k;
  return -1;
}

double aimc_sweep_error_objective(double asymptotic_error, double final_test_accuracy, double final_loss) {
  if (isfinite(asymptotic_error)) return asymptotic_error;
  if (isfinite(final_test_accuracy)) return 1.0 - final_test_accuracy;
  if (isfinite(final_loss)) return final_loss;
  return NAN;
}

typedef struct candidate {
  double objective[AIMC_SWEEP_OBJECTIVES]; /* NaN replaced by +infinity; unused ones 0 */
  size_t index;
} candidate;

/* Unused objectives are 0 in every candidate, so comparing all of them is
 * comparing the chosen ones. */
static int compare_candidates(const void *a, const void *b) {
  const candidate *x = a, *y = b;
  for (int k = 0; k < AIMC_SWEEP_OBJECTIVES; ++k) {
    if (x->objective[k] < y->objective[k]) return -1;
    if (x->objective[k] > y->objective[k]) return 1;
  }
  return x->index < y->index ? -1 : x->index > y->index;
}

/* 1 if a is at least as good as b everywhere and better somewhere. */
static int dominates(const candidate *a, const candidate *b) {
  int better = 0;
  for (int k = 0; k < AIMC_SWEEP_OBJECTIVES; ++k) {
    if (a->objective[k] > b->objective[k]) return 0;
    if (a->objective[k] < b->objective[k]) better = 1;
  }
  return better;
}

aimc_status aimc_sweep_pareto_front(size_t count, size_t objective_count, const double *objectives, const int *eligible,
                                    int *on_front) {
  if (objective_count < 1 || objective_count > AIMC_SWEEP_OBJECTIVES)
    return aimc_error_set(AIMC_EINVAL, "Pareto front: %zu objectives; 1 to %d are known", objective_count,
                          AIMC_SWEEP_OBJECTIVES);
  size_t n = 0;
  for (size_t i = 0; i < count; ++i) {
    on_front[i] = 0;
    n += eligible[i] != 0;
  }
  if (n == 0) return AIMC_OK;
  candidate *sorted = malloc(n * sizeof *sorted);
  size_t *front = malloc(n * sizeof *front);
  if (!sorted || !front) {
    free(sorted);
    free(front);
    return aimc_error_set(AIMC_ENOMEM, "Pareto front: out of memory");
  }
  n = 0;
  for (size_t i = 0; i < count; ++i) {
    if (!eligible[i]) continue;
    memset(sorted[n].objective, 0, sizeof sorted[n].objective);
    for (size_t k = 0; k < objective_count; ++k) {
      double v = objectives[objective_count * i + k];
      sorted[n].objective[k] = isnan(v) ? INFINITY : v;
    }
    sorted[n++].index = i;
  }
  qsort(sorted, n, sizeof *sorted, compare_candidates);
  size_t front_size = 0;
  for (size_t i = 0; i < n; ++i) {
    int dominated = 0;
    for (size_t f = 0; f < front_size && !dominated; ++f) dominated = dominates(&sorted[front[f]], &sorted[i]);
    if (dominated) continue;
    front[front_size++] = i;
    on_front[sorted[i].index] = 1;
  }
  free(sorted);
  free(front);
  return AIMC_OK;
}
