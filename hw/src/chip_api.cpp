// The C interface of the chip (chip.h): argument checks and conversion of C++
// outcomes into status codes around aimc::hw::Chip.
#include <memory>
#include <string>

#include "aimc_hw/area.h"
#include "aimc_hw/chip.h"
#include "aimc_hw/chip_module.h"
#include "aimc_hw/timebase.h"

struct aimc_hw_chip {
  std::unique_ptr<aimc::hw::Chip> chip;
};

namespace {

aimc_status null_argument(const char *function) {
  return aimc_error_set(AIMC_EINVAL, "%s: a required pointer argument is NULL", function);
}

std::string free_name() {
  std::string name = "chip";
  for (int k = 1; sc_core::sc_find_object(name.c_str()); ++k) name = "chip" + std::to_string(k);
  return name;
}

aimc::hw::Layer *find_layer(const aimc_hw_chip *chip, int layer) { return chip->chip->layer(layer); }

// Runs an elaboration step, turning a SystemC error or an exhausted heap into a
// status (exceptions must not cross the C interface).
template <typename Step>
aimc_status guarded(const char *function, Step &&step) {
  try {
    return step();
  } catch (const std::bad_alloc &) {
    return aimc_error_set(AIMC_ENOMEM, "%s: out of memory", function);
  } catch (const std::exception &error) {
    return aimc_error_set(AIMC_EINVAL, "%s: SystemC: %s", function, error.what());
  }
}

// AIMC_OK if `which` names an array the layer has.
aimc_status check_array(const aimc::hw::Layer &layer, aimc_hw_array which) {
  if (which != AIMC_HW_ARRAY_MAIN && which != AIMC_HW_ARRAY_FAST)
    return aimc_error_set(AIMC_EINVAL, "%s: array selector %d is neither main nor fast", layer.name(), (int)which);
  if (which == AIMC_HW_ARRAY_FAST && !layer.has_fast())
    return aimc_error_set(AIMC_EINVAL, "%s has no fast array", layer.name());
  return AIMC_OK;
}

}  // namespace

