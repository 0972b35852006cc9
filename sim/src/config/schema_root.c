/*
 * The document root: one entry per top-level section of aimc_config. Adding a
 * section is one line here plus its member in aimc_config (config.h).
 */
#include <stddef.h>
#include <stdio.h>

#include "aimc_sim/config.h"

static const aimc_cfg_field root_fields[] = {
  AIMC_CFG_SECTION_FIELD(aimc_config, experiment, aimc_experiment_schema, "workload, algorithm and schedule"),
  AIMC_CFG_SECTION_FIELD(aimc_config, device, aimc_device_schema,
                         "pulsed device of every crossbar"),
  AIMC_CFG_SECTION_FIELD(aimc_config, update, aimc_update_schema, "pulsed outer-product update"),
  AIMC_CFG_SECTION_FIELD(aimc_config, forward, aimc_io_schema, "periphery of the forward MVM"),
  AIMC_CFG_SECTION_FIELD(aimc_config, backward, aimc_io_schema,
                         "periphery of the backward (transposed) MVM"),
  AIMC_CFG_SECTION_FIELD(aimc_config, tiki_taka, aimc_tiki_taka_schema, "Tiki-Taka rates and transfers"),
  AIMC_CFG_SECTION_FIELD(aimc_config, fast_device, aimc_device_schema,
                         "Tiki-Taka: devices of the fast array A"),
  AIMC_CFG_SECTION_FIELD(aimc_config, fast_update, aimc_update_schema, "Tiki-Taka: pulsed update of A"),
  AIMC_CFG_SECTION_FIELD(aimc_config, transfer_forward, aimc_io_schema,
                         "Tiki-Taka: periphery of the one-hot column reads of A"),
  AIMC_CFG_SECTION_FIELD(aimc_config, least_squares, aimc_least_squares_schema, "the least-squares problem"),
  AIMC_CFG_SECTION_FIELD(aimc_config, data, aimc_data_schema, "MNIST-format data"),
  AIMC_CFG_SECTION_FIELD(aimc_config, mapping, aimc_mapping_schema, "weight mapping onto devices"),
  AIMC_CFG_SECTION_FIELD(aimc_config, chip, aimc_chip_schema, "the hardware model"),
  AIMC_CFG_SECTION_FIELD(aimc_config, trace, aimc_trace_schema, "waveform tracing"),
  AIMC_CFG_SECTION_FIELD(aimc_config, pulse_check, aimc_pulse_check_schema,
                         "draws and limits of aimcsim pulse-check"),
};

/* A reset's cycle-to-cycle spread acts only where devices are reset: the
 * columns of Tiki-Taka's fast array A that a transfer resets with probability
 * tiki_taka.with_reset_prob (AIHWKIT resets nothing else during training).
 * Elsewhere it keeps AIHWKIT's default or 0 (the presets without variation). */
static aimc_status reset_check(const aimc_config *config) {
  aimc_device_params main_default, fast_default;
  aimc_device_params_default(&main_default, config->device.model);
  aimc_device_params_default(&fast_default, config->fast_device.model);
  if (config->device.reset_std != main_default.reset_std && config->device.reset_std != 0.0)
    return aimc_error_set(AIMC_EINVAL, "device.reset_std = %g has no effect: the devices of the main array are "
                          "never reset (only columns of Tiki-Taka's fast array A are, see "
                          "tiki_taka.with_reset_prob); leave it at 0 or its default %g", config->device.reset_std,
                          main_default.reset_std);
  int resets = config->experiment.algorithm == AIMC_ALGORITHM_TIKI_TAKA && config->tiki_taka.with_reset_prob > 0.0;
  if (config->fast_device.reset_std != fast_default.reset_std && config->fast_device.reset_std != 0.0 && !resets)
    return aimc_error_set(AIMC_EINVAL, "fast_device.reset_std = %g has no effect: A's columns are reset only "
                          "with experiment.algorithm tiki_taka and tiki_taka.with_reset_prob > 0; leave it at 0 or "
                          "its default %g", config->fast_device.reset_std, fast_default.reset_std);
  return AIMC_OK;
}

