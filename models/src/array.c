/*
 * Crossbar array lifetime and the slow device processes: construction with the
 * device-to-device draws, weight setting, lifetime decay, diffusion, reset and
 * saturation. The pulsed update lives in update.c, the MVMs in io.c.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "aimc/array.h"
#include "device_inline.h"
#include "rng_inline.h"

/* Visible weight of a cell after write noise (0 when off). */
static void refresh_visible(aimc_array *array, size_t c, uint64_t event, uint32_t kind) {
  if (!array->w_persistent) return;
  const aimc_device_params *p = &array->device.params;
  float z[4];
  uint32_t row = (uint32_t)(c / (size_t)array->cols), col = (uint32_t)(c % (size_t)array->cols);
  rng_normal4(array->key, event, kind, AIMC_RNG_DEVICE_EVENT, row, col, z);
  /* AIHWKIT getScaledWriteNoise (rpu_pulsed_device.h:110): write_noise_std * dw_min in float. */
  array->w[c] = array->w_persistent[c] + (float)p->write_noise_std * (float)p->dw_min * z[0];
}

/* The weights and parameter planes start on a cache line: 64-byte vector loads
 * of a row then never straddle two lines. OpenBLAS's sgemv on a 512 x 512 matrix
 * runs 20 to 30 % slower when the matrix sits 8 or 16 bytes off a line, as malloc
 * leaves it (same results either way). Freed with free(). */
static void *alloc_lines(size_t bytes) {
  size_t rounded = (bytes + 63) & ~(size_t)63; /* aligned_alloc wants a multiple of the alignment */
  return aligned_alloc(64, rounded ? rounded : 64);
}

aimc_status aimc_array_create(aimc_array *array, int rows, int cols, const aimc_device_params *params, uint64_t seed,
                              uint32_t stream) {
  memset(array, 0, sizeof *array);
  if (rows < 1 || cols < 1 || rows > (1 << 24) || cols > (1 << 24))
    return aimc_error_set(AIMC_EINVAL, "array: shape %d x %d is outside [1, 2^24]", rows, cols);
  aimc_status status = aimc_device_init(&array->device, params);
  if (status != AIMC_OK) return status;
  size_t n = (size_t)rows * (size_t)cols;
  array->rows = rows;
  array->cols = cols;
  array->key = aimc_rng_key_make(seed, stream);
  array->cells = malloc(n * sizeof *array->cells);
  array->w = alloc_lines(n * sizeof *array->w);
  if (params->write_noise_std > 0.0) array->w_persistent = alloc_lines(n * sizeof *array->w_persistent);
  if (!array->cells || !array->w || (params->write_noise_std > 0.0 && !array->w_persistent)) {
    aimc_array_destroy(array);
    return aimc_error_set(AIMC_ENOMEM, "array: cannot allocate a %d x %d array", rows, cols);
  }
#pragma omp parallel for schedule(static)
  for (int i = 0; i < rows; ++i) {
    aimc_device_draw_cells(&array->device, (uint32_t)i, 0, cols, &array->cells[(size_t)i * cols]);
  }
  if (array->device.affine) {
    array->planes = alloc_lines(AIMC_PLANE_COUNT * n * sizeof *array->planes);
    if (!array->planes) {
      aimc_array_destroy(array);
      return aimc_error_set(AIMC_ENOMEM, "array: cannot allocate the parameter planes of a %d x %d array", rows, cols);
    }
    for (size_t c = 0; c < n; ++c) {
      const aimc_cell *cell = &array->cells[c];
      array->planes[AIMC_PLANE_SLOPE_UP * n + c] = cell->slope_up;
      array->planes[AIMC_PLANE_SLOPE_DOWN * n + c] = cell->slope_down;
      array->planes[AIMC_PLANE_OFFSET_UP * n + c] = cell->offset_up;
      array->planes[AIMC_PLANE_OFFSET_DOWN * n + c] = cell->offset_down;
      array->planes[AIMC_PLANE_DW_UP * n + c] = cell->dw_up;
      array->planes[AIMC_PLANE_DW_DOWN * n + c] = cell->dw_down;
      array->planes[AIMC_PLANE_B_MIN * n + c] = cell->b_min;
      array->planes[AIMC_PLANE_B_MAX * n + c] = cell->b_max;
    }
  }
  memset(array->w, 0, n * sizeof *array->w);
  return aimc_array_set_weights(array, NULL);
}

