/*
 * Periphery numerics of the forward and transposed MVM (AIHWKIT IOParameters),
 * see io.h for the order of operations. The fast path multiplies with BLAS
 * (cblas_sgemv); the reference multiplies with a naive loop. Both draw the same
 * keyed deviates, so they differ only by the rounding of the dot products.
 * Bound management applies to forward passes only, as in AIHWKIT.
 */
#include <cblas.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "aimc/array.h"
#include "rng_inline.h"

static const char *const nm_names[] = {"none", "abs_max", "max", "constant"};
static const char *const bm_names[] = {"none", "iterative"};
static const char *const wnoise_names[] = {"none", "additive_constant", "pcm_read"};

#define NAMED_ENUM(type, prefix, names, count)                                         \
  const char *aimc_##prefix##_name(type value) {                                       \
    return (unsigned)value < (count) ? names[value] : NULL;                            \
  }                                                                                    \
  aimc_status aimc_##prefix##_parse(const char *name, type *value) {                   \
    for (unsigned k = 0; k < (count); ++k) {                                           \
      if (strcmp(name, names[k]) == 0) {                                               \
        *value = (type)k;                                                              \
        return AIMC_OK;                                                                \
      }                                                                                \
    }                                                                                  \
    return aimc_error_set(AIMC_EINVAL, "unknown " #prefix " '%s'", name);              \
  }

NAMED_ENUM(aimc_noise_management, noise_management, nm_names, 4)
NAMED_ENUM(aimc_bound_management, bound_management, bm_names, 2)
NAMED_ENUM(aimc_w_noise_type, w_noise_type, wnoise_names, 3)

void aimc_io_params_default(aimc_io_params *io) {
  memset(io, 0, sizeof *io);
  io->inp_bound = 1.0;
  io->inp_res = 1.0 / (128 - 2);
  io->out_bound = 12.0;
  io->out_res = 1.0 / (512 - 2);
  io->out_noise = 0.06;
  io->w_noise_type = AIMC_WNOISE_NONE;
  io->noise_management = AIMC_NM_ABS_MAX;
  io->bound_management = AIMC_BM_ITERATIVE;
  io->max_bm_factor = 1000.0;
  io->max_bm_res = 0.25;
  io->out_scale = 1.0;
}

void aimc_io_params_perfect(aimc_io_params *io) {
  aimc_io_params_default(io);
  io->is_perfect = 1;
}

aimc_status aimc_io_params_validate(const aimc_io_params *io) {
#define IO_CHECK(cond, ...) \
  if (!(cond)) return aimc_error_set(AIMC_EINVAL, __VA_ARGS__)
  IO_CHECK(isfinite(io->inp_bound) && io->inp_bound > 0.0, "io.inp_bound must be finite and > 0 (got %g)", io->inp_bound);
  IO_CHECK(isfinite(io->inp_res), "io.inp_res must be finite (got %g)", io->inp_res);
  IO_CHECK(isfinite(io->inp_noise) && io->inp_noise >= 0.0, "io.inp_noise must be finite and >= 0 (got %g)", io->inp_noise);
  IO_CHECK(isfinite(io->out_bound) && io->out_bound > 0.0, "io.out_bound must be finite and > 0 (got %g)", io->out_bound);
  IO_CHECK(isfinite(io->out_res), "io.out_res must be finite (got %g)", io->out_res);
  IO_CHECK(isfinite(io->out_noise) && io->out_noise >= 0.0, "io.out_noise must be finite and >= 0 (got %g)", io->out_noise);
  IO_CHECK(isfinite(io->w_noise) && io->w_noise >= 0.0, "io.w_noise must be finite and >= 0 (got %g)", io->w_noise);
  IO_CHECK((unsigned)io->w_noise_type <= AIMC_WNOISE_PCM_READ, "io.w_noise_type %d is unknown", (int)io->w_noise_type);
  IO_CHECK((unsigned)io->noise_management <= AIMC_NM_CONSTANT, "io.noise_management %d is unknown", (int)io->noise_management);
  IO_CHECK(isfinite(io->nm_thres) && io->nm_thres >= 0.0, "io.nm_thres must be finite and >= 0 (got %g)", io->nm_thres);
  IO_CHECK(io->noise_management != AIMC_NM_CONSTANT || io->nm_thres > 0.0,
           "io.nm_thres must be > 0 with noise_management constant");
  IO_CHECK((unsigned)io->bound_management <= AIMC_BM_ITERATIVE, "io.bound_management %d is unknown", (int)io->bound_management);
  IO_CHECK(isfinite(io->max_bm_factor) && io->max_bm_factor >= 1.0, "io.max_bm_factor must be >= 1 (got %g)", io->max_bm_factor);
  IO_CHECK(isfinite(io->max_bm_res) && io->max_bm_res > 0.0, "io.max_bm_res must be > 0 (got %g)", io->max_bm_res);
  IO_CHECK(isfinite(io->out_scale), "io.out_scale must be finite (got %g)", io->out_scale);
#undef IO_CHECK
  return AIMC_OK;
}

