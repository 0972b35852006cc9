/*
 * Pulsed resistive device models, with the parameter names and meanings of IBM's
 * AIHWKIT (PulsedDevice and its subclasses; see docs/models.md).
 *
 * One pulse of sign s on a device at weight w does
 *     w <- clip(w + s * dw_s(w) * (1 + dw_min_std * xi), b_min, b_max)
 * with a model-specific, state-dependent step dw_s(w) and xi ~ N(0,1). The
 * models are ConstantStep, LinearStep, SoftBounds (LinearStep with gamma = 1
 * and per-device bounds), SoftBoundsReference (additive noise and a static
 * reference), ExpStep, PowStep and PiecewiseStep.
 *
 * The normalised response factors q+(w) = dw_+(w)/g and q-(w) = dw_-(w)/g,
 * with g the device's weight granularity, give the paper's (Wu et al. 2024)
 * F(w) = (q- + q+)/2, G(w) = (q- - q+)/2 and symmetric point G(w*) = 0. The
 * asymmetric linear device (ALD) with asymmetry tau is SoftBounds (or LinearStep
 * with gamma_up = gamma_down = 1) with w_max = tau, w_min = -tau and no
 * variation: q+(w) = 1 - w/tau, q-(w) = 1 + w/tau.
 *
 * Device-to-device variation is drawn once when an array is built; every draw
 * is keyed by (construction seed, parameter, row, column), so a cell's hidden
 * parameters do not depend on the array's shape or on thread count.
 */
#ifndef AIMC_DEVICE_H
#define AIMC_DEVICE_H

#include <stddef.h>
#include <stdint.h>

#include "aimc/error.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum aimc_device_model {
  AIMC_DEVICE_CONSTANT_STEP = 0,
  AIMC_DEVICE_LINEAR_STEP,
  AIMC_DEVICE_SOFT_BOUNDS,
  AIMC_DEVICE_SOFT_BOUNDS_REFERENCE,
  AIMC_DEVICE_EXP_STEP,
  AIMC_DEVICE_POW_STEP,
  AIMC_DEVICE_PIECEWISE_STEP,
  AIMC_DEVICE_MODEL_COUNT
} aimc_device_model;

#define AIMC_PIECEWISE_MAX_NODES 64

/* All parameters of all models; aimc_device_params_default() sets AIHWKIT's
 * defaults for the chosen model. Weights are in normalised units. */
