/*
 * Schema table of the `pulse_check` section (sim/include/aimc_sim/pulse_check.h),
 * read by `aimcsim pulse-check` (docs/pulse-check.md). The defaults check a
 * 16 x 16 tile with 1000 updates of x and d uniform on [-1, 1] at lr 0.01 from
 * w = 0, with every limit off.
 */
#include <stddef.h>

#include "aimc_sim/config.h"

_Static_assert(sizeof(aimc_pulse_check_distribution) == sizeof(int), "enum storage");
_Static_assert(sizeof(aimc_pulse_check_state) == sizeof(int), "enum storage");

static const char *const distribution_names[AIMC_PULSE_CHECK_DISTRIBUTION_COUNT] = {"uniform", "gaussian", "sign",
                                                                                     "constant"};
static const char *const state_names[AIMC_PULSE_CHECK_STATE_COUNT] = {"constant", "symmetric_point"};

const char *aimc_pulse_check_distribution_name(aimc_pulse_check_distribution value) {
  return (int)value >= 0 && value < AIMC_PULSE_CHECK_DISTRIBUTION_COUNT ? distribution_names[value] : NULL;
}

const char *aimc_pulse_check_state_name(aimc_pulse_check_state value) {
  return (int)value >= 0 && value < AIMC_PULSE_CHECK_STATE_COUNT ? state_names[value] : NULL;
}

static const char *distribution_name(int v) {
  return aimc_pulse_check_distribution_name((aimc_pulse_check_distribution)v);
}
static const char *state_name(int v) { return aimc_pulse_check_state_name((aimc_pulse_check_state)v); }

#define PC aimc_pulse_check_params
#define GE AIMC_CFG_GE_MIN
#define GT AIMC_CFG_GT_MIN
#define LE AIMC_CFG_LE_MAX
static const aimc_cfg_field pulse_check_fields[] = {
  AIMC_CFG_INT_FIELD(PC, trials, "1000", 2, 1 << 30, GE | LE, "single-sample updates, each from the same weight state"),
  AIMC_CFG_INT_FIELD(PC, rows, "16", 1, 1 << 24, GE | LE, "rows of the checked array (d side); at most chip.tile.rows"),
  AIMC_CFG_INT_FIELD(PC, cols, "16", 1, 1 << 24, GE | LE, "columns (x side); at most chip.tile.cols"),
  AIMC_CFG_DOUBLE_FIELD(PC, lr, "0.01", AIMC_UNIT_NONE, 0, 0, GT, "learning rate of every update W <- W - lr d x^T"),
  AIMC_CFG_ENUM_FIELD(PC, x_distribution, "uniform", distribution_name, 0,
                      "entries of x: uniform on [-scale, scale], gaussian N(0, scale^2), sign (+-scale) or constant"),
  AIMC_CFG_DOUBLE_FIELD(PC, x_scale, "1", AIMC_UNIT_NONE, 0, 0, GT, "scale of x's distribution"),
  AIMC_CFG_ENUM_FIELD(PC, d_distribution, "uniform", distribution_name, 0, "entries of d, as x_distribution"),
  AIMC_CFG_DOUBLE_FIELD(PC, d_scale, "1", AIMC_UNIT_NONE, 0, 0, GT, "scale of d's distribution"),
  AIMC_CFG_ENUM_FIELD(PC, weight_state, "constant", state_name, 0,
                      "start of every update: constant (every cell at w0) or symmetric_point (each cell's own)"),
  AIMC_CFG_DOUBLE_FIELD(PC, w0, "0", AIMC_UNIT_NONE, 0, 0, 0, "weight of the constant state, clipped to each cell's bounds"),
  AIMC_CFG_UINT64_FIELD(PC, seed, "1", 0, "seed of the draws of x and d and of the tile's run-time random streams"),
  AIMC_CFG_INT_FIELD(PC, max_pulses_per_device, "0", 0, 1 << 30, GE | LE,
                     "limit: pulses one device gets in one update; 0 = off"),
  AIMC_CFG_DOUBLE_FIELD(PC, max_update_time, "0", AIMC_UNIT_TIME, 0, 0, GE, "limit: duration of one update; 0 = off"),
  AIMC_CFG_DOUBLE_FIELD(PC, max_energy_per_update, "0", AIMC_UNIT_ENERGY, 0, 0, GE,
                        "limit: energy of one update; 0 = off"),
  AIMC_CFG_DOUBLE_FIELD(PC, max_abs_bias, "0", AIMC_UNIT_NONE, 0, 0, GE,
                        "limit: largest |mean realised - ideal update| of a cell; 0 = off"),
};

const aimc_cfg_section aimc_pulse_check_schema = {
  .name = "pulse_check",
  .description = "What `aimcsim pulse-check` draws and the limits it enforces (docs/pulse-check.md).",
  .size = sizeof(PC),
  .fields = pulse_check_fields,
  .field_count = sizeof pulse_check_fields / sizeof pulse_check_fields[0],
};