/* Bound management repeats forward reads only (AIHWKIT has none for the
 * transposed read: ForwardBackwardPassIOManaged::backwardVector sets it to
 * None): backward.bound_management is none unless given (config_derive), and
 * a given iterative or limits in the backward section would be ignored. */
static aimc_status backward_check(const aimc_config *config) {
  aimc_io_params io;
  aimc_io_params_default(&io);
  if (config->backward.bound_management != AIMC_BM_NONE)
    return aimc_error_set(AIMC_EINVAL, "backward.bound_management = %s has no effect: bound management repeats "
                          "forward reads only (as in AIHWKIT); leave it at none",
                          aimc_bound_management_name(config->backward.bound_management));
  if (config->backward.max_bm_factor != io.max_bm_factor)
    return aimc_error_set(AIMC_EINVAL, "backward.max_bm_factor = %g has no effect: bound management repeats forward "
                          "reads only; leave it at %g", config->backward.max_bm_factor, io.max_bm_factor);
  if (config->backward.max_bm_res != io.max_bm_res)
    return aimc_error_set(AIMC_EINVAL, "backward.max_bm_res = %g has no effect: bound management repeats forward "
                          "reads only; leave it at %g", config->backward.max_bm_res, io.max_bm_res);
  return AIMC_OK;
}

/* A constant of chip.SECTION that the chosen way of costing does not read. */
typedef struct cost_key {
  const char *key, *unit;
  double value, fallback;
  int used;
} cost_key;

/* The first key that the setting (e.g. "chip.adc.cost model and chip.adc.type
 * sar") does not use but the document moved off its default: refused rather
 * than silently ignored, naming the docs section that says why. */
static aimc_status refuse_unused(const char *section, const cost_key *keys, size_t n, const char *setting,
                                 const char *doc) {
  for (size_t k = 0; k < n; ++k)
    if (!keys[k].used && keys[k].value != keys[k].fallback)
      return aimc_error_set(AIMC_EINVAL, "chip.%s.%s = %g%s has no effect with %s (docs/hardware.md, \"%s\"); leave "
                            "it at its default %g%s", section, keys[k].key, keys[k].value, keys[k].unit, setting, doc,
                            keys[k].fallback, keys[k].unit);
  return AIMC_OK;
}

/* A line pulse costs C_line x amplitude^2 (model) or energy_per_line_pulse
 * (table). */
static aimc_status line_energy_check(const aimc_config *config) {
  const aimc_hw_pulse_params *pulse = &config->chip.pulse;
  aimc_hw_pulse_params d;
  aimc_hw_pulse_params_default(&d);
  const int model = pulse->line_energy == AIMC_HW_LINE_ENERGY_MODEL;
  const cost_key keys[] = {
    {"amplitude", " V", pulse->amplitude, d.amplitude, model},
    {"wire_capacitance", "", pulse->wire_capacitance, d.wire_capacitance, model},
    {"cell_capacitance", " F", pulse->cell_capacitance, d.cell_capacitance, model},
    {"energy_per_line_pulse", " J", pulse->energy_per_line_pulse, d.energy_per_line_pulse, !model},
  };
  char setting[96];
  snprintf(setting, sizeof setting, "chip.pulse.line_energy %s", aimc_hw_line_energy_name(pulse->line_energy));
  return refuse_unused("pulse", keys, sizeof keys / sizeof keys[0], setting, "Update line energy");
}

/* The ADC's cost comes either from its model constants or from its table
 * values (chip.adc.cost), and the model's constants are per architecture. */
