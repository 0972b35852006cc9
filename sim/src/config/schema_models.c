/*
 * Schema tables of the C core's parameter structs: `device`
 * (aimc_device_params), `update` (aimc_update_params) and the periphery
 * sections `forward`/`backward` (aimc_io_params). Keys are AIHWKIT's names,
 * equal to the struct members; defaults come from the core's own default
 * functions, and each section ends with the core's validate function.
 *
 * Device presets follow AIHWKIT's preset devices (docs: reference/aihwkit.md
 * section 4.1): fields not listed keep the model's defaults. `ald` is the
 * paper's asymmetric linear device with tau = 1 (SoftBounds on [-1, 1], no
 * variation, no cycle noise); another tau is `w_max: tau, w_min: -tau`.
 * Bounds here are the single-field ones; cross-field rules stay in validate.
 */
#include <stddef.h>
#include <string.h>

#include "aimc_sim/config.h"

/* Enum members are written through int (the engine's enum storage). */
_Static_assert(sizeof(aimc_device_model) == sizeof(int), "enum storage");
_Static_assert(sizeof(aimc_pulse_type) == sizeof(int), "enum storage");
_Static_assert(sizeof(aimc_noise_management) == sizeof(int), "enum storage");
_Static_assert(sizeof(aimc_bound_management) == sizeof(int), "enum storage");
_Static_assert(sizeof(aimc_w_noise_type) == sizeof(int), "enum storage");

/* Name functions bounded by each enum's size, so iteration stops at NULL. */
static const char *device_model_name(int value)
{
  return value >= 0 && value < AIMC_DEVICE_MODEL_COUNT ? aimc_device_model_name((aimc_device_model)value) : NULL;
}
static const char *pulse_type_name(int value)
{
  return value >= 0 && value < AIMC_PULSE_TYPE_COUNT ? aimc_pulse_type_name((aimc_pulse_type)value) : NULL;
}
static const char *noise_management_name(int value)
{
  return value >= 0 && value <= AIMC_NM_CONSTANT
             ? aimc_noise_management_name((aimc_noise_management)value) : NULL;
}
static const char *bound_management_name(int value)
{
  return value >= 0 && value <= AIMC_BM_ITERATIVE
             ? aimc_bound_management_name((aimc_bound_management)value) : NULL;
}
static const char *w_noise_type_name(int value)
{
  return value >= 0 && value <= AIMC_WNOISE_PCM_READ ? aimc_w_noise_type_name((aimc_w_noise_type)value) : NULL;
}

/* ---- device ------------------------------------------------------------ */

#define DEV aimc_device_params
#define NONE AIMC_UNIT_NONE
#define GE AIMC_CFG_GE_MIN
#define GT AIMC_CFG_GT_MIN
#define LE AIMC_CFG_LE_MAX
#define LT AIMC_CFG_LT_MAX

