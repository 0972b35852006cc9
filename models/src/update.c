/*
 * The fast pulsed-update kernel and the helpers it shares with its reference.
 *
 * Stochastic compressed scheme: per sample, every line's Bernoulli train is drawn
 * from the counter-based generator keyed by (array, sample event, line), then
 * rows are processed in parallel: for row i and each column j with a non-empty
 * train, n = popcount(row_i & col_j) coincidences are applied to cell (i, j) as n
 * successive pulses, pulse k using the normal deviate keyed by (event, i, j, k).
 * Pulses on one cell within a sample all have the same sign, and cells are
 * independent, so this equals AIHWKIT's slot-by-slot order exactly; the reference
 * kernel (update_reference.c) walks the slots and must agree bit for bit.
 *
 * Half-select events are counted in closed form, sum_i |r_i| cols +
 * sum_j |c_j| rows - 2 coincidences; the optional disturb walks the slots of
 * each cell's exclusive-or train.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "aimc/array.h"
#include "device_inline.h"
#include "rng_inline.h"
#include "update_internal.h"

aimc_status update_scratch_init(update_scratch *s, int rows, int cols, int max_bl) {
  memset(s, 0, sizeof *s);
  s->rows = rows;
  s->cols = cols;
  s->words = (max_bl + 63) / 64;
  size_t words = (size_t)s->words;
  s->row_bits = calloc((size_t)rows * words, sizeof *s->row_bits);
  s->col_bits = calloc((size_t)cols * words, sizeof *s->col_bits);
  s->row_sign = calloc((size_t)rows, 1);
  s->col_sign = calloc((size_t)cols, 1);
  s->row_prob = calloc((size_t)rows, sizeof *s->row_prob);
  s->col_prob = calloc((size_t)cols, sizeof *s->col_prob);
  s->row_count = calloc((size_t)rows, sizeof *s->row_count);
  s->col_count = calloc((size_t)cols, sizeof *s->col_count);
  s->active_cols = calloc((size_t)cols, sizeof *s->active_cols);
  s->slot_start = calloc(33, sizeof *s->slot_start);
  s->slot_list = calloc((size_t)cols * 32, sizeof *s->slot_list);
  s->col_bits32 = calloc((size_t)cols, sizeof *s->col_bits32);
  if (!s->row_bits || !s->col_bits || !s->row_sign || !s->col_sign || !s->row_prob || !s->col_prob ||
      !s->row_count || !s->col_count || !s->active_cols || !s->slot_start || !s->slot_list || !s->col_bits32) {
    update_scratch_free(s);
    return aimc_error_set(AIMC_ENOMEM, "update: cannot allocate pulse trains for a %d x %d array", rows, cols);
  }
  return AIMC_OK;
}

void update_scratch_free(update_scratch *s) {
  free(s->row_bits);
  free(s->col_bits);
  free(s->row_sign);
  free(s->col_sign);
  free(s->row_prob);
  free(s->col_prob);
  free(s->row_count);
  free(s->col_count);
  free(s->active_cols);
  free(s->slot_start);
  free(s->slot_list);
  free(s->col_bits32);
  memset(s, 0, sizeof *s);
}

aimc_status update_check(const aimc_array *array, const float *x, const float *d, int batch, float lr,
                         const aimc_update_params *params) {
  aimc_status status = aimc_update_params_validate(params);
  if (status != AIMC_OK) return status;
  if (batch < 0) return aimc_error_set(AIMC_EINVAL, "update: batch must be >= 0 (got %d)", batch);
  if (!isfinite(lr)) return aimc_error_set(AIMC_ENUMERIC, "update: learning rate is %g", (double)lr);
  for (int t = 0; t < batch; ++t) {
    for (int j = 0; j < array->cols; ++j) {
      if (!isfinite(x[(size_t)t * array->cols + j]))
        return aimc_error_set(AIMC_ENUMERIC, "update: x[%d][%d] is %g", t, j, (double)x[(size_t)t * array->cols + j]);
    }
    for (int i = 0; i < array->rows; ++i) {
      if (!isfinite(d[(size_t)t * array->rows + i]))
        return aimc_error_set(AIMC_ENUMERIC, "update: d[%d][%d] is %g", t, i, (double)d[(size_t)t * array->rows + i]);
    }
  }
  return AIMC_OK;
}

static float abs_max(const float *v, int n) {
  float m = 0.0f;
  for (int k = 0; k < n; ++k) {
    float a = fabsf(v[k]);
    m = a > m ? a : m;
  }
  return m;
}

static int8_t sign_of(float v) { return (int8_t)((v > 0.0f) - (v < 0.0f)); }

/* Quantises a probability to steps of `res` (<= 0: unchanged; > 1: 1/res),
 * deterministically or with the uniform u. */
