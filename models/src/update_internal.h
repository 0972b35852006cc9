/*
 * Shared parts of the fast update kernel (update.c) and its reference
 * (update_reference.c): argument checks, per-sample probabilities and pulse
 * trains, deterministic counts, and the floating-point update modes. Both kernels
 * call these, so the random bits and the counts they apply are the same.
 */
#ifndef AIMC_UPDATE_INTERNAL_H
#define AIMC_UPDATE_INTERNAL_H

#include <stdint.h>

#include "aimc/array.h"
#include "rng_inline.h"

/* Arrays smaller than this many cells are updated on one thread: a parallel
 * region costs more than the work (results are the same either way). */
#define AIMC_PARALLEL_MIN_CELLS 65536

/* Per-call scratch for the trains and counts of one sample. */
typedef struct update_scratch {
  int rows, cols, words;      /* words: 64-bit words per train (capacity) */
  uint64_t *row_bits;         /* rows x words */
  uint64_t *col_bits;         /* cols x words */
  int8_t *row_sign;           /* sign(d_i), 0 if d_i = 0 */
  int8_t *col_sign;           /* sign(x_j), 0 if x_j = 0 */
  float *row_prob;            /* p_i */
  float *col_prob;            /* q_j */
  int32_t *row_count;         /* deterministic schemes: pulses per row line */
  int32_t *col_count;         /* deterministic schemes: pulses per column line */
  int32_t *active_cols;       /* columns with a non-empty train */
  int n_active_cols;
  int32_t *slot_start;        /* trains of <= 32 slots: columns firing at slot k are */
  int32_t *slot_list;         /* slot_list[slot_start[k] .. slot_start[k + 1]) */
  uint32_t *col_bits32;       /* the column trains as 32-bit words (vectorisable popcount) */
} update_scratch;

aimc_status update_scratch_init(update_scratch *s, int rows, int cols, int max_bl);
void update_scratch_free(update_scratch *s);

/* Checks the arguments of an update call (parameters, finite inputs). */
aimc_status update_check(const aimc_array *array, const float *x, const float *d, int batch,
                         float lr, const aimc_update_params *params);

/* Probabilities and signs of one sample; returns BL (0: nothing to apply). */
int update_prepare_sample(const aimc_array *array, const float *x, const float *d, float lr,
                          const aimc_update_params *params, uint64_t event, update_scratch *s);

/* Bernoulli trains of the prepared sample (stochastic compressed scheme);
 * fills active_cols and adds the line pulses to stats. */
void update_build_trains(const aimc_array *array, int bl, uint64_t event, update_scratch *s,
                         aimc_update_stats *stats);

/* Per-line pulse counts of the deterministic schemes and the cell count
 * function; stats get the line pulses. */
void update_build_counts(const aimc_array *array, const aimc_update_params *params, int bl, update_scratch *s,
                         aimc_update_stats *stats);
int update_cell_count(const aimc_update_params *params, int bl, const update_scratch *s, int row, int col);

/* Floating-point modes (NONE, NONE_WITH_DEVICE, EXPECTED) for one sample;
 * `parallel` selects the OpenMP loop. */
void update_float_sample(aimc_array *array, const float *x, const float *d, float lr, aimc_pulse_type type,
                         uint64_t event, int parallel);

/* The weights pulses act on: the programmed ones when write noise is on. */
static inline float *update_target(aimc_array *array) {
  return array->w_persistent ? array->w_persistent : array->w;
}

/* After cell c of row i, column j was pulsed in sample `event`: with write noise,
 * the read-visible weight gets a fresh deviate (AIHWKIT redraws it per pulsed cell). */
static inline void update_refresh_visible(aimc_array *array, size_t c, uint64_t event, uint32_t i, uint32_t j) {
  if (!array->w_persistent) return;
  float z[4];
  rng_normal4(array->key, event, 4, AIMC_RNG_DEVICE_EVENT, i, j, z);
  const aimc_device_params *p = &array->device.params;
  array->w[c] = array->w_persistent[c] + (float)p->write_noise_std * (float)p->dw_min * z[0]; /* as array.c */
}

/* -sign(lr): the sign of a coincidence for d_i x_j > 0. */
static inline int update_weight_sign(float lr) { return lr > 0.0f ? -1 : 1; }

#endif