static const aimc_cfg_field device_fields[] = {
  AIMC_CFG_ENUM_FIELD(DEV, model, "constant_step", device_model_name, AIMC_CFG_DISCRIMINATOR,
                      "device model; resets every default of the section"),
  AIMC_CFG_DOUBLE_FIELD(DEV, dw_min, NULL, NONE, 0, 0, GT, "mean weight change per pulse"),
  AIMC_CFG_DOUBLE_FIELD(DEV, dw_min_dtod, NULL, NONE, 0, 0, GE,
                        "device-to-device spread of dw_min, relative"),
  AIMC_CFG_BOOL_FIELD(DEV, dw_min_dtod_log_normal, NULL, 0,
                      "gain exp(dw_min_dtod*xi) instead of 1 + dw_min_dtod*xi"),
  AIMC_CFG_DOUBLE_FIELD(DEV, dw_min_std, NULL, NONE, 0, 0, GE,
                        "cycle-to-cycle noise of a step, relative to the step"),
  AIMC_CFG_DOUBLE_FIELD(DEV, up_down, NULL, NONE, -1, 1, GT | LT, "systematic up/down asymmetry"),
  AIMC_CFG_DOUBLE_FIELD(DEV, up_down_dtod, NULL, NONE, 0, 0, GE,
                        "device-to-device asymmetry spread, in units of dw_min"),
  AIMC_CFG_DOUBLE_FIELD(DEV, w_max, NULL, NONE, 0, 0, GE, "mean upper weight bound"),
  AIMC_CFG_DOUBLE_FIELD(DEV, w_min, NULL, NONE, 0, 0, LE, "mean lower weight bound, < w_max"),
  AIMC_CFG_DOUBLE_FIELD(DEV, w_max_dtod, NULL, NONE, 0, 0, GE, "relative spread of the upper bound"),
  AIMC_CFG_DOUBLE_FIELD(DEV, w_min_dtod, NULL, NONE, 0, 0, GE, "relative spread of the lower bound"),
  AIMC_CFG_BOOL_FIELD(DEV, enforce_consistency, NULL, 0,
                      "absolute steps, ordered bounds, b_max = |b_max|, b_min = -|b_min|; "
                      "false: crossed bounds meet at their middle"),
  AIMC_CFG_DOUBLE_FIELD(DEV, reset, NULL, NONE, 0, 0, 0, "mean reset target"),
  AIMC_CFG_DOUBLE_FIELD(DEV, reset_dtod, NULL, NONE, 0, 0, GE,
                        "device-to-device spread of the reset target (absolute)"),
  AIMC_CFG_DOUBLE_FIELD(DEV, reset_std, NULL, NONE, 0, 0, GE,
                        "cycle-to-cycle spread of a reset (absolute)"),
  AIMC_CFG_DOUBLE_FIELD(DEV, lifetime, NULL, NONE, 0, 0, GE,
                        "decay time constant in decay calls; 0 = no decay, else >= 1"),
  AIMC_CFG_DOUBLE_FIELD(DEV, lifetime_dtod, NULL, NONE, 0, 0, GE, "relative spread of the lifetime"),
  AIMC_CFG_DOUBLE_FIELD(DEV, diffusion, NULL, NONE, 0, 0, GE,
                        "std of the random walk per diffusion call"),
  AIMC_CFG_DOUBLE_FIELD(DEV, diffusion_dtod, NULL, NONE, 0, 0, GE,
                        "relative spread of the diffusion rate"),
  AIMC_CFG_DOUBLE_FIELD(DEV, write_noise_std, NULL, NONE, 0, 0, GE,
                        "read-visible write noise, in units of dw_min"),
  AIMC_CFG_DOUBLE_FIELD(DEV, gamma_up, NULL, NONE, 0, 0, 0,
                        "LinearStep: relative step reduction at w_max; ExpStep: exponent of up"),
  AIMC_CFG_DOUBLE_FIELD(DEV, gamma_down, NULL, NONE, 0, 0, 0,
                        "LinearStep: relative step reduction at w_min; ExpStep: exponent of down"),
  AIMC_CFG_DOUBLE_FIELD(DEV, gamma_up_dtod, NULL, NONE, 0, 0, GE,
                        "device-to-device spread of gamma_up (absolute)"),
  AIMC_CFG_DOUBLE_FIELD(DEV, gamma_down_dtod, NULL, NONE, 0, 0, GE,
                        "device-to-device spread of gamma_down (absolute)"),
  AIMC_CFG_BOOL_FIELD(DEV, allow_increasing, NULL, 0, "LinearStep: keep negative gamma draws (steps growing with w); "
                      "false folds each draw to its magnitude"),
  AIMC_CFG_BOOL_FIELD(DEV, mean_bound_reference, NULL, 0,
                      "slopes refer to the mean bounds (true) or to each device's bounds"),
  AIMC_CFG_BOOL_FIELD(DEV, mult_noise, NULL, 0,
                      "noise multiplies the whole step (true) or only dw_min"),
  AIMC_CFG_DOUBLE_FIELD(DEV, reference_mean, NULL, NONE, 0, 0, 0,
                        "SoftBoundsReference: static reference added to w before the step"),
  AIMC_CFG_DOUBLE_FIELD(DEV, reference_std, NULL, NONE, 0, 0, GE,
                        "SoftBoundsReference: device-to-device spread of the reference"),
  AIMC_CFG_BOOL_FIELD(DEV, subtract_symmetry_point, NULL, 0,
                      "SoftBoundsReference: centre each device on its symmetry point"),
  AIMC_CFG_DOUBLE_FIELD(DEV, A_up, NULL, NONE, 0, 0, 0, "ExpStep: amplitude of the up-saturation"),
  AIMC_CFG_DOUBLE_FIELD(DEV, A_down, NULL, NONE, 0, 0, 0, "ExpStep: amplitude of the down-saturation"),
  AIMC_CFG_DOUBLE_FIELD(DEV, a, NULL, NONE, 0, 0, 0, "ExpStep: z-scale, z = 2a*w/(b_max - b_min) + b"),
  AIMC_CFG_DOUBLE_FIELD(DEV, b, NULL, NONE, 0, 0, 0, "ExpStep: z-offset"),
  AIMC_CFG_DOUBLE_FIELD(DEV, dw_min_std_add, NULL, NONE, 0, 0, GE,
                        "ExpStep: complex noise, additive part (absolute)"),
  AIMC_CFG_DOUBLE_FIELD(DEV, dw_min_std_slope, NULL, NONE, 0, 0, GE,
                        "ExpStep: complex noise, part proportional to |w|"),
  AIMC_CFG_DOUBLE_FIELD(DEV, pow_gamma, NULL, NONE, 0, 0, GT, "PowStep: exponent of the response"),
  AIMC_CFG_DOUBLE_FIELD(DEV, pow_gamma_dtod, NULL, NONE, 0, 0, GE,
                        "PowStep: relative spread of the exponent"),
  AIMC_CFG_DOUBLE_FIELD(DEV, pow_up_down, NULL, NONE, -1, 1, GT | LT,
                        "PowStep: up/down asymmetry of the exponent"),
  AIMC_CFG_DOUBLE_FIELD(DEV, pow_up_down_dtod, NULL, NONE, 0, 0, GE,
                        "PowStep: device-to-device spread of that asymmetry"),
  AIMC_CFG_DOUBLE_LIST_FIELD(DEV, piecewise_up, piecewise_nodes, NULL, NONE, 0, 0, GE,
                             "PiecewiseStep: relative up step at evenly spaced nodes (2 or more, "
                             "as many as piecewise_down)"),
  AIMC_CFG_DOUBLE_LIST_FIELD(DEV, piecewise_down, piecewise_nodes, NULL, NONE, 0, 0, GE,
                             "PiecewiseStep: relative down step at the nodes"),
  AIMC_CFG_DOUBLE_FIELD(DEV, half_select_disturb, NULL, NONE, 0, 1, GE | LE,
                        "fraction of a pulse's response applied per half-select (not in AIHWKIT)"),
  AIMC_CFG_UINT64_FIELD(DEV, construction_seed, NULL, 0, "seed of the device-to-device draws"),
};

