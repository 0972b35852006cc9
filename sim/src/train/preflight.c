/*
 * The checks of `aimcsim run` that need the whole configuration (not one
 * section) and would otherwise stop a run only after it had created its run
 * directory: they run before anything is created or written, so that a
 * refused start changes nothing on disk (docs/training.md). Each check is the
 * one the chip applies later (aimc_hw_trace_params_check_layers,
 * aimc_hw_layer_tiles), called early on the shapes the workload will add, with
 * the names of the configuration keys; the data files are checked with
 * aimc_require_regular_file, as their readers do. Resolutions finer than the
 * converters are refused earlier still, when the config loads (schema_root.c).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aimc_hw/params.h"
#include "aimc_sim/fileio.h"
#include "aimc_sim/trace.h"
#include "train_internal.h"

/* The networks read all four data files at the start; a missing one (or a FIFO
 * or device) would otherwise stop the run after its directory exists. */
static aimc_status check_data_files(const aimc_data_params *data) {
  const struct {
    const char *key, *path;
  } files[] = {{"data.train_images", data->train_images},
               {"data.train_labels", data->train_labels},
               {"data.test_images", data->test_images},
               {"data.test_labels", data->test_labels}};
  /* A FIFO or device among them is named first, before a file that is missing. */
  aimc_status missing = AIMC_OK;
  char reason[1024] = "";
  for (size_t k = 0; k < sizeof files / sizeof files[0]; ++k) {
    aimc_status status = aimc_require_regular_file(files[k].key, files[k].path);
    if (status == AIMC_EINVAL) return status;
    if (status != AIMC_OK && missing == AIMC_OK) {
      missing = status;
      snprintf(reason, sizeof reason, "%s", aimc_error_message());
    }
  }
  return missing == AIMC_OK ? AIMC_OK : aimc_error_set(missing, "%s", reason);
}

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
  double out[AIMC_MAX_CHIP_LAYERS], in[AIMC_MAX_CHIP_LAYERS];
  int n = run_workload_layers(config, out, in);
  aimc_hw_trace_layer layers[AIMC_MAX_CHIP_LAYERS];
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

/* The layers must fit the chip's physical tiles (chip.tiles; 0: as many as needed). */
static aimc_status check_tiles(const aimc_config *config) {
  if (config->chip.tiles <= 0) return AIMC_OK;
  double out[AIMC_MAX_CHIP_LAYERS], in[AIMC_MAX_CHIP_LAYERS];
  int n = run_workload_layers(config, out, in), used = 0;
  int fast = config->experiment.algorithm == AIMC_ALGORITHM_TIKI_TAKA;
  for (int k = 0; k < n; ++k) {
    int needed = aimc_hw_layer_tiles(&config->chip.tile, (int)out[k], (int)in[k], fast);
    if (used + needed > config->chip.tiles)
      return aimc_error_set(AIMC_EINVAL,
                            "chip.tiles = %d is too few: layer %d (%d x %d) needs %d tiles of %d x %d (chip.tile) "
                            "after the %d of the layers before it",
                            config->chip.tiles, k, (int)out[k], (int)in[k], needed, config->chip.tile.rows,
                            config->chip.tile.cols, used);
    used += needed;
  }
  return AIMC_OK;
}

aimc_status run_preflight(const aimc_config *config, const run_checkpointing *checkpointing, int resuming) {
  if (config->experiment.workload != AIMC_WORKLOAD_LEAST_SQUARES) {
    aimc_status status = check_data_files(&config->data);
    if (status != AIMC_OK) return status;
  }
  if (config->trace.enabled) {
    aimc_status status = check_trace(config, checkpointing, resuming);
    if (status != AIMC_OK) return status;
  }
  if (config->experiment.algorithm == AIMC_ALGORITHM_DIGITAL_SGD) return AIMC_OK;
  return check_tiles(config);
}

/* Sections the run's algorithm and workload never read. */
static int section_unused(const aimc_config *config, const char *key) {
  static const char *const tiki_taka_only[] = {"tiki_taka", "fast_device", "fast_update", "transfer_forward"};
  static const char *const chip_only[] = {"device", "update", "forward", "backward", "mapping", "chip"};
  int algorithm = config->experiment.algorithm;
  for (size_t k = 0; k < sizeof tiki_taka_only / sizeof tiki_taka_only[0]; ++k)
    if (strcmp(key, tiki_taka_only[k]) == 0) return algorithm != AIMC_ALGORITHM_TIKI_TAKA;
  for (size_t k = 0; k < sizeof chip_only / sizeof chip_only[0]; ++k)
    if (strcmp(key, chip_only[k]) == 0) return algorithm == AIMC_ALGORITHM_DIGITAL_SGD;
  if (strcmp(key, "least_squares") == 0) return config->experiment.workload != AIMC_WORKLOAD_LEAST_SQUARES;
  if (strcmp(key, "data") == 0) return config->experiment.workload == AIMC_WORKLOAD_LEAST_SQUARES;
  return 0;
}

size_t run_unused_sections(const aimc_config *config, char *names, size_t size) {
  aimc_config *defaults = malloc(sizeof *defaults);
  if (!defaults) return 0;
  aimc_cfg_defaults(&aimc_config_schema, defaults);
  /* The resolutions that follow the converters follow this config's chip. */
  aimc_hw_io_match_converters(&config->chip, &defaults->forward);
  aimc_hw_io_match_converters(&config->chip, &defaults->backward);
  aimc_hw_io_match_converters(&config->chip, &defaults->transfer_forward);
  size_t count = 0, used = 0;
  if (size > 0) names[0] = '\0';
  for (size_t i = 0; i < aimc_config_schema.field_count; ++i) {
    const aimc_cfg_field *field = &aimc_config_schema.fields[i];
    if (field->type != AIMC_CFG_SECTION || !section_unused(config, field->key)) continue;
    if (aimc_cfg_equal(field->section, (const char *)config + field->offset, (const char *)defaults + field->offset))
      continue;
    int n = snprintf(names + used, used < size ? size - used : 0, "%s%s", count ? ", " : "", field->key);
    if (n > 0 && used + (size_t)n < size) used += (size_t)n;
    ++count;
  }
  free(defaults);
  return count;
}
