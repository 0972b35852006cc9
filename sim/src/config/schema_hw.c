/*
 * Schema tables of the hardware model's parameters (hw/include/aimc_hw/params.h):
 * the `chip` section with one subsection per component, and the `trace`
 * section. Defaults come from the hardware layer's own default functions (the
 * documented reference chip, docs/hardware.md); each subsection ends with its
 * validate function.
 */
#include <stddef.h>

#include "aimc_sim/config.h"

_Static_assert(sizeof(aimc_hw_dac_encoding) == sizeof(int), "enum storage");
_Static_assert(sizeof(aimc_hw_adc_type) == sizeof(int), "enum storage");
_Static_assert(sizeof(aimc_hw_adc_cost) == sizeof(int), "enum storage");
_Static_assert(sizeof(aimc_hw_weight_mapping) == sizeof(int), "enum storage");
_Static_assert(sizeof(aimc_hw_line_energy) == sizeof(int), "enum storage");
_Static_assert(sizeof(aimc_hw_program_energy) == sizeof(int), "enum storage");

static const char *dac_encoding_name(int v) {
  return v >= 0 && v < AIMC_HW_DAC_ENCODING_COUNT ? aimc_hw_dac_encoding_name((aimc_hw_dac_encoding)v) : NULL;
}
static const char *adc_type_name(int v) {
  return v >= 0 && v < AIMC_HW_ADC_TYPE_COUNT ? aimc_hw_adc_type_name((aimc_hw_adc_type)v) : NULL;
}
static const char *adc_cost_name(int v) {
  return v >= 0 && v < AIMC_HW_ADC_COST_COUNT ? aimc_hw_adc_cost_name((aimc_hw_adc_cost)v) : NULL;
}
static const char *line_energy_name(int v) {
  return v >= 0 && v < AIMC_HW_LINE_ENERGY_COUNT ? aimc_hw_line_energy_name((aimc_hw_line_energy)v) : NULL;
}
static const char *weight_mapping_name(int v) {
  return v >= 0 && v < AIMC_HW_WEIGHT_MAPPING_COUNT ? aimc_hw_weight_mapping_name((aimc_hw_weight_mapping)v) : NULL;
}
static const char *program_energy_name(int v) {
  return v >= 0 && v < AIMC_HW_PROGRAM_ENERGY_COUNT ? aimc_hw_program_energy_name((aimc_hw_program_energy)v) : NULL;
}

#define NONE AIMC_UNIT_NONE
#define TIME AIMC_UNIT_TIME
#define ENERGY AIMC_UNIT_ENERGY
#define GE AIMC_CFG_GE_MIN
#define GT AIMC_CFG_GT_MIN
#define LE AIMC_CFG_LE_MAX