static void device_defaults(void *target, int model)
{
  aimc_device_params_default(target, (aimc_device_model)model);
}

static void preset_reram_es(void *target)
{
  aimc_device_params *p = target;
  aimc_device_params_default(p, AIMC_DEVICE_EXP_STEP);
  p->dw_min = 0.00135;
  p->up_down = 0.259359;
  p->w_max = 1.0;
  p->w_min = -1.0;
  p->a = -0.5;
  p->b = -0.5;
  p->gamma_up = 5.0;
  p->gamma_down = 5.0;
  p->A_up = -1.18445;
  p->A_down = -0.081404;
  p->dw_min_dtod = 0.2;
  p->up_down_dtod = 0.05;
  p->w_max_dtod = 0.3;
  p->w_min_dtod = 0.3;
  p->dw_min_std = 5.0;
  p->write_noise_std = 75.0;
}

static void preset_reram_sb(void *target)
{
  aimc_device_params *p = target;
  aimc_device_params_default(p, AIMC_DEVICE_SOFT_BOUNDS_REFERENCE);
  p->dw_min = 0.002;
  p->up_down = 0.0;
  p->w_max = 1.25;
  p->w_min = -0.75;
  p->mult_noise = 0;
  p->dw_min_dtod = 0.3;
  p->up_down_dtod = 0.01;
  p->w_max_dtod = 0.24;
  p->w_min_dtod = 0.4;
  p->dw_min_std = 3.75;
  p->write_noise_std = 56.0;
}

