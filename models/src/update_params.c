/*
 * Update parameters (AIHWKIT's UpdateParameters), their validation, and the
 * choice of BL and of the probability scales A, B for one sample (AIHWKIT's
 * calculateBlAB and update management, see update.h).
 */
#include <math.h>
#include <string.h>

#include "aimc/update.h"

static const char *const pulse_type_names[AIMC_PULSE_TYPE_COUNT] = {
    "stochastic_compressed", "mean_count", "deterministic_implicit", "none", "none_with_device", "expected"};

const char *aimc_pulse_type_name(aimc_pulse_type type) {
  return (unsigned)type < AIMC_PULSE_TYPE_COUNT ? pulse_type_names[type] : NULL;
}

aimc_status aimc_pulse_type_parse(const char *name, aimc_pulse_type *type) {
  for (int t = 0; t < AIMC_PULSE_TYPE_COUNT; ++t) {
    if (strcmp(name, pulse_type_names[t]) == 0) {
      *type = (aimc_pulse_type)t;
      return AIMC_OK;
    }
  }
  return aimc_error_set(AIMC_EINVAL, "unknown pulse type '%s'", name);
}

void aimc_update_params_default(aimc_update_params *p) {
  memset(p, 0, sizeof *p);
  p->pulse_type = AIMC_PULSE_STOCHASTIC_COMPRESSED;
  p->desired_bl = 31;
  p->fixed_bl = 1;
  p->update_management = 1;
  p->update_bl_management = 1;
  p->um_grad_scale = 1.0;
}

aimc_status aimc_update_params_validate(const aimc_update_params *p) {
  if ((unsigned)p->pulse_type >= AIMC_PULSE_TYPE_COUNT)
    return aimc_error_set(AIMC_EINVAL, "update.pulse_type %d is not a known type", (int)p->pulse_type);
  if (p->desired_bl < 1 || p->desired_bl > AIMC_MAX_BL)
    return aimc_error_set(AIMC_EINVAL, "update.desired_bl must be in [1, %d] (got %d)", AIMC_MAX_BL, p->desired_bl);
  if (!isfinite(p->um_grad_scale) || p->um_grad_scale <= 0.0)
    return aimc_error_set(AIMC_EINVAL, "update.um_grad_scale must be finite and > 0 (got %g)", p->um_grad_scale);
  if (!isfinite(p->res))
    return aimc_error_set(AIMC_EINVAL, "update.res must be finite (got %g)", p->res);
  if (!isfinite(p->x_res_implicit) || !isfinite(p->d_res_implicit))
    return aimc_error_set(AIMC_EINVAL, "update.x_res_implicit and d_res_implicit must be finite");
  return AIMC_OK;
}

void aimc_update_stats_add(aimc_update_stats *into, const aimc_update_stats *from) {
  into->samples += from->samples;
  into->skipped += from->skipped;
  into->slots += from->slots;
  into->row_pulses += from->row_pulses;
  into->col_pulses += from->col_pulses;
  into->pulses_up += from->pulses_up;
  into->pulses_down += from->pulses_down;
  into->cells_touched += from->cells_touched;
  into->half_selected += from->half_selected;
  if (from->max_pulses_cell > into->max_pulses_cell) into->max_pulses_cell = from->max_pulses_cell;
}

aimc_bl_scales aimc_update_bl_scales(const aimc_update_params *p, float lr, float granularity, float x_abs_max,
                                     float d_abs_max, float dw_min) {
  aimc_bl_scales s = {0, 0.0f, 0.0f};
  double lr_abs = fabs((double)lr);
  if (!(x_abs_max > 0.0f) || !(d_abs_max > 0.0f) || lr_abs == 0.0) return s;
  double g = granularity;
  if (!p->fixed_bl && (double)dw_min * p->desired_bl < lr_abs) {
    double bl = ceil(lr_abs / dw_min);
    s.bl = bl > AIMC_MAX_BL ? AIMC_MAX_BL : (int)bl;
    s.a = s.b = 1.0f;
    return s;
  }
  int bl = p->desired_bl;
  double d_max = p->um_grad_scale * d_abs_max;
  double k = lr_abs * x_abs_max * d_max / g;
  if (p->update_bl_management) {
    double needed = ceil(k);
    bl = needed < bl ? (int)needed : bl;
    if (bl < 1) bl = 1;
  }
  double scale = sqrt(lr_abs / (g * bl));
  double a = scale, b = scale;
  if (p->update_management || p->update_bl_management) {
    if (k > p->desired_bl) d_max *= p->desired_bl / k;
    a *= sqrt(x_abs_max / d_max);
    b *= sqrt(d_max / x_abs_max);
  }
  s.bl = bl;
  s.a = (float)a;
  s.b = (float)b;
  return s;
}