void aimc_io_stats_add(aimc_io_stats *into, const aimc_io_stats *from) {
  into->vectors += from->vectors;
  into->passes += from->passes;
  into->dac_conversions += from->dac_conversions;
  into->adc_conversions += from->adc_conversions;
  into->adc_clipped += from->adc_clipped;
  into->input_abs_sum += from->input_abs_sum;
}

float aimc_io_quantize(float v, float step, float u) {
  if (!(step > 0.0f)) return v;
  float scaled = v / step;
  float q = u >= 0.0f ? floorf(scaled + u) : rintf(scaled); /* ties to even: one instruction */
  return q * step;
}

/* A resolution as a fraction of the full range (<= 0: none; > 1: a number of steps). */
static double res_fraction(double res) { return res <= 0.0 ? 0.0 : (res > 1.0 ? 1.0 / res : res); }

/* Resolution as a step over the full range 2*bound. */
static float io_step(double res, double bound) { return (float)(res_fraction(res) * 2.0 * bound); }

enum io_kind { IO_INPUT_NOISE = 0, IO_OUTPUT_NOISE = 1, IO_WEIGHT_NOISE = 2, IO_INPUT_ROUND = 3, IO_OUTPUT_ROUND = 4 };

/* n normal deviates of (event, pass, kind); deviate i is element i % 4 of group
 * i / 4. Written lane-wise so that the loop vectorises. */
static void fill_normals(aimc_rng_key key, uint64_t event, uint32_t pass, uint32_t kind, int n, float *out) {
  int groups = (n + 3) / 4;
  uint32_t c0 = (uint32_t)event, c1 = (uint32_t)((event >> 32) & 0xFFFFu) | (pass << 16);
  uint32_t purpose = (uint32_t)AIMC_RNG_IO << 28;
  float *z = out;
  float tail[4];
#pragma omp simd
  for (int g = 0; g < groups - 1; ++g) {
    uint32_t w0, w1, w2, w3;
    rng_philox_lane(key.k0, key.k1, c0, c1, purpose | (uint32_t)g, kind, &w0, &w1, &w2, &w3);
    rng_box_muller(w0, w1, &z[4 * g], &z[4 * g + 1]);
    rng_box_muller(w2, w3, &z[4 * g + 2], &z[4 * g + 3]);
  }
  if (groups > 0) { /* the last group may be partial */
    rng_normal4(key, event, pass, AIMC_RNG_IO, (uint32_t)(groups - 1), kind, tail);
    for (int r = 0; 4 * (groups - 1) + r < n; ++r) out[4 * (groups - 1) + r] = tail[r];
  }
}

/* The pass-0 deviates of `kind` for `batch` consecutive events (first, first + 1,
 * ...): vector t's deviate k lands at out[t * stride + k], stride = 4 * groups,
 * the same numbers as fill_normals(key, first + t, 0, kind, n, ...). The lanes
 * run across the vectors, so that the many short outputs of convolution patches
 * (16 or 32 per patch) fill whole vectors; one event at a time, a patch's few
 * groups would leave most lanes idle. */
static void fill_normals_batch(aimc_rng_key key, uint64_t first, int batch, uint32_t kind, int n, float *out) {
  const int groups = (n + 3) / 4, stride = 4 * groups;
  const uint32_t purpose = (uint32_t)AIMC_RNG_IO << 28;
  for (int g = 0; g < groups; ++g) {
    float *z = out + 4 * g;
#pragma omp simd
    for (int t = 0; t < batch; ++t) {
      uint64_t event = first + (uint64_t)t;
      uint32_t w0, w1, w2, w3;
      rng_philox_lane(key.k0, key.k1, (uint32_t)event, (uint32_t)((event >> 32) & 0xFFFFu), purpose | (uint32_t)g,
                      kind, &w0, &w1, &w2, &w3);
      float *o = z + (size_t)t * (size_t)stride;
      rng_box_muller(w0, w1, &o[0], &o[1]);
      rng_box_muller(w2, w3, &o[2], &o[3]);
    }
  }
}

