/* Trace parameters from the configuration (aimc_sim/trace.h). trace.vcd is
 * checked when the configuration loads (waveforms/NAME.vcd, schema_experiment.c). */
#include "aimc_sim/trace.h"

#include <stdio.h>
#include <string.h>

#include "aimc_sim/fileio.h"

aimc_status aimc_trace_params_from_config(const aimc_trace_config *t, const char *base_dir,
                                          aimc_hw_trace_params *params) {
  aimc_hw_trace_params_default(params);
  if (t->vcd[0] != '/' && !base_dir)
    return aimc_error_set(AIMC_EINVAL, "trace.vcd '%s' is relative to the output directory: give -o OUTDIR", t->vcd);
  int written = t->vcd[0] == '/' ? snprintf(params->vcd_path, sizeof params->vcd_path, "%s", t->vcd)
                                 : snprintf(params->vcd_path, sizeof params->vcd_path, "%s/%s", base_dir, t->vcd);
  if (written < 0 || (size_t)written >= sizeof params->vcd_path)
    return aimc_error_set(AIMC_EINVAL, "trace.vcd: the path is longer than %zu bytes", sizeof params->vcd_path - 1);
  char *slash = strrchr(params->vcd_path, '/');
  if (slash) {
    *slash = '\0';
    aimc_status status = aimc_make_directories(params->vcd_path);
    *slash = '/';
    if (status != AIMC_OK) return status;
  }
  aimc_trace_params_fill(t, params);
  return AIMC_OK;
}

void aimc_trace_params_fill(const aimc_trace_config *t, aimc_hw_trace_params *params) {
  params->first_step = t->first_step;
  params->last_step = t->last_step;
  params->n_tiles = 1;
  aimc_hw_trace_tile *tile = &params->tiles[0];
  tile->layer = t->layer;
  tile->fast = t->fast;
  tile->row_block = t->row_block;
  tile->col_block = t->col_block;
  /* An empty list (the default) selects the tile's first lines, as many as it has up to 4. */
  tile->n_rows = t->n_rows > 0 ? t->n_rows : AIMC_HW_TRACE_FIRST_LINES;
  for (int k = 0; k < t->n_rows; ++k) tile->rows[k] = (int)t->rows[k];
  tile->n_cols = t->n_cols > 0 ? t->n_cols : AIMC_HW_TRACE_FIRST_LINES;
  for (int k = 0; k < t->n_cols; ++k) tile->cols[k] = (int)t->cols[k];
  tile->n_devices = t->n_devices;
  for (int k = 0; k < t->n_devices; ++k) {
    tile->device_rows[k] = (int)t->device_rows[k];
    tile->device_cols[k] = (int)t->device_cols[k];
  }
}