static float quantize_probability(float p, double res, int sto_round, float u) {
  if (res <= 0.0) return p;
  float step = (float)(res > 1.0 ? 1.0 / res : res);
  float scaled = p / step;
  float q = sto_round ? floorf(scaled + u) : roundf(scaled);
  return q * step;
}

int update_prepare_sample(const aimc_array *array, const float *x, const float *d, float lr,
                          const aimc_update_params *params, uint64_t event, update_scratch *s) {
  float x_max = abs_max(x, array->cols), d_max = abs_max(d, array->rows);
  aimc_bl_scales scales = aimc_update_bl_scales(params, lr, array->device.granularity, x_max, d_max,
                                                (float)array->device.params.dw_min);
  if (scales.bl == 0) return 0;
  for (int j = 0; j < array->cols; ++j) {
    float q = scales.b * fabsf(x[j]);
    if (params->res > 0.0) {
      float u = 0.0f;
      if (params->sto_round) {
        uint32_t w[4];
        rng_philox(array->key, event, 0, AIMC_RNG_ROUNDING, 0, (uint32_t)j, w);
        u = aimc_rng_uniform(w[0]);
      }
      q = quantize_probability(q, params->res, params->sto_round, u);
    }
    s->col_prob[j] = q;
    s->col_sign[j] = sign_of(x[j]);
  }
  for (int i = 0; i < array->rows; ++i) {
    float p = scales.a * fabsf(d[i]);
    if (params->res > 0.0) {
      float u = 0.0f;
      if (params->sto_round) {
        uint32_t w[4];
        rng_philox(array->key, event, 0, AIMC_RNG_ROUNDING, 1, (uint32_t)i, w);
        u = aimc_rng_uniform(w[0]);
      }
      p = quantize_probability(p, params->res, params->sto_round, u);
    }
    s->row_prob[i] = p;
    s->row_sign[i] = sign_of(d[i]);
  }
  return scales.bl;
}

/* Train of one line: slot k fires if a 24-bit uniform is below p. */
static int build_train(aimc_rng_key key, uint64_t event, uint32_t purpose, uint32_t line, float p, int bl,
                       int words, uint64_t *bits) {
  memset(bits, 0, (size_t)words * sizeof *bits);
  if (!(p > 0.0f)) return 0;
  int fired = 0;
  for (int k = 0; k < bl; k += 4) {
    uint32_t w[4];
    rng_philox(key, event, (uint32_t)(k >> 2), purpose, line, 0, w);
    int last = bl - k < 4 ? bl - k : 4;
    for (int m = 0; m < last; ++m) {
      if (aimc_rng_uniform(w[m]) < p) {
        int slot = k + m;
        bits[slot >> 6] |= 1ull << (slot & 63);
        ++fired;
      }
    }
  }
  return fired;
}

