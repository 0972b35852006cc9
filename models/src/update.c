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
 *
 * The trains and the hot row kernel (affine models, at most 32 slots) have an
 * AVX-512 implementation, compiled where the target has it, and a portable one;
 * both give the reference's bits. docs/performance.md has the measurements.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "aimc/array.h"
#include "device_inline.h"
#include "rng_inline.h"
#include "update_internal.h"

/* The hot parameter planes of row i (array->planes, affine models). */
typedef struct row_planes {
  const float *slope_up, *slope_down, *offset_up, *offset_down, *dw_up, *dw_down, *b_min, *b_max;
} row_planes;

static inline row_planes planes_of_row(const aimc_array *array, int i) {
  const size_t n = (size_t)array->rows * (size_t)array->cols, base = (size_t)i * (size_t)array->cols;
  const float *planes = array->planes;
  row_planes p = {planes + AIMC_PLANE_SLOPE_UP * n + base,   planes + AIMC_PLANE_SLOPE_DOWN * n + base,
                  planes + AIMC_PLANE_OFFSET_UP * n + base,  planes + AIMC_PLANE_OFFSET_DOWN * n + base,
                  planes + AIMC_PLANE_DW_UP * n + base,      planes + AIMC_PLANE_DW_DOWN * n + base,
                  planes + AIMC_PLANE_B_MIN * n + base,      planes + AIMC_PLANE_B_MAX * n + base};
  return p;
}

/* The AVX-512 kernels (trains and the hot row kernel) need masked popcounts and
 * byte masks; elsewhere portable code computes the same bits. */
#if defined(__AVX512F__) && defined(__AVX512BW__) && defined(__AVX512VL__) && defined(__AVX512VPOPCNTDQ__)
#define AIMC_UPDATE_AVX512 1
/* Mask of the first n of 16 lanes. */
static inline __mmask16 lanes_below(int n) { return n >= 16 ? (__mmask16)0xFFFF : (__mmask16)((1u << n) - 1u); }
#endif

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
  s->slot_list = malloc((size_t)cols * 32 * sizeof *s->slot_list); /* written before it is read */
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
  /* A vectorised test first; the loops below only name the culprit. */
  size_t nx = (size_t)batch * (size_t)array->cols, nd = (size_t)batch * (size_t)array->rows;
  int finite = 1;
#pragma omp simd reduction(& : finite)
  for (size_t k = 0; k < nx; ++k) finite &= isfinite(x[k]) != 0;
#pragma omp simd reduction(& : finite)
  for (size_t k = 0; k < nd; ++k) finite &= isfinite(d[k]) != 0;
  if (finite) return AIMC_OK;
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
#pragma omp simd reduction(max : m)
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

/* Probabilities scale |v_k| and signs of one side's lines; the optional
 * quantisation in a second loop, so that the first one vectorises. */
static void line_probabilities(const aimc_array *array, const aimc_update_params *params, uint64_t event,
                               uint32_t side, const float *v, int n, float scale, float *prob, int8_t *sign) {
  for (int k = 0; k < n; ++k) {
    prob[k] = scale * fabsf(v[k]);
    sign[k] = sign_of(v[k]);
  }
  if (!(params->res > 0.0)) return;
  for (int k = 0; k < n; ++k) {
    float u = 0.0f;
    if (params->sto_round) {
      uint32_t w[4];
      rng_philox(array->key, event, 0, AIMC_RNG_ROUNDING, side, (uint32_t)k, w);
      u = aimc_rng_uniform(w[0]);
    }
    prob[k] = quantize_probability(prob[k], params->res, params->sto_round, u);
  }
}

int update_prepare_sample(const aimc_array *array, const float *x, const float *d, float lr,
                          const aimc_update_params *params, uint64_t event, update_scratch *s) {
  float x_max = abs_max(x, array->cols), d_max = abs_max(d, array->rows);
  aimc_bl_scales scales = aimc_update_bl_scales(params, lr, array->device.granularity, x_max, d_max,
                                                (float)array->device.params.dw_min);
  if (scales.bl == 0) return 0;
  line_probabilities(array, params, event, 0, x, array->cols, scales.b, s->col_prob, s->col_sign);
  line_probabilities(array, params, event, 1, d, array->rows, scales.a, s->row_prob, s->row_sign);
  return scales.bl;
}