static void preset_capacitor(void *target)
{
  aimc_device_params *p = target;
  aimc_device_params_default(p, AIMC_DEVICE_LINEAR_STEP);
  p->dw_min = 0.005;
  p->w_max = 1.0;
  p->w_min = -1.0;
  p->mult_noise = 0;
  p->gamma_up = 0.05;
  p->gamma_down = 0.05;
  p->gamma_up_dtod = 0.01;
  p->gamma_down_dtod = 0.01;
  p->dw_min_dtod = 0.1;
  p->up_down_dtod = 0.06;
  p->w_max_dtod = 0.07;
  p->w_min_dtod = 0.07;
  p->dw_min_std = 0.3;
  p->mean_bound_reference = 1;
  p->lifetime = 1e6;
  p->lifetime_dtod = 0.3;
}

static void preset_ecram(void *target)
{
  aimc_device_params *p = target;
  aimc_device_params_default(p, AIMC_DEVICE_LINEAR_STEP);
  p->dw_min = 0.002;
  p->w_max = 1.1724;
  p->w_min = -0.8276;
  p->mult_noise = 1;
  p->gamma_up = 0.1153;
  p->gamma_down = 0.5085;
  p->gamma_up_dtod = 0.05;
  p->gamma_down_dtod = 0.05;
  p->dw_min_dtod = 0.1;
  p->up_down_dtod = 0.01;
  p->w_max_dtod = 0.05;
  p->w_min_dtod = 0.05;
  p->dw_min_std = 0.3;
}

static void preset_ecram_mo(void *target)
{
  aimc_device_params *p = target;
  aimc_device_params_default(p, AIMC_DEVICE_LINEAR_STEP);
  p->dw_min = 2.8214e-4;
  p->w_max = 1.1714;
  p->w_min = -0.8286;
  p->gamma_up = 0.4152;
  p->gamma_down = 0.7342;
  p->gamma_up_dtod = 0.05;
  p->gamma_down_dtod = 0.05;
  p->dw_min_dtod = 0.1;
  p->up_down_dtod = 0.01;
  p->w_max_dtod = 0.05;
  p->w_min_dtod = 0.05;
  p->dw_min_std = 2.0;
}

/* Idealized and GokmenVlasov differ only in dw_min and up_down_dtod. */
static void constant_step_preset(aimc_device_params *p, double dw_min, double up_down_dtod)
{
  aimc_device_params_default(p, AIMC_DEVICE_CONSTANT_STEP);
  p->dw_min = dw_min;
  p->dw_min_dtod = 0.3;
  p->dw_min_std = 0.3;
  p->up_down = 0.0;
  p->up_down_dtod = up_down_dtod;
  p->w_max = 1.0;
  p->w_min = -1.0;
  p->w_max_dtod = 0.3;
  p->w_min_dtod = 0.3;
}

