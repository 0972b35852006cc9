/*
 * A crossbar array of pulsed devices: the weights, each device's hidden
 * parameters, and the kernels that act on them (pulsed update, forward and
 * transposed MVM through the periphery, decay, diffusion, reset).
 *
 * Shape: `rows` outputs by `cols` inputs, row-major. Forward computes
 * y = W x (x has `cols` entries), backward y = W^T d (d has `rows` entries), and
 * an update W <- W - lr d x^T. Every kernel has a fast version (bit-packed
 * trains, OpenMP across rows, BLAS) and a slow reference (a per-pulse scalar
 * loop in AIHWKIT's slot order; a naive MVM loop) that draws the same random
 * numbers, so the two agree bit for bit where the arithmetic order is the same.
 */
#ifndef AIMC_ARRAY_H
#define AIMC_ARRAY_H

#include <stdint.h>

#include "aimc/device.h"
#include "aimc/error.h"
#include "aimc/io.h"
#include "aimc/rng.h"
#include "aimc/serial.h"
#include "aimc/update.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Planes of aimc_array.planes (structure of arrays of the affine cell parameters). */
enum aimc_plane {
  AIMC_PLANE_SLOPE_UP, AIMC_PLANE_SLOPE_DOWN, AIMC_PLANE_OFFSET_UP, AIMC_PLANE_OFFSET_DOWN,
  AIMC_PLANE_DW_UP, AIMC_PLANE_DW_DOWN, AIMC_PLANE_B_MIN, AIMC_PLANE_B_MAX, AIMC_PLANE_COUNT
};

typedef struct aimc_array {
  int rows;                  /* outputs (d side), >= 1 */
  int cols;                  /* inputs (x side), >= 1 */
  aimc_device device;        /* shared model description */
  aimc_cell *cells;          /* rows*cols hidden parameters */
  float *planes;             /* affine models: the hot cell parameters as AIMC_PLANE_COUNT planes
                              * of rows*cols floats for the fast update kernel; NULL otherwise.
                              * Read-only after creation. */
  float *w;                  /* rows*cols weights seen by reads */
  float *w_persistent;       /* rows*cols programmed weights when write noise is on, else NULL */
  aimc_rng_key key;          /* key of the array's random streams */
  uint64_t update_event;     /* update samples applied so far (RNG event counter) */
  uint64_t io_event;         /* MVM vectors read so far (RNG event counter) */
  uint64_t device_event;     /* decay/diffusion/reset calls so far */
} aimc_array;

/* Builds a rows x cols array, draws every cell, sets the weights to 0 (clipped
 * into each cell's bounds). `seed` keys the run-time streams; the device's
 * construction_seed keys the device-to-device draws. */
aimc_status aimc_array_create(aimc_array *array, int rows, int cols,
                              const aimc_device_params *params, uint64_t seed, uint32_t stream);
void aimc_array_destroy(aimc_array *array);

/* Sets all weights (clipped to each cell's bounds); rows*cols values. */
aimc_status aimc_array_set_weights(aimc_array *array, const float *weights);

/* Pulsed update with one or more samples, applied in order: x is batch x cols,
 * d is batch x rows (row-major). `sink` may be NULL. */
aimc_status aimc_array_update(aimc_array *array, const float *x, const float *d, int batch, float lr,
                              const aimc_update_params *params, aimc_update_stats *stats,
                              const aimc_train_sink *sink);
/* The per-pulse scalar reference of aimc_array_update (same random numbers). */
aimc_status aimc_array_update_reference(aimc_array *array, const float *x, const float *d, int batch,
                                        float lr, const aimc_update_params *params,
                                        aimc_update_stats *stats);

/* Forward MVM y = W x for `batch` vectors (x: batch x cols, y: batch x rows). */
aimc_status aimc_array_forward(aimc_array *array, const aimc_io_params *io, const float *x, float *y,
                               int batch, aimc_io_stats *stats);
/* Transposed MVM y = W^T d (d: batch x rows, y: batch x cols). */
aimc_status aimc_array_backward(aimc_array *array, const aimc_io_params *io, const float *d, float *y,
                                int batch, aimc_io_stats *stats);
/* Naive-loop references of the two MVMs (same random numbers). */
aimc_status aimc_array_forward_reference(aimc_array *array, const aimc_io_params *io, const float *x,
                                         float *y, int batch, aimc_io_stats *stats);
aimc_status aimc_array_backward_reference(aimc_array *array, const aimc_io_params *io, const float *d,
                                          float *y, int batch, aimc_io_stats *stats);

/* Lifetime decay of every cell towards its reset bias, scaled by alpha (AIHWKIT
 * decay_weights); a no-op when lifetime is 0. */
void aimc_array_decay(aimc_array *array, float alpha);
/* One diffusion step (random walk of each cell's rate); a no-op when diffusion is 0. */
void aimc_array_diffuse(aimc_array *array);
/* Resets the cells of columns [col_begin, col_end) (all rows) to their reset bias
 * plus reset_std noise. */
void aimc_array_reset_columns(aimc_array *array, int col_begin, int col_end);

/* Saturation |w - w*| / (bound on that side - w*) of every cell, in [0, 1]
 * (0 at the symmetric point, 1 at a bound); out has rows*cols entries. */
void aimc_array_saturation(const aimc_array *array, float *out);

/* Checkpoints. Saves what changes while the array trains: the weights (seen by
 * reads, and the programmed ones under write noise) and the event counters of
 * its random streams; the cells are fixed by the construction seed and are
 * represented by a hash, so that loading into an array built from a different
 * configuration fails. Loading checks shape, hash and layout (AIMC_EFORMAT
 * otherwise); after a failed load the array must be destroyed. */
void aimc_array_save_state(const aimc_array *array, aimc_writer *out);
aimc_status aimc_array_load_state(aimc_array *array, aimc_reader *in);

#ifdef __cplusplus
}
#endif
#endif