void update_build_trains(const aimc_array *array, int bl, uint64_t event, update_scratch *s,
                         aimc_update_stats *stats) {
  int words = (bl + 63) / 64;
  uint64_t row_pulses = 0, col_pulses = 0;
  int parallel = (size_t)array->rows * (size_t)array->cols >= AIMC_PARALLEL_MIN_CELLS;
#pragma omp parallel for schedule(static) reduction(+ : row_pulses) if (parallel)
  for (int i = 0; i < array->rows; ++i) {
    row_pulses += (uint64_t)build_train(array->key, event, AIMC_RNG_ROW_TRAIN, (uint32_t)i, s->row_prob[i], bl,
                                        words, s->row_bits + (size_t)i * words);
  }
#pragma omp parallel for schedule(static) reduction(+ : col_pulses) if (parallel)
  for (int j = 0; j < array->cols; ++j) {
    col_pulses += (uint64_t)build_train(array->key, event, AIMC_RNG_COL_TRAIN, (uint32_t)j, s->col_prob[j], bl,
                                        words, s->col_bits + (size_t)j * words);
  }
  s->n_active_cols = 0;
  for (int j = 0; j < array->cols; ++j) {
    const uint64_t *c = s->col_bits + (size_t)j * words;
    uint64_t any = 0;
    for (int k = 0; k < words; ++k) any |= c[k];
    if (any) s->active_cols[s->n_active_cols++] = j;
  }
  if (bl <= 32) { /* columns per slot, in column order */
    for (int j = 0; j < array->cols; ++j) s->col_bits32[j] = (uint32_t)s->col_bits[j];
    memset(s->slot_start, 0, 33 * sizeof *s->slot_start);
    for (int a = 0; a < s->n_active_cols; ++a) {
      for (uint64_t bits = s->col_bits[s->active_cols[a]]; bits; bits &= bits - 1)
        s->slot_start[__builtin_ctzll(bits) + 1]++;
    }
    for (int k = 0; k < 32; ++k) s->slot_start[k + 1] += s->slot_start[k];
    int32_t fill[32];
    memcpy(fill, s->slot_start, sizeof fill);
    for (int a = 0; a < s->n_active_cols; ++a) {
      int j = s->active_cols[a];
      for (uint64_t bits = s->col_bits[j]; bits; bits &= bits - 1) s->slot_list[fill[__builtin_ctzll(bits)]++] = j;
    }
  }
  stats->row_pulses += row_pulses;
  stats->col_pulses += col_pulses;
}

void update_build_counts(const aimc_array *array, const aimc_update_params *params, int bl, update_scratch *s,
                         aimc_update_stats *stats) {
  uint64_t row_pulses = 0, col_pulses = 0;
  for (int i = 0; i < array->rows; ++i) {
    float p = s->row_prob[i] < 1.0f ? s->row_prob[i] : 1.0f;
    if (params->pulse_type == AIMC_PULSE_DETERMINISTIC_IMPLICIT) {
      p = quantize_probability(p, params->d_res_implicit, 0, 0.0f);
      s->row_prob[i] = p;
    }
    s->row_count[i] = (int32_t)roundf((float)bl * p);
    row_pulses += (uint64_t)s->row_count[i];
  }
  for (int j = 0; j < array->cols; ++j) {
    float q = s->col_prob[j] < 1.0f ? s->col_prob[j] : 1.0f;
    if (params->pulse_type == AIMC_PULSE_DETERMINISTIC_IMPLICIT) {
      q = quantize_probability(q, params->x_res_implicit, 0, 0.0f);
      s->col_prob[j] = q;
    }
    s->col_count[j] = (int32_t)roundf((float)bl * q);
    col_pulses += (uint64_t)s->col_count[j];
  }
  stats->row_pulses += row_pulses;
  stats->col_pulses += col_pulses;
}

int update_cell_count(const aimc_update_params *params, int bl, const update_scratch *s, int row, int col) {
  if (params->pulse_type == AIMC_PULSE_MEAN_COUNT)
    return (int)roundf((float)s->row_count[row] * (float)s->col_count[col] / (float)bl);
  return (int)roundf((float)bl * s->row_prob[row] * s->col_prob[col]);
}

