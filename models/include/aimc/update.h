/*
 * Pulsed outer-product update: how W <- W - lr * d * x^T becomes pulses.
 *
 * The default is the stochastic compressed scheme of Gokmen & Vlasov (2016) as
 * AIHWKIT implements it: for every sample, each column j (input x_j) and each
 * row i (error d_i) gets an independent Bernoulli train of BL bits with
 * probabilities q_j = B|x_j| and p_i = A|d_i|; every slot where a row and a column
 * bit coincide is one device pulse of sign -sign(lr) sign(d_i) sign(x_j). BL, A
 * and B follow AIHWKIT's update management (UM) and BL management (UBLM):
 *   k  = |lr| * max|x| * um_grad_scale * max|d| / g      (g: weight granularity)
 *   BL = min(ceil(k), desired_bl) with UBLM, else desired_bl
 *   A = B = sqrt(|lr| / (g BL)); with UM, if k > desired_bl the d range is scaled
 *   by desired_bl/k, then A *= sqrt(x_max/d_max), B *= sqrt(d_max/x_max)
 * so that E[coincidences_ij] = |lr| |d_i| |x_j| / g.
 *
 * Other schemes: MEAN_COUNT and DETERMINISTIC_IMPLICIT (deterministic counts),
 * NONE (floating point W -= lr d x^T), NONE_WITH_DEVICE (the same, clipped to the
 * bounds) and EXPECTED, the paper's discrete-time model
 *   W <- W + dW .* F(W) - |dW| .* G(W),  dW = -lr d x^T,
 * with each cell's own response factors (Wu et al. 2024, eq. 7).
 *
 * Half-selected cells (a row bit without the column bit, or the reverse) are
 * counted for every sample; with the device's half_select_disturb > 0 each such
 * event also moves the cell by that fraction of a noise-free pulse, in the sign
 * the driven line carries (-sign(lr) sign(d_i) for a row, -sign(lr) sign(x_j) for a
 * column), after the sample's coincidences.
 */
#ifndef AIMC_UPDATE_H
#define AIMC_UPDATE_H

#include <stdint.h>

#include "aimc/error.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum aimc_pulse_type {
  AIMC_PULSE_STOCHASTIC_COMPRESSED = 0,
  AIMC_PULSE_MEAN_COUNT,
  AIMC_PULSE_DETERMINISTIC_IMPLICIT,
  AIMC_PULSE_NONE,
  AIMC_PULSE_NONE_WITH_DEVICE,
  AIMC_PULSE_EXPECTED,
  AIMC_PULSE_TYPE_COUNT
} aimc_pulse_type;

typedef struct aimc_update_params {
  aimc_pulse_type pulse_type;
  int desired_bl;           /* pulse-train length (maximum with UBLM), 1..AIMC_MAX_BL */
  int fixed_bl;             /* 0: BL = ceil(|lr|/dw_min), A = B = 1 when dw_min*desired_bl < |lr| */
  int update_management;    /* balance the x and d probabilities */
  int update_bl_management; /* choose BL per sample (forces update_management) */
  double um_grad_scale;     /* scale of max|d| in UM, > 0 */
  double res;               /* quantisation of probabilities: <= 0 off, > 1 number of steps */
  int sto_round;            /* stochastic rounding of that quantisation */
  double x_res_implicit;    /* DETERMINISTIC_IMPLICIT: resolution of q (<= 0 off, > 1 steps) */
  double d_res_implicit;    /* DETERMINISTIC_IMPLICIT: resolution of p */
} aimc_update_params;

#define AIMC_MAX_BL 65536

/* AIHWKIT's UpdateParameters defaults (desired_bl 31, UM and UBLM on). */
void aimc_update_params_default(aimc_update_params *params);
aimc_status aimc_update_params_validate(const aimc_update_params *params);
const char *aimc_pulse_type_name(aimc_pulse_type type);
aimc_status aimc_pulse_type_parse(const char *name, aimc_pulse_type *type);

/* What one call of an update kernel did (added to, not reset). */
typedef struct aimc_update_stats {
  uint64_t samples;         /* sample vectors processed */
  uint64_t skipped;         /* samples with x = 0 or d = 0 (nothing applied) */
  uint64_t slots;           /* pulse slots used: sum of BL over samples */
  uint64_t row_pulses;      /* row-line pulses fired (sum of row-train bits) */
  uint64_t col_pulses;      /* column-line pulses fired */
  uint64_t pulses_up;       /* device pulses that increase the weight */
  uint64_t pulses_down;     /* device pulses that decrease the weight */
  uint64_t cells_touched;   /* (cell, sample) pairs with at least one pulse */
  uint64_t half_selected;   /* half-select events: (cell, slot) with one line pulsed */
  uint64_t max_pulses_cell; /* largest pulse count on one cell in one sample */
} aimc_update_stats;

void aimc_update_stats_add(aimc_update_stats *into, const aimc_update_stats *from);

/* BL and the probability scales for one sample (AIHWKIT's calculateBlAB plus UM). */
typedef struct aimc_bl_scales {
  int bl;      /* 0: nothing to apply */
  float a;     /* row (d) probability scale: p_i = a |d_i| */
  float b;     /* column (x) probability scale: q_j = b |x_j| */
} aimc_bl_scales;

aimc_bl_scales aimc_update_bl_scales(const aimc_update_params *params, float lr, float granularity,
                                     float x_abs_max, float d_abs_max, float dw_min);

/*
 * Observer of the pulse trains of every sample (for waveforms and pulse
 * statistics). Trains are bit-packed, bit k of word k/64 is slot k; signs are
 * +1/-1 (0 for an idle line). The pointers are valid during the call only.
 */
typedef struct aimc_train_sink {
  void *context;
  void (*on_sample)(void *context, uint64_t sample, int bl, int words,
                    int rows, const uint64_t *row_bits, const int8_t *row_sign,
                    int cols, const uint64_t *col_bits, const int8_t *col_sign,
                    int weight_sign /* -sign(lr): sign of a coincidence for d x > 0 */);
} aimc_train_sink;

#ifdef __cplusplus
}
#endif
#endif