void aimc_array_destroy(aimc_array *array) {
  free(array->cells);
  free(array->planes);
  free(array->w);
  free(array->w_persistent);
  memset(array, 0, sizeof *array);
}

aimc_status aimc_array_set_weights(aimc_array *array, const float *weights) {
  size_t n = (size_t)array->rows * (size_t)array->cols;
  if (weights) {
    for (size_t c = 0; c < n; ++c) {
      if (!isfinite(weights[c]))
        return aimc_error_set(AIMC_ENUMERIC, "array: weight %zu (row %zu, column %zu) is %g", c, c / array->cols,
                              c % array->cols, (double)weights[c]);
    }
  }
  uint64_t event = array->device_event++;
  for (size_t c = 0; c < n; ++c) {
    float v = weights ? weights[c] : 0.0f;
    v = clip_float(v, array->cells[c].b_min, array->cells[c].b_max);
    if (array->w_persistent) {
      array->w_persistent[c] = v;
      refresh_visible(array, c, event, 0);
    } else {
      array->w[c] = v;
    }
  }
  return AIMC_OK;
}

void aimc_array_decay(aimc_array *array, float alpha) {
  if (array->device.params.lifetime <= 0.0) return;
  size_t n = (size_t)array->rows * (size_t)array->cols;
  float *w = array->w_persistent ? array->w_persistent : array->w;
  uint64_t event = array->device_event++;
  for (size_t c = 0; c < n; ++c) {
    const aimc_cell *cell = &array->cells[c];
    /* AIHWKIT's decayWeights: the scale itself at alpha 1, 1 + alpha (scale - 1) otherwise. */
    float keep = alpha == 1.0f ? cell->decay_scale : 1.0f + alpha * (cell->decay_scale - 1.0f);
    w[c] = clip_float((w[c] - cell->reset_bias) * keep + cell->reset_bias, cell->b_min, cell->b_max);
    refresh_visible(array, c, event, 1);
  }
}

void aimc_array_diffuse(aimc_array *array) {
  if (array->device.params.diffusion <= 0.0) return;
  size_t n = (size_t)array->rows * (size_t)array->cols;
  float *w = array->w_persistent ? array->w_persistent : array->w;
  uint64_t event = array->device_event++;
#pragma omp parallel for schedule(static)
  for (int i = 0; i < array->rows; ++i) {
    for (int j = 0; j < array->cols; ++j) {
      size_t c = (size_t)i * array->cols + j;
      float z[4];
      rng_normal4(array->key, event, 2, AIMC_RNG_DEVICE_EVENT, (uint32_t)i, (uint32_t)j, z);
      const aimc_cell *cell = &array->cells[c];
      w[c] = clip_float(w[c] + cell->diffusion * z[0], cell->b_min, cell->b_max);
      refresh_visible(array, c, event, 1);
    }
  }
  (void)n;
}

void aimc_array_reset_columns(aimc_array *array, int col_begin, int col_end) {
  if (col_begin < 0) col_begin = 0;
  if (col_end > array->cols) col_end = array->cols;
  float *w = array->w_persistent ? array->w_persistent : array->w;
  uint64_t event = array->device_event++;
  float reset_std = (float)array->device.params.reset_std;
  for (int i = 0; i < array->rows; ++i) {
    for (int j = col_begin; j < col_end; ++j) {
      size_t c = (size_t)i * array->cols + j;
      float z[4];
      rng_normal4(array->key, event, 3, AIMC_RNG_DEVICE_EVENT, (uint32_t)i, (uint32_t)j, z);
      const aimc_cell *cell = &array->cells[c];
      w[c] = clip_float(cell->reset_bias + reset_std * z[0], cell->b_min, cell->b_max);
      refresh_visible(array, c, event, 1);
    }
  }
}