/* A section whose defaults and validation are the hardware layer's functions. */
#define HW_SECTION(var, section_name, text, type, field_table, default_fn, validate_fn)               \
  static void var##_defaults(void *target, int variant) {                                             \
    (void)variant;                                                                                    \
    default_fn(target);                                                                               \
  }                                                                                                   \
  static aimc_status var##_validate(const void *target) { return validate_fn(target); }                \
  static const aimc_cfg_section var = {                                                               \
      .name = section_name, .description = text, .size = sizeof(type), .fields = field_table,         \
      .field_count = sizeof field_table / sizeof field_table[0], .defaults = var##_defaults,          \
      .validate = var##_validate}

static const aimc_cfg_field tile_fields[] = {
  AIMC_CFG_INT_FIELD(aimc_hw_tile_params, rows, NULL, 1, 1 << 24, GE | LE, "physical rows (output lines) of a tile"),
  AIMC_CFG_INT_FIELD(aimc_hw_tile_params, cols, NULL, 1, 1 << 24, GE | LE, "physical columns (input lines) of a tile"),
};
HW_SECTION(tile_schema, "tile", "Geometry of one crossbar tile; larger layers are split over tiles.",
           aimc_hw_tile_params, tile_fields, aimc_hw_tile_params_default, aimc_hw_tile_params_validate);

static const aimc_cfg_field dac_fields[] = {
  AIMC_CFG_INT_FIELD(aimc_hw_dac_params, bits, NULL, 2, 16, GE | LE, "DAC resolution including sign"),
  AIMC_CFG_ENUM_FIELD(aimc_hw_dac_params, encoding, NULL, dac_encoding_name, 0,
                      "pulse_width: 2^bits slots; amplitude: fixed integration time"),
  AIMC_CFG_DOUBLE_FIELD(aimc_hw_dac_params, slot_time, NULL, TIME, 0, 0, GT, "width of one pulse-width level step"),
  AIMC_CFG_DOUBLE_FIELD(aimc_hw_dac_params, setup_time, NULL, TIME, 0, 0, GE, "DAC settling before each analog pass"),
  AIMC_CFG_DOUBLE_FIELD(aimc_hw_dac_params, energy_per_conversion, NULL, ENERGY, 0, 0, GE,
                        "pulse-width encoding: energy per input line per analog pass (one line drive)"),
  AIMC_CFG_DOUBLE_FIELD(aimc_hw_dac_params, amplitude_energy_per_bit, NULL, ENERGY, 0, 1e-6, GE | LE,
                        "amplitude encoding: energy per bit of one conversion (E = bits x this)"),
};
HW_SECTION(dac_schema, "dac", "Input DACs of a tile (one per line).", aimc_hw_dac_params, dac_fields,
           aimc_hw_dac_params_default, aimc_hw_dac_params_validate);

static const aimc_cfg_field adc_fields[] = {
  AIMC_CFG_ENUM_FIELD(aimc_hw_adc_params, type, NULL, adc_type_name, 0, "sar, flash or ramp"),
  AIMC_CFG_INT_FIELD(aimc_hw_adc_params, bits, NULL, 2, 16, GE | LE, "ADC resolution including sign"),
  AIMC_CFG_ENUM_FIELD(aimc_hw_adc_params, cost, NULL, adc_cost_name, 0,
                      "model (energy and time from bits and type) or table (conversion_time, energy_per_conversion)"),
  AIMC_CFG_DOUBLE_FIELD(aimc_hw_adc_params, conversion_time, NULL, TIME, 0, 0, GT, "one conversion (table cost)"),
  AIMC_CFG_DOUBLE_FIELD(aimc_hw_adc_params, energy_per_conversion, NULL, ENERGY, 0, 0, GE,
                        "energy of one conversion (table cost)"),
  AIMC_CFG_DOUBLE_FIELD(aimc_hw_adc_params, walden_fom, NULL, ENERGY, 0, 1e-6, GE | LE,
                        "SAR model: Walden figure of merit, energy per conversion step (E = fom 2^ENOB)"),
  AIMC_CFG_DOUBLE_FIELD(aimc_hw_adc_params, schreier_fom, NULL, NONE, 100, 300, GE | LE,
                        "SAR model: Schreier figure of merit in dB, the thermal-noise bound at high resolution"),
  AIMC_CFG_DOUBLE_FIELD(aimc_hw_adc_params, sample_rate_corner, NULL, AIMC_UNIT_FREQUENCY, 1, 1e13, GE | LE,
                        "SAR model: high-speed corner; above it the Walden term grows as sample rate / corner"),
  AIMC_CFG_DOUBLE_FIELD(aimc_hw_adc_params, enob_loss, NULL, NONE, 0, 4, GE | LE,
                        "SAR model: bits minus effective bits (ENOB)"),
  AIMC_CFG_DOUBLE_FIELD(aimc_hw_adc_params, sar_cycle_time, NULL, TIME, 0, 0, GT,
                        "SAR model: one bit decision; a conversion takes bits of them"),
  AIMC_CFG_DOUBLE_FIELD(aimc_hw_adc_params, flash_conversion_time, NULL, TIME, 0, 0, GT,
                        "flash model: one conversion, whatever the bits"),
  AIMC_CFG_DOUBLE_FIELD(aimc_hw_adc_params, flash_energy_per_comparator, NULL, ENERGY, 0, 1e-6, GE | LE,
                        "flash model: one of the 2^bits - 1 comparators of a conversion"),
  AIMC_CFG_DOUBLE_FIELD(aimc_hw_adc_params, ramp_step_time, NULL, TIME, 0, 1e3 / 65536.0, GT | LE,
                        "ramp model: one LSB step; a conversion takes 2^bits of them"),
  AIMC_CFG_DOUBLE_FIELD(aimc_hw_adc_params, ramp_energy_per_step, NULL, ENERGY, 0, 1e-6, GE | LE,
                        "ramp model: one LSB step (comparator decision and count); 2^bits of them per conversion"),
  AIMC_CFG_INT_FIELD(aimc_hw_adc_params, columns_per_adc, NULL, 1, 1 << 24, GE | LE,
                     "lines multiplexed onto one ADC"),
  AIMC_CFG_DOUBLE_FIELD(aimc_hw_adc_params, leakage_fraction, NULL, NONE, 0, 1, GE | LE,
                        "leakage: static power of one ADC over energy_per_conversion x its sample rate"),
};
HW_SECTION(adc_schema, "adc", "Output ADCs of a tile, each shared by columns_per_adc lines.", aimc_hw_adc_params,
           adc_fields, aimc_hw_adc_params_default, aimc_hw_adc_params_validate);

static const aimc_cfg_field pulse_fields[] = {
  AIMC_CFG_DOUBLE_FIELD(aimc_hw_pulse_params, pulse_width, NULL, TIME, 0, 0, GT, "duration of one line pulse"),
  AIMC_CFG_DOUBLE_FIELD(aimc_hw_pulse_params, pulse_period, NULL, TIME, 0, 0, GT, "slot length, >= pulse_width"),
  AIMC_CFG_DOUBLE_FIELD(aimc_hw_pulse_params, amplitude, NULL, AIMC_UNIT_VOLTAGE, 0, 0, GT,
                        "pulse amplitude on a line (model line energy: E = C_line amplitude^2)"),
  AIMC_CFG_DOUBLE_FIELD(aimc_hw_pulse_params, setup_time, NULL, TIME, 0, 0, GE,
                        "loading the probabilities of one sample"),
  AIMC_CFG_DOUBLE_FIELD(aimc_hw_pulse_params, energy_per_line_pulse, NULL, ENERGY, 0, 0, GE,
                        "table line energy: charging one row or column line for one pulse"),
  AIMC_CFG_ENUM_FIELD(aimc_hw_pulse_params, line_energy, NULL, line_energy_name, 0,
                      "model (C_line amplitude^2 from the line's length) or table (energy_per_line_pulse)"),
  AIMC_CFG_DOUBLE_FIELD(aimc_hw_pulse_params, wire_capacitance, NULL, NONE, 0, 1e-6, GE | LE,
                        "model line energy: wire capacitance per length of a line in F/m (0.2 fF/um = 2e-10)"),
  AIMC_CFG_DOUBLE_FIELD(aimc_hw_pulse_params, cell_capacitance, NULL, AIMC_UNIT_CAPACITANCE, 0, 1, GE | LE,
                        "model line energy: capacitance each cell adds to its line"),
};
HW_SECTION(pulse_schema, "pulse", "Update pulse generator: row and column drivers of the stochastic pulse trains.",
           aimc_hw_pulse_params, pulse_fields, aimc_hw_pulse_params_default, aimc_hw_pulse_params_validate);

static const aimc_cfg_field conductance_fields[] = {
  AIMC_CFG_DOUBLE_FIELD(aimc_hw_conductance_params, g_min, NULL, AIMC_UNIT_CONDUCTANCE, 0, 0, GT,
                        "lowest device conductance"),
  AIMC_CFG_DOUBLE_FIELD(aimc_hw_conductance_params, g_max, NULL, AIMC_UNIT_CONDUCTANCE, 0, 0, GT,
                        "highest device conductance, > g_min"),
  AIMC_CFG_ENUM_FIELD(aimc_hw_conductance_params, mapping, NULL, weight_mapping_name, 0,
                      "differential_pair (G+ - G-) or reference_device (G - G_ref)"),
  AIMC_CFG_DOUBLE_FIELD(aimc_hw_conductance_params, v_read, NULL, AIMC_UNIT_VOLTAGE, 0, 0, GT,
                        "full-scale read voltage on an input line"),
  AIMC_CFG_DOUBLE_FIELD(aimc_hw_conductance_params, v_write, NULL, AIMC_UNIT_VOLTAGE, 0, 0, GT,
                        "voltage across a device at a pulse coincidence"),
  AIMC_CFG_ENUM_FIELD(aimc_hw_conductance_params, program_energy, NULL, program_energy_name, 0,
                      "formula (v_write^2 g_max pulse_width) or table (energy_per_device_pulse)"),
  AIMC_CFG_DOUBLE_FIELD(aimc_hw_conductance_params, energy_per_device_pulse, NULL, ENERGY, 0, 0, GE,
                        "table value of one applied device pulse"),
  AIMC_CFG_DOUBLE_FIELD(aimc_hw_conductance_params, energy_per_half_select, NULL, ENERGY, 0, 0, GE,
                        "energy per half-selected (cell, slot) event; 0 = counted only"),
};
HW_SECTION(conductance_schema, "conductance", "Conductances, voltages and device energies of the crossbar cells.",
           aimc_hw_conductance_params, conductance_fields, aimc_hw_conductance_params_default,
           aimc_hw_conductance_params_validate);

static const aimc_cfg_field read_fields[] = {
  AIMC_CFG_DOUBLE_FIELD(aimc_hw_read_params, integration_time, NULL, TIME, 0, 0, GT,
                        "integration window with amplitude encoding"),
  AIMC_CFG_INT_FIELD(aimc_hw_read_params, post_processing_cycles, NULL, 0, 1 << 24, GE | LE,
                     "controller cycles after the last conversion of a pass"),
  AIMC_CFG_DOUBLE_FIELD(aimc_hw_read_params, energy_per_output, NULL, ENERGY, 0, 0, GE,
                        "digital scaling of one converted output"),
};
HW_SECTION(read_schema, "read", "The analog read (MVM) of a tile beyond its DAC and ADC.", aimc_hw_read_params,
           read_fields, aimc_hw_read_params_default, aimc_hw_read_params_validate);

static const aimc_cfg_field op_cost_fields[] = {
  AIMC_CFG_INT_FIELD(aimc_hw_op_cost, cycles, NULL, 1, 1 << 24, GE | LE, "controller cycles per operation per lane"),
  AIMC_CFG_DOUBLE_FIELD(aimc_hw_op_cost, energy, NULL, ENERGY, 0, 0, GE, "energy per operation"),
  AIMC_CFG_INT_FIELD(aimc_hw_op_cost, words_read, NULL, 0, 1 << 24, GE | LE, "buffer words read per operation"),
  AIMC_CFG_INT_FIELD(aimc_hw_op_cost, words_written, NULL, 0, 1 << 24, GE | LE,
                     "buffer words written per operation"),
};

/* One section per operation class: each takes its defaults from the controller's. */
#define OP_COST_SECTION(member, text)                                                                  \
  static void member##_cost_defaults(void *target, int variant) {                                      \
    (void)variant;                                                                                     \
    aimc_hw_controller_params controller;                                                              \
    aimc_hw_controller_params_default(&controller);                                                    \
    *(aimc_hw_op_cost *)target = controller.member;                                                    \
  }                                                                                                    \
  static const aimc_cfg_section member##_cost_schema = {                                               \
      .name = #member, .description = text, .size = sizeof(aimc_hw_op_cost), .fields = op_cost_fields, \
      .field_count = sizeof op_cost_fields / sizeof op_cost_fields[0], .defaults = member##_cost_defaults}

