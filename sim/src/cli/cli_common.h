/*
 * Helpers shared by the sub-commands: option values, `-p` overrides, and
 * loading a config with its errors reported on stderr.
 */
#ifndef AIMC_CLI_COMMON_H
#define AIMC_CLI_COMMON_H

#include <stddef.h>

#include "aimc_sim/config.h"

#define AIMC_CLI_MAX_OVERRIDES 256

typedef struct cli_overrides {
  const char *items[AIMC_CLI_MAX_OVERRIDES];
  size_t count;
} cli_overrides;

/* Adds the value of a `-p` option; prints an error and returns 0 when full. */
int cli_overrides_add(cli_overrides *overrides, const char *command, const char *value);

/* Parses an integer option value in [lo, hi]; prints an error and returns 0 otherwise. */
int cli_parse_long(const char *command, const char *option, const char *text, long lo, long hi, long *out);

/* Loads `path` (NULL: defaults only) with the overrides into *config. Returns
 * an exit status: 0, or 2 after printing the error report to stderr. */
int cli_load_config(const char *path, const cli_overrides *overrides, aimc_config *config);

#endif