static void float_update_row(aimc_array *array, const float *x, float delta_row, aimc_pulse_type type, uint64_t event,
                             int i) {
  const aimc_device *device = &array->device;
  float *w = update_target(array) + (size_t)i * array->cols;
  const aimc_cell *cells = array->cells + (size_t)i * array->cols;
  float inv_g = 1.0f / device->granularity;
  for (int j = 0; j < array->cols; ++j) {
    float dw = delta_row * x[j]; /* -lr d_i x_j */
    if (type == AIMC_PULSE_NONE) {
      w[j] += dw;
    } else if (type == AIMC_PULSE_NONE_WITH_DEVICE) {
      w[j] = clip_float(w[j] + dw, cells[j].b_min, cells[j].b_max);
    } else if (dw != 0.0f) { /* EXPECTED: w + dW q_s(w) */
      int sign = dw > 0.0f ? 1 : -1;
      float q = device_step(device, &cells[j], w[j], sign) * inv_g;
      w[j] = clip_float(w[j] + dw * q, cells[j].b_min, cells[j].b_max);
    }
    update_refresh_visible(array, (size_t)i * array->cols + j, event, (uint32_t)i, (uint32_t)j);
  }
}

void update_float_sample(aimc_array *array, const float *x, const float *d, float lr, aimc_pulse_type type,
                         uint64_t event, int parallel) {
  if (parallel && (size_t)array->rows * (size_t)array->cols >= AIMC_PARALLEL_MIN_CELLS) {
#pragma omp parallel for schedule(static)
    for (int i = 0; i < array->rows; ++i) float_update_row(array, x, -lr * d[i], type, event, i);
  } else {
    for (int i = 0; i < array->rows; ++i) float_update_row(array, x, -lr * d[i], type, event, i);
  }
}

/* Disturb of half-selected slots of cell (i, j): walks the slots of r ^ c. */
static float apply_disturb(const aimc_device *device, const aimc_cell *cell, float w, const uint64_t *r,
                           const uint64_t *c, int words, int row_sign, int col_sign) {
  float fraction = (float)device->params.half_select_disturb;
  for (int k = 0; k < words; ++k) {
    uint64_t exclusive = r[k] ^ c[k];
    while (exclusive) {
      uint64_t bit = exclusive & (~exclusive + 1);
      int sign = (r[k] & bit) ? row_sign : col_sign;
      if (sign != 0) w = device_partial_pulse(device, cell, w, sign, fraction);
      exclusive ^= bit;
    }
  }
  return w;
}

/* n pulses of one sign on cell (i, j), with the keyed deviates of the sample. */
static inline float apply_pulses(const aimc_array *array, const aimc_cell *cell, float w, int sign, int n,
                                 uint64_t event, uint32_t i, uint32_t j) {
  const aimc_device *device = &array->device;
  if (device->sigma == 0.0f) {
    for (int k = 0; k < n; ++k) w = device_pulse(device, cell, w, sign, 0.0f);
    return w;
  }
  for (int k = 0; k < n; k += 4) {
    float z[4];
    rng_normal4(array->key, event, (uint32_t)k >> 2, AIMC_RNG_PULSE_NOISE, i, j, z);
    int last = n - k < 4 ? n - k : 4;
    for (int m = 0; m < last; ++m) w = device_pulse(device, cell, w, sign, z[m]);
  }
  return w;
}

typedef struct row_result {
  uint64_t up, down, touched, max_cell;
} row_result;

