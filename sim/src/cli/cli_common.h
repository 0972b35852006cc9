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

/* The one parser of numeric command-line values and limit variables: a run of
 * decimal digits at the start of text (no sign, no leading space, no "0x")
 * whose value is at most max. Returns the end of the digits with the value in
 * *out, or NULL if text does not start with a digit or the value exceeds max
 * (an overflow is never wrapped or clamped). */
const char *cli_parse_digits(const char *text, unsigned long long max, unsigned long long *out);

/* A value that is all digits (cli_parse_digits to the end of text) in [lo, hi]:
 * 1 with *out set, else 0. */
int cli_parse_count(const char *text, unsigned long long lo, unsigned long long hi, unsigned long long *out);

/* Parses an option value with cli_parse_count in [lo, hi] (lo >= 0); prints
 * "aimcsim COMMAND: OPTION needs an integer in [lo, hi], got 'TEXT'" and
 * returns 0 otherwise. */
int cli_parse_long(const char *command, const char *option, const char *text, long lo, long hi, long *out);

/* Parses a real option value strictly as the configuration parses a
 * dimensionless number (aimc_cfg_parse_quantity: optional sign, digits, optional
 * exponent, nothing after it, finite); prints "aimcsim COMMAND: OPTION needs a
 * number, got 'TEXT' (reason)" and returns 0 otherwise. */
int cli_parse_real(const char *command, const char *option, const char *text, double *out);

/* Loads `path` (NULL: defaults only) with the overrides into *config. Returns
 * an exit status: 0, or 2 after printing the error report to stderr. */
int cli_load_config(const char *path, const cli_overrides *overrides, aimc_config *config);

#endif