static void preset_idealized(void *target) { constant_step_preset(target, 0.0002, 0.0); }
static void preset_gokmen_vlasov(void *target) { constant_step_preset(target, 0.0016, 0.01); }

static void preset_pcm(void *target)
{
  aimc_device_params *p = target;
  aimc_device_params_default(p, AIMC_DEVICE_EXP_STEP);
  p->dw_min = 0.01;
  p->w_max = 2.0;
  p->w_min = 0.0;
  p->a = -1.0;
  p->b = 0.0;
  p->gamma_up = 2.5;
  p->gamma_down = 2.5;
  p->A_up = -27.235;
  p->A_down = -2.235;
  p->dw_min_dtod = 0.2;
  p->up_down_dtod = 0.05;
  p->w_max_dtod = 0.1;
  p->w_min_dtod = 0.0;
  p->dw_min_std = 0.6;
  p->dw_min_std_add = 0.042;
  p->dw_min_std_slope = 0.108;
  p->reset = 0.01;
  p->reset_dtod = 0.02;
}

static void preset_ald(void *target) { aimc_device_params_ald(target, 1.0, 0.001); }

static const aimc_cfg_preset device_presets[] = {
  {"reram_es", "AIHWKIT ReRamESPresetDevice: ExpStep fit of a ReRAM (Gong 2018)", preset_reram_es},
  {"reram_sb", "AIHWKIT ReRamSBPresetDevice: SoftBoundsReference fit of a ReRAM", preset_reram_sb},
  {"capacitor", "AIHWKIT CapacitorPresetDevice: LinearStep capacitor with leakage (Li 2018)",
   preset_capacitor},
  {"ecram", "AIHWKIT EcRamPresetDevice: LinearStep ECRAM (Tang 2018)", preset_ecram},
  {"ecram_mo", "AIHWKIT EcRamMOPresetDevice: LinearStep metal-oxide ECRAM (Kim 2019)", preset_ecram_mo},
  {"idealized", "AIHWKIT IdealizedPresetDevice: ConstantStep with 10000 states", preset_idealized},
  {"gokmen_vlasov", "AIHWKIT GokmenVlasovPresetDevice: ConstantStep with about 1200 states",
   preset_gokmen_vlasov},
  {"pcm", "AIHWKIT PCMPresetDevice: one-sided ExpStep PCM (Nandakumar 2020)", preset_pcm},
  {"ald", "the paper's asymmetric linear device, tau = 1: SoftBounds on [-1, 1] without variation "
          "or cycle noise; set w_max: tau and w_min: -tau for another tau", preset_ald},
};

static aimc_status device_validate(const void *target) { return aimc_device_params_validate(target); }

const aimc_cfg_section aimc_device_schema = {
  .name = "device",
  .description = "The pulsed resistive device of every crossbar (AIHWKIT PulsedDevice and its "
                 "models); weights in normalised units.",
  .size = sizeof(aimc_device_params),
  .fields = device_fields,
  .field_count = sizeof device_fields / sizeof device_fields[0],
  .defaults = device_defaults,
  .presets = device_presets,
  .preset_count = sizeof device_presets / sizeof device_presets[0],
  .validate = device_validate,
};

/* ---- update ------------------------------------------------------------ */

#define UPD aimc_update_params