#ifdef AIMC_UPDATE_AVX512
/*
 * Trains of `lines` lines of one purpose into bits (lines x words), 16 lines at a
 * time: slot k of line l fires if a 24-bit uniform is below p_l. Returns the
 * pulses fired. Serial: at one Philox call per 4 slots and 16 lines, a parallel
 * region would cost more than the work.
 */
static uint64_t build_line_trains(aimc_rng_key key, uint64_t event, uint32_t purpose, int lines, const float *prob,
                                  int bl, int words, uint64_t *bits, int parallel) {
  (void)parallel;
  const __m512i iota = _mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
  const __m512 scale = _mm512_set1_ps(1.0f / 16777216.0f);
  uint64_t fired = 0;
  memset(bits, 0, (size_t)lines * (size_t)words * sizeof *bits);
  for (int l0 = 0; l0 < lines; l0 += 16) {
    __mmask16 valid = lanes_below(lines - l0);
    __m512 p = _mm512_maskz_loadu_ps(valid, prob + l0);
    if (!_mm512_mask_cmp_ps_mask(valid, p, _mm512_setzero_ps(), _CMP_GT_OQ)) continue; /* idle lines */
    __m512i c2 = _mm512_or_si512(_mm512_set1_epi32((int32_t)(purpose << 28)),
                                 _mm512_and_si512(_mm512_add_epi32(_mm512_set1_epi32(l0), iota),
                                                  _mm512_set1_epi32(0x0FFFFFFF)));
    /* Each line's 64-slot words build up in two vectors of 8 (lines l0..l0+7, l0+8..). */
    __m512i low = _mm512_setzero_si512(), high = _mm512_setzero_si512();
    for (int k = 0; k < bl; k += 4) {
      __m512i w[4];
      rng_philox_x16(key.k0, key.k1, _mm512_set1_epi32((int32_t)(uint32_t)event),
                     _mm512_set1_epi32((int32_t)((uint32_t)((event >> 32) & 0xFFFFu) | ((uint32_t)(k >> 2) << 16))),
                     c2, _mm512_setzero_si512(), w);
      int last = bl - k < 4 ? bl - k : 4;
      for (int m = 0; m < last; ++m) {
        __m512 u = _mm512_mul_ps(_mm512_cvtepi32_ps(_mm512_srli_epi32(w[m], 8)), scale); /* aimc_rng_uniform */
        __mmask16 on = _mm512_mask_cmp_ps_mask(valid, u, p, _CMP_LT_OQ);
        const __m512i bit = _mm512_set1_epi64((int64_t)(1ull << ((k + m) & 63)));
        low = _mm512_mask_or_epi64(low, (__mmask8)on, low, bit);
        high = _mm512_mask_or_epi64(high, (__mmask8)(on >> 8), high, bit);
        fired += (uint64_t)__builtin_popcount(on);
      }
      if ((k + 4) % 64 == 0 || k + 4 >= bl) { /* a word is complete (blocks of 4 never straddle words) */
        uint64_t word[16];
        _mm512_storeu_si512(word, low);
        _mm512_storeu_si512(word + 8, high);
        for (int l = 0; l < 16 && l0 + l < lines; ++l) bits[(size_t)(l0 + l) * words + k / 64] = word[l];
        low = high = _mm512_setzero_si512();
      }
    }
  }
  return fired;
}
#else
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

/* Trains of `lines` lines of one purpose into bits (lines x words); returns the
 * pulses fired. */
static uint64_t build_line_trains(aimc_rng_key key, uint64_t event, uint32_t purpose, int lines, const float *prob,
                                  int bl, int words, uint64_t *bits, int parallel) {
  uint64_t fired = 0;
#pragma omp parallel for schedule(static) reduction(+ : fired) if (parallel)
  for (int l = 0; l < lines; ++l)
    fired += (uint64_t)build_train(key, event, purpose, (uint32_t)l, prob[l], bl, words, bits + (size_t)l * words);
  return fired;
}
#endif