OP_COST_SECTION(activation, "Cost of one activation function (or its derivative) on one value.");
OP_COST_SECTION(loss, "Cost of one element of the loss and its gradient.");
OP_COST_SECTION(update_management, "Cost of one element scanned for update management.");
OP_COST_SECTION(add, "Cost of one addition of partial sums of a split layer.");

static const aimc_cfg_field controller_fields[] = {
  AIMC_CFG_DOUBLE_FIELD(aimc_hw_controller_params, clock_frequency, NULL, AIMC_UNIT_FREQUENCY, 0, 0, GT,
                        "controller clock (also clocks the buffer and tile post-processing)"),
  AIMC_CFG_INT_FIELD(aimc_hw_controller_params, lanes, NULL, 1, 1 << 24, GE | LE,
                     "digital operations started per cycle"),
  AIMC_CFG_SECTION_FIELD(aimc_hw_controller_params, activation, activation_cost_schema,
                         "one activation function (or its derivative) on one value"),
  AIMC_CFG_SECTION_FIELD(aimc_hw_controller_params, loss, loss_cost_schema, "one element of the loss and its gradient"),
  AIMC_CFG_SECTION_FIELD(aimc_hw_controller_params, update_management, update_management_cost_schema,
                         "one element scanned for update management"),
  AIMC_CFG_SECTION_FIELD(aimc_hw_controller_params, add, add_cost_schema,
                         "one addition of partial sums of a split layer"),
  AIMC_CFG_DOUBLE_FIELD(aimc_hw_controller_params, static_power, NULL, AIMC_UNIT_POWER, 0, 1e3, GE | LE,
                        "leakage power of the controller while the chip is powered"),
};
HW_SECTION(controller_schema, "controller", "The clocked digital controller and its per-operation costs.",
           aimc_hw_controller_params, controller_fields, aimc_hw_controller_params_default,
           aimc_hw_controller_params_validate);