typedef struct aimc_device_params {
  aimc_device_model model;
  /* PulsedDevice (common) */
  double dw_min;            /* mean weight change per pulse, > 0 */
  double dw_min_dtod;       /* device-to-device spread of dw_min, relative, >= 0 */
  int dw_min_dtod_log_normal; /* 1: gain = exp(dw_min_dtod*xi) instead of 1 + dw_min_dtod*xi */
  double dw_min_std;        /* cycle-to-cycle noise of a step, relative to the step, >= 0 */
  double up_down;           /* systematic up/down asymmetry, in (-1, 1) */
  double up_down_dtod;      /* device-to-device asymmetry spread, in units of dw_min, >= 0 */
  double w_max;             /* mean upper bound, >= 0 */
  double w_min;             /* mean lower bound, <= 0, < w_max */
  double w_max_dtod;        /* relative spread of the upper bound, >= 0 */
  double w_min_dtod;        /* relative spread of the lower bound, >= 0 */
  int enforce_consistency;  /* 1: |steps|, ordered bounds, b_max = |b_max|, b_min = -|b_min|;
                               0: crossed bounds meet at their middle (a stuck cell) */
  double reset;             /* mean reset target */
  double reset_dtod;        /* device-to-device spread of the reset target (absolute), >= 0 */
  double reset_std;         /* cycle-to-cycle spread of a reset (absolute), >= 0 */
  double lifetime;          /* decay time constant in decay calls; 0 = no decay, else >= 1 */
  double lifetime_dtod;     /* relative spread of the lifetime, >= 0 */
  double diffusion;         /* std of the random walk per diffusion call, >= 0 */
  double diffusion_dtod;    /* relative spread of the diffusion rate, >= 0 */
  double write_noise_std;   /* read-visible write noise, in units of dw_min, >= 0 */
  /* LinearStep / SoftBounds */
  double gamma_up;          /* LinearStep: relative step reduction at w_max; ExpStep: exponent of up */
  double gamma_down;        /* LinearStep: relative step reduction at w_min; ExpStep: exponent of down */
  double gamma_up_dtod;     /* device-to-device spread of gamma_up (absolute), >= 0 */
  double gamma_down_dtod;   /* device-to-device spread of gamma_down (absolute), >= 0 */
  int allow_increasing;     /* 1: negative gamma draws kept (step growing with w); 0: |gamma| */
  int mean_bound_reference; /* 1: slopes refer to the mean bounds w_max/w_min, 0: per-device bounds */
  int mult_noise;           /* 1: noise multiplies the whole step; 0: only dw_min (additive) */
  /* SoftBoundsReference */
  double reference_mean;    /* static reference added to w before the step */
  double reference_std;     /* device-to-device spread of the reference, >= 0 */
  int subtract_symmetry_point; /* 1: centre each device on its symmetry point */
  /* ExpStep */
  double A_up;              /* amplitude of the exponential up-saturation */
  double A_down;            /* amplitude of the exponential down-saturation */
  double a;                 /* ExpStep z-scale: z = 2a*w/(b_max - b_min) + b */
  double b;                 /* ExpStep z-offset */
  double dw_min_std_add;    /* ExpStep complex noise, additive part (absolute), >= 0 */
  double dw_min_std_slope;  /* ExpStep complex noise, |w|-proportional part, >= 0 */
  /* PowStep */
  double pow_gamma;         /* exponent of the power response, > 0 */
  double pow_gamma_dtod;    /* relative spread of the exponent, >= 0 */
  double pow_up_down;       /* up/down asymmetry of the exponent, in (-1, 1) */
  double pow_up_down_dtod;  /* device-to-device spread of that asymmetry, >= 0 */
  /* PiecewiseStep */
  int piecewise_nodes;      /* number of nodes, 2..AIMC_PIECEWISE_MAX_NODES (0: default [1,1]) */
  double piecewise_up[AIMC_PIECEWISE_MAX_NODES];   /* relative up step at evenly spaced nodes, >= 0 */
  double piecewise_down[AIMC_PIECEWISE_MAX_NODES]; /* relative down step at the nodes, >= 0 */
  /* aimcsim extension (not in AIHWKIT) */
  double half_select_disturb; /* fraction of a pulse's response applied per half-select, in [0, 1] */
  uint64_t construction_seed; /* seed of the device-to-device draws */
} aimc_device_params;

/* AIHWKIT's defaults for `model` (PulsedDevice defaults plus the model's own). */
void aimc_device_params_default(aimc_device_params *params, aimc_device_model model);

/* The paper's asymmetric linear device: SoftBounds on [-tau, tau], no variation,
 * no cycle noise, step dw_min. */
void aimc_device_params_ald(aimc_device_params *params, double tau, double dw_min);

/* Checks every field; AIMC_EINVAL with a message naming the field otherwise. */
aimc_status aimc_device_params_validate(const aimc_device_params *params);

/* Lower-case names ("soft_bounds", ...); NULL for an invalid model. */
const char *aimc_device_model_name(aimc_device_model model);
/* Parses a name; returns AIMC_EINVAL for an unknown one. */
aimc_status aimc_device_model_parse(const char *name, aimc_device_model *model);

/*
 * The hidden parameters of one device, drawn at construction. All models share
 * one representation: the step magnitudes are affine, a*w + c, for ConstantStep,
 * LinearStep and SoftBounds(Reference) (a static reference is folded into c and
 * the bounds), and model-specific otherwise (ExpStep, PowStep, PiecewiseStep,
 * never negative). Bounds are those of the weight the array reads.
 */