void update_build_trains(const aimc_array *array, int bl, uint64_t event, update_scratch *s,
                         aimc_update_stats *stats) {
  int words = (bl + 63) / 64;
  int parallel = (size_t)array->rows * (size_t)array->cols >= AIMC_PARALLEL_MIN_CELLS;
  uint64_t row_pulses = build_line_trains(array->key, event, AIMC_RNG_ROW_TRAIN, array->rows, s->row_prob, bl, words,
                                          s->row_bits, parallel);
  uint64_t col_pulses = build_line_trains(array->key, event, AIMC_RNG_COL_TRAIN, array->cols, s->col_prob, bl, words,
                                          s->col_bits, parallel);
  /* Locals, so that the compiler need not reload them after every store. */
  const int cols = array->cols;
  const uint64_t *col_bits = s->col_bits;
  int32_t *active = s->active_cols;
  int n_active = 0;
  if (words == 1) {
    for (int j = 0; j < cols; ++j) {
      active[n_active] = j; /* kept only if the train is not empty (no branch) */
      n_active += col_bits[j] != 0;
    }
  } else {
    for (int j = 0; j < cols; ++j) {
      const uint64_t *c = col_bits + (size_t)j * words;
      uint64_t any = 0;
      for (int k = 0; k < words; ++k) any |= c[k];
      active[n_active] = j;
      n_active += any != 0;
    }
  }
  s->n_active_cols = n_active;
  if (bl <= 32) {
    uint32_t *bits32 = s->col_bits32;
#pragma omp simd
    for (int j = 0; j < cols; ++j) bits32[j] = (uint32_t)col_bits[j];
  }
#ifndef AIMC_UPDATE_AVX512
  if (bl <= 32) { /* the portable row kernel's columns per slot, in column order */
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
#endif
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

#ifdef AIMC_UPDATE_AVX512
/*
 * The hot path on AVX-512: affine device models, trains of at most 32 slots.
 * Cells are processed 16 columns at a time, each cell's n = popcount(r & c_j)
 * pulses one after another (its pulses all have one sign, and cells are
 * independent, so this is the reference's slot order for every cell).
 *
 * With cycle noise, the deviates come first, generated on a compact list of
 * the pulsed cells (compress), so that no lane is spent on an idle cell: one
 * Philox call per cell and block of 4 pulses (the keying of rng_pulse_normal),
 * the first Box-Muller pair for every listed cell and the second only for cells
 * with more than 2 pulses left. Deviates of pulse p are stored compactly, in
 * column order, for the cells with n > p; the apply loop reads them back into
 * their lanes with expand loads.
 *
 * A row is worked in segments of AIMC_SEGMENT columns, deviates then pulses,
 * so that the lists and deviates of the per-thread scratch have a fixed size
 * and stay in L1 whatever the array's width.
 */
#define AIMC_SEGMENT 128
#define AIMC_GROUP 4

/* Per-thread scratch of the row kernel: lists of one segment, with room for a
 * whole vector stored past the last entry. */
typedef struct row_scratch {
  int32_t cells[AIMC_SEGMENT + 16];      /* pulsed cells (in block b: with n > 4b), column << 8 | n */
  int32_t deep_counts[AIMC_SEGMENT + 16]; /* n of the cells that need the second pair */
  int32_t words2[AIMC_SEGMENT + 16];     /* words 2 and 3 of those cells' Philox outputs */
  int32_t words3[AIMC_SEGMENT + 16];
  float *deviates;                       /* pulse p: deviates + p * AIMC_SEGMENT_STRIDE */
} row_scratch;
#define AIMC_SEGMENT_STRIDE (AIMC_SEGMENT + 16)

/* 1 on success; on failure nothing stays allocated. Columns must fit the 24
 * bits left of a packed list entry (wider arrays take the generic path). */
static int row_scratch_init(row_scratch *rs, int cols, int bl) {
  if (cols >= 1 << 24) return 0;
  rs->deviates = malloc((size_t)(bl + 3) / 4 * 4 * AIMC_SEGMENT_STRIDE * sizeof *rs->deviates); /* whole blocks */
  return rs->deviates != NULL;
}

static void row_scratch_free(row_scratch *rs) { free(rs->deviates); }

/* Appends the lanes of v selected by `keep` to list + *count. */
static inline void append_epi32(int32_t *list, int *count, __mmask16 keep, __m512i v) {
  _mm512_storeu_si512(list + *count, _mm512_maskz_compress_epi32(keep, v));
  *count += __builtin_popcount(keep);
}
static inline void append_ps(float *list, int *count, __mmask16 keep, __m512 v) {
  _mm512_storeu_ps(list + *count, _mm512_maskz_compress_ps(keep, v));
  *count += __builtin_popcount(keep);
}

/* Output of deviate_chunks: how many deviates of pulses first + 1 and the words
 * of the second pair have been stored so far. */
typedef struct deviate_fill {
  int second, deep;
} deviate_fill;

/*
 * Pulses first..first+1 of `chunks` (1 or 2, a constant after inlining) chunks
 * of 16 listed cells from t, and the Philox words of the second pair for the
 * cells that need it. Two chunks side by side give the out-of-order core two
 * independent dependency chains (a Box-Muller pair is a long one).
 */
static inline void deviate_chunks(const rng_philox_c3_state *philox, int first, int listed, int t, int chunks,
                                  row_scratch *rs, deviate_fill *fill) {
  __m512i w[2][4];
  __m512 z0[2], z1[2];
  for (int u = 0; u < chunks; ++u)
    rng_philox_x16_c3(philox, _mm512_srli_epi32(_mm512_loadu_si512(rs->cells + t + 16 * u), 8), w[u]);
  for (int u = 0; u < chunks; ++u) rng_box_muller_x16(w[u][0], w[u][1], &z0[u], &z1[u]);
  float *z0_out = rs->deviates + (size_t)first * AIMC_SEGMENT_STRIDE, *z1_out = z0_out + AIMC_SEGMENT_STRIDE;
  for (int u = 0; u < chunks; ++u) {
    __mmask16 valid = lanes_below(listed - t - 16 * u);
    __m512i n = _mm512_and_si512(_mm512_loadu_si512(rs->cells + t + 16 * u), _mm512_set1_epi32(0xFF));
    _mm512_storeu_ps(z0_out + t + 16 * u, z0[u]);
    append_ps(z1_out, &fill->second, _mm512_mask_cmpgt_epi32_mask(valid, n, _mm512_set1_epi32(first + 1)), z1[u]);
    __mmask16 more = _mm512_mask_cmpgt_epi32_mask(valid, n, _mm512_set1_epi32(first + 2));
    if (more) {
      int slot = fill->deep;
      append_epi32(rs->words2, &slot, more, w[u][2]);
      slot = fill->deep;
      append_epi32(rs->words3, &slot, more, w[u][3]);
      append_epi32(rs->deep_counts, &fill->deep, more, n);
    }
  }
}

/* Deviates of every pulse of row i's cells in columns [j_begin, j_end) (see
 * above); pulses = popcount(r) bounds every n. */
static void segment_deviates(const aimc_array *array, const update_scratch *s, uint64_t event, int i, uint32_t r,
                             int pulses, int j_begin, int j_end, row_scratch *rs) {
  const __m512i row_train = _mm512_set1_epi32((int32_t)r), iota = _mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10,
                                                                                   11, 12, 13, 14, 15);
  int listed = 0;
  for (int j0 = j_begin; j0 < j_end; j0 += 16) {
    __m512i c = _mm512_maskz_loadu_epi32(lanes_below(j_end - j0), s->col_bits32 + j0);
    __mmask16 hit = _mm512_test_epi32_mask(c, row_train);
    __m512i column = _mm512_slli_epi32(_mm512_add_epi32(_mm512_set1_epi32(j0), iota), 8);
    append_epi32(rs->cells, &listed, hit, _mm512_or_si512(column, _mm512_popcnt_epi32(_mm512_and_si512(c, row_train))));
  }
  const uint32_t c0 = (uint32_t)event, c2 = ((uint32_t)AIMC_RNG_PULSE_NOISE << 28) | ((uint32_t)i & 0x0FFFFFFFu);
  for (int block = 0; 4 * block < pulses; ++block) {
    const int first = 4 * block; /* pulse index of z0 of the first pair */
    if (block > 0) { /* keep the cells with pulses left (in place: writes trail reads) */
      int kept = 0;
      for (int t = 0; t < listed; t += 16) {
        __m512i cell = _mm512_loadu_si512(rs->cells + t);
        append_epi32(rs->cells, &kept,
                     _mm512_mask_cmpgt_epi32_mask(lanes_below(listed - t),
                                                  _mm512_and_si512(cell, _mm512_set1_epi32(0xFF)),
                                                  _mm512_set1_epi32(first)),
                     cell);
      }
      listed = kept;
    }
    const rng_philox_c3_state philox = rng_philox_c3_prepare(
        array->key.k0, array->key.k1, c0, (uint32_t)((event >> 32) & 0xFFFFu) | ((uint32_t)block << 16), c2);
    deviate_fill fill = {0, 0};
    int t = 0;
    for (; listed - t > 16; t += 32) deviate_chunks(&philox, first, listed, t, 2, rs, &fill);
    if (t < listed) deviate_chunks(&philox, first, listed, t, 1, rs, &fill);
    /* The second pair: pulses first + 2 and first + 3. */
    float *z2_out = rs->deviates + (size_t)(first + 2) * AIMC_SEGMENT_STRIDE, *z3_out = z2_out + AIMC_SEGMENT_STRIDE;
    int fourth = 0;
    for (int d = 0; d < fill.deep; d += 16) {
      __m512 z0, z1;
      rng_box_muller_x16(_mm512_loadu_si512(rs->words2 + d), _mm512_loadu_si512(rs->words3 + d), &z0, &z1);
      _mm512_storeu_ps(z2_out + d, z0);
      append_ps(z3_out, &fourth,
                _mm512_mask_cmpgt_epi32_mask(lanes_below(fill.deep - d), _mm512_loadu_si512(rs->deep_counts + d),
                                             _mm512_set1_epi32(first + 3)),
                z1);
    }
  }
}

static void affine_row(aimc_array *array, const update_scratch *s, int weight_sign, uint64_t event, int i,
                       row_scratch *rs, row_result *out) {
  uint32_t r = (uint32_t)s->row_bits[i];
  if (!r) return;
  const int cols = array->cols, pulses = __builtin_popcount(r);
  const row_planes planes = planes_of_row(array, i);
  const size_t base = (size_t)i * (size_t)array->cols;
  float *w = update_target(array) + base;
  const int noisy = array->device.sigma != 0.0f, additive = array->device.additive_noise;
  const __m512 sigma = _mm512_set1_ps(array->device.sigma), one = _mm512_set1_ps(1.0f);
  const __m512i row_train = _mm512_set1_epi32((int32_t)r);
  /* A cell pulses up where its column's sign is not negative (row sign +1) or is (-1). */
  const __mmask16 flip = weight_sign * s->row_sign[i] > 0 ? 0xFFFF : 0;
  __m512i up = _mm512_setzero_si512(), down = _mm512_setzero_si512(), most = _mm512_setzero_si512();
  uint64_t touched = 0;
  for (int j_begin = 0; j_begin < cols; j_begin += AIMC_SEGMENT) {
    const int j_end = cols - j_begin < AIMC_SEGMENT ? cols : j_begin + AIMC_SEGMENT;
    if (noisy) segment_deviates(array, s, event, i, r, pulses, j_begin, j_end, rs);
    int used[32] = {0}; /* deviates of pulse p consumed so far */
    /* AIMC_GROUP blocks of 16 columns side by side: a cell's pulses form a long
     * dependency chain (about 20 cycles a pulse), so independent blocks fill it. */
    for (int g0 = j_begin; g0 < j_end; g0 += 16 * AIMC_GROUP) {
      __m512i n[AIMC_GROUP], sign_bit[AIMC_GROUP];
      __m512 v[AIMC_GROUP], slope[AIMC_GROUP], offset[AIMC_GROUP], noise_scale[AIMC_GROUP], lo[AIMC_GROUP],
          hi[AIMC_GROUP];
      __mmask16 hit[AIMC_GROUP];
      int at[AIMC_GROUP]; /* first column of each block; blocks past the segment are idle at g0 */
#pragma GCC unroll 16 /* whole, so that the arrays live in registers */
      for (int b = 0; b < AIMC_GROUP; ++b) {
        const int j0 = at[b] = g0 + 16 * b < j_end ? g0 + 16 * b : g0;
        __mmask16 valid = j0 == g0 + 16 * b ? lanes_below(j_end - j0) : 0;
        __m512i c = _mm512_maskz_loadu_epi32(valid, s->col_bits32 + j0);
        hit[b] = _mm512_test_epi32_mask(c, row_train);
        n[b] = _mm512_popcnt_epi32(_mm512_and_si512(c, row_train));
        /* Sign bits of the column signs (int8) straight into a mask. */
        __mmask16 negative = _mm_movepi8_mask(_mm_maskz_loadu_epi8(valid, s->col_sign + j0));
        __mmask16 positive = hit[b] & (negative ^ flip), falling = hit[b] & ~positive;
        v[b] = _mm512_maskz_loadu_ps(hit[b], w + j0);
        slope[b] = _mm512_mask_blend_ps(positive, _mm512_maskz_loadu_ps(falling, planes.slope_down + j0),
                                        _mm512_maskz_loadu_ps(positive, planes.slope_up + j0));
        offset[b] = _mm512_mask_blend_ps(positive, _mm512_maskz_loadu_ps(falling, planes.offset_down + j0),
                                         _mm512_maskz_loadu_ps(positive, planes.offset_up + j0));
        noise_scale[b] = sigma; /* multiplies xi: sigma, or dw_s * sigma for additive noise */
        if (additive)
          noise_scale[b] = _mm512_mul_ps(_mm512_mask_blend_ps(positive, _mm512_maskz_loadu_ps(falling, planes.dw_down + j0),
                                                              _mm512_maskz_loadu_ps(positive, planes.dw_up + j0)),
                                         sigma);
        lo[b] = _mm512_maskz_loadu_ps(hit[b], planes.b_min + j0);
        hi[b] = _mm512_maskz_loadu_ps(hit[b], planes.b_max + j0);
        /* (float)sign * dw is dw with its sign bit flipped for the falling cells. */
        sign_bit[b] = _mm512_maskz_mov_epi32(falling, _mm512_set1_epi32((int32_t)0x80000000u));
        up = _mm512_mask_add_epi32(up, positive, up, n[b]);
        down = _mm512_mask_add_epi32(down, falling, down, n[b]);
        most = _mm512_max_epu32(most, n[b]);
        touched += (uint64_t)__builtin_popcount(hit[b]);
      }
      for (int p = 0; p < pulses; ++p) {
#pragma GCC unroll 16
        for (int b = 0; b < AIMC_GROUP; ++b) {
          __mmask16 live = _mm512_cmpgt_epi32_mask(n[b], _mm512_set1_epi32(p));
          __m512 step = _mm512_add_ps(_mm512_mul_ps(slope[b], v[b]), offset[b]), dw;
          if (noisy) {
            __m512 xi = _mm512_maskz_expandloadu_ps(live, rs->deviates + (size_t)p * AIMC_SEGMENT_STRIDE + used[p]);
            used[p] += __builtin_popcount(live);
            dw = additive ? _mm512_add_ps(step, _mm512_mul_ps(noise_scale[b], xi))
                          : _mm512_mul_ps(step, _mm512_add_ps(one, _mm512_mul_ps(sigma, xi)));
          } else {
            /* xi = 0: step * (1 + 0) is step exactly; step + 0 keeps -0 -> +0. */
            dw = additive ? _mm512_add_ps(step, _mm512_setzero_ps()) : step;
          }
          __m512 moved =
              _mm512_add_ps(v[b], _mm512_castsi512_ps(_mm512_xor_si512(_mm512_castps_si512(dw), sign_bit[b])));
          /* clip_float: moved > hi ? hi : moved, then moved < lo ? lo : that (this
           * order, so that crossed bounds give the scalar result). */
          __m512 clipped = _mm512_mask_min_ps(v[b], live, hi[b], moved);
          v[b] = _mm512_mask_mov_ps(clipped, _mm512_mask_cmp_ps_mask(live, moved, lo[b], _CMP_LT_OQ), lo[b]);
        }
      }
#pragma GCC unroll 16
      for (int b = 0; b < AIMC_GROUP; ++b) _mm512_mask_storeu_ps(w + at[b], hit[b], v[b]);
    }
  }
  out->up += (uint64_t)_mm512_reduce_add_epi32(up);
  out->down += (uint64_t)_mm512_reduce_add_epi32(down);
  out->touched += touched;
  uint64_t max_cell = (uint64_t)_mm512_reduce_max_epu32(most);
  if (max_cell > out->max_cell) out->max_cell = max_cell;
  if (array->w_persistent) { /* write noise: redraw the visible weight of every pulsed cell */
    for (int j = 0; j < cols; ++j)
      if (s->col_bits32[j] & r) update_refresh_visible(array, base + j, event, (uint32_t)i, (uint32_t)j);
  }
}
#else
/* Per-thread scratch of the portable row kernel: deviates and pulse indices of
 * one slot's columns. */
typedef struct row_scratch {
  float *xi;
} row_scratch;

static int row_scratch_init(row_scratch *rs, int cols, int bl) {
  (void)bl;
  rs->xi = malloc(2 * sizeof(float) * (size_t)cols);
  return rs->xi != NULL;
}

static void row_scratch_free(row_scratch *rs) { free(rs->xi); }

/*
 * The hot path, portable: affine device models, trains of at most 32 slots. For each
 * slot k of the row's train, every column firing at k meets the row; the cell's
 * pulse index is the number of its coincidences in earlier slots, so each cell
 * sees its pulses in slot order with the same deviates as the reference. Cells of
 * one slot are distinct, which lets the loop vectorise (gathers and scatters).
 */
static void affine_row(aimc_array *array, const update_scratch *s, int weight_sign, uint64_t event, int i,
                       row_scratch *rs, row_result *out) {
  float *xi = rs->xi;
  uint32_t r = (uint32_t)s->row_bits[i];
  if (!r) return;
  const row_planes planes = planes_of_row(array, i);
  const size_t base = (size_t)i * (size_t)array->cols;
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
      float step = (positive ? planes.slope_up[j] : planes.slope_down[j]) * v + (positive ? planes.offset_up[j] : planes.offset_down[j]);
      float dw = additive ? step + (positive ? planes.dw_up[j] : planes.dw_down[j]) * sigma * xi[a] : step * (1.0f + sigma * xi[a]);
      v = v + (float)sign * dw;
      v = v < planes.b_min[j] ? planes.b_min[j] : (v > planes.b_max[j] ? planes.b_max[j] : v);
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
#endif

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

/* Row i of a stochastic-compressed sample: the row kernel with scratch rs, the
 * generic path without; the counts add into the caller's sums. */
static void update_row(aimc_array *array, const update_scratch *s, int words, int weight_sign, uint64_t event, int i,
                       row_scratch *rs, uint64_t *up, uint64_t *down, uint64_t *touched, uint64_t *max_cell) {
  row_result r = {0, 0, 0, 0};
  if (rs)
    affine_row(array, s, weight_sign, event, i, rs, &r);
  else
    stochastic_row(array, s, words, weight_sign, event, i, &r);
  *up += r.up;
  *down += r.down;
  *touched += r.touched;
  if (r.max_cell > *max_cell) *max_cell = r.max_cell;
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
  row_scratch serial = {0}; /* the row kernel's scratch without a parallel region */
  int serial_ready = 0;     /* 1: allocated, -1: allocation failed (generic path), 0: not yet */
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
      if (status != AIMC_OK) {
        if (serial_ready > 0) row_scratch_free(&serial);
        return status;
      }
      update_prepare_sample(array, xs, ds, lr, params, event, &s);
    }
    local.slots += (uint64_t)bl;
    int words = (bl + 63) / 64;
    uint64_t up = 0, down = 0, touched = 0, max_cell = 0;
    if (type == AIMC_PULSE_STOCHASTIC_COMPRESSED) {
      update_build_trains(array, bl, event, &s, &local);
      call_sink(sink, array, &s, event, bl, weight_sign);
      int fast = bl <= 32 && array->planes && array->device.params.half_select_disturb == 0.0;
      if (parallel) {
#pragma omp parallel reduction(+ : up, down, touched) reduction(max : max_cell)
        {
          /* Per-thread scratch of the row kernel; without it, the generic path (same bits). */
          row_scratch rs = {0};
          int use_fast = fast && row_scratch_init(&rs, array->cols, bl);
#pragma omp for schedule(dynamic, 16)
          for (int i = 0; i < array->rows; ++i)
            update_row(array, &s, words, weight_sign, event, i, use_fast ? &rs : NULL, &up, &down, &touched, &max_cell);
          if (use_fast) row_scratch_free(&rs);
        }
      } else {
        /* Small arrays (convolution kernels take hundreds of samples an image): no
         * parallel region, and one scratch for the whole call, sized for any BL of
         * the row kernel. */
        if (fast && !serial_ready) serial_ready = row_scratch_init(&serial, array->cols, 32) ? 1 : -1;
        row_scratch *rs = fast && serial_ready > 0 ? &serial : NULL;
        for (int i = 0; i < array->rows; ++i)
          update_row(array, &s, words, weight_sign, event, i, rs, &up, &down, &touched, &max_cell);
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
  if (serial_ready > 0) row_scratch_free(&serial);
  if (stats) aimc_update_stats_add(stats, &local);
  return AIMC_OK;
}