extern "C" {

const char *aimc_hw_phase_name(aimc_hw_phase phase) {
  static const char *const names[AIMC_HW_PHASE_COUNT] = {"forward", "backward", "update", "transfer", "digital"};
  return static_cast<unsigned>(phase) < AIMC_HW_PHASE_COUNT ? names[phase] : nullptr;
}

void aimc_hw_layer_params_default(aimc_hw_layer_params *layer, int out, int in, const aimc_hw_chip_params *chip) {
  *layer = aimc_hw_layer_params{};
  layer->out = out;
  layer->in = in;
  aimc_device_params_default(&layer->device, AIMC_DEVICE_CONSTANT_STEP);
  aimc_update_params_default(&layer->update);
  aimc_io_params_default(&layer->forward_io);
  aimc_hw_io_match_converters(chip, &layer->forward_io);
  layer->backward_io = layer->forward_io;
  layer->fast_device = layer->device;
  layer->fast_update = layer->update;
  layer->transfer_io = layer->forward_io;
}

aimc_status aimc_hw_chip_create(aimc_hw_chip **chip, const aimc_hw_chip_params *params, int timed) {
  if (!chip || !params) return null_argument("aimc_hw_chip_create");
  *chip = nullptr;
  aimc_status status = aimc_hw_chip_params_validate(params);
  if (status != AIMC_OK) return status;
  if ((status = aimc::hw::ensure_time_resolution()) != AIMC_OK) return status;
  if (sc_core::sc_get_status() != sc_core::SC_ELABORATION)
    return aimc_error_set(AIMC_EINVAL, "aimc_hw_chip_create: chips must be built before the SystemC simulation starts");
  return guarded("aimc_hw_chip_create", [&] {
    auto handle = std::make_unique<aimc_hw_chip>();
    std::string name = free_name();
    handle->chip = std::make_unique<aimc::hw::Chip>(name.c_str(), *params, timed != 0);
    *chip = handle.release();
    return AIMC_OK;
  });
}

void aimc_hw_chip_destroy(aimc_hw_chip *chip) {
  if (!chip) return;
  chip->chip->trace_finish();
  delete chip;
}

aimc_status aimc_hw_chip_add_layer(aimc_hw_chip *chip, const aimc_hw_layer_params *params, int *layer) {
  if (!chip || !params) return null_argument("aimc_hw_chip_add_layer");
  return guarded("aimc_hw_chip_add_layer", [&] { return chip->chip->add_layer(*params, layer); });
}

int aimc_hw_chip_layers(const aimc_hw_chip *chip) { return chip ? chip->chip->layers() : 0; }

aimc_status aimc_hw_chip_layer_grid(const aimc_hw_chip *chip, int layer, int *row_blocks, int *col_blocks) {
  if (!chip || !row_blocks || !col_blocks) return null_argument("aimc_hw_chip_layer_grid");
  const aimc::hw::Layer *l = find_layer(chip, layer);
  if (!l) return AIMC_EINVAL;
  *row_blocks = l->map().row_blocks;
  *col_blocks = l->map().col_blocks;
  return AIMC_OK;
}

aimc_status aimc_hw_chip_forward(aimc_hw_chip *chip, int layer, aimc_hw_array which, const float *x, float *y,
                                 int batch) {
  if (!chip || (batch > 0 && (!x || !y))) return null_argument("aimc_hw_chip_forward");
  aimc::hw::Layer *l = find_layer(chip, layer);
  return l ? chip->chip->controller().forward(*l, which, x, y, batch) : AIMC_EINVAL;
}

aimc_status aimc_hw_chip_backward(aimc_hw_chip *chip, int layer, aimc_hw_array which, const float *d, float *y,
                                  int batch) {
  if (!chip || (batch > 0 && (!d || !y))) return null_argument("aimc_hw_chip_backward");
  aimc::hw::Layer *l = find_layer(chip, layer);
  return l ? chip->chip->controller().backward(*l, which, d, y, batch) : AIMC_EINVAL;
}

aimc_status aimc_hw_chip_update(aimc_hw_chip *chip, int layer, aimc_hw_array which, const float *x, const float *d,
                                int batch, float lr) {
  if (!chip || (batch > 0 && (!x || !d))) return null_argument("aimc_hw_chip_update");
  aimc::hw::Layer *l = find_layer(chip, layer);
  return l ? chip->chip->controller().update(*l, which, x, d, batch, lr) : AIMC_EINVAL;
}

aimc_status aimc_hw_chip_transfer(aimc_hw_chip *chip, int layer, int first_column, int columns, float lr) {
  if (!chip) return null_argument("aimc_hw_chip_transfer");
  aimc::hw::Layer *l = find_layer(chip, layer);
  return l ? chip->chip->controller().transfer(*l, first_column, columns, lr) : AIMC_EINVAL;
}

aimc_status aimc_hw_chip_device_step(aimc_hw_chip *chip, int layer) {
  if (!chip) return null_argument("aimc_hw_chip_device_step");
  aimc::hw::Layer *l = find_layer(chip, layer);
  return l ? chip->chip->controller().device_step(*l) : AIMC_EINVAL;
}

aimc_status aimc_hw_chip_reset_columns(aimc_hw_chip *chip, int layer, aimc_hw_array which, int first_column,
                                       int columns) {
  if (!chip) return null_argument("aimc_hw_chip_reset_columns");
  aimc::hw::Layer *l = find_layer(chip, layer);
  return l ? chip->chip->controller().reset_columns(*l, which, first_column, columns) : AIMC_EINVAL;
}

aimc_status aimc_hw_chip_digital(aimc_hw_chip *chip, aimc_hw_phase phase, aimc_hw_op_class op, uint64_t count) {
  if (!chip) return null_argument("aimc_hw_chip_digital");
  return chip->chip->controller().digital(phase, op, count);
}

aimc_status aimc_hw_chip_parallel_begin(aimc_hw_chip *chip) {
  if (!chip) return null_argument("aimc_hw_chip_parallel_begin");
  return chip->chip->controller().parallel_begin();
}

aimc_status aimc_hw_chip_parallel_end(aimc_hw_chip *chip) {
  if (!chip) return null_argument("aimc_hw_chip_parallel_end");
  return chip->chip->controller().parallel_end();
}

void aimc_hw_chip_set_step(aimc_hw_chip *chip, uint64_t step) {
  if (chip) chip->chip->controller().set_step(step);
}

aimc_status aimc_hw_chip_get_weights(const aimc_hw_chip *chip, int layer, aimc_hw_array which, float *weights) {
  if (!chip || !weights) return null_argument("aimc_hw_chip_get_weights");
  const aimc::hw::Layer *l = find_layer(chip, layer);
  if (!l) return AIMC_EINVAL;
  aimc_status status = check_array(*l, which);
  if (status != AIMC_OK) return status;
  chip->chip->get_weights(*l, which, weights);
  return AIMC_OK;
}

aimc_status aimc_hw_chip_get_saturation(const aimc_hw_chip *chip, int layer, aimc_hw_array which, float *saturation) {
  if (!chip || !saturation) return null_argument("aimc_hw_chip_get_saturation");
  const aimc::hw::Layer *l = find_layer(chip, layer);
  if (!l) return AIMC_EINVAL;
  aimc_status status = check_array(*l, which);
  if (status != AIMC_OK) return status;
  return chip->chip->get_saturation(*l, which, saturation);
}

aimc_status aimc_hw_chip_set_weights(aimc_hw_chip *chip, int layer, aimc_hw_array which, const float *weights) {
  if (!chip || !weights) return null_argument("aimc_hw_chip_set_weights");
  aimc::hw::Layer *l = find_layer(chip, layer);
  if (!l) return AIMC_EINVAL;
  aimc_status status = check_array(*l, which);
  if (status != AIMC_OK) return status;
  return chip->chip->set_weights(*l, which, weights);
}

int aimc_hw_chip_run(aimc_hw_chip *chip, int (*program)(void *), void *context) {
  if (!chip || !program) {
    null_argument("aimc_hw_chip_run");
    return -1;
  }
  return chip->chip->controller().run(program, context);
}

void aimc_hw_chip_totals(const aimc_hw_chip *chip, aimc_hw_totals *totals) {
  *totals = aimc_hw_totals{};
  if (!chip) return;
  aimc::hw::RunSummary run = chip->chip->summary();
  totals->timed = run.timed;
  totals->simulated_time = run.simulated_time.to_seconds();
  for (int p = 0; p < AIMC_HW_PHASE_COUNT; ++p) {
    totals->energy[p] = aimc::hw::subtree_energy(*chip->chip, p);
    totals->energy_total += totals->energy[p];
    totals->time[p] = run.phases.time[p].to_seconds();
    totals->operations[p] = run.phases.operations[p];
  }
  totals->static_power = aimc::hw::subtree_static_power(*chip->chip);
  totals->leakage = aimc::hw::subtree_leakage(*chip->chip, aimc::hw::powered_time(run));
  totals->energy_total += totals->leakage;
}

aimc_status aimc_hw_chip_layer_stats(const aimc_hw_chip *chip, int layer, aimc_hw_array which,
                                     aimc_hw_layer_stats *stats) {
  if (!chip || !stats) return null_argument("aimc_hw_chip_layer_stats");
  const aimc::hw::Layer *l = find_layer(chip, layer);
  if (!l) return AIMC_EINVAL;
  aimc_status status = check_array(*l, which);
  if (status != AIMC_OK) return status;
  *stats = aimc_hw_layer_stats{};
  for (int rb = 0; rb < l->map().row_blocks; ++rb) {
    for (int cb = 0; cb < l->map().col_blocks; ++cb) {
      const aimc::hw::Tile &tile = l->tile(which, rb, cb);
      aimc_io_stats_add(&stats->forward, &tile.forward_stats());
      aimc_io_stats_add(&stats->backward, &tile.backward_stats());
      aimc_io_stats_add(&stats->transfer, &tile.transfer_stats());
      aimc_update_stats_add(&stats->update, &tile.update_stats());
    }
  }
  return AIMC_OK;
}

aimc_status aimc_hw_chip_counter(const aimc_hw_chip *chip, const char *path, double *value) {
  if (!chip || !path || !value) return null_argument("aimc_hw_chip_counter");
  std::string full(path);
  size_t dot = full.rfind('.');
  std::string component = dot == std::string::npos ? "" : full.substr(0, dot);
  std::string counter = dot == std::string::npos ? full : full.substr(dot + 1);
  const sc_core::sc_object *object = aimc::hw::find_below(*chip->chip, component);
  auto *stats = dynamic_cast<const aimc::hw::StatProvider *>(object);
  const aimc::hw::Counter *c = stats ? stats->find_counter(counter) : nullptr;
  if (!c) return aimc_error_set(AIMC_EINVAL, "%s: no counter '%s'", chip->chip->name(), path);
  *value = c->value();
  return AIMC_OK;
}

aimc_status aimc_hw_chip_energy(const aimc_hw_chip *chip, const char *component, aimc_hw_phase phase,
                                double *joules) {
  if (!chip || !component || !joules) return null_argument("aimc_hw_chip_energy");
  if (static_cast<unsigned>(phase) > AIMC_HW_PHASE_COUNT)
    return aimc_error_set(AIMC_EINVAL, "aimc_hw_chip_energy: phase %d is unknown", (int)phase);
  const sc_core::sc_object *object = aimc::hw::find_below(*chip->chip, component);
  if (!object) return aimc_error_set(AIMC_EINVAL, "%s: no component '%s'", chip->chip->name(), component);
  *joules = aimc::hw::subtree_energy(*object, phase);
  return AIMC_OK;
}

aimc_status aimc_hw_chip_area(const aimc_hw_chip *chip, aimc_hw_area *area) {
  if (!chip || !area) return null_argument("aimc_hw_chip_area");
  *area = aimc::hw::chip_area(chip->chip->params(), chip->chip->tiles_used());
  return AIMC_OK;
}

aimc_status aimc_hw_chip_write_stats_json(const aimc_hw_chip *chip, FILE *out) {
  if (!chip || !out) return null_argument("aimc_hw_chip_write_stats_json");
  return aimc::hw::write_stats_json(*chip->chip, chip->chip->summary(), out);
}

aimc_status aimc_hw_chip_write_summary(const aimc_hw_chip *chip, FILE *out) {
  if (!chip || !out) return null_argument("aimc_hw_chip_write_summary");
  return aimc::hw::write_summary(*chip->chip, chip->chip->summary(), out);
}

aimc_status aimc_hw_chip_save_state(const aimc_hw_chip *chip, aimc_writer *out) {
  if (!chip || !out) return null_argument("aimc_hw_chip_save_state");
  return guarded("aimc_hw_chip_save_state", [&] { return chip->chip->save_chip_state(out); });
}

aimc_status aimc_hw_chip_load_state(aimc_hw_chip *chip, aimc_reader *in) {
  if (!chip || !in) return null_argument("aimc_hw_chip_load_state");
  return guarded("aimc_hw_chip_load_state", [&] { return chip->chip->load_chip_state(in); });
}

aimc_status aimc_hw_chip_trace_start(aimc_hw_chip *chip, const aimc_hw_trace_params *params) {
  if (!chip || !params) return null_argument("aimc_hw_chip_trace_start");
  return guarded("aimc_hw_chip_trace_start", [&] { return chip->chip->trace_start(*params); });
}

aimc_status aimc_hw_chip_trace_finish(aimc_hw_chip *chip) {
  if (!chip) return null_argument("aimc_hw_chip_trace_finish");
  return chip->chip->trace_finish();
}

}  // extern "C"
