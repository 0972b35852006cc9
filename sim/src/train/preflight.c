/*
 * The checks of `aimcsim run` that need the whole configuration (not one
 * section) and would otherwise stop a run only after it had created its run
 * directory: they run before anything is created or written, so that a
 * refused start changes nothing on disk (docs/training.md). Each check is the
 * one the chip applies later (aimc_hw_io_check_converters,
 * aimc_hw_trace_params_check_layers), called early on the shapes the workload
 * will add, with the names of the configuration keys.
 */
#include "aimc_sim/trace.h"
#include "train_internal.h"

static aimc_status check_trace(const aimc_config *config, const run_checkpointing *checkpointing, int resuming) {
  if (config->experiment.algorithm == AIMC_ALGORITHM_DIGITAL_SGD)
    return aimc_error_set(AIMC_EINVAL, "trace.enabled: waveforms need an analog algorithm (experiment.algorithm "
                                       "digital_sgd runs without the chip)");
  if (!config->experiment.timing)
    return aimc_error_set(AIMC_EINVAL,
                          "trace.enabled: waveforms need the timed chip (experiment.timing: true, no --no-timing)");
  if (checkpointing->every > 0)
    return aimc_error_set(AIMC_EINVAL, "--checkpoint-every: a traced run (trace.enabled: true) cannot be checkpointed: "
                                       "its waveform could not continue in a resumed run; drop one of the two");
  if (resuming)
    return aimc_error_set(AIMC_EINVAL, "--resume: a traced run (trace.enabled: true) cannot resume: its waveform "
                                       "could not continue; rerun it into a new directory");
  double out[4], in[4];
  int n = run_workload_layers(config, out, in);
  aimc_hw_trace_layer layers[4];
  for (int k = 0; k < n; ++k) {
    layers[k].out = (int)out[k];
    layers[k].in = (int)in[k];
    layers[k].fast = config->experiment.algorithm == AIMC_ALGORITHM_TIKI_TAKA;
  }
  aimc_hw_trace_params params;
  aimc_hw_trace_params_default(&params);
  aimc_trace_params_fill(&config->trace, &params);
  /* The path is checked with the section (schema_experiment.c); any one does here. */
  params.vcd_path[0] = 'x';
  params.vcd_path[1] = '\0';
  return aimc_hw_trace_params_check_layers(&params, &config->chip.tile, layers, n, "trace");
}

aimc_status run_preflight(const aimc_config *config, const run_checkpointing *checkpointing, int resuming) {
  if (config->trace.enabled) {
    aimc_status status = check_trace(config, checkpointing, resuming);
    if (status != AIMC_OK) return status;
  }
  if (config->experiment.algorithm == AIMC_ALGORITHM_DIGITAL_SGD) return AIMC_OK;
  aimc_status status = aimc_hw_io_check_converters(&config->forward, "forward", &config->chip);
  if (status == AIMC_OK) status = aimc_hw_io_check_converters(&config->backward, "backward", &config->chip);
  if (status == AIMC_OK && config->experiment.algorithm == AIMC_ALGORITHM_TIKI_TAKA)
    status = aimc_hw_io_check_converters(&config->transfer_forward, "transfer_forward", &config->chip);
  return status;
}
