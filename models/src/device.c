/*
 * Device response models with AIHWKIT's parameters (PulsedDevice and its
 * ConstantStep, LinearStep, SoftBounds, SoftBoundsReference, ExpStep, PowStep and
 * PiecewiseStep subclasses): defaults, validation, the device-to-device draws of
 * the hidden parameters, and the response queries q+, q-, F, G and the symmetric
 * point used by the paper's analysis (Wu et al. 2024, §2.2).
 *
 * Step sizes follow AIHWKIT's asymmetric-shrink construction:
 *   gain = 1 + dw_min_dtod xi (or exp(dw_min_dtod xi)), r = up_down_dtod xi',
 *   dw+ = (min(up_down, 0) + gain + r) dw_min, dw- = (-max(up_down, 0) + gain - r) dw_min,
 *   b_max = w_max (1 + w_max_dtod xi''), b_min = w_min (1 + w_min_dtod xi''').
 */
#include "aimc/device.h"

#include <math.h>
#include <string.h>

#include "device_inline.h"
#include "rng_inline.h"

static const char *const model_names[AIMC_DEVICE_MODEL_COUNT] = {
    "constant_step", "linear_step", "soft_bounds", "soft_bounds_reference",
    "exp_step",      "pow_step",    "piecewise_step"};

const char *aimc_device_model_name(aimc_device_model model) {
  return (unsigned)model < AIMC_DEVICE_MODEL_COUNT ? model_names[model] : NULL;
}

aimc_status aimc_device_model_parse(const char *name, aimc_device_model *model) {
  for (int m = 0; m < AIMC_DEVICE_MODEL_COUNT; ++m) {
    if (strcmp(name, model_names[m]) == 0) {
      *model = (aimc_device_model)m;
      return AIMC_OK;
    }
  }
  return aimc_error_set(AIMC_EINVAL, "unknown device model '%s'", name);
}

void aimc_device_params_default(aimc_device_params *p, aimc_device_model model) {
  memset(p, 0, sizeof *p);
  p->model = model;
  p->dw_min = 0.001;
  p->dw_min_dtod = 0.3;
  p->dw_min_std = 0.3;
  p->up_down = 0.0;
  p->up_down_dtod = 0.01;
  p->w_max = 0.6;
  p->w_min = -0.6;
  p->w_max_dtod = 0.3;
  p->w_min_dtod = 0.3;
  p->enforce_consistency = 1;
  p->reset_std = 0.01;
  p->mult_noise = 1;
  p->pow_gamma = 1.0;
  p->piecewise_nodes = 2;
  p->piecewise_up[0] = p->piecewise_up[1] = 1.0;
  p->piecewise_down[0] = p->piecewise_down[1] = 1.0;
  switch (model) {
    case AIMC_DEVICE_LINEAR_STEP:
      p->gamma_up_dtod = 0.05;
      p->gamma_down_dtod = 0.05;
      p->mean_bound_reference = 1;
      break;
    case AIMC_DEVICE_SOFT_BOUNDS:
      p->gamma_up = p->gamma_down = 1.0;
      break;
    case AIMC_DEVICE_SOFT_BOUNDS_REFERENCE:
      p->gamma_up = p->gamma_down = 1.0;
      p->mult_noise = 0;
      break;
    case AIMC_DEVICE_EXP_STEP:
      p->A_up = 0.00081;
      p->A_down = 0.36833;
      p->gamma_up = 12.44625;
      p->gamma_down = 12.78785;
      p->a = 0.244;
      p->b = 0.2425;
      break;
    case AIMC_DEVICE_POW_STEP:
      p->pow_gamma_dtod = 0.1;
      break;
    default:
      break;
  }
}

void aimc_device_params_ald(aimc_device_params *p, double tau, double dw_min) {
  aimc_device_params_default(p, AIMC_DEVICE_SOFT_BOUNDS);
  p->dw_min = dw_min;
  p->dw_min_dtod = 0.0;
  p->dw_min_std = 0.0;
  p->up_down_dtod = 0.0;
  p->w_max = tau;
  p->w_min = -tau;
  p->w_max_dtod = 0.0;
  p->w_min_dtod = 0.0;
  p->reset_std = 0.0;
}

#define CHECK(cond, ...)                                  \
  do {                                                    \
    if (!(cond)) return aimc_error_set(AIMC_EINVAL, __VA_ARGS__); \
  } while (0)
