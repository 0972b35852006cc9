/*
 * The `pulse_check` section of the configuration: what `aimcsim pulse-check`
 * (sim/src/cli/cmd_pulse_check.c, docs/pulse-check.md) draws and which limits
 * it enforces. The check applies many single-sample updates W <- W - lr d x^T,
 * each from the same weight state, with x and d drawn from the distributions
 * below, to one tile of the configured device and update scheme, and compares
 * the realised update with the ideal one and with the paper's expected model.
 */
#ifndef AIMC_SIM_PULSE_CHECK_H
#define AIMC_SIM_PULSE_CHECK_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* How each entry of x (or d) is drawn, independently per entry and trial. */
typedef enum aimc_pulse_check_distribution {
  AIMC_PULSE_CHECK_UNIFORM = 0, /* uniform on [-scale, scale] */
  AIMC_PULSE_CHECK_GAUSSIAN,    /* normal with mean 0 and standard deviation scale */
  AIMC_PULSE_CHECK_SIGN,        /* +scale or -scale, each with probability 1/2 */
  AIMC_PULSE_CHECK_CONSTANT,    /* scale, every entry and trial */
  AIMC_PULSE_CHECK_DISTRIBUTION_COUNT
} aimc_pulse_check_distribution;

/* The weight state every trial starts from. */
typedef enum aimc_pulse_check_state {
  AIMC_PULSE_CHECK_STATE_CONSTANT = 0,    /* every cell at w0, clipped to the cell's bounds */
  AIMC_PULSE_CHECK_STATE_SYMMETRIC_POINT, /* every cell at its own symmetric point (G = 0) */
  AIMC_PULSE_CHECK_STATE_COUNT
} aimc_pulse_check_state;

typedef struct aimc_pulse_check_params {
  int trials;                                   /* single-sample updates applied, >= 2 */
  int rows;                                     /* rows of the checked array (the d side), 1..chip.tile.rows */
  int cols;                                     /* columns (the x side), 1..chip.tile.cols */
  double lr;                                    /* learning rate of every update, > 0 */
  aimc_pulse_check_distribution x_distribution; /* entries of x */
  double x_scale;                               /* scale of x's distribution, > 0 */
  aimc_pulse_check_distribution d_distribution; /* entries of d */
  double d_scale;                               /* scale of d's distribution, > 0 */
  aimc_pulse_check_state weight_state;          /* the state every trial starts from */
  double w0;                                    /* that state's weight (weight_state constant) */
  uint64_t seed;                                /* seeds the draws of x and d and the tile's run-time streams */
  int max_pulses_per_device;                    /* limit on pulses one device gets in one update; 0 = off */
  double max_update_time;                       /* s, limit on the duration of one update; 0 = off */
  double max_energy_per_update;                 /* J, limit on the energy of one update; 0 = off */
  double max_abs_bias;                          /* limit on the largest |bias| of a cell; 0 = off */
} aimc_pulse_check_params;

/* Lower-case names ("uniform", "symmetric_point", ...); NULL for an invalid value. */
const char *aimc_pulse_check_distribution_name(aimc_pulse_check_distribution value);
const char *aimc_pulse_check_state_name(aimc_pulse_check_state value);

#ifdef __cplusplus
}
#endif
#endif
