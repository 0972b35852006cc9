/*
 * Periphery of an analog MVM, as AIHWKIT's IOParameters define it: noise
 * management (input scaling), DAC quantisation and clipping, input noise, weight
 * read noise, output noise, ADC quantisation and clipping, and iterative bound
 * management. Resolutions are fractions of the full range 2*bound (a value > 1
 * is read as a number of steps); inp_res = 1/126 is a 7-bit DAC, out_res =
 * 1/510 a 9-bit ADC.
 *
 * Per vector: alpha = NM(x); u = clip(quant(x/alpha), +-inp_bound) + inp_noise*xi;
 * v = W u + weight noise + out_noise*xi; y = clip(quant(v), +-out_bound); if any
 * output sits at the bound and bound management is ITERATIVE, alpha doubles and
 * the pass repeats (until the factor exceeds max_bm_factor or
 * factor*inp_res exceeds max_bm_res); finally y *= alpha*factor*out_scale.
 */
#ifndef AIMC_IO_H
#define AIMC_IO_H

#include <stdint.h>

#include "aimc/error.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum aimc_noise_management {
  AIMC_NM_NONE = 0,
  AIMC_NM_ABS_MAX,
  AIMC_NM_MAX,
  AIMC_NM_CONSTANT
} aimc_noise_management;

typedef enum aimc_bound_management {
  AIMC_BM_NONE = 0,
  AIMC_BM_ITERATIVE
} aimc_bound_management;

typedef enum aimc_w_noise_type {
  AIMC_WNOISE_NONE = 0,
  AIMC_WNOISE_ADDITIVE_CONSTANT,
  AIMC_WNOISE_PCM_READ
} aimc_w_noise_type;

typedef struct aimc_io_params {
  int is_perfect;           /* 1: exact floating-point MVM (only out_scale applies) */
  double inp_bound;         /* DAC range +-inp_bound, > 0 */
  double inp_res;           /* DAC step as a fraction of 2*inp_bound (<= 0: no quantisation) */
  int inp_sto_round;        /* stochastic rounding in the DAC */
  double inp_noise;         /* std of Gaussian noise on the DAC output, >= 0 */
  double out_bound;         /* ADC range +-out_bound, > 0 */
  double out_res;           /* ADC step as a fraction of 2*out_bound (<= 0: no quantisation) */
  int out_sto_round;        /* stochastic rounding in the ADC */
  double out_noise;         /* std of Gaussian noise before the ADC, >= 0 */
  double w_noise;           /* weight read noise amplitude, >= 0 */
  aimc_w_noise_type w_noise_type;
  aimc_noise_management noise_management;
  double nm_thres;          /* ABS_MAX: cap of alpha if > 0; CONSTANT: alpha */
  aimc_bound_management bound_management;
  double max_bm_factor;     /* largest bound-management factor, >= 1 */
  double max_bm_res;        /* largest factor*inp_res, > 0 */
  double out_scale;         /* digital output scale, finite */
} aimc_io_params;

/* AIHWKIT's IOParameters defaults (7-bit DAC, 9-bit ADC, out_bound 12,
 * out_noise 0.06, NM ABS_MAX, BM ITERATIVE). */
void aimc_io_params_default(aimc_io_params *io);
/* Perfect periphery (is_perfect = 1). */
void aimc_io_params_perfect(aimc_io_params *io);
aimc_status aimc_io_params_validate(const aimc_io_params *io);

const char *aimc_noise_management_name(aimc_noise_management nm);
aimc_status aimc_noise_management_parse(const char *name, aimc_noise_management *nm);
const char *aimc_bound_management_name(aimc_bound_management bm);
aimc_status aimc_bound_management_parse(const char *name, aimc_bound_management *bm);
const char *aimc_w_noise_type_name(aimc_w_noise_type type);
aimc_status aimc_w_noise_type_parse(const char *name, aimc_w_noise_type *type);

/* Actions of MVM calls (added to, not reset), for energy and time. */
typedef struct aimc_io_stats {
  uint64_t vectors;         /* input vectors */
  uint64_t passes;          /* analog passes (vectors + bound-management repeats) */
  uint64_t dac_conversions; /* DAC conversions: passes x inputs */
  uint64_t adc_conversions; /* ADC conversions: passes x outputs */
  uint64_t adc_clipped;     /* outputs clipped at +-out_bound in the final pass */
  double input_abs_sum;     /* sum over passes of sum_j |u_j| (applied DAC levels) */
} aimc_io_stats;

void aimc_io_stats_add(aimc_io_stats *into, const aimc_io_stats *from);

/* Quantise v to a step: round to nearest (ties to even) when u < 0, else
 * stochastic rounding floor(v/step + u) with u uniform in [0, 1); step <= 0
 * returns v. */
float aimc_io_quantize(float v, float step, float u);

#ifdef __cplusplus
}
#endif
#endif