static aimc_status adc_cost_check(const aimc_config *config) {
  const aimc_hw_adc_params *adc = &config->chip.adc;
  aimc_hw_adc_params d;
  aimc_hw_adc_params_default(&d);
  const int table = adc->cost == AIMC_HW_ADC_COST_TABLE;
  const int sar = !table && adc->type == AIMC_HW_ADC_SAR, flash = !table && adc->type == AIMC_HW_ADC_FLASH,
            ramp = !table && adc->type == AIMC_HW_ADC_RAMP;
  const cost_key keys[] = {
    {"conversion_time", "", adc->conversion_time, d.conversion_time, table},
    {"energy_per_conversion", "", adc->energy_per_conversion, d.energy_per_conversion, table},
    {"walden_fom", "", adc->walden_fom, d.walden_fom, sar},
    {"schreier_fom", "", adc->schreier_fom, d.schreier_fom, sar},
    {"sample_rate_corner", "", adc->sample_rate_corner, d.sample_rate_corner, sar},
    {"enob_loss", "", adc->enob_loss, d.enob_loss, sar},
    {"sar_cycle_time", "", adc->sar_cycle_time, d.sar_cycle_time, sar},
    {"flash_conversion_time", "", adc->flash_conversion_time, d.flash_conversion_time, flash},
    {"flash_energy_per_comparator", "", adc->flash_energy_per_comparator, d.flash_energy_per_comparator, flash},
    {"ramp_step_time", "", adc->ramp_step_time, d.ramp_step_time, ramp},
    {"ramp_energy_per_step", "", adc->ramp_energy_per_step, d.ramp_energy_per_step, ramp},
  };
  char setting[96];
  snprintf(setting, sizeof setting, "chip.adc.cost %s and chip.adc.type %s", aimc_hw_adc_cost_name(adc->cost),
           aimc_hw_adc_type_name(adc->type));
  return refuse_unused("adc", keys, sizeof keys / sizeof keys[0], setting, "ADC and DAC cost model");
}

/* An ADC's area comes from the regression (model: energy, sample rate,
 * adc_node) or from the per-bit law of its architecture (table). */
static aimc_status adc_area_check(const aimc_config *config) {
  const aimc_hw_area_params *area = &config->chip.area;
  aimc_hw_area_params d;
  aimc_hw_area_params_default(&d);
  const int table = area->adc_cost == AIMC_HW_ADC_COST_TABLE, flash = config->chip.adc.type == AIMC_HW_ADC_FLASH;
  const cost_key keys[] = {
    {"adc_node", " m", area->adc_node, d.adc_node, !table},
    {"adc_sar_8bit", " m^2", area->adc_sar_8bit, d.adc_sar_8bit, table && !flash},
    {"adc_sar_growth", "", area->adc_sar_growth, d.adc_sar_growth, table && !flash},
    {"adc_flash_8bit", " m^2", area->adc_flash_8bit, d.adc_flash_8bit, table && flash},
  };
  char setting[96];
  snprintf(setting, sizeof setting, "chip.area.adc_cost %s and chip.adc.type %s", aimc_hw_adc_cost_name(area->adc_cost),
           aimc_hw_adc_type_name(config->chip.adc.type));
  return refuse_unused("area", keys, sizeof keys / sizeof keys[0], setting, "Area");
}

/* A DAC's energy is its line drive (pulse width) or its bits (amplitude): the
 * other encoding's constant would be silently ignored. */
static aimc_status dac_cost_check(const aimc_config *config) {
  const aimc_hw_dac_params *dac = &config->chip.dac;
  aimc_hw_dac_params d;
  aimc_hw_dac_params_default(&d);
  const char *encoding = aimc_hw_dac_encoding_name(dac->encoding);
  if (dac->encoding == AIMC_HW_DAC_AMPLITUDE && dac->energy_per_conversion != d.energy_per_conversion)
    return aimc_error_set(AIMC_EINVAL, "chip.dac.energy_per_conversion = %g has no effect with chip.dac.encoding %s "
                          "(its energy is bits x chip.dac.amplitude_energy_per_bit); leave it at its default %g",
                          dac->energy_per_conversion, encoding, d.energy_per_conversion);
  if (dac->encoding != AIMC_HW_DAC_AMPLITUDE && dac->amplitude_energy_per_bit != d.amplitude_energy_per_bit)
    return aimc_error_set(AIMC_EINVAL, "chip.dac.amplitude_energy_per_bit = %g has no effect with chip.dac.encoding "
                          "%s (its energy is chip.dac.energy_per_conversion); leave it at its default %g",
                          dac->amplitude_energy_per_bit, encoding, d.amplitude_energy_per_bit);
  return AIMC_OK;
}

