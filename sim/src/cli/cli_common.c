/*
 * Option helpers shared by the sub-commands (see cli_common.h).
 */
#include "cli_common.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "aimc_sim/commands.h"

int cli_overrides_add(cli_overrides *overrides, const char *command, const char *value) {
  if (overrides->count >= AIMC_CLI_MAX_OVERRIDES) {
    fprintf(stderr, "aimcsim %s: more than %d -p overrides\n", command, AIMC_CLI_MAX_OVERRIDES);
    return 0;
  }
  overrides->items[overrides->count++] = value;
  return 1;
}

int cli_parse_long(const char *command, const char *option, const char *text, long lo, long hi, long *out) {
  char *end = NULL;
  errno = 0;
  long v = strtol(text, &end, 10);
  if (errno != 0 || !end || *end || end == text || v < lo || v > hi) {
    fprintf(stderr, "aimcsim %s: %s needs an integer in [%ld, %ld], got '%s'\n", command, option, lo, hi, text);
    return 0;
  }
  *out = v;
  return 1;
}

int cli_load_config(const char *path, const cli_overrides *overrides, aimc_config *config) {
  aimc_cfg_error error;
  aimc_status status = aimc_cfg_load_file(&aimc_config_schema, config, path, overrides->items, overrides->count, &error);
  if (status != AIMC_OK) {
    fputs(error.text, stderr);
    return AIMC_EXIT_USAGE;
  }
  return AIMC_EXIT_OK;
}
