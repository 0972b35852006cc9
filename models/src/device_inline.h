/*
 * The per-pulse device response, inlined into every kernel so that the fast
 * update, its reference loop and the response queries compute the same floats.
 */
#ifndef AIMC_DEVICE_INLINE_H
#define AIMC_DEVICE_INLINE_H

#include <math.h>

#include "aimc/device.h"

static inline float clip_float(float v, float lo, float hi) { return v < lo ? lo : (v > hi ? hi : v); }

/* Noise-free step magnitude of one pulse (sign +1 up, -1 down) at weight w. */
static inline float device_step(const aimc_device *device, const aimc_cell *cell, float w, int sign) {
  const aimc_device_params *p = &device->params;
  switch (p->model) {
    case AIMC_DEVICE_CONSTANT_STEP:
    case AIMC_DEVICE_LINEAR_STEP:
    case AIMC_DEVICE_SOFT_BOUNDS:
    case AIMC_DEVICE_SOFT_BOUNDS_REFERENCE:
      return sign > 0 ? cell->slope_up * w + cell->offset_up : cell->slope_down * w + cell->offset_down;
    case AIMC_DEVICE_EXP_STEP: {
      /* AIHWKIT's update_once (rpu_expstep_device.cpp:40-50, v0.9.0), in its float order:
       * z = 2 w / (b_max - b_min) * a + b; a stuck cell (no range) does not move. */
      float range = cell->b_max - cell->b_min;
      if (!(range > 0.0f)) return 0.0f;
      float z = 2.0f * w / range * (float)p->a + (float)p->b;
      float v = sign > 0 ? 1.0f - (float)p->A_up * expf((float)p->gamma_up * z)
                         : 1.0f - (float)p->A_down * expf(-(float)p->gamma_down * z);
      return v > 0.0f ? (sign > 0 ? cell->dw_up : cell->dw_down) * v : 0.0f;
    }
    case AIMC_DEVICE_POW_STEP: {
      float range = cell->b_max - cell->b_min;
      if (!(range > 0.0f)) return 0.0f; /* a stuck cell (rpu_powstep_device.cpp:108-111) */
      float base = sign > 0 ? (cell->b_max - w) / range : (w - cell->b_min) / range;
      if (base <= 0.0f) return 0.0f;
      return sign > 0 ? cell->dw_up * powf(base, cell->slope_up) : cell->dw_down * powf(base, cell->slope_down);
    }
    case AIMC_DEVICE_PIECEWISE_STEP: {
      int segments = p->piecewise_nodes - 1;
      const double *nodes = sign > 0 ? p->piecewise_up : p->piecewise_down;
      /* A stuck cell takes the first node (rpu_piecewisestep_device.cpp:51-60). */
      if (!(cell->b_max > cell->b_min)) return (float)nodes[0] * (sign > 0 ? cell->dw_up : cell->dw_down);
      float s = (w - cell->b_min) / (cell->b_max - cell->b_min) * (float)segments;
      if (s < 0.0f) s = 0.0f;
      int k = (int)s;
      if (k > segments - 1) k = segments - 1;
      float t = s - (float)k;
      if (t > 1.0f) t = 1.0f;
      float factor = (1.0f - t) * (float)nodes[k] + t * (float)nodes[k + 1];
      return (sign > 0 ? cell->dw_up : cell->dw_down) * factor;
    }
    case AIMC_DEVICE_MODEL_COUNT: break;
  }
  return 0.0f;
}

/* One pulse with standard normal deviate xi, clipped to the cell's bounds. */
static inline float device_pulse(const aimc_device *device, const aimc_cell *cell, float w, int sign, float xi) {
  float step = device_step(device, cell, w, sign);
  float sigma = device->sigma;
  float dw;
  if (device->additive_noise) {
    dw = step + (sign > 0 ? cell->dw_up : cell->dw_down) * sigma * xi;
  } else if (device->complex_noise) {
    const aimc_device_params *p = &device->params;
    dw = step + sigma * (step + (float)p->dw_min_std_add + (float)p->dw_min_std_slope * fabsf(w)) * xi * (float)sign;
  } else {
    dw = step * (1.0f + sigma * xi);
  }
  return clip_float(w + (float)sign * dw, cell->b_min, cell->b_max);
}

/* One noise-free pulse scaled by `fraction` (half-select disturb). */
static inline float device_partial_pulse(const aimc_device *device, const aimc_cell *cell, float w, int sign,
                                         float fraction) {
  float step = device_step(device, cell, w, sign);
  return clip_float(w + (float)sign * fraction * step, cell->b_min, cell->b_max);
}

#endif