static const aimc_cfg_field buffer_fields[] = {
  AIMC_CFG_DOUBLE_FIELD(aimc_hw_buffer_params, read_energy_per_bit, NULL, AIMC_UNIT_ENERGY_PER_BIT, 0, 0, GE,
                        "SRAM read energy per bit"),
  AIMC_CFG_DOUBLE_FIELD(aimc_hw_buffer_params, write_energy_per_bit, NULL, AIMC_UNIT_ENERGY_PER_BIT, 0, 0, GE,
                        "SRAM write energy per bit"),
  AIMC_CFG_INT_FIELD(aimc_hw_buffer_params, bits_per_cycle, NULL, 1, 1 << 24, GE | LE,
                     "bandwidth of one port per controller cycle"),
  AIMC_CFG_INT_FIELD(aimc_hw_buffer_params, ports, NULL, 1, 1024, GE | LE, "accesses served at once"),
  AIMC_CFG_INT_FIELD(aimc_hw_buffer_params, word_bits, NULL, 1, 64, GE | LE,
                     "bits of one stored activation or error value"),
  AIMC_CFG_DOUBLE_FIELD(aimc_hw_buffer_params, leakage_power_per_byte, NULL, AIMC_UNIT_POWER, 0, 1e-3, GE | LE,
                        "leakage power per byte of capacity (chip.area.buffer_bytes) while the chip is powered"),
};
HW_SECTION(buffer_schema, "buffer", "SRAM buffer for activations and errors between layers.", aimc_hw_buffer_params,
           buffer_fields, aimc_hw_buffer_params_default, aimc_hw_buffer_params_validate);