static void stochastic_row(aimc_array *array, const update_scratch *s, int words, int weight_sign,
                           uint64_t event, int i, row_result *out) {
  const uint64_t *r = s->row_bits + (size_t)i * words;
  int row_sign = weight_sign * s->row_sign[i];
  float *w = update_target(array) + (size_t)i * array->cols;
  const aimc_cell *cells = array->cells + (size_t)i * array->cols;
  uint64_t any = 0;
  for (int k = 0; k < words; ++k) any |= r[k];
  if (any) {
    for (int a = 0; a < s->n_active_cols; ++a) {
      int j = s->active_cols[a];
      const uint64_t *c = s->col_bits + (size_t)j * words;
      int n = 0;
      for (int k = 0; k < words; ++k) n += __builtin_popcountll(r[k] & c[k]);
      if (n == 0) continue;
      int sign = row_sign * s->col_sign[j];
      w[j] = apply_pulses(array, &cells[j], w[j], sign, n, event, (uint32_t)i, (uint32_t)j);
      update_refresh_visible(array, (size_t)i * array->cols + j, event, (uint32_t)i, (uint32_t)j);
      if (sign > 0) out->up += (uint64_t)n; else out->down += (uint64_t)n;
      out->touched += 1;
      if ((uint64_t)n > out->max_cell) out->max_cell = (uint64_t)n;
    }
  }
  if (array->device.params.half_select_disturb > 0.0) {
    for (int j = 0; j < array->cols; ++j) {
      const uint64_t *c = s->col_bits + (size_t)j * words;
      w[j] = apply_disturb(&array->device, &cells[j], w[j], r, c, words, row_sign, weight_sign * s->col_sign[j]);
      update_refresh_visible(array, (size_t)i * array->cols + j, event, (uint32_t)i, (uint32_t)j);
    }
  }
}

/*
 * The hot path: affine device models and trains of at most 64 slots. For each
 * slot k of the row's train, every column firing at k meets the row; the cell's
 * pulse index is the number of its coincidences in earlier slots, so each cell
 * sees its pulses in slot order with the same deviates as the reference. Cells of
 * one slot are distinct, which lets the loop vectorise (gathers and scatters).
 */
static void affine_row_single_word(aimc_array *array, const update_scratch *s, int weight_sign, uint64_t event,
                                   int i, float *xi, row_result *out) {
  uint32_t r = (uint32_t)s->row_bits[i];
  if (!r) return;
  const size_t n = (size_t)array->rows * (size_t)array->cols, base = (size_t)i * array->cols;
  const float *planes = array->planes;
  const float *slope_up = planes + AIMC_PLANE_SLOPE_UP * n + base;
  const float *slope_down = planes + AIMC_PLANE_SLOPE_DOWN * n + base;
  const float *offset_up = planes + AIMC_PLANE_OFFSET_UP * n + base;
  const float *offset_down = planes + AIMC_PLANE_OFFSET_DOWN * n + base;
  const float *dw_up = planes + AIMC_PLANE_DW_UP * n + base;
  const float *dw_down = planes + AIMC_PLANE_DW_DOWN * n + base;
  const float *b_min = planes + AIMC_PLANE_B_MIN * n + base;
  const float *b_max = planes + AIMC_PLANE_B_MAX * n + base;
  float *w = update_target(array) + base;
  const uint32_t *col_bits = s->col_bits32;
  const int8_t *col_sign = s->col_sign;
  const float sigma = array->device.sigma;
  const int additive = array->device.additive_noise;
  const aimc_rng_key key = array->key;
  const int row_sign = weight_sign * s->row_sign[i];
  uint64_t up = 0, down = 0, touched = 0, max_cell = out->max_cell;
  for (uint32_t remaining = r; remaining; remaining &= remaining - 1) {
    int k = __builtin_ctz(remaining);
    uint32_t earlier = r & ((1u << k) - 1u);
    const int32_t *list = s->slot_list + s->slot_start[k];
    int m = s->slot_start[k + 1] - s->slot_start[k];
    if (sigma != 0.0f) {
      /* The deviates first, in two loops that vectorise: pulse indices (kept in
       * memory so the compiler does not fold popcount & 1 into a scalar parity),
       * then Philox and Box-Muller per lane. */
      uint32_t *pulse = (uint32_t *)(xi + array->cols);
#pragma omp simd
      for (int a = 0; a < m; ++a) pulse[a] = (uint32_t)__builtin_popcount(col_bits[list[a]] & earlier);
#pragma omp simd
      for (int a = 0; a < m; ++a)
        xi[a] = rng_pulse_normal_lane(key, event, (uint32_t)i, (uint32_t)list[a], pulse[a]);
    } else {
      for (int a = 0; a < m; ++a) xi[a] = 0.0f;
    }
#pragma omp simd reduction(+ : up, down, touched) reduction(max : max_cell)
    for (int a = 0; a < m; ++a) {
      int j = list[a];
      uint32_t c = col_bits[j];
      int sign = row_sign * col_sign[j];
      int positive = sign > 0;
      float v = w[j];
      float step = (positive ? slope_up[j] : slope_down[j]) * v + (positive ? offset_up[j] : offset_down[j]);
      float dw = additive ? step + (positive ? dw_up[j] : dw_down[j]) * sigma * xi[a] : step * (1.0f + sigma * xi[a]);
      v = v + (float)sign * dw;
      v = v < b_min[j] ? b_min[j] : (v > b_max[j] ? b_max[j] : v);
      w[j] = v;
      up += (uint64_t)positive;
      down += (uint64_t)(1 - positive);
      touched += (c & earlier) == 0;
      uint64_t total = (uint64_t)__builtin_popcount(c & r);
      max_cell = total > max_cell ? total : max_cell;
    }
  }
  out->up += up;
  out->down += down;
  out->touched += touched;
  out->max_cell = max_cell;
  if (array->w_persistent) { /* write noise: redraw the visible weight of every pulsed cell */
    for (int a = 0; a < s->n_active_cols; ++a) {
      int j = s->active_cols[a];
      if (col_bits[j] & r) update_refresh_visible(array, base + j, event, (uint32_t)i, (uint32_t)j);
    }
  }
}