static void fill_uniforms(aimc_rng_key key, uint64_t event, uint32_t pass, uint32_t kind, int n, float *out) {
  for (int g = 0; g * 4 < n; ++g) {
    uint32_t w[4];
    rng_philox(key, event, pass, AIMC_RNG_IO, (uint32_t)g, kind, w);
    for (int r = 0; r < 4 && 4 * g + r < n; ++r) out[4 * g + r] = aimc_rng_uniform(w[r]);
  }
}

typedef struct mvm_job {
  const aimc_array *array;
  const aimc_io_params *io;
  int transposed;   /* 0: y = W x, 1: y = W^T x */
  int reference;    /* 1: naive loops instead of BLAS */
  int n_in, n_out;
  float *u, *v, *scratch; /* n_in, n_out, max(n_in, n_out) */
} mvm_job;

static void multiply(const mvm_job *job, const float *in, float *out) {
  const aimc_array *a = job->array;
  if (!job->reference) {
    cblas_sgemv(CblasRowMajor, job->transposed ? CblasTrans : CblasNoTrans, a->rows, a->cols, 1.0f, a->w, a->cols,
                in, 1, 0.0f, out, 1);
    return;
  }
  if (!job->transposed) {
    for (int i = 0; i < a->rows; ++i) {
      float sum = 0.0f;
      for (int j = 0; j < a->cols; ++j) sum += a->w[(size_t)i * a->cols + j] * in[j];
      out[i] = sum;
    }
  } else {
    for (int j = 0; j < a->cols; ++j) {
      float sum = 0.0f;
      for (int i = 0; i < a->rows; ++i) sum += a->w[(size_t)i * a->cols + j] * in[i];
      out[j] = sum;
    }
  }
}

/* sum_j |w_kj| u_j^2 for every output k (PCM read noise amplitude). */
static void abs_weight_energy(const mvm_job *job, const float *u, float *out) {
  const aimc_array *a = job->array;
  if (!job->transposed) {
    for (int i = 0; i < a->rows; ++i) {
      float sum = 0.0f;
      for (int j = 0; j < a->cols; ++j) sum += fabsf(a->w[(size_t)i * a->cols + j]) * u[j] * u[j];
      out[i] = sum;
    }
  } else {
    for (int j = 0; j < a->cols; ++j) out[j] = 0.0f;
    for (int i = 0; i < a->rows; ++i) {
      for (int j = 0; j < a->cols; ++j) out[j] += fabsf(a->w[(size_t)i * a->cols + j]) * u[i] * u[i];
    }
  }
}

/* sum_j |u_j| in double, in eight interleaved partial sums: a fixed order that
 * vectorises at any vector width, so every build adds alike. (For quantised
 * inputs, multiples of the DAC step within the input bound, the sum is exact in
 * any order.) */
static double abs_sum_of(const float *u, int n) {
  double lanes[8] = {0, 0, 0, 0, 0, 0, 0, 0};
  int whole = n - n % 8;
  for (int j = 0; j < whole; j += 8) {
    for (int l = 0; l < 8; ++l) lanes[l] += (double)fabsf(u[j + l]);
  }
  double sum = 0.0;
  for (int l = 0; l < 8; ++l) sum += lanes[l];
  for (int j = whole; j < n; ++j) sum += (double)fabsf(u[j]);
  return sum;
}