typedef struct aimc_cell {
  float dw_up;       /* Delta w+ (mean up step at the reference state), >= 0 */
  float dw_down;     /* Delta w- (mean down step), >= 0 */
  float b_max;       /* upper bound of the stored weight */
  float b_min;       /* lower bound of the stored weight */
  float slope_up;    /* affine: a+; PowStep: exponent gamma+; ExpStep: 0 (unused) */
  float slope_down;  /* affine models: a- ; PowStep: gamma- exponent */
  float offset_up;   /* affine models: c+ (step at w = 0) */
  float offset_down; /* affine models: c- */
  float reset_bias;  /* reset target */
  float decay_scale; /* 1 - 1/lifetime (1: no decay) */
  float diffusion;   /* diffusion rate */
} aimc_cell;

/* A built device description shared by all cells of an array. */
typedef struct aimc_device {
  aimc_device_params params;
  float granularity; /* aimc_device_granularity(params): the update management unit */
  float sigma;       /* dw_min_std */
  int affine;        /* 1 for the affine-step models */
  int additive_noise;/* 1 if noise scales dw_min only */
  int complex_noise; /* 1 for ExpStep's noise with additive and |w|-slope parts */
} aimc_device;

/* Prepares the shared description; validates the parameters first. */
aimc_status aimc_device_init(aimc_device *device, const aimc_device_params *params);

/* Draws the hidden parameters of cell (row, col). */
void aimc_device_draw_cell(const aimc_device *device, uint32_t row, uint32_t col, aimc_cell *cell);
/* The same draws for cells (row, col0 .. col0 + n - 1), sixteen columns at a
 * time in vector lanes; cells[k] is column col0 + k. */
void aimc_device_draw_cells(const aimc_device *device, uint32_t row, uint32_t col0, int n, aimc_cell *cells);

/* The noise-free step of one pulse of sign s (+1 up, -1 down) at weight w, >= 0. */
float aimc_device_step(const aimc_device *device, const aimc_cell *cell, float w, int sign);

/* One pulse of sign s with normal deviate xi: the update rule above, clipped. */
float aimc_device_pulse(const aimc_device *device, const aimc_cell *cell, float w, int sign, float xi);

/* n noise-free pulses of sign s, applied one after another (n >= 0). */
float aimc_device_pulses(const aimc_device *device, const aimc_cell *cell, float w, int sign, int n);

/* Normalised response factors and the paper's components at weight w. */
double aimc_device_q_up(const aimc_device *device, const aimc_cell *cell, double w);
double aimc_device_q_down(const aimc_device *device, const aimc_cell *cell, double w);
double aimc_device_F(const aimc_device *device, const aimc_cell *cell, double w);
double aimc_device_G(const aimc_device *device, const aimc_cell *cell, double w);

/* Symmetric point w* with q+(w*) = q-(w*) inside [b_min, b_max] (closed form for
 * affine models, bisection otherwise). AIMC_EINVAL if q+ - q- keeps one sign on the
 * whole range (then *w_sym is the bound nearest to the sign change). */
aimc_status aimc_device_symmetric_point(const aimc_device *device, const aimc_cell *cell, double *w_sym);

/* The weight granularity g of a device family as AIHWKIT's calcWeightGranularity
 * defines it (the unit of update management and of q+/q-): dw_min for ConstantStep,
 * LinearStep, SoftBounds and SoftBoundsReference; ExpStep: the mean device's down
 * step at w = 0 (dw_min if it is 0); PowStep: dw_min 0.5^pow_gamma; PiecewiseStep:
 * dw_min piecewise_up[nodes / 2]. Float arithmetic, as AIHWKIT computes it. */
float aimc_device_granularity(const aimc_device_params *params);

/* A cell with the mean parameters (no device-to-device variation). */
void aimc_device_mean_cell(const aimc_device *device, aimc_cell *cell);

#ifdef __cplusplus
}
#endif
#endif