static void counted_row(aimc_array *array, const aimc_update_params *params, const update_scratch *s, int bl,
                        int weight_sign, uint64_t event, int i, row_result *out) {
  float *w = update_target(array) + (size_t)i * array->cols;
  const aimc_cell *cells = array->cells + (size_t)i * array->cols;
  int row_sign = weight_sign * s->row_sign[i];
  for (int j = 0; j < array->cols; ++j) {
    int n = update_cell_count(params, bl, s, i, j);
    int sign = row_sign * s->col_sign[j];
    if (n == 0 || sign == 0) continue;
    w[j] = apply_pulses(array, &cells[j], w[j], sign, n, event, (uint32_t)i, (uint32_t)j);
    update_refresh_visible(array, (size_t)i * array->cols + j, event, (uint32_t)i, (uint32_t)j);
    if (sign > 0) out->up += (uint64_t)n; else out->down += (uint64_t)n;
    out->touched += 1;
    if ((uint64_t)n > out->max_cell) out->max_cell = (uint64_t)n;
  }
}

static void call_sink(const aimc_train_sink *sink, const aimc_array *array, const update_scratch *s, uint64_t event,
                      int bl, int weight_sign) {
  if (!sink || !sink->on_sample) return;
  sink->on_sample(sink->context, event, bl, (bl + 63) / 64, array->rows, s->row_bits, s->row_sign, array->cols,
                  s->col_bits, s->col_sign, weight_sign);
}