/* out_noise0: the output deviates of pass 0 when drawn ahead for the batch, else NULL. */
static void mvm_vector(const mvm_job *job, const float *x, float *y, uint64_t event, const float *out_noise0,
                       aimc_io_stats *stats) {
  const aimc_io_params *io = job->io;
  const aimc_array *a = job->array;
  int n_in = job->n_in, n_out = job->n_out;
  stats->vectors++;
  if (io->is_perfect) {
    multiply(job, x, y);
    for (int k = 0; k < n_out; ++k) y[k] *= (float)io->out_scale;
    stats->passes++;
    return;
  }
  float alpha = 1.0f;
  switch (io->noise_management) {
    case AIMC_NM_NONE: alpha = 1.0f; break;
    case AIMC_NM_ABS_MAX: {
      float m = 0.0f;
#pragma omp simd reduction(max : m)
      for (int j = 0; j < n_in; ++j) m = fabsf(x[j]) > m ? fabsf(x[j]) : m;
      alpha = (io->nm_thres > 0.0 && m > io->nm_thres) ? (float)io->nm_thres : m;
      break;
    }
    case AIMC_NM_MAX: {
      float m = x[0];
      for (int j = 1; j < n_in; ++j) m = x[j] > m ? x[j] : m;
      alpha = m;
      break;
    }
    case AIMC_NM_CONSTANT: alpha = (float)io->nm_thres; break;
  }
  if (!(alpha > 0.0f)) { /* nothing to read */
    memset(y, 0, (size_t)n_out * sizeof *y);
    return;
  }
  float inp_step = io_step(io->inp_res, io->inp_bound), out_step = io_step(io->out_res, io->out_bound);
  float inp_bound = (float)io->inp_bound, out_bound = (float)io->out_bound;
  int bound_management = io->bound_management == AIMC_BM_ITERATIVE && !job->transposed;
  float factor = 1.0f;
  float *u = job->u, *v = job->v, *noise = job->scratch;
  for (uint32_t pass = 0;; ++pass) {
    float scale = alpha * factor;
    if (io->inp_sto_round && inp_step > 0.0f) fill_uniforms(a->key, event, pass, IO_INPUT_ROUND, n_in, noise);
    double abs_sum = 0.0;
    if (io->inp_sto_round && inp_step > 0.0f) {
      for (int j = 0; j < n_in; ++j) u[j] = aimc_io_quantize(x[j] / scale, inp_step, noise[j]);
    } else if (inp_step > 0.0f) {
#pragma omp simd
      for (int j = 0; j < n_in; ++j) u[j] = rintf((x[j] / scale) / inp_step) * inp_step; /* = aimc_io_quantize */
    } else {
#pragma omp simd
      for (int j = 0; j < n_in; ++j) u[j] = x[j] / scale;
    }
#pragma omp simd
    for (int j = 0; j < n_in; ++j) u[j] = u[j] < -inp_bound ? -inp_bound : (u[j] > inp_bound ? inp_bound : u[j]);
    if (io->inp_noise > 0.0) {
      fill_normals(a->key, event, pass, IO_INPUT_NOISE, n_in, noise);
      for (int j = 0; j < n_in; ++j) u[j] += (float)io->inp_noise * noise[j];
    }
    abs_sum = abs_sum_of(u, n_in);
    multiply(job, u, v);
    if (io->w_noise > 0.0 && io->w_noise_type != AIMC_WNOISE_NONE) {
      float amplitude = 0.0f;
      if (io->w_noise_type == AIMC_WNOISE_ADDITIVE_CONSTANT) {
        float norm_sq = 0.0f;
        for (int j = 0; j < n_in; ++j) norm_sq += u[j] * u[j];
        amplitude = (float)io->w_noise * sqrtf(norm_sq);
      }
      float *energy = y; /* y is free until the output is written */
      if (io->w_noise_type == AIMC_WNOISE_PCM_READ) abs_weight_energy(job, u, energy);
      fill_normals(a->key, event, pass, IO_WEIGHT_NOISE, n_out, noise);
      for (int k = 0; k < n_out; ++k) {
        float amp = io->w_noise_type == AIMC_WNOISE_PCM_READ ? (float)io->w_noise * sqrtf(energy[k]) : amplitude;
        v[k] += amp * noise[k];
      }
    }
    if (io->out_noise > 0.0) {
      const float *z = noise;
      if (pass == 0 && out_noise0)
        z = out_noise0;
      else
        fill_normals(a->key, event, pass, IO_OUTPUT_NOISE, n_out, noise);
      for (int k = 0; k < n_out; ++k) v[k] += (float)io->out_noise * z[k];
    }
    if (io->out_sto_round && out_step > 0.0f) fill_uniforms(a->key, event, pass, IO_OUTPUT_ROUND, n_out, noise);
    if (io->out_sto_round && out_step > 0.0f) {
      for (int k = 0; k < n_out; ++k) v[k] = aimc_io_quantize(v[k], out_step, noise[k]);
    } else if (out_step > 0.0f) {
#pragma omp simd
      for (int k = 0; k < n_out; ++k) v[k] = rintf(v[k] / out_step) * out_step; /* = aimc_io_quantize */
    }
    int at_bound = 0;
#pragma omp simd reduction(+ : at_bound)
    for (int k = 0; k < n_out; ++k) {
      int low = v[k] <= -out_bound, high = v[k] >= out_bound;
      at_bound += low | high;
      v[k] = low ? -out_bound : (high ? out_bound : v[k]);
    }
    stats->passes++;
    stats->dac_conversions += (uint64_t)n_in;
    stats->adc_conversions += (uint64_t)n_out;
    stats->input_abs_sum += abs_sum;
    float next = factor * 2.0f;
    if (bound_management && at_bound > 0 && next <= io->max_bm_factor &&
        next * res_fraction(io->inp_res) <= io->max_bm_res) {
      factor = next;
      continue;
    }
    stats->adc_clipped += (uint64_t)at_bound;
    float out_scale = scale * (float)io->out_scale;
    for (int k = 0; k < n_out; ++k) y[k] = v[k] * out_scale;
    return;
  }
}

