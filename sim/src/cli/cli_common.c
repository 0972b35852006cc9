/*
 * Option helpers shared by the sub-commands (see cli_common.h).
 */
#include "cli_common.h"

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

const char *cli_parse_digits(const char *text, unsigned long long max, unsigned long long *out) {
  if (!text || *text < '0' || *text > '9') return NULL;
  unsigned long long value = 0;
  const char *p = text;
  for (; *p >= '0' && *p <= '9'; ++p) {
    unsigned digit = (unsigned)(*p - '0');
    if (value > (max - digit) / 10) return NULL; /* beyond max, or beyond the type */
    value = value * 10 + digit;
  }
  *out = value;
  return p;
}

int cli_parse_count(const char *text, unsigned long long lo, unsigned long long hi, unsigned long long *out) {
  unsigned long long value;
  const char *end = cli_parse_digits(text, hi, &value);
  if (!end || *end || value < lo) return 0;
  *out = value;
  return 1;
}

int cli_parse_long(const char *command, const char *option, const char *text, long lo, long hi, long *out) {
  unsigned long long value;
  if (lo < 0 || !cli_parse_count(text, (unsigned long long)lo, (unsigned long long)hi, &value)) {
    fprintf(stderr, "aimcsim %s: %s needs an integer in [%ld, %ld], got '%s'\n", command, option, lo, hi, text);
    return 0;
  }
  *out = (long)value;
  return 1;
}

int cli_parse_real(const char *command, const char *option, const char *text, double *out) {
  char reason[160];
  if (aimc_cfg_parse_quantity(text, AIMC_UNIT_NONE, out, reason, sizeof reason) != AIMC_OK) {
    fprintf(stderr, "aimcsim %s: %s needs a number, got '%s' (%s)\n", command, option, text, reason);
    return 0;
  }
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
