/*
 * The aimcsim command-line front end: dispatches to the sub-commands.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aimc_hw/kernel.h"
#include "aimc_sim/commands.h"
#include "aimc_sim/dataset.h"
#include "aimc_version.h"

typedef struct command {
  const char *name;
  int (*run)(int argc, char **argv);
  const char *summary;
} command;

static const command commands[] = {
    {"run", aimc_cmd_run, "train on the simulated chip (default: the embedded least-squares experiment)"},
    {"demo", aimc_cmd_demo, "built-in demonstration of device responses and pulsed updates"},
    {"config", aimc_cmd_config, "print the resolved configuration or the config reference"},
    {"plot", aimc_cmd_plot, "PNG and SVG plots of a run directory (gnuplot)"},
    {"sweep", aimc_cmd_sweep, "run a grid of configurations, collect results.csv and the Pareto front"},
    {"response", aimc_cmd_response, "pulse response and response factors of the configured device"},
    {"pulse-check", aimc_cmd_pulse_check, "bias, drift, pulses, time and energy of the update, against limits"},
    {"data", aimc_cmd_data, "check IDX files; prepare MNIST and Fashion-MNIST"},
};

static void print_usage(FILE *out) {
  fprintf(out,
          "usage: aimcsim <command> [options]\n"
          "       aimcsim --version | --help\n\n"
          "commands:\n");
  for (size_t k = 0; k < sizeof commands / sizeof commands[0]; ++k)
    fprintf(out, "  %-14s %s\n", commands[k].name, commands[k].summary);
  fprintf(out, "\n'aimcsim <command> --help' describes a command.\n");
}

int main(int argc, char **argv) {
  /* SystemC prints a banner when its kernel starts; aimcsim reports versions itself. */
  setenv("SYSTEMC_DISABLE_COPYRIGHT_MESSAGE", "1", 0);
  if (argc < 2) {
    print_usage(stderr);
    return AIMC_EXIT_USAGE;
  }
  if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "-V") == 0) {
    printf("aimcsim %s (git %s)\nSystemC %s\n", AIMC_VERSION_STRING, AIMC_GIT_REVISION, aimc_hw_systemc_version());
    return AIMC_EXIT_OK;
  }
  if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "help") == 0) {
    print_usage(stdout);
    return AIMC_EXIT_OK;
  }
  for (size_t k = 0; k < sizeof commands / sizeof commands[0]; ++k) {
    if (strcmp(argv[1], commands[k].name) == 0) return commands[k].run(argc - 1, argv + 1);
  }
  fprintf(stderr, "aimcsim: unknown command '%s'\n\n", argv[1]);
  print_usage(stderr);
  return AIMC_EXIT_USAGE;
}