static aimc_status mvm(aimc_array *array, const aimc_io_params *io, const float *in, float *out, int batch,
                       aimc_io_stats *stats, int transposed, int reference) {
  aimc_status status = aimc_io_params_validate(io);
  if (status != AIMC_OK) return status;
  if (batch < 0) return aimc_error_set(AIMC_EINVAL, "mvm: batch must be >= 0 (got %d)", batch);
  mvm_job job = {array, io, transposed, reference, transposed ? array->rows : array->cols,
                 transposed ? array->cols : array->rows, NULL, NULL, NULL};
  for (int t = 0; t < batch; ++t) {
    int finite = 1;
#pragma omp simd reduction(& : finite)
    for (int k = 0; k < job.n_in; ++k) finite &= isfinite(in[(size_t)t * job.n_in + k]) != 0;
    for (int k = 0; k < job.n_in && !finite; ++k) {
      if (!isfinite(in[(size_t)t * job.n_in + k]))
        return aimc_error_set(AIMC_ENUMERIC, "%s MVM: input[%d][%d] is %g", transposed ? "backward" : "forward", t, k,
                              (double)in[(size_t)t * job.n_in + k]);
    }
  }
  int longest = job.n_in > job.n_out ? job.n_in : job.n_out;
  /* Output deviates of pass 0 for the whole batch at once (the other passes of bound
   * management draw theirs as they come). */
  size_t stride = (size_t)(job.n_out + 3) / 4 * 4;
  size_t ahead = batch > 1 && !io->is_perfect && io->out_noise > 0.0 ? stride * (size_t)batch : 0;
  float *buffer = malloc(sizeof(float) * ((size_t)(job.n_in + job.n_out + longest) + ahead));
  if (!buffer) return aimc_error_set(AIMC_ENOMEM, "mvm: cannot allocate buffers");
  job.u = buffer;
  job.v = buffer + job.n_in;
  job.scratch = buffer + job.n_in + job.n_out;
  float *noise0 = ahead ? buffer + job.n_in + job.n_out + longest : NULL;
  if (noise0) fill_normals_batch(array->key, array->io_event, batch, IO_OUTPUT_NOISE, job.n_out, noise0);
  aimc_io_stats local = {0};
  for (int t = 0; t < batch; ++t) {
    uint64_t event = array->io_event++;
    mvm_vector(&job, in + (size_t)t * job.n_in, out + (size_t)t * job.n_out, event,
               noise0 ? noise0 + (size_t)t * stride : NULL, &local);
  }
  free(buffer);
  if (stats) aimc_io_stats_add(stats, &local);
  return AIMC_OK;
}

aimc_status aimc_array_forward(aimc_array *array, const aimc_io_params *io, const float *x, float *y, int batch,
                               aimc_io_stats *stats) {
  return mvm(array, io, x, y, batch, stats, 0, 0);
}

aimc_status aimc_array_backward(aimc_array *array, const aimc_io_params *io, const float *d, float *y, int batch,
                                aimc_io_stats *stats) {
  return mvm(array, io, d, y, batch, stats, 1, 0);
}

aimc_status aimc_array_forward_reference(aimc_array *array, const aimc_io_params *io, const float *x, float *y,
                                         int batch, aimc_io_stats *stats) {
  return mvm(array, io, x, y, batch, stats, 0, 1);
}

aimc_status aimc_array_backward_reference(aimc_array *array, const aimc_io_params *io, const float *d, float *y,
                                          int batch, aimc_io_stats *stats) {
  return mvm(array, io, d, y, batch, stats, 1, 1);
}