void aimc_array_saturation(const aimc_array *array, float *out) {
  size_t n = (size_t)array->rows * (size_t)array->cols;
  for (size_t c = 0; c < n; ++c) {
    const aimc_cell *cell = &array->cells[c];
    double w_sym = 0.0;
    if (aimc_device_symmetric_point(&array->device, cell, &w_sym) != AIMC_OK) w_sym = 0.0;
    double w = array->w[c];
    double span = w >= w_sym ? cell->b_max - w_sym : w_sym - cell->b_min;
    double s = span > 0.0 ? fabs(w - w_sym) / span : 0.0;
    out[c] = (float)(s > 1.0 ? 1.0 : s);
  }
}

static uint64_t cells_hash(const aimc_array *array) {
  size_t n = (size_t)array->rows * (size_t)array->cols;
  return aimc_hash64(array->cells, n * sizeof *array->cells, (uint64_t)array->device.params.model);
}

void aimc_array_save_state(const aimc_array *array, aimc_writer *out) {
  size_t n = (size_t)array->rows * (size_t)array->cols;
  aimc_write_u32(out, (uint32_t)array->rows);
  aimc_write_u32(out, (uint32_t)array->cols);
  aimc_write_u64(out, cells_hash(array));
  aimc_write_u8(out, array->w_persistent != NULL);
  aimc_write_f32s(out, array->w, n);
  if (array->w_persistent) aimc_write_f32s(out, array->w_persistent, n);
  aimc_write_u64(out, array->update_event);
  aimc_write_u64(out, array->io_event);
  aimc_write_u64(out, array->device_event);
}

aimc_status aimc_array_load_state(aimc_array *array, aimc_reader *in) {
  size_t n = (size_t)array->rows * (size_t)array->cols;
  uint32_t rows = aimc_read_u32(in), cols = aimc_read_u32(in);
  uint64_t hash = aimc_read_u64(in);
  uint8_t persistent = aimc_read_u8(in);
  aimc_status status = aimc_reader_status(in, "array state");
  if (status != AIMC_OK) return status;
  if (rows != (uint32_t)array->rows || cols != (uint32_t)array->cols)
    return aimc_error_set(AIMC_EFORMAT, "array state: saved for %u x %u devices, the array has %d x %d", rows, cols,
                          array->rows, array->cols);
  if (hash != cells_hash(array))
    return aimc_error_set(AIMC_EFORMAT, "array state: saved for other devices (the device parameters or their "
                          "construction seed differ)");
  if ((persistent != 0) != (array->w_persistent != NULL))
    return aimc_error_set(AIMC_EFORMAT, "array state: write noise is %s in the saved state and %s here",
                          persistent ? "on" : "off", array->w_persistent ? "on" : "off");
  aimc_read_f32s(in, array->w, n);
  if (array->w_persistent) aimc_read_f32s(in, array->w_persistent, n);
  array->update_event = aimc_read_u64(in);
  array->io_event = aimc_read_u64(in);
  array->device_event = aimc_read_u64(in);
  if ((status = aimc_reader_status(in, "array state")) != AIMC_OK) return status;
  /* Behind a valid checksum the values are still checked: a programmed
   * weight lies within its device's bounds (every kernel clips it there), and
   * a read-visible one is finite. */
  const float *programmed = array->w_persistent ? array->w_persistent : array->w;
  for (size_t c = 0; c < n; ++c) {
    const aimc_cell *cell = &array->cells[c];
    if (!(programmed[c] >= cell->b_min && programmed[c] <= cell->b_max))
      return aimc_error_set(AIMC_EFORMAT, "array state: the weight at row %zu, column %zu is %g, outside its device's "
                            "bounds [%g, %g]", c / (size_t)array->cols, c % (size_t)array->cols,
                            (double)programmed[c], (double)cell->b_min, (double)cell->b_max);
    if (!isfinite(array->w[c]))
      return aimc_error_set(AIMC_EFORMAT, "array state: the read weight at row %zu, column %zu is %g, not finite",
                            c / (size_t)array->cols, c % (size_t)array->cols, (double)array->w[c]);
  }
  return AIMC_OK;
}
