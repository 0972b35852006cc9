/*
 * Resource estimates of the commands that allocate in proportion to their
 * configuration (resources.c, docs/training.md "Resource checks"), and the
 * limit variables AIMCSIM_MEMORY_LIMIT and AIMCSIM_DISK_LIMIT.
 */
#ifndef AIMC_SIM_TRAIN_RESOURCES_H
#define AIMC_SIM_TRAIN_RESOURCES_H

#include "aimc/error.h"
#include "aimc_sim/config.h"

/* Memory of one analog tile beyond its cells (one array of a layer on one
 * tile): the SystemC modules of the tile and its periphery, line buffers and
 * counters. Measured as the growth of the peak resident set (GNU time's
 * maximum RSS) of `aimcsim run configs/experiments/fcn-aimcsim.yaml` (Analog SGD, 10
 * training images, 1 epoch) between tile sizes: 4x4 -> 8x8 (14,688 -> 3,680
 * tiles) gave 601,816 KiB for 11,008 tiles, 54.7 KiB per tile; 8x8 -> 16x16
 * (3,680 -> 920 tiles) 63.6 KiB per tile; Tiki-Taka (two arrays) at 8x8 twice
 * that. The estimate takes the larger figure, rounded up. */
#define AIMC_TILE_BYTES (64.0 * 1024.0)

/* Bytes of a VCD waveform (hw/src/trace), fitted to what traced runs wrote
 * (docs/training.md "Resource checks" lists the runs and the ratios): a fixed
 * header; per traced step the operation, step and activity changes and the two
 * conductances of each traced device; per traced line and sample its ADC code
 * and sign, plus the edges of its update pulses. Least squares (one sample a
 * step at lr 0.1) drives about a dozen pulses of two time-stamped edges on a
 * traced line each step: 200 bytes a line and step in all. The networks'
 * mini-batch updates and pulse-check's trials (smaller lr |x| |d| / dw_min)
 * leave the reads dominant: 18 bytes a line and sample. */
#define AIMC_TRACE_HEADER_BYTES 2048.0
#define AIMC_TRACE_STEP_BYTES 160.0
#define AIMC_TRACE_DEVICE_BYTES 24.0
#define AIMC_TRACE_LINE_PULSED_BYTES 200.0
#define AIMC_TRACE_LINE_READ_BYTES 18.0
/* Least squares through a non-perfect forward periphery: each of the m reads
 * of a step changes the traced row's ADC code (about 21 bytes of a 32-bit
 * code) and the time stamps and activity around it: 47 bytes a read measured
 * (200 steps of m = 100, dim 64), rounded up. */
#define AIMC_TRACE_LS_READ_BYTES 48.0

/* pulse-check: per cell, the start state, the chip's weights, F and G, the
 * trial's pulse and half-select counts and the cell's sums (cmd_pulse_check.c);
 * and a row of cells.csv (234 bytes measured at 64 x 64, rounded up). */
#define AIMC_PULSE_CHECK_CELL_BYTES 112.0
#define AIMC_PULSE_CHECK_CSV_BYTES 256.0

/* Bytes of the waveform of `steps` traced steps of `samples` samples each, at
 * line_bytes per traced line and sample (AIMC_TRACE_LINE_*_BYTES). */
double resources_trace_bytes(const aimc_trace_config *trace, double steps, double samples, double line_bytes);

/* The byte count of the limit variable name ("123", "64K", "2G", "1T"): *bytes
 * = -1 when it is unset. Anything else (empty, a sign, spaces, a fraction,
 * trailing characters, a value beyond 2^64 - 1) is AIMC_EINVAL naming the
 * variable. */
aimc_status resources_limit(const char *name, double *bytes);

/* AIMC_EINVAL, with the estimate and what is available, if `aimcsim
 * pulse-check` of this configuration (writing to outdir, or NULL) cannot fit;
 * also for a malformed limit variable. */
aimc_status pulse_check_check_resources(const aimc_config *config, const char *outdir);

#endif
