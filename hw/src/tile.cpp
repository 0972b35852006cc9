// Tile: a crossbar with its periphery serving timed transactions (tile.h).
#include "aimc_hw/tile.h"

#include <algorithm>

#include "aimc_hw/timebase.h"

namespace aimc::hw {

namespace {

bool pulsed(aimc_pulse_type type) {
  return type == AIMC_PULSE_STOCHASTIC_COMPRESSED || type == AIMC_PULSE_MEAN_COUNT ||
         type == AIMC_PULSE_DETERMINISTIC_IMPLICIT;
}

TileActivity activity_of(const TileTransaction &t) {
  switch (t.command) {
    case TileCommand::forward: return TileActivity::forward;
    case TileCommand::backward: return TileActivity::backward;
    case TileCommand::read_columns: return TileActivity::transfer_read;
    case TileCommand::reset_columns: return TileActivity::transfer_update;
    case TileCommand::update:
    default: return t.phase == AIMC_HW_PHASE_TRANSFER ? TileActivity::transfer_update : TileActivity::update;
  }
}

// A transaction names its parameters and, unless it is empty, its data.
bool complete(const TileTransaction &t) {
  if (t.batch < 0) return false;
  if (t.command == TileCommand::update) return t.update && (t.batch == 0 || (t.input && t.error));
  if (t.command == TileCommand::device_step || t.command == TileCommand::reset_columns) return true;
  bool needs_input = t.command != TileCommand::read_columns;
  return t.io && (t.batch == 0 || (t.output && (!needs_input || t.input)));
}

}  // namespace

Tile::Tile(const sc_core::sc_module_name &name, const TileConfig &config, aimc_array array)
    : sc_core::sc_module(name),
      StatProvider("tile"),
      socket("socket"),
      params_(config.chip),
      rows_(config.rows),
      cols_(config.cols),
      timed_(config.timed),
      array_(array),
      conductances_(config.chip.conductance, array.device.params),
      forward_dac_(make_dac_bank("forward_dac", config.chip.dac, config.chip.read, config.chip.tile.cols)),
      backward_dac_(make_dac_bank("backward_dac", config.chip.dac, config.chip.read, config.chip.tile.rows)),
      forward_adc_(make_adc_bank("forward_adc", config.chip.adc, config.chip.tile.rows)),
      backward_adc_(make_adc_bank("backward_adc", config.chip.adc, config.chip.tile.cols)),
      pulse_generator_("pulse_generator", config.chip),
      clock_(seconds(1.0 / config.chip.controller.clock_frequency)),
      pulse_energy_(aimc_hw_device_pulse_energy(&config.chip.conductance, &config.chip.pulse)),
      reads_(add_counter("reads", "1", "analog passes through the crossbar")),
      outputs_scaled_(add_counter("outputs_scaled", "1", "converted outputs scaled digitally")),
      pulses_up_(add_counter("device_pulses_up", "1", "coincidences that raised a weight")),
      pulses_down_(add_counter("device_pulses_down", "1", "coincidences that lowered a weight")),
      half_selected_(add_counter("half_selected", "1", "(cell, slot) events with one of the cell's lines pulsed")),
      read_energy_(add_amount("read_energy", "J", "V_read^2 x window x sum(G) over passes")),
      program_energy_(add_amount("program_energy", "J", "energy of the applied device pulses")) {
  socket.register_b_transport(this, &Tile::b_transport);
  for (StatProvider *part : {static_cast<StatProvider *>(this), static_cast<StatProvider *>(forward_dac_.get()),
                             static_cast<StatProvider *>(backward_dac_.get()),
                             static_cast<StatProvider *>(forward_adc_.get()),
                             static_cast<StatProvider *>(backward_adc_.get()),
                             static_cast<StatProvider *>(&pulse_generator_)})
    part->keep_time(timed_);
  one_hot_.assign(static_cast<size_t>(cols_), 0.0f);
}

Tile::~Tile() { aimc_array_destroy(&array_); }

aimc_status Tile::set_weights(const float *weights) {
  aimc_status status = aimc_array_set_weights(&array_, weights);
  conductance_dirty_ = true;
  return status;
}

sc_core::sc_time Tile::pass_time(bool backward, int outputs) const {
  const DacBank &dac = backward ? *backward_dac_ : *forward_dac_;
  const AdcBank &adc = backward ? *backward_adc_ : *forward_adc_;
  return dac.setup_time() + dac.window() + repeat(adc.conversion_time(), adc.rounds(outputs)) +
         repeat(clock_, static_cast<uint64_t>(params_.read.post_processing_cycles));
}

double Tile::conductance_sum() {
  if (conductance_dirty_) {
    conductance_sum_ = conductances_.sum(array_.w, static_cast<size_t>(rows_) * static_cast<size_t>(cols_));
    conductance_dirty_ = false;
  }
  return conductance_sum_;
}

void Tile::trace_conductances(const sc_core::sc_time &t) {
  if (!trace_) return;
  for (size_t k = 0; k < trace_->device_row.size(); ++k) {
    double first = 0.0, second = 0.0;
    conductances_.devices(array_.w[static_cast<size_t>(trace_->device_row[k]) * cols_ + trace_->device_col[k]], &first,
                          &second);
    trace_->vcd->change_real(t, trace_->device_first[k], first);
    trace_->vcd->change_real(t, trace_->device_second[k], second);
  }
}

void Tile::b_transport(tlm::tlm_generic_payload &payload, sc_core::sc_time &delay) {
  auto *t = payload.get_extension<TileTransaction>();
  if (!t) {
    payload.set_response_status(tlm::TLM_COMMAND_ERROR_RESPONSE);
    return;
  }
  if (!complete(*t)) {
    t->status = aimc_error_set(AIMC_EINVAL, "%s: transaction without its parameters or data", name());
    payload.set_response_status(tlm::TLM_GENERIC_ERROR_RESPONSE);
    return;
  }
  sc_core::sc_time now = timed_ ? sc_core::sc_time_stamp() : sc_core::SC_ZERO_TIME;
  sc_core::sc_time start = timed_ ? std::max(now + delay, free_at_) : sc_core::SC_ZERO_TIME;
  sc_core::sc_time duration = sc_core::SC_ZERO_TIME;
  bool traced = tracing();
  if (traced) trace_->vcd->change(start, trace_->activity, static_cast<int64_t>(activity_of(*t)));
  switch (t->command) {
    case TileCommand::update: t->status = update(*t, start, duration); break;
    case TileCommand::device_step:
    case TileCommand::reset_columns: t->status = device_process(*t, start, duration); break;
    default: t->status = read(*t, start, duration); break;
  }
  if (timed_) {
    free_at_ = start + duration;
    delay = free_at_ - now;
  }
  add_busy(duration);
  if (traced) trace_->vcd->change(start + duration, trace_->activity, static_cast<int64_t>(TileActivity::idle));
  payload.set_response_status(t->status == AIMC_OK ? tlm::TLM_OK_RESPONSE : tlm::TLM_GENERIC_ERROR_RESPONSE);
}

aimc_status Tile::read(TileTransaction &t, const sc_core::sc_time &start, sc_core::sc_time &duration) {
  bool backward = t.command == TileCommand::backward;
  int n_in = backward ? rows_ : cols_, n_out = backward ? cols_ : rows_;
  DacBank &dac = backward ? *backward_dac_ : *forward_dac_;
  AdcBank &adc = backward ? *backward_adc_ : *forward_adc_;
  aimc_io_stats &stats = backward ? backward_stats_
                                  : (t.command == TileCommand::read_columns ? transfer_stats_ : forward_stats_);
  if (t.command == TileCommand::read_columns && (t.first_column < 0 || t.first_column + t.batch > cols_))
    return aimc_error_set(AIMC_EINVAL, "%s: columns [%d, %d) are outside the tile's %d columns", name(),
                          t.first_column, t.first_column + t.batch, cols_);
  const sc_core::sc_time pass = pass_time(backward, n_out);
  bool traced = tracing();
  bool observe = traced || t.dac_levels || t.adc_codes;
  if (observe) {
    levels_.resize(static_cast<size_t>(n_in));
    codes_.resize(static_cast<size_t>(n_out));
  }
  t.levels_valid = t.codes_valid = observe;
  uint64_t passes = 0, clipped = 0;
  aimc_status status = AIMC_OK;
  // Without observers the whole batch goes to the array in one call (the same
  // numbers: each vector keeps its own event), which draws the output noise of all
  // vectors together; DAC levels and ADC codes need each vector's passes.
  bool whole_batch = !observe && t.command != TileCommand::read_columns;
  if (whole_batch) {
    aimc_io_stats all{};
    status = backward ? aimc_array_backward(&array_, t.io, t.input, t.output, t.batch, &all)
                      : aimc_array_forward(&array_, t.io, t.input, t.output, t.batch, &all);
    if (status == AIMC_OK) {
      aimc_io_stats_add(&stats, &all);
      passes = all.passes;
      clipped = all.adc_clipped;
    }
  }
  for (int v = 0; v < t.batch && !whole_batch; ++v) {
    const float *x = t.input + static_cast<size_t>(v) * n_in;
    if (t.command == TileCommand::read_columns) {
      std::fill(one_hot_.begin(), one_hot_.end(), 0.0f);
      one_hot_[static_cast<size_t>(t.first_column + v)] = 1.0f;
      x = one_hot_.data();
    }
    float *y = t.output + static_cast<size_t>(v) * n_out;
    aimc_io_stats one{};
    status = backward ? aimc_array_backward(&array_, t.io, x, y, 1, &one) : aimc_array_forward(&array_, t.io, x, y, 1, &one);
    if (status != AIMC_OK) break;
    aimc_io_stats_add(&stats, &one);
    passes += one.passes;
    clipped += one.adc_clipped;
    if (!observe) continue;
    // The scale of the final pass: alpha doubled once per bound-management repeat.
    float scale = DacBank::input_scale(*t.io, x, n_in);
    for (uint64_t p = 1; p < one.passes; ++p) scale *= 2.0f;
    bool levels = DacBank::levels(*t.io, x, n_in, scale, levels_.data());
    bool codes = AdcBank::codes(*t.io, y, n_out, scale * static_cast<float>(t.io->out_scale), codes_.data());
    t.levels_valid = t.levels_valid && levels;
    t.codes_valid = t.codes_valid && codes;
    if (t.dac_levels && levels) std::copy(levels_.begin(), levels_.end(), t.dac_levels + static_cast<size_t>(v) * n_in);
    if (t.adc_codes && codes) std::copy(codes_.begin(), codes_.end(), t.adc_codes + static_cast<size_t>(v) * n_out);
    if (traced && codes) {
      sc_core::sc_time at = start + repeat(pass, passes);
      const std::vector<int> &lines = backward ? trace_->cols : trace_->rows;
      const std::vector<int> &vars = backward ? trace_->col_code : trace_->row_code;
      for (size_t k = 0; k < lines.size(); ++k) trace_->vcd->change(at, vars[k], codes_[static_cast<size_t>(lines[k])]);
    }
  }
  dac.convert(passes, n_in, t.phase);
  adc.convert(passes, n_out, clipped, t.phase);
  reads_.add(passes);
  outputs_scaled_.add(passes * static_cast<uint64_t>(n_out));
  double v = params_.conductance.v_read;
  double read_energy = static_cast<double>(passes) * v * v * dac.window().to_seconds() * conductance_sum();
  double post_energy = static_cast<double>(passes * static_cast<uint64_t>(n_out)) * params_.read.energy_per_output;
  read_energy_.add_amount(read_energy);
  add_energy(t.phase, read_energy + post_energy);
  duration = repeat(pass, passes);
  return status;
}

aimc_status Tile::update(TileTransaction &t, const sc_core::sc_time &start, sc_core::sc_time &duration) {
  aimc_update_stats stats{};
  aimc_train_sink sink = {this, &Tile::on_sample};
  bool traced = tracing();
  sample_cursor_ = start;
  aimc_status status = aimc_array_update(&array_, t.input, t.error, t.batch, t.lr, t.update, &stats,
                                         traced ? &sink : nullptr);
  conductance_dirty_ = true;
  aimc_update_stats_add(&update_stats_, &stats);
  if (pulsed(t.update->pulse_type)) {
    pulse_generator_.fire(stats, t.phase);
    duration = pulse_generator_.duration(stats.samples - stats.skipped, stats.slots);
    uint64_t device_pulses = stats.pulses_up + stats.pulses_down;
    pulses_up_.add(stats.pulses_up);
    pulses_down_.add(stats.pulses_down);
    half_selected_.add(stats.half_selected);
    double program = static_cast<double>(device_pulses) * pulse_energy_;
    program_energy_.add_amount(program);
    add_energy(t.phase, program + static_cast<double>(stats.half_selected) * params_.conductance.energy_per_half_select);
  }
  if (traced) trace_conductances(start + duration);
  return status;
}

// The devices' own processes (AIHWKIT's post-update step, once per mini-batch:
// diffusion, then decay) are physics, not driven operations: they take no time
// of the tile and no energy of the chip. A column reset is driven: one
// programming pulse on each device of a column, the column's line and all row
// lines pulsed in one slot, the columns one after another.
aimc_status Tile::device_process(TileTransaction &t, const sc_core::sc_time &start, sc_core::sc_time &duration) {
  duration = sc_core::SC_ZERO_TIME;
  if (t.command == TileCommand::device_step) {
    aimc_array_diffuse(&array_);
    aimc_array_decay(&array_, 1.0f);
  } else {
    if (t.first_column < 0 || t.batch > cols_ - t.first_column)
      return aimc_error_set(AIMC_EINVAL, "%s: reset of columns [%d, %d) outside the tile's %d columns", name(),
                            t.first_column, t.first_column + t.batch, cols_);
    aimc_array_reset_columns(&array_, t.first_column, t.first_column + t.batch);
    aimc_update_stats pulses{};
    pulses.samples = static_cast<uint64_t>(t.batch);
    pulses.slots = static_cast<uint64_t>(t.batch);
    pulses.row_pulses = static_cast<uint64_t>(t.batch) * static_cast<uint64_t>(rows_);
    pulses.col_pulses = static_cast<uint64_t>(t.batch);
    pulse_generator_.fire(pulses, t.phase);
    duration = pulse_generator_.duration(pulses.samples, pulses.slots);
    double program = static_cast<double>(pulses.row_pulses) * pulse_energy_;
    program_energy_.add_amount(program);
    add_energy(t.phase, program);
  }
  conductance_dirty_ = true;
  if (tracing()) trace_conductances(start + duration);
  return AIMC_OK;
}

void Tile::on_sample(void *context, uint64_t, int bl, int words, int, const uint64_t *row_bits, const int8_t *row_sign,
                     int, const uint64_t *col_bits, const int8_t *col_sign, int weight_sign) {
  static_cast<Tile *>(context)->trace_sample(bl, words, row_bits, row_sign, col_bits, col_sign, weight_sign);
}

// One sample's trains as line pulses: slot k starts at sample start + setup +
// k x period and lasts one pulse width; back-to-back pulses of a line whose
// width fills the period merge into one high level.
void Tile::trace_sample(int bl, int words, const uint64_t *row_bits, const int8_t *row_sign, const uint64_t *col_bits,
                        const int8_t *col_sign, int weight_sign) {
  const sc_core::sc_time sample_start = sample_cursor_;
  const sc_core::sc_time slots_start = sample_start + pulse_generator_.setup_time();
  const sc_core::sc_time &period = pulse_generator_.period(), &width = pulse_generator_.width();
  const bool gaps = width < period;
  VcdWriter &vcd = *trace_->vcd;
  trace_conductances(sample_start);
  auto emit = [&](const uint64_t *bits, int pulse_var) {
    auto bit = [&](int k) { return ((bits[k >> 6] >> (k & 63)) & 1u) != 0; };
    for (int k = 0; k < bl; ++k) {
      if (!bit(k)) continue;
      sc_core::sc_time rise = slots_start + repeat(period, static_cast<uint64_t>(k));
      if (gaps || k == 0 || !bit(k - 1)) vcd.change(rise, pulse_var, 1);
      if (gaps || k + 1 == bl || !bit(k + 1)) vcd.change(rise + width, pulse_var, 0);
    }
  };
  for (size_t k = 0; k < trace_->rows.size(); ++k) {
    int i = trace_->rows[k];
    int sign = weight_sign * row_sign[i];
    if (sign != 0) vcd.change(sample_start, trace_->row_positive[k], sign > 0);
    emit(row_bits + static_cast<size_t>(i) * words, trace_->row_pulse[k]);
  }
  for (size_t k = 0; k < trace_->cols.size(); ++k) {
    int j = trace_->cols[k];
    if (col_sign[j] != 0) vcd.change(sample_start, trace_->col_positive[k], col_sign[j] > 0);
    emit(col_bits + static_cast<size_t>(j) * words, trace_->col_pulse[k]);
  }
  sample_cursor_ = slots_start + repeat(period, static_cast<uint64_t>(bl));
}

}  // namespace aimc::hw
