/*
 * Entry into the SystemC kernel, callable from C. SystemC elaborates once per
 * process and starts through sc_main; aimc_hw_run_in_kernel hands a job to
 * sc_main so that the C front end keeps its own main().
 */
#ifndef AIMC_HW_KERNEL_H
#define AIMC_HW_KERNEL_H
#ifdef __cplusplus
extern "C" {
#endif

/* The SystemC release string, e.g. "2.3.4-Accellera". */
const char *aimc_hw_systemc_version(void);

/* Runs job(context) inside sc_main (elaborate, simulate) and returns its status.
 * SystemC errors raised inside are caught and reported as status 1. Call at most
 * once per process. */
int aimc_hw_run_in_kernel(int (*job)(void *context), void *context);

#ifdef __cplusplus
}
#endif
#endif
