/*
 * Sub-commands of the aimcsim executable. Each takes the arguments after the
 * program name (argv[0] is the sub-command) and returns the process exit status:
 * 0 success, 1 a failure while running, 2 a usage or configuration error,
 * 3 stopped by SIGINT or SIGTERM (the results so far are written), 4 a check
 * ran to the end and found a configured limit broken (aimcsim pulse-check).
 */
#ifndef AIMC_SIM_COMMANDS_H
#define AIMC_SIM_COMMANDS_H

#ifdef __cplusplus
extern "C" {
#endif

enum { AIMC_EXIT_OK = 0, AIMC_EXIT_FAILURE = 1, AIMC_EXIT_USAGE = 2, AIMC_EXIT_INTERRUPTED = 3, AIMC_EXIT_LIMIT = 4 };

/* Training on the simulated chip (sim/src/train/run.c). */
int aimc_cmd_run(int argc, char **argv);
/* Built-in demonstration of the device and pulse physics. */
int aimc_cmd_demo(int argc, char **argv);
/* Resolved configuration (--dump) and the Markdown config reference. */
int aimc_cmd_config(int argc, char **argv);
/* Pulse response and response factors of the configured device. */
int aimc_cmd_response(int argc, char **argv);
/* PNG and SVG plots of a run directory with gnuplot. */
int aimc_cmd_plot(int argc, char **argv);
/* A sweep of runs over a grid of config values, locally or under MPI (sim/src/sweep). */
int aimc_cmd_sweep(int argc, char **argv);
/* Bias, drift, pulses, time and energy of the configured update, against limits. */
int aimc_cmd_pulse_check(int argc, char **argv);

#ifdef __cplusplus
}
#endif
#endif
