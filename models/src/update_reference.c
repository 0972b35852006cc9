/*
 * The slow, obviously correct reference of the pulsed update: AIHWKIT's CPU
 * order, slot by slot. For every sample and every slot k in 0..BL-1, every row
 * whose train fires at k meets every column whose train fires at k, and each such
 * coincidence applies one device pulse, using the cell's next keyed deviate.
 * Then, with half-select disturb on, each slot where exactly one of a cell's two
 * lines fires applies the disturb. Deterministic schemes apply each cell's count
 * pulse by pulse. No threads, no bit tricks beyond reading single bits.
 */
#include <stdlib.h>
#include <string.h>

#include "aimc/array.h"
#include "device_inline.h"
#include "rng_inline.h"
#include "update_internal.h"

static int bit_at(const uint64_t *bits, int slot) { return (int)((bits[slot / 64] >> (slot % 64)) & 1u); }

static float reference_pulse(const aimc_array *array, const aimc_cell *cell, float w, int sign, uint64_t event,
                             int i, int j, uint32_t pulse_index) {
  float xi = rng_pulse_normal(array->key, event, (uint32_t)i, (uint32_t)j, pulse_index);
  return device_pulse(&array->device, cell, w, sign, xi);
}

aimc_status aimc_array_update_reference(aimc_array *array, const float *x, const float *d, int batch, float lr,
                                        const aimc_update_params *params, aimc_update_stats *stats) {
  aimc_status status = update_check(array, x, d, batch, lr, params);
  if (status != AIMC_OK) return status;
  aimc_update_stats local = {0};
  aimc_pulse_type type = params->pulse_type;
  int rows = array->rows, cols = array->cols;
  if (type == AIMC_PULSE_NONE || type == AIMC_PULSE_NONE_WITH_DEVICE || type == AIMC_PULSE_EXPECTED) {
    for (int t = 0; t < batch; ++t) {
      update_float_sample(array, x + (size_t)t * cols, d + (size_t)t * rows, lr, type, array->update_event++, 0);
      local.samples++;
    }
    if (stats) aimc_update_stats_add(stats, &local);
    return AIMC_OK;
  }
  uint32_t *pulse_index = calloc((size_t)rows * cols, sizeof *pulse_index);
  if (!pulse_index) return aimc_error_set(AIMC_ENOMEM, "update reference: cannot allocate counters");
  int weight_sign = update_weight_sign(lr);
  float *target = update_target(array);
  for (int t = 0; t < batch; ++t) {
    uint64_t event = array->update_event++;
    local.samples++;
    const float *xs = x + (size_t)t * cols, *ds = d + (size_t)t * rows;
    /* Probe BL first so the scratch holds the longest train. */
    update_scratch s;
    status = update_scratch_init(&s, rows, cols, 64);
    if (status != AIMC_OK) break;
    int bl = update_prepare_sample(array, xs, ds, lr, params, event, &s);
    if (bl > 64) {
      update_scratch_free(&s);
      status = update_scratch_init(&s, rows, cols, bl);
      if (status != AIMC_OK) break;
      update_prepare_sample(array, xs, ds, lr, params, event, &s);
    }
    if (bl == 0) {
      local.skipped++;
      update_scratch_free(&s);
      continue;
    }
    local.slots += (uint64_t)bl;
    memset(pulse_index, 0, (size_t)rows * cols * sizeof *pulse_index);
    uint64_t row_line_pulses = 0, col_line_pulses = 0, coincidences = 0, half_selected = 0;
    if (type == AIMC_PULSE_STOCHASTIC_COMPRESSED) {
      aimc_update_stats trains = {0};
      update_build_trains(array, bl, event, &s, &trains);
      row_line_pulses = trains.row_pulses;
      col_line_pulses = trains.col_pulses;
      int words = (bl + 63) / 64;
      for (int k = 0; k < bl; ++k) {
        for (int i = 0; i < rows; ++i) {
          if (!bit_at(s.row_bits + (size_t)i * words, k)) continue;
          for (int j = 0; j < cols; ++j) {
            if (!bit_at(s.col_bits + (size_t)j * words, k)) continue;
            size_t c = (size_t)i * cols + j;
            int sign = weight_sign * s.row_sign[i] * s.col_sign[j];
            target[c] = reference_pulse(array, &array->cells[c], target[c], sign, event, i, j, pulse_index[c]++);
            if (sign > 0) local.pulses_up++; else local.pulses_down++;
            coincidences++;
          }
        }
      }
      /* Half-selected (cell, slot) pairs, counted one by one, and their disturb. */
      float fraction = (float)array->device.params.half_select_disturb;
      for (int i = 0; i < rows; ++i) {
        for (int j = 0; j < cols; ++j) {
          size_t c = (size_t)i * cols + j;
          for (int k = 0; k < bl; ++k) {
            int row_on = bit_at(s.row_bits + (size_t)i * words, k);
            int col_on = bit_at(s.col_bits + (size_t)j * words, k);
            if (row_on == col_on) continue;
            half_selected++;
            int sign = weight_sign * (row_on ? s.row_sign[i] : s.col_sign[j]);
            if (fraction > 0.0f && sign != 0)
              target[c] = device_partial_pulse(&array->device, &array->cells[c], target[c], sign, fraction);
          }
        }
      }
    } else {
      aimc_update_stats counts = {0};
      update_build_counts(array, params, bl, &s, &counts);
      row_line_pulses = counts.row_pulses;
      col_line_pulses = counts.col_pulses;
      for (int i = 0; i < rows; ++i) {
        for (int j = 0; j < cols; ++j) {
          size_t c = (size_t)i * cols + j;
          int n = update_cell_count(params, bl, &s, i, j);
          int sign = weight_sign * s.row_sign[i] * s.col_sign[j];
          if (sign == 0) continue;
          for (int p = 0; p < n; ++p) {
            target[c] = reference_pulse(array, &array->cells[c], target[c], sign, event, i, j, pulse_index[c]++);
            if (sign > 0) local.pulses_up++; else local.pulses_down++;
            coincidences++;
          }
        }
      }
    }
    uint64_t max_cell = 0;
    for (size_t c = 0; c < (size_t)rows * cols; ++c) {
      int disturbed = type == AIMC_PULSE_STOCHASTIC_COMPRESSED && array->device.params.half_select_disturb > 0.0;
      if (pulse_index[c] > 0 || disturbed)
        update_refresh_visible(array, c, event, (uint32_t)(c / (size_t)cols), (uint32_t)(c % (size_t)cols));
      if (pulse_index[c] > 0) local.cells_touched++;
      if (pulse_index[c] > max_cell) max_cell = pulse_index[c];
    }
    if (max_cell > local.max_pulses_cell) local.max_pulses_cell = max_cell;
    local.row_pulses += row_line_pulses;
    local.col_pulses += col_line_pulses;
    if (type != AIMC_PULSE_STOCHASTIC_COMPRESSED) { /* trains are not drawn: the closed form */
      uint64_t line_events = row_line_pulses * (uint64_t)cols + col_line_pulses * (uint64_t)rows;
      half_selected = line_events > 2 * coincidences ? line_events - 2 * coincidences : 0;
    }
    local.half_selected += half_selected;
    update_scratch_free(&s);
  }
  free(pulse_index);
  if (status != AIMC_OK) return status;
  if (stats) aimc_update_stats_add(stats, &local);
  return AIMC_OK;
}