/* One source of truth for resolution: an analog pass quantises at its
 * converters' resolution, 1/(2^bits - 2) as the chip converts
 * (aimc_hw_io_match_converters), unless the document gives inp_res or out_res
 * of that section or a preset that sets them. */
static void follow_converters(aimc_io_params *io, const char *section, const aimc_cfg_given *given,
                              const aimc_hw_chip_params *chip) {
  char path[64];
  snprintf(path, sizeof path, "%s.preset", section);
  const char *preset = aimc_cfg_given_text(given, path);
  if (preset != NULL && aimc_io_preset_fixes_resolution(preset)) return;
  aimc_io_params matched = *io;
  aimc_hw_io_match_converters(chip, &matched);
  snprintf(path, sizeof path, "%s.inp_res", section);
  if (aimc_cfg_given_text(given, path) == NULL) io->inp_res = matched.inp_res;
  snprintf(path, sizeof path, "%s.out_res", section);
  if (aimc_cfg_given_text(given, path) == NULL) io->out_res = matched.out_res;
}

static void config_derive(void *target, const aimc_cfg_given *given) {
  aimc_config *config = target;
  follow_converters(&config->forward, "forward", given, &config->chip);
  follow_converters(&config->backward, "backward", given, &config->chip);
  if (aimc_cfg_given_text(given, "backward.bound_management") == NULL) config->backward.bound_management = AIMC_BM_NONE;
  follow_converters(&config->transfer_forward, "transfer_forward", given, &config->chip);
}

/* A resolution the document gives may not be finer than the converter that
 * produces it (only the passes the algorithm runs: none for digital SGD, the
 * transfer reads for Tiki-Taka only). */
static aimc_status resolution_check(const aimc_config *config) {
  if (config->experiment.algorithm == AIMC_ALGORITHM_DIGITAL_SGD) return AIMC_OK;
  aimc_status status = aimc_hw_io_check_converters(&config->forward, "forward", &config->chip);
  if (status == AIMC_OK) status = aimc_hw_io_check_converters(&config->backward, "backward", &config->chip);
  if (status == AIMC_OK && config->experiment.algorithm == AIMC_ALGORITHM_TIKI_TAKA)
    status = aimc_hw_io_check_converters(&config->transfer_forward, "transfer_forward", &config->chip);
  return status;
}

/* Checks across sections, after the whole document (and every -p) is applied. */
static aimc_status config_validate(const void *target) {
  aimc_status status = reset_check(target);
  if (status == AIMC_OK) status = backward_check(target);
  if (status == AIMC_OK) status = line_energy_check(target);
  if (status == AIMC_OK) status = adc_cost_check(target);
  if (status == AIMC_OK) status = adc_area_check(target);
  if (status == AIMC_OK) status = dac_cost_check(target);
  if (status == AIMC_OK) status = resolution_check(target);
  return status != AIMC_OK ? status : aimc_mapping_check_chip(target);
}

const aimc_cfg_section aimc_config_schema = {
  .name = "",
  .description = "A config document is a mapping of these sections, with an optional "
                 "`version: 1` first.",
  .size = sizeof(aimc_config),
  .fields = root_fields,
  .field_count = sizeof root_fields / sizeof root_fields[0],
  .validate = config_validate,
  .derive = config_derive,
};