aimc_status aimc_array_update(aimc_array *array, const float *x, const float *d, int batch, float lr,
                              const aimc_update_params *params, aimc_update_stats *stats,
                              const aimc_train_sink *sink) {
  aimc_status status = update_check(array, x, d, batch, lr, params);
  if (status != AIMC_OK) return status;
  aimc_update_stats local = {0};
  aimc_pulse_type type = params->pulse_type;
  if (type == AIMC_PULSE_NONE || type == AIMC_PULSE_NONE_WITH_DEVICE || type == AIMC_PULSE_EXPECTED) {
    for (int t = 0; t < batch; ++t) {
      update_float_sample(array, x + (size_t)t * array->cols, d + (size_t)t * array->rows, lr, type,
                          array->update_event++, 1);
      local.samples++;
    }
    if (stats) aimc_update_stats_add(stats, &local);
    return AIMC_OK;
  }
  update_scratch s;
  status = update_scratch_init(&s, array->rows, array->cols, params->desired_bl > 64 ? params->desired_bl : 64);
  if (status != AIMC_OK) return status;
  int weight_sign = update_weight_sign(lr);
  int parallel = (size_t)array->rows * (size_t)array->cols >= AIMC_PARALLEL_MIN_CELLS;
  for (int t = 0; t < batch; ++t) {
    uint64_t event = array->update_event++;
    local.samples++;
    const float *xs = x + (size_t)t * array->cols, *ds = d + (size_t)t * array->rows;
    int bl = update_prepare_sample(array, xs, ds, lr, params, event, &s);
    if (bl == 0) {
      local.skipped++;
      continue;
    }
    if (bl > 64 * s.words) { /* fixed_bl = 0 may ask for more slots than desired_bl */
      update_scratch_free(&s);
      status = update_scratch_init(&s, array->rows, array->cols, bl);
      if (status != AIMC_OK) return status;
      update_prepare_sample(array, xs, ds, lr, params, event, &s);
    }
    local.slots += (uint64_t)bl;
    int words = (bl + 63) / 64;
    uint64_t up = 0, down = 0, touched = 0, max_cell = 0;
    if (type == AIMC_PULSE_STOCHASTIC_COMPRESSED) {
      update_build_trains(array, bl, event, &s, &local);
      call_sink(sink, array, &s, event, bl, weight_sign);
      int fast = bl <= 32 && array->planes && array->device.params.half_select_disturb == 0.0;
#pragma omp parallel reduction(+ : up, down, touched) reduction(max : max_cell) if (parallel)
      {
        /* Per-thread scratch: deviates and pulse indices of one slot's columns. */
        float *xi = fast ? malloc(2 * sizeof(float) * (size_t)array->cols) : NULL;
#pragma omp for schedule(dynamic, 16)
        for (int i = 0; i < array->rows; ++i) {
          row_result r = {0, 0, 0, 0};
          if (xi)
            affine_row_single_word(array, &s, weight_sign, event, i, xi, &r);
          else
            stochastic_row(array, &s, words, weight_sign, event, i, &r);
          up += r.up;
          down += r.down;
          touched += r.touched;
          max_cell = r.max_cell > max_cell ? r.max_cell : max_cell;
        }
        free(xi);
      }
    } else {
      update_build_counts(array, params, bl, &s, &local);
#pragma omp parallel for schedule(dynamic, 16) reduction(+ : up, down, touched) reduction(max : max_cell) if (parallel)
      for (int i = 0; i < array->rows; ++i) {
        row_result r = {0, 0, 0, 0};
        counted_row(array, params, &s, bl, weight_sign, event, i, &r);
        up += r.up;
        down += r.down;
        touched += r.touched;
        max_cell = r.max_cell > max_cell ? r.max_cell : max_cell;
      }
    }
    local.pulses_up += up;
    local.pulses_down += down;
    local.cells_touched += touched;
    if (max_cell > local.max_pulses_cell) local.max_pulses_cell = max_cell;
    /* Every (cell, slot) with exactly one of its two lines pulsed. */
    uint64_t row_bits = 0, col_bits = 0;
    if (type == AIMC_PULSE_STOCHASTIC_COMPRESSED) {
      for (size_t k = 0; k < (size_t)array->rows * words; ++k) row_bits += (uint64_t)__builtin_popcountll(s.row_bits[k]);
      for (size_t k = 0; k < (size_t)array->cols * words; ++k) col_bits += (uint64_t)__builtin_popcountll(s.col_bits[k]);
    } else {
      for (int i = 0; i < array->rows; ++i) row_bits += (uint64_t)s.row_count[i];
      for (int j = 0; j < array->cols; ++j) col_bits += (uint64_t)s.col_count[j];
    }
    uint64_t line_events = row_bits * (uint64_t)array->cols + col_bits * (uint64_t)array->rows;
    local.half_selected += line_events > 2 * (up + down) ? line_events - 2 * (up + down) : 0;
  }
  update_scratch_free(&s);
  if (stats) aimc_update_stats_add(stats, &local);
  return AIMC_OK;
}