static const aimc_cfg_field update_fields[] = {
  AIMC_CFG_ENUM_FIELD(UPD, pulse_type, NULL, pulse_type_name, 0,
                      "how W -= lr d x^T becomes device pulses"),
  AIMC_CFG_INT_FIELD(UPD, desired_bl, NULL, 1, AIMC_MAX_BL, GE | LE,
                     "pulse-train length BL (the maximum with update_bl_management)"),
  AIMC_CFG_BOOL_FIELD(UPD, fixed_bl, NULL, 0,
                      "fixed BL; false: BL = ceil(lr/dw_min) with A = B = 1 when dw_min*desired_bl < lr"),
  AIMC_CFG_BOOL_FIELD(UPD, update_management, NULL, 0, "balance the x and d pulse probabilities"),
  AIMC_CFG_BOOL_FIELD(UPD, update_bl_management, NULL, 0,
                      "choose BL per sample (forces update_management)"),
  AIMC_CFG_DOUBLE_FIELD(UPD, um_grad_scale, NULL, NONE, 0, 0, GT, "scale of max|d| in update management"),
  AIMC_CFG_DOUBLE_FIELD(UPD, res, NULL, NONE, 0, 0, 0,
                        "quantisation of probabilities: <= 0 off, <= 1 a fraction, > 1 steps"),
  AIMC_CFG_BOOL_FIELD(UPD, sto_round, NULL, 0, "stochastic rounding of that quantisation"),
  AIMC_CFG_DOUBLE_FIELD(UPD, x_res_implicit, NULL, NONE, 0, 0, 0,
                        "deterministic_implicit: resolution of x (<= 0 off, > 1 steps)"),
  AIMC_CFG_DOUBLE_FIELD(UPD, d_res_implicit, NULL, NONE, 0, 0, 0,
                        "deterministic_implicit: resolution of d (<= 0 off, > 1 steps)"),
};

static void update_defaults(void *target, int variant)
{
  (void)variant;
  aimc_update_params_default(target);
}

static aimc_status update_validate(const void *target) { return aimc_update_params_validate(target); }

const aimc_cfg_section aimc_update_schema = {
  .name = "update",
  .description = "The pulsed outer-product update (AIHWKIT UpdateParameters).",
  .size = sizeof(aimc_update_params),
  .fields = update_fields,
  .field_count = sizeof update_fields / sizeof update_fields[0],
  .defaults = update_defaults,
  .validate = update_validate,
};

/* ---- forward / backward periphery -------------------------------------- */

#define IO aimc_io_params

static const aimc_cfg_field io_fields[] = {
  AIMC_CFG_BOOL_FIELD(IO, is_perfect, NULL, 0, "exact floating-point MVM (only out_scale applies)"),
  AIMC_CFG_DOUBLE_FIELD(IO, inp_bound, NULL, NONE, 0, 0, GT, "DAC range +-inp_bound"),
  AIMC_CFG_DOUBLE_FIELD(IO, inp_res, NULL, NONE, 0, 0, 0,
                        "DAC step as a fraction of 2*inp_bound (<= 0 none, > 1 a number of steps); "
                        "unless given: 1/(2^chip.dac.bits - 2)"),
  AIMC_CFG_BOOL_FIELD(IO, inp_sto_round, NULL, 0, "stochastic rounding in the DAC"),
  AIMC_CFG_DOUBLE_FIELD(IO, inp_noise, NULL, NONE, 0, 0, GE, "std of Gaussian noise on the DAC output"),
  AIMC_CFG_DOUBLE_FIELD(IO, out_bound, NULL, NONE, 0, 0, GT, "ADC range +-out_bound"),
  AIMC_CFG_DOUBLE_FIELD(IO, out_res, NULL, NONE, 0, 0, 0,
                        "ADC step as a fraction of 2*out_bound (<= 0 none, > 1 a number of steps); "
                        "unless given: 1/(2^chip.adc.bits - 2)"),
  AIMC_CFG_BOOL_FIELD(IO, out_sto_round, NULL, 0, "stochastic rounding in the ADC"),
  AIMC_CFG_DOUBLE_FIELD(IO, out_noise, NULL, NONE, 0, 0, GE, "std of Gaussian noise before the ADC"),
  AIMC_CFG_DOUBLE_FIELD(IO, w_noise, NULL, NONE, 0, 0, GE, "weight read noise amplitude"),
  AIMC_CFG_ENUM_FIELD(IO, w_noise_type, NULL, w_noise_type_name, 0, "kind of weight read noise"),
  AIMC_CFG_ENUM_FIELD(IO, noise_management, NULL, noise_management_name, 0,
                      "input scaling before the DAC"),
  AIMC_CFG_DOUBLE_FIELD(IO, nm_thres, NULL, NONE, 0, 0, GE,
                        "abs_max: cap of the input scale if > 0; constant: the input scale"),
  AIMC_CFG_ENUM_FIELD(IO, bound_management, NULL, bound_management_name, 0,
                      "iterative: repeat with doubled input scale while outputs clip (forward reads only: "
                      "backward's is none unless given, and iterative is refused there)"),
  AIMC_CFG_DOUBLE_FIELD(IO, max_bm_factor, NULL, NONE, 1, 0, GE, "largest bound-management factor"),
  AIMC_CFG_DOUBLE_FIELD(IO, max_bm_res, NULL, NONE, 0, 0, GT, "largest factor*inp_res"),
  AIMC_CFG_DOUBLE_FIELD(IO, out_scale, NULL, NONE, 0, 0, 0, "digital output scale"),
};