#define AREA AIMC_UNIT_AREA
static const aimc_cfg_field area_fields[] = {
  AIMC_CFG_ENUM_FIELD(aimc_hw_area_params, adc_cost, NULL, adc_cost_name, 0,
                      "ADC area: model (regression on energy, sample rate and adc_node) or table (per-bit law)"),
  AIMC_CFG_DOUBLE_FIELD(aimc_hw_area_params, adc_node, NULL, AIMC_UNIT_LENGTH, 1e-9, 1e-6, GE | LE,
                        "technology node of the ADCs (area model)"),
  AIMC_CFG_DOUBLE_FIELD(aimc_hw_area_params, cell_height, NULL, AIMC_UNIT_LENGTH, 0, 1e-3, GT | LE,
                        "row pitch of one device; every weight is two devices"),
  AIMC_CFG_DOUBLE_FIELD(aimc_hw_area_params, cell_width, NULL, AIMC_UNIT_LENGTH, 0, 1e-3, GT | LE,
                        "column pitch of one device"),
  AIMC_CFG_DOUBLE_FIELD(aimc_hw_area_params, adc_sar_8bit, NULL, AREA, 0, 1, GE | LE,
                        "one 8-bit SAR or ramp ADC (table area); scaled by adc_sar_growth^(bits - 8)"),
  AIMC_CFG_DOUBLE_FIELD(aimc_hw_area_params, adc_sar_growth, NULL, NONE, 1, 4, GE | LE,
                        "SAR or ramp ADC area factor per extra bit (table area)"),
  AIMC_CFG_DOUBLE_FIELD(aimc_hw_area_params, adc_flash_8bit, NULL, AREA, 0, 1, GE | LE,
                        "one 8-bit flash ADC (table area); scaled by (2^bits - 1) / 255 comparators"),
  AIMC_CFG_DOUBLE_FIELD(aimc_hw_area_params, dac_line, NULL, AREA, 0, 1, GE | LE, "the input DAC of one line"),
  AIMC_CFG_DOUBLE_FIELD(aimc_hw_area_params, pulse_driver_line, NULL, AREA, 0, 1, GE | LE,
                        "the update pulse driver of one row or column line"),
  AIMC_CFG_INT_FIELD(aimc_hw_area_params, buffer_bytes, NULL, 0, 1 << 30, GE | LE,
                     "capacity of the activation and error buffer in bytes"),
  AIMC_CFG_DOUBLE_FIELD(aimc_hw_area_params, buffer_per_byte, NULL, AREA, 0, 1, GE | LE,
                        "buffer area per byte of capacity"),
  AIMC_CFG_DOUBLE_FIELD(aimc_hw_area_params, controller_per_lane, NULL, AREA, 0, 1, GE | LE,
                        "digital controller area per lane"),
};
HW_SECTION(area_schema, "area", "Silicon area of the tiles, buffer and controller (docs/hardware.md, Area).",
           aimc_hw_area_params, area_fields, aimc_hw_area_params_default, aimc_hw_area_params_validate);

