/*
 * The document root: one entry per top-level section of aimc_config. Adding a
 * section is one line here plus its member in aimc_config (config.h).
 */
#include <stddef.h>

#include "aimc_sim/config.h"

static const aimc_cfg_field root_fields[] = {
  AIMC_CFG_SECTION_FIELD(aimc_config, device, aimc_device_schema,
                         "pulsed device of every crossbar"),
  AIMC_CFG_SECTION_FIELD(aimc_config, update, aimc_update_schema, "pulsed outer-product update"),
  AIMC_CFG_SECTION_FIELD(aimc_config, forward, aimc_io_schema, "periphery of the forward MVM"),
  AIMC_CFG_SECTION_FIELD(aimc_config, backward, aimc_io_schema,
                         "periphery of the backward (transposed) MVM"),
};

const aimc_cfg_section aimc_config_schema = {
  .name = "",
  .description = "A config document is a mapping of these sections, with an optional "
                 "`version: 1` first.",
  .size = sizeof(aimc_config),
  .fields = root_fields,
  .field_count = sizeof root_fields / sizeof root_fields[0],
};