/* AIHWKIT's IO defaults with the resolutions of the default chip's converters;
 * the document root then makes them follow the configured chip (derive in
 * schema_root.c) unless the document gives them. */
static void io_defaults(void *target, int variant)
{
  (void)variant;
  aimc_hw_chip_params chip;
  aimc_hw_chip_params_default(&chip);
  aimc_io_params_default(target);
  aimc_hw_io_match_converters(&chip, target);
}

/* Applied on the section's defaults: only the switch to exact arithmetic. */
static void preset_io_perfect(void *target) { ((aimc_io_params *)target)->is_perfect = 1; }

/* AIHWKIT PresetIOParameters: 7-bit DAC, 9-bit ADC, out_bound 20, out_noise 0.1. */
static void preset_io_aihwkit_preset(void *target)
{
  aimc_io_params *io = target;
  aimc_io_params_default(io);
  io->out_bound = 20.0;
  io->out_noise = 0.1;
  io->w_noise = 0.0;
}

/* AIHWKIT StandardIOParameters: 8-bit DAC and ADC, out_bound 10, out_noise 0.04. */
static void preset_io_aihwkit_standard(void *target)
{
  aimc_io_params *io = target;
  aimc_io_params_default(io);
  io->inp_res = 1.0 / 254.0;
  io->out_res = 1.0 / 254.0;
  io->out_bound = 10.0;
  io->out_noise = 0.04;
}

static const aimc_cfg_preset io_presets[] = {
  {"perfect", "exact floating-point MVM", preset_io_perfect},
  {"aihwkit_preset", "AIHWKIT PresetIOParameters (7-bit DAC, 9-bit ADC, out_bound 20, out_noise 0.1); "
   "its inp_res and out_res do not follow the chip",
   preset_io_aihwkit_preset},
  {"aihwkit_standard", "AIHWKIT StandardIOParameters (8-bit DAC and ADC, out_bound 10, out_noise 0.04); "
   "its inp_res and out_res do not follow the chip",
   preset_io_aihwkit_standard},
};

int aimc_io_preset_fixes_resolution(const char *name)
{
  /* AIHWKIT's named parameter sets state their converters' bits; perfect does not. */
  return strcmp(name, "aihwkit_preset") == 0 || strcmp(name, "aihwkit_standard") == 0;
}

static aimc_status io_validate(const void *target) { return aimc_io_params_validate(target); }

const aimc_cfg_section aimc_io_schema = {
  .name = "io",
  .description = "Periphery of an analog MVM (AIHWKIT IOParameters): noise management, DAC, "
                 "noise, ADC and bound management.",
  .size = sizeof(aimc_io_params),
  .fields = io_fields,
  .field_count = sizeof io_fields / sizeof io_fields[0],
  .defaults = io_defaults,
  .presets = io_presets,
  .preset_count = sizeof io_presets / sizeof io_presets[0],
  .validate = io_validate,
};