#define CHIP aimc_hw_chip_params
static const aimc_cfg_field chip_fields[] = {
  AIMC_CFG_SECTION_FIELD(CHIP, tile, tile_schema, "crossbar tile geometry"),
  AIMC_CFG_INT_FIELD(CHIP, tiles, NULL, 0, 1 << 24, GE | LE, "physical tiles; 0 = as many as the layers need"),
  AIMC_CFG_SECTION_FIELD(CHIP, dac, dac_schema, "input DACs"),
  AIMC_CFG_SECTION_FIELD(CHIP, adc, adc_schema, "output ADCs"),
  AIMC_CFG_SECTION_FIELD(CHIP, pulse, pulse_schema, "update pulse generator"),
  AIMC_CFG_SECTION_FIELD(CHIP, conductance, conductance_schema, "device conductances and energies"),
  AIMC_CFG_SECTION_FIELD(CHIP, read, read_schema, "analog read"),
  AIMC_CFG_SECTION_FIELD(CHIP, controller, controller_schema, "digital controller"),
  AIMC_CFG_SECTION_FIELD(CHIP, buffer, buffer_schema, "activation and error buffer"),
  AIMC_CFG_SECTION_FIELD(CHIP, area, area_schema, "silicon area"),
};

static void chip_defaults(void *target, int variant) {
  (void)variant;
  aimc_hw_chip_params_default(target);
}
static aimc_status chip_validate(const void *target) { return aimc_hw_chip_params_validate(target); }

const aimc_cfg_section aimc_chip_schema = {
  .name = "chip",
  .description = "The simulated chip: tiles and their periphery, the controller and the buffer. Defaults "
                 "describe the reference chip of docs/hardware.md.",
  .size = sizeof(CHIP),
  .fields = chip_fields,
  .field_count = sizeof chip_fields / sizeof chip_fields[0],
  .defaults = chip_defaults,
  .validate = chip_validate,
};