#define CHECK_FINITE(field) CHECK(isfinite(p->field), "device." #field " must be finite (got %g)", p->field)
#define CHECK_NONNEG(field)                                                                   \
  do {                                                                                        \
    CHECK_FINITE(field);                                                                      \
    CHECK(p->field >= 0.0, "device." #field " must be >= 0 (got %g)", p->field);              \
  } while (0)

aimc_status aimc_device_params_validate(const aimc_device_params *p) {
  CHECK((unsigned)p->model < AIMC_DEVICE_MODEL_COUNT, "device.model %d is not a known model", (int)p->model);
  CHECK_FINITE(dw_min);
  CHECK(p->dw_min > 0.0, "device.dw_min must be > 0 (got %g)", p->dw_min);
  CHECK_NONNEG(dw_min_dtod);
  CHECK_NONNEG(dw_min_std);
  CHECK_FINITE(up_down);
  CHECK(p->up_down > -1.0 && p->up_down < 1.0, "device.up_down must be in (-1, 1) (got %g)", p->up_down);
  CHECK_NONNEG(up_down_dtod);
  CHECK_FINITE(w_max);
  CHECK_FINITE(w_min);
  CHECK(p->w_min < p->w_max, "device.w_min (%g) must be < device.w_max (%g)", p->w_min, p->w_max);
  CHECK(p->w_min <= 0.0 && p->w_max >= 0.0, "device.[w_min, w_max] = [%g, %g] must contain 0", p->w_min, p->w_max);
  CHECK_NONNEG(w_max_dtod);
  CHECK_NONNEG(w_min_dtod);
  CHECK_FINITE(reset);
  CHECK_NONNEG(reset_dtod);
  CHECK_NONNEG(reset_std);
  CHECK_NONNEG(lifetime);
  CHECK(p->lifetime == 0.0 || p->lifetime >= 1.0, "device.lifetime must be 0 (off) or >= 1 (got %g)", p->lifetime);
  CHECK_NONNEG(lifetime_dtod);
  CHECK_NONNEG(diffusion);
  CHECK_NONNEG(diffusion_dtod);
  CHECK_NONNEG(write_noise_std);
  CHECK_FINITE(gamma_up);
  CHECK_FINITE(gamma_down);
  CHECK_NONNEG(gamma_up_dtod);
  CHECK_NONNEG(gamma_down_dtod);
  if (p->model == AIMC_DEVICE_LINEAR_STEP && !p->allow_increasing) {
    CHECK(p->gamma_up >= 0.0 && p->gamma_down >= 0.0,
          "device.gamma_up/gamma_down must be >= 0 unless allow_increasing (got %g, %g)", p->gamma_up,
          p->gamma_down);
  }
  CHECK_FINITE(reference_mean);
  CHECK_NONNEG(reference_std);
  CHECK_FINITE(A_up);
  CHECK_FINITE(A_down);
  CHECK_FINITE(a);
  CHECK_FINITE(b);
  CHECK_NONNEG(dw_min_std_add);
  CHECK_NONNEG(dw_min_std_slope);
  CHECK_FINITE(pow_gamma);
  CHECK(p->pow_gamma > 0.0, "device.pow_gamma must be > 0 (got %g)", p->pow_gamma);
  CHECK_NONNEG(pow_gamma_dtod);
  CHECK_FINITE(pow_up_down);
  CHECK(p->pow_up_down > -1.0 && p->pow_up_down < 1.0, "device.pow_up_down must be in (-1, 1) (got %g)",
        p->pow_up_down);
  CHECK_NONNEG(pow_up_down_dtod);
  CHECK(p->piecewise_nodes >= 2 && p->piecewise_nodes <= AIMC_PIECEWISE_MAX_NODES,
        "device.piecewise_up/down must have 2..%d nodes (got %d)", AIMC_PIECEWISE_MAX_NODES, p->piecewise_nodes);
  for (int k = 0; k < p->piecewise_nodes; ++k) {
    CHECK(isfinite(p->piecewise_up[k]) && p->piecewise_up[k] >= 0.0,
          "device.piecewise_up[%d] must be finite and >= 0 (got %g)", k, p->piecewise_up[k]);
    CHECK(isfinite(p->piecewise_down[k]) && p->piecewise_down[k] >= 0.0,
          "device.piecewise_down[%d] must be finite and >= 0 (got %g)", k, p->piecewise_down[k]);
  }
  CHECK(isfinite(p->half_select_disturb) && p->half_select_disturb >= 0.0 && p->half_select_disturb <= 1.0,
        "device.half_select_disturb must be in [0, 1] (got %g)", p->half_select_disturb);
  return AIMC_OK;
}

/* Normal deviates of the construction draws: 16 per cell, addressed by index. */
enum draw_index {
  DRAW_GAIN, DRAW_UP_DOWN, DRAW_W_MAX, DRAW_W_MIN,
  DRAW_GAMMA_UP, DRAW_GAMMA_DOWN, DRAW_RESET, DRAW_LIFETIME,
  DRAW_DIFFUSION, DRAW_REFERENCE, DRAW_POW_GAMMA, DRAW_POW_UP_DOWN,
  DRAW_COUNT
};

static void draw_normals(uint64_t seed, uint32_t row, uint32_t col, float xi[DRAW_COUNT]) {
  aimc_rng_key key = aimc_rng_key_make(seed, 0xD70Du);
  for (uint32_t block = 0; block < DRAW_COUNT / 4; ++block) {
    rng_normal4(key, 0, block, AIMC_RNG_DTOD, row, col, xi + 4 * block);
  }
}

/* Fills the model-specific fields of `cell` from its steps and bounds. */
static void finish_cell(const aimc_device *device, aimc_cell *cell, float gamma_up, float gamma_down,
                        float reference) {
  const aimc_device_params *p = &device->params;
  switch (p->model) {
    case AIMC_DEVICE_CONSTANT_STEP:
      cell->slope_up = cell->slope_down = 0.0f;
      cell->offset_up = cell->dw_up;
      cell->offset_down = cell->dw_down;
      break;
    case AIMC_DEVICE_LINEAR_STEP: {
      float ref_up = p->mean_bound_reference ? (float)p->w_max : cell->b_max;
      float ref_down = p->mean_bound_reference ? (float)p->w_min : cell->b_min;
      cell->slope_up = ref_up != 0.0f ? -gamma_up * cell->dw_up / ref_up : 0.0f;
      cell->slope_down = ref_down != 0.0f ? -gamma_down * cell->dw_down / ref_down : 0.0f;
      cell->offset_up = cell->dw_up;
      cell->offset_down = cell->dw_down;
      break;
    }
    case AIMC_DEVICE_SOFT_BOUNDS:
    case AIMC_DEVICE_SOFT_BOUNDS_REFERENCE: {
      /* Steps act on v = w + r: dw+ (1 - v/b_max) and dw- (1 - v/b_min); bounds apply to v. */
      cell->slope_up = cell->b_max != 0.0f ? -cell->dw_up / cell->b_max : 0.0f;
      cell->slope_down = cell->b_min != 0.0f ? -cell->dw_down / cell->b_min : 0.0f;
      float r = reference;
      if (p->model == AIMC_DEVICE_SOFT_BOUNDS_REFERENCE && p->subtract_symmetry_point) {
        float denominator = -cell->slope_up + cell->slope_down; /* dw+/b_max - dw-/b_min */
        if (denominator != 0.0f) r += (cell->dw_up - cell->dw_down) / denominator;
      }
      cell->offset_up = cell->dw_up + cell->slope_up * r;
      cell->offset_down = cell->dw_down + cell->slope_down * r;
      cell->b_max -= r;
      cell->b_min -= r;
      break;
    }
    case AIMC_DEVICE_EXP_STEP:
      /* The step is computed from the bounds in device_step, as AIHWKIT does. */
      cell->slope_up = cell->slope_down = 0.0f;
      cell->offset_up = cell->offset_down = 0.0f;
      break;
    case AIMC_DEVICE_POW_STEP:
      cell->slope_up = gamma_up;
      cell->slope_down = gamma_down;
      cell->offset_up = cell->offset_down = 0.0f;
      break;
    case AIMC_DEVICE_PIECEWISE_STEP:
    case AIMC_DEVICE_MODEL_COUNT:
      cell->slope_up = cell->slope_down = 0.0f;
      cell->offset_up = cell->offset_down = 0.0f;
      break;
  }
}

/* The construction in AIHWKIT's precision: its parameters and every product are
 * float (PulsedRPUDevice::populate, rpu_pulsed_device.cpp:604-734 of v0.9.0), so
 * each parameter is rounded to float first and each operation rounds to float in
 * AIHWKIT's order; a double product rounded once at the end can differ by an ulp. */
static void build_cell(const aimc_device *device, const float xi[DRAW_COUNT], aimc_cell *cell) {
  const aimc_device_params *p = &device->params;
  const float dw_min = (float)p->dw_min, up_down = (float)p->up_down;
  const float gain_std = (float)p->dw_min_dtod, up_down_std = (float)p->up_down_dtod;
  const float up_bias = up_down > 0.0f ? 0.0f : up_down;
  const float down_bias = up_down > 0.0f ? -up_down : 0.0f;
  float b_max = (float)p->w_max * (1.0f + (float)p->w_max_dtod * xi[DRAW_W_MAX]);
  float b_min = (float)p->w_min * (1.0f + (float)p->w_min_dtod * xi[DRAW_W_MIN]);
  float gain = p->dw_min_dtod_log_normal ? expf(gain_std * xi[DRAW_GAIN]) : 1.0f + gain_std * xi[DRAW_GAIN];
  float r = up_down_std * xi[DRAW_UP_DOWN];
  float dw_up = (up_bias + gain + r) * dw_min;
  float dw_down = (down_bias + gain - r) * dw_min;
  if (p->enforce_consistency) {
    dw_up = fabsf(dw_up);
    dw_down = fabsf(dw_down);
    if (b_min > b_max) {
      float t = b_min;
      b_min = b_max;
      b_max = t;
    }
    /* rpu_pulsed_device.cpp:643-644: a bound drawn across 0 is mirrored, not cut at 0. */
    b_max = fabsf(b_max);
    b_min = -fabsf(b_min);
  } else if (b_min > b_max) {
    /* rpu_pulsed_device.cpp:648-651: crossed bounds "turn off" the device at their middle. */
    float middle = b_max + (b_min - b_max) / 2.0f;
    b_max = b_min = middle;
  }
  cell->dw_up = dw_up;
  cell->dw_down = dw_down;
  cell->b_max = b_max;
  cell->b_min = b_min;

  float gamma_up = 0.0f, gamma_down = 0.0f;
  if (p->model == AIMC_DEVICE_LINEAR_STEP) {
    gamma_up = (float)p->gamma_up + (float)p->gamma_up_dtod * xi[DRAW_GAMMA_UP];
    gamma_down = (float)p->gamma_down + (float)p->gamma_down_dtod * xi[DRAW_GAMMA_DOWN];
    if (!p->allow_increasing) {
      /* rpu_linearstep_device.cpp:45-49: a negative draw is folded to its magnitude. */
      gamma_up = fabsf(gamma_up);
      gamma_down = fabsf(gamma_down);
    }
  } else if (p->model == AIMC_DEVICE_POW_STEP) {
    /* PowStepRPUDevice::populate, rpu_powstep_device.cpp:33-53. */
    const float pow_gamma = (float)p->pow_gamma, pow_up_down = (float)p->pow_up_down;
    float pow_r = (float)p->pow_up_down_dtod * xi[DRAW_POW_UP_DOWN];
    float pow_up_bias = pow_up_down > 0.0f ? 0.0f : pow_up_down;
    float pow_down_bias = pow_up_down > 0.0f ? -pow_up_down : 0.0f;
    float pow_gain = 1.0f + (float)p->pow_gamma_dtod * xi[DRAW_POW_GAMMA];
    gamma_up = (pow_up_bias + pow_gain + pow_r) * pow_gamma;
    gamma_down = (pow_down_bias + pow_gain - pow_r) * pow_gamma;
    if (p->enforce_consistency) {
      gamma_up = fabsf(gamma_up);
      gamma_down = fabsf(gamma_down);
    }
  }
  float reference = (float)p->reference_mean + (float)p->reference_std * xi[DRAW_REFERENCE];
  if (p->model != AIMC_DEVICE_SOFT_BOUNDS_REFERENCE) reference = 0.0f;
  finish_cell(device, cell, gamma_up, gamma_down, reference);

  cell->reset_bias = (float)p->reset + (float)p->reset_dtod * xi[DRAW_RESET];
  if (p->lifetime > 0.0) {
    float life = (float)p->lifetime * (1.0f + (float)p->lifetime_dtod * xi[DRAW_LIFETIME]);
    cell->decay_scale = life > 1.0f ? 1.0f - 1.0f / life : 0.0f;
  } else {
    cell->decay_scale = 1.0f;
  }
  cell->diffusion = fabsf((float)p->diffusion * (1.0f + (float)p->diffusion_dtod * xi[DRAW_DIFFUSION]));
}

void aimc_device_mean_cell(const aimc_device *device, aimc_cell *cell) {
  float xi[DRAW_COUNT] = {0};
  build_cell(device, xi, cell);
}

void aimc_device_draw_cell(const aimc_device *device, uint32_t row, uint32_t col, aimc_cell *cell) {
  float xi[DRAW_COUNT];
  draw_normals(device->params.construction_seed, row, col, xi);
  build_cell(device, xi, cell);
}

enum { DRAW_LANES = 16 };

void aimc_device_draw_cells(const aimc_device *device, uint32_t row, uint32_t col0, int n, aimc_cell *cells) {
  aimc_rng_key key = aimc_rng_key_make(device->params.construction_seed, 0xD70Du);
  /* The counters of draw_normals (event 0): (0, block << 16, purpose | row, column). */
  const uint32_t c2 = ((uint32_t)AIMC_RNG_DTOD << 28) | (row & 0x0FFFFFFFu);
  for (int first = 0; first < n; first += DRAW_LANES) {
    float xi[DRAW_COUNT][DRAW_LANES];
    for (uint32_t block = 0; block < DRAW_COUNT / 4; ++block) {
#pragma omp simd
      for (int l = 0; l < DRAW_LANES; ++l) {
        uint32_t w0, w1, w2, w3;
        rng_philox_lane(key.k0, key.k1, 0u, block << 16, c2, col0 + (uint32_t)(first + l), &w0, &w1, &w2, &w3);
        rng_box_muller(w0, w1, &xi[4 * block][l], &xi[4 * block + 1][l]);
        rng_box_muller(w2, w3, &xi[4 * block + 2][l], &xi[4 * block + 3][l]);
      }
    }
    int lanes = n - first < DRAW_LANES ? n - first : DRAW_LANES;
    for (int l = 0; l < lanes; ++l) {
      float x[DRAW_COUNT];
      for (int k = 0; k < DRAW_COUNT; ++k) x[k] = xi[k][l];
      build_cell(device, x, &cells[first + l]);
    }
  }
}

/* AIHWKIT's calcWeightGranularity per device family, in its float arithmetic
 * (v0.9.0, unchanged in v1.1.0; src/rpucuda/):
 *   ConstantStep  rpu_constantstep_device.h:31        dw_min
 *   LinearStep    rpu_linearstep_device.h:67          dw_min (SoftBounds inherits it)
 *   SoftBoundsRef rpu_softbounds_reference_device.h:44 dw_min
 *   ExpStep       rpu_expstep_device.h:50-60          the mean device's DOWN step at
 *                 w = 0 (its line 59 averages dw_down with itself), dw_min if that is 0
 *   PowStep       rpu_powstep_device.h:39             dw_min 0.5^ps_gamma
 *   PiecewiseStep rpu_piecewisestep_device.h:41-44    dw_min piecewise_up[n / 2] */
float aimc_device_granularity(const aimc_device_params *p) {
  const float dw_min = (float)p->dw_min;
  switch (p->model) {
    case AIMC_DEVICE_EXP_STEP: {
      const float up_down = (float)p->up_down;
      const float down_bias = up_down > 0.0f ? -up_down : 0.0f;
      const float scale_down = (down_bias + 1.0f) * dw_min;
      const float w = 0.0f;
      const float z = 2.0f * w / ((float)p->w_max - (float)p->w_min) * (float)p->a + (float)p->b;
      float y_down = 1.0f - (float)p->A_down * expf((float)p->gamma_down * -z);
      if (!(y_down > 0.0f)) y_down = 0.0f;
      const float dw_down = scale_down * y_down;
      const float g = (dw_down + dw_down) / 2.0f;
      return g > 0.0f ? g : dw_min;
    }
    case AIMC_DEVICE_POW_STEP:
      return dw_min * powf(0.5f, (float)p->pow_gamma);
    case AIMC_DEVICE_PIECEWISE_STEP:
      return dw_min * (float)p->piecewise_up[p->piecewise_nodes / 2];
    default:
      return dw_min;
  }
}

aimc_status aimc_device_init(aimc_device *device, const aimc_device_params *params) {
  aimc_status status = aimc_device_params_validate(params);
  if (status != AIMC_OK) return status;
  memset(device, 0, sizeof *device);
  device->params = *params;
  const aimc_device_params *p = &device->params;
  device->sigma = (float)p->dw_min_std;
  device->affine = p->model <= AIMC_DEVICE_SOFT_BOUNDS_REFERENCE;
  device->additive_noise = device->affine && p->model != AIMC_DEVICE_CONSTANT_STEP && !p->mult_noise;
  device->complex_noise = p->model == AIMC_DEVICE_EXP_STEP && p->dw_min_std > 0.0 &&
                          (p->dw_min_std_add != 0.0 || p->dw_min_std_slope != 0.0);
  device->granularity = aimc_device_granularity(p);
  if (p->model == AIMC_DEVICE_PIECEWISE_STEP && !(device->granularity > 0.0f))
    return aimc_error_set(AIMC_EINVAL, "device: piecewise_up is 0 at the middle node (index %d)",
                          p->piecewise_nodes / 2);
  return AIMC_OK;
}

float aimc_device_step(const aimc_device *device, const aimc_cell *cell, float w, int sign) {
  return device_step(device, cell, w, sign);
}

float aimc_device_pulse(const aimc_device *device, const aimc_cell *cell, float w, int sign, float xi) {
  return device_pulse(device, cell, w, sign, xi);
}

float aimc_device_pulses(const aimc_device *device, const aimc_cell *cell, float w, int sign, int n) {
  for (int k = 0; k < n; ++k) w = device_pulse(device, cell, w, sign, 0.0f);
  return w;
}

double aimc_device_q_up(const aimc_device *device, const aimc_cell *cell, double w) {
  return device_step(device, cell, (float)w, +1) / (double)device->granularity;
}

double aimc_device_q_down(const aimc_device *device, const aimc_cell *cell, double w) {
  return device_step(device, cell, (float)w, -1) / (double)device->granularity;
}

double aimc_device_F(const aimc_device *device, const aimc_cell *cell, double w) {
  return 0.5 * (aimc_device_q_down(device, cell, w) + aimc_device_q_up(device, cell, w));
}

double aimc_device_G(const aimc_device *device, const aimc_cell *cell, double w) {
  return 0.5 * (aimc_device_q_down(device, cell, w) - aimc_device_q_up(device, cell, w));
}

aimc_status aimc_device_symmetric_point(const aimc_device *device, const aimc_cell *cell, double *w_sym) {
  if (device->affine) {
    /* q+ = q-  <=>  a+ w + c+ = a- w + c-. */
    double denominator = (double)cell->slope_up - (double)cell->slope_down;
    double numerator = (double)cell->offset_down - (double)cell->offset_up;
    if (denominator != 0.0) {
      double w = numerator / denominator;
      if (w >= cell->b_min && w <= cell->b_max) {
        *w_sym = w;
        return AIMC_OK;
      }
    } else if (numerator == 0.0) {
      *w_sym = 0.0; /* symmetric everywhere */
      return AIMC_OK;
    }
  }
  double lo = cell->b_min, hi = cell->b_max;
  double g_lo = aimc_device_G(device, cell, lo), g_hi = aimc_device_G(device, cell, hi);
  if (g_lo == 0.0) {
    *w_sym = lo;
    return AIMC_OK;
  }
  if (g_hi == 0.0) {
    *w_sym = hi;
    return AIMC_OK;
  }
  if ((g_lo > 0.0) == (g_hi > 0.0)) {
    *w_sym = fabs(g_lo) < fabs(g_hi) ? lo : hi;
    return aimc_error_set(AIMC_EINVAL, "device has no symmetric point in [%g, %g]", lo, hi);
  }
  for (int iteration = 0; iteration < 100 && hi - lo > 1e-12 * (1.0 + fabs(lo)); ++iteration) {
    double mid = 0.5 * (lo + hi);
    double g_mid = aimc_device_G(device, cell, mid);
    if ((g_mid > 0.0) == (g_lo > 0.0)) {
      lo = mid;
      g_lo = g_mid;
    } else {
      hi = mid;
    }
  }
  *w_sym = 0.5 * (lo + hi);
  return AIMC_OK;
}
