/*
 * The hardware model's waveform trace parameters from the `trace` section of a
 * configuration (shared by `aimcsim run` and `aimcsim pulse-check`).
 */
#ifndef AIMC_SIM_TRACE_H
#define AIMC_SIM_TRACE_H

#include "aimc_hw/params.h"
#include "aimc_sim/config.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Fills params from the section except the VCD path: the window and the traced
 * tile; writes nothing. */
void aimc_trace_params_fill(const aimc_trace_config *trace, aimc_hw_trace_params *params);

/* Fills params from the section; a relative trace.vcd is taken below base_dir
 * (NULL: refused, naming the section), and the VCD's directory is created. */
aimc_status aimc_trace_params_from_config(const aimc_trace_config *trace, const char *base_dir,
                                          aimc_hw_trace_params *params);

#ifdef __cplusplus
}
#endif
#endif
