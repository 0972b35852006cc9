/*
 * The document root: one entry per top-level section of aimc_config. Adding a
 * section is one line here plus its member in aimc_config (config.h).
 */
#include <stddef.h>

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

/* Checks across sections, after the whole document (and every -p) is applied. */
static aimc_status config_validate(const void *target) { return aimc_mapping_check_chip(target); }

const aimc_cfg_section aimc_config_schema = {
  .name = "",
  .description = "A config document is a mapping of these sections, with an optional "
                 "`version: 1` first.",
  .size = sizeof(aimc_config),
  .fields = root_fields,
  .field_count = sizeof root_fields / sizeof root_fields[0],
  .validate = config_validate,
};
