/*
 * `aimcsim config`: the fully resolved configuration of a file (with -p
 * overrides applied), or the Markdown reference of every section.
 */
#include <stdio.h>
#include <string.h>

#include "aimc_sim/commands.h"
#include "cli_common.h"

static const char usage[] =
    "usage: aimcsim config --dump [FILE] [-p section.key=value]...\n"
    "       aimcsim config --reference\n"
    "  --dump       print the fully resolved config (defaults when FILE is omitted)\n"
    "  --reference  print the Markdown reference of every section and preset\n";

int aimc_cmd_config(int argc, char **argv) {
  int dump = 0, reference = 0;
  const char *path = NULL;
  cli_overrides overrides = {{0}, 0};
  for (int k = 1; k < argc; ++k) {
    if (strcmp(argv[k], "--help") == 0) {
      fputs(usage, stdout);
      return AIMC_EXIT_OK;
    } else if (strcmp(argv[k], "--dump") == 0) {
      dump = 1;
    } else if (strcmp(argv[k], "--reference") == 0) {
      reference = 1;
    } else if (strcmp(argv[k], "-p") == 0 && k + 1 < argc) {
      if (!cli_overrides_add(&overrides, "config", argv[++k])) return AIMC_EXIT_USAGE;
    } else if (argv[k][0] != '-' && !path) {
      path = argv[k];
    } else {
      fprintf(stderr, "aimcsim config: unexpected argument '%s'\n%s", argv[k], usage);
      return AIMC_EXIT_USAGE;
    }
  }
  if (dump == reference) {
    fputs(usage, stderr);
    return AIMC_EXIT_USAGE;
  }
  if (reference) {
    if (path || overrides.count) {
      fprintf(stderr, "aimcsim config: --reference takes no file or overrides\n");
      return AIMC_EXIT_USAGE;
    }
    return aimc_cfg_write_reference_md(stdout, &aimc_config_schema) == AIMC_OK ? AIMC_EXIT_OK : AIMC_EXIT_FAILURE;
  }
  aimc_config config;
  int status = cli_load_config(path, &overrides, &config);
  if (status != AIMC_EXIT_OK) return status;
  return aimc_cfg_dump(stdout, &aimc_config_schema, &config) == AIMC_OK ? AIMC_EXIT_OK : AIMC_EXIT_FAILURE;
}
