// Controller: operations of a training step as timed transactions (controller.h).
#include "aimc_hw/controller.h"

#include <algorithm>
#include <numeric>
#include <string>

#include "aimc_hw/timebase.h"

namespace aimc::hw {

namespace {

constexpr uint64_t largest_count = 1ull << 40;  // keeps bit counts of digital operations far from overflow

bool pulsed(aimc_pulse_type type) {
  return type == AIMC_PULSE_STOCHASTIC_COMPRESSED || type == AIMC_PULSE_MEAN_COUNT ||
         type == AIMC_PULSE_DETERMINISTIC_IMPLICIT;
}

// Indices 0..n-1 ordered by time (stable): resources are granted in order of request.
std::vector<size_t> by_time(const std::vector<sc_core::sc_time> &times) {
  std::vector<size_t> order(times.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return times[a] < times[b]; });
  return order;
}

// Copies columns [begin, begin + size) of a batch x width matrix into out (batch x size).
void gather(const float *in, int batch, int width, int begin, int size, std::vector<float> &out) {
  out.resize(static_cast<size_t>(batch) * size);
  for (int v = 0; v < batch; ++v)
    std::copy_n(in + static_cast<size_t>(v) * width + begin, size, out.data() + static_cast<size_t>(v) * size);
}

}  // namespace

Controller::Controller(const sc_core::sc_module_name &name, const ControllerConfig &config)
    : sc_core::sc_module(name),
      StatProvider("controller"),
      tile_socket("tile_socket"),
      buffer_socket("buffer_socket"),
      params_(config.controller),
      word_bits_(config.word_bits),
      timed_(config.timed),
      clock_(seconds(1.0 / config.controller.clock_frequency)),
      operations_(add_counter("operations", "1", "chip operations issued by the program")) {
  set_static_power(config.controller.static_power);
  for (int op = 0; op < AIMC_HW_OP_CLASS_COUNT; ++op) {
    std::string op_name = aimc_hw_op_class_name(static_cast<aimc_hw_op_class>(op));
    op_counters_[op] = &add_counter(op_name + "_ops", "1", "digital operations of class " + op_name);
  }
  keep_time(timed_);
  if (timed_) {
    SC_THREAD(main_thread);
    set_stack_size(16u << 20);  // the C core's kernels run on this stack
  }
}

void Controller::connect(Tile &tile) {
  tile.set_socket_index(static_cast<int>(tile_socket.size()));
  tile_socket.bind(tile.socket);
}

void Controller::connect(Buffer &buffer) {
  buffer_ = &buffer;
  buffer_socket.bind(buffer.socket);
}

void Controller::main_thread() {
  thread_ = sc_core::sc_get_current_process_handle();
  for (;;) {
    while (!has_program_) wait(start_);
    has_program_ = false;
    sc_core::sc_time now = sc_core::sc_time_stamp();
    if (resume_at_ > now) wait(resume_at_ - now);
    resume_at_ = sc_core::SC_ZERO_TIME;
    result_ = program_(context_);
  }
}

int Controller::run(int (*program)(void *), void *context) {
  if (!timed_) return program(context);
  if (sc_core::sc_get_status() == sc_core::SC_RUNNING) {
    aimc_error_set(AIMC_EINVAL, "%s: aimc_hw_chip_run cannot be nested in a running program", name());
    return -1;
  }
  program_ = program;
  context_ = context;
  has_program_ = true;
  result_ = -1;
  start_.notify(sc_core::SC_ZERO_TIME);
  try {
    sc_core::sc_start();
  } catch (const std::exception &error) {
    aimc_error_set(AIMC_EINVAL, "SystemC: %s", error.what());
    return -1;
  }
  if (has_program_) {
    has_program_ = false;
    aimc_error_set(AIMC_EINVAL, "%s: the SystemC kernel did not start the program", name());
    return -1;
  }
  return result_;
}

bool Controller::in_program() const {
  return sc_core::sc_get_status() == sc_core::SC_RUNNING && thread_.valid() &&
         sc_core::sc_get_current_process_handle() == thread_;
}

aimc_status Controller::begin(aimc_hw_phase phase, sc_core::sc_time *start) {
  if (timed_) {
    if (!in_program())
      return aimc_error_set(AIMC_EINVAL,
                            "operations of a timed chip must be called from the program run by aimc_hw_chip_run");
    *start = in_group_ ? group_start_ : sc_core::sc_time_stamp();
  } else {
    *start = sc_core::SC_ZERO_TIME;
  }
  if (trace_) trace_->begin_operation(operation_index_, step_, phase, *start);
  return AIMC_OK;
}

void Controller::end(aimc_hw_phase phase, const sc_core::sc_time &start, const sc_core::sc_time &end) {
  operations_.add(1);
  phases_.operations[phase]++;
  ++operation_index_;
  sc_core::sc_time finish = std::max(start, end);
  if (trace_) trace_->end_operation(finish);
  if (!timed_) return;
  phases_.time[phase] += finish - start;
  last_end_ = std::max(last_end_, finish);
  if (in_group_) {
    group_end_ = std::max(group_end_, finish);
    return;
  }
  sc_core::sc_time now = sc_core::sc_time_stamp();
  if (finish > now) wait(finish - now);
  if (trace_) trace_->vcd().flush_before(sc_core::sc_time_stamp());
}

sc_core::sc_time Controller::tile_transport(Tile &tile, TileTransaction &t, const sc_core::sc_time &request) {
  payload_.set_command(tlm::TLM_IGNORE_COMMAND);
  payload_.set_address(0);
  payload_.set_data_ptr(nullptr);
  payload_.set_data_length(0);
  payload_.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
  payload_.set_extension(&t);
  sc_core::sc_time now = timed_ ? sc_core::sc_time_stamp() : sc_core::SC_ZERO_TIME;
  sc_core::sc_time delay = timed_ ? request - now : sc_core::SC_ZERO_TIME;
  if (timed_)
    tile_socket[tile.socket_index()]->b_transport(payload_, delay);
  else
    tile.socket.get_base_export()->b_transport(payload_, delay);
  payload_.clear_extension(&t);
  if (!payload_.is_response_ok() && t.status == AIMC_OK)
    t.status = aimc_error_set(AIMC_EINVAL, "%s: transaction failed (%s)", tile.name(),
                              payload_.get_response_string().c_str());
  return now + delay;
}

sc_core::sc_time Controller::buffer_transport(bool read, uint64_t words, aimc_hw_phase phase,
                                              const sc_core::sc_time &request) {
  if (words == 0) return request;
  BufferAccess access;
  access.bits = words * static_cast<uint64_t>(word_bits_);
  access.phase = phase;
  payload_.set_command(read ? tlm::TLM_READ_COMMAND : tlm::TLM_WRITE_COMMAND);
  payload_.set_address(0);
  payload_.set_data_ptr(nullptr);
  payload_.set_data_length(static_cast<unsigned>(std::min<uint64_t>((access.bits + 7) / 8, 0xffffffffu)));
  payload_.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
  payload_.set_extension(&access);
  sc_core::sc_time now = timed_ ? sc_core::sc_time_stamp() : sc_core::SC_ZERO_TIME;
  sc_core::sc_time delay = timed_ ? request - now : sc_core::SC_ZERO_TIME;
  if (timed_)
    buffer_socket->b_transport(payload_, delay);
  else
    buffer_->socket.get_base_export()->b_transport(payload_, delay);
  payload_.clear_extension(&access);
  return now + delay;
}

sc_core::sc_time Controller::digital_unit(aimc_hw_op_class op, uint64_t count, aimc_hw_phase phase,
                                          const sc_core::sc_time &request) {
  const aimc_hw_op_cost *cost = aimc_hw_controller_op_cost(&params_, op);
  op_counters_[op]->add(count);
  add_energy(phase, static_cast<double>(count) * cost->energy);
  if (!timed_ || count == 0) return request;
  uint64_t lanes = static_cast<uint64_t>(params_.lanes);
  uint64_t cycles = (count + lanes - 1) / lanes * static_cast<uint64_t>(cost->cycles);
  sc_core::sc_time start = std::max(request, digital_free_);
  sc_core::sc_time duration = repeat(clock_, cycles);
  digital_free_ = start + duration;
  add_busy(duration);
  return digital_free_;
}

// The controller finds max|x| and max|d| of every sample of a tile's update
// (update and bit-length management): one operation per element, with the
// buffer traffic of its cost entry (words read and written per operation).
sc_core::sc_time Controller::update_management(const Tile &tile, const aimc_update_params &update, int samples,
                                               aimc_hw_phase phase, const sc_core::sc_time &request) {
  if (!pulsed(update.pulse_type) || !(update.update_management || update.update_bl_management)) return request;
  uint64_t ops = static_cast<uint64_t>(samples) * static_cast<uint64_t>(tile.rows() + tile.cols());
  const aimc_hw_op_cost *cost = aimc_hw_controller_op_cost(&params_, AIMC_HW_OP_UPDATE_MANAGEMENT);
  sc_core::sc_time operands = buffer_transport(true, ops * static_cast<uint64_t>(cost->words_read), phase, request);
  sc_core::sc_time computed = digital_unit(AIMC_HW_OP_UPDATE_MANAGEMENT, ops, phase, operands);
  return buffer_transport(false, ops * static_cast<uint64_t>(cost->words_written), phase, computed);
}

aimc_status Controller::check_layer(const Layer &layer, aimc_hw_array which, int batch) const {
  if (which != AIMC_HW_ARRAY_MAIN && which != AIMC_HW_ARRAY_FAST)
    return aimc_error_set(AIMC_EINVAL, "%s: array selector %d is neither main nor fast", layer.name(), (int)which);
  if (which == AIMC_HW_ARRAY_FAST && !layer.has_fast())
    return aimc_error_set(AIMC_EINVAL, "%s has no fast array", layer.name());
  if (batch < 0) return aimc_error_set(AIMC_EINVAL, "%s: batch must be >= 0 (got %d)", layer.name(), batch);
  return AIMC_OK;
}

aimc_status Controller::read(Layer &layer, aimc_hw_array which, bool backward, const float *in, float *out,
                             int batch) {
  const aimc_hw_phase phase = backward ? AIMC_HW_PHASE_BACKWARD : AIMC_HW_PHASE_FORWARD;
  aimc_status status = check_layer(layer, which, batch);
  if (status != AIMC_OK) return status;
  sc_core::sc_time start;
  if ((status = begin(phase, &start)) != AIMC_OK) return status;
  const LayerMap &m = layer.map();
  const int in_blocks = backward ? m.row_blocks : m.col_blocks, out_blocks = backward ? m.col_blocks : m.row_blocks;
  const int n_in = backward ? m.out : m.in, n_out = backward ? m.in : m.out;
  auto in_begin = [&](int b) { return backward ? m.row_begin(b) : m.col_begin(b); };
  auto in_size = [&](int b) { return backward ? m.row_size(b) : m.col_size(b); };
  auto out_begin = [&](int b) { return backward ? m.col_begin(b) : m.row_begin(b); };
  auto out_size = [&](int b) { return backward ? m.col_size(b) : m.row_size(b); };
  const bool whole = in_blocks == 1 && out_blocks == 1;

  // Operands from the buffer, one slice per input block.
  std::vector<sc_core::sc_time> ready(static_cast<size_t>(in_blocks));
  in_slices_.resize(static_cast<size_t>(in_blocks));
  for (int b = 0; b < in_blocks; ++b) {
    if (in_blocks > 1) gather(in, batch, n_in, in_begin(b), in_size(b), in_slices_[b]);
    ready[b] = buffer_transport(true, static_cast<uint64_t>(batch) * in_size(b), phase, start);
  }
  // Every tile of the grid, in row-major order.
  partials_.resize(static_cast<size_t>(m.tiles()));
  std::vector<sc_core::sc_time> done(static_cast<size_t>(m.tiles()), start);
  for (int rb = 0; rb < m.row_blocks && status == AIMC_OK; ++rb) {
    for (int cb = 0; cb < m.col_blocks && status == AIMC_OK; ++cb) {
      const int k = rb * m.col_blocks + cb, ib = backward ? rb : cb, ob = backward ? cb : rb;
      float *target = out;
      if (!whole) {
        partials_[k].resize(static_cast<size_t>(batch) * out_size(ob));
        target = partials_[k].data();
      }
      TileTransaction t;
      t.command = backward ? TileCommand::backward : TileCommand::forward;
      t.phase = phase;
      t.io = backward ? &layer.params().backward_io : &layer.params().forward_io;
      t.input = in_blocks > 1 ? in_slices_[ib].data() : in;
      t.output = target;
      t.batch = batch;
      done[k] = tile_transport(layer.tile(which, rb, cb), t, ready[ib]);
      status = t.status;
    }
  }
  // Partial sums per output block, added in input-block order.
  std::vector<sc_core::sc_time> sums(static_cast<size_t>(out_blocks), start);
  for (int ob = 0; ob < out_blocks && status == AIMC_OK && !whole; ++ob) {
    const int size = out_size(ob);
    auto partial = [&](int ib) -> const std::vector<float> & {
      return partials_[backward ? ib * m.col_blocks + ob : ob * m.col_blocks + ib];
    };
    for (int v = 0; v < batch; ++v) {
      float *y = out + static_cast<size_t>(v) * n_out + out_begin(ob);
      const float *first = partial(0).data() + static_cast<size_t>(v) * size;
      std::copy_n(first, size, y);
      for (int ib = 1; ib < in_blocks; ++ib) {
        const float *p = partial(ib).data() + static_cast<size_t>(v) * size;
        for (int o = 0; o < size; ++o) y[o] += p[o];
      }
    }
    for (int ib = 0; ib < in_blocks; ++ib)
      sums[ob] = std::max(sums[ob], done[backward ? ib * m.col_blocks + ob : ob * m.col_blocks + ib]);
  }
  if (whole) sums[0] = done[0];
  sc_core::sc_time finish = start;
  if (status == AIMC_OK) {
    std::vector<sc_core::sc_time> added(sums);
    for (size_t ob : by_time(sums)) {
      if (in_blocks > 1)
        added[ob] = digital_unit(AIMC_HW_OP_ADD,
                                 static_cast<uint64_t>(in_blocks - 1) * batch * out_size(static_cast<int>(ob)), phase,
                                 sums[ob]);
    }
    for (size_t ob : by_time(added)) {
      sc_core::sc_time written =
          buffer_transport(false, static_cast<uint64_t>(batch) * out_size(static_cast<int>(ob)), phase, added[ob]);
      finish = std::max(finish, written);
    }
  }
  end(phase, start, finish);
  return status;
}

aimc_status Controller::forward(Layer &layer, aimc_hw_array which, const float *x, float *y, int batch) {
  return read(layer, which, false, x, y, batch);
}

aimc_status Controller::backward(Layer &layer, aimc_hw_array which, const float *d, float *y, int batch) {
  return read(layer, which, true, d, y, batch);
}

aimc_status Controller::update(Layer &layer, aimc_hw_array which, const float *x, const float *d, int batch,
                               float lr) {
  const aimc_hw_phase phase = AIMC_HW_PHASE_UPDATE;
  aimc_status status = check_layer(layer, which, batch);
  if (status != AIMC_OK) return status;
  sc_core::sc_time start;
  if ((status = begin(phase, &start)) != AIMC_OK) return status;
  const LayerMap &m = layer.map();
  const aimc_update_params &params = which == AIMC_HW_ARRAY_FAST ? layer.params().fast_update : layer.params().update;
  in_slices_.resize(static_cast<size_t>(m.col_blocks));
  aux_slices_.resize(static_cast<size_t>(m.row_blocks));
  std::vector<sc_core::sc_time> x_ready(static_cast<size_t>(m.col_blocks)), d_ready(static_cast<size_t>(m.row_blocks));
  for (int cb = 0; cb < m.col_blocks; ++cb) {
    if (m.col_blocks > 1) gather(x, batch, m.in, m.col_begin(cb), m.col_size(cb), in_slices_[cb]);
    x_ready[cb] = buffer_transport(true, static_cast<uint64_t>(batch) * m.col_size(cb), phase, start);
  }
  for (int rb = 0; rb < m.row_blocks; ++rb) {
    if (m.row_blocks > 1) gather(d, batch, m.out, m.row_begin(rb), m.row_size(rb), aux_slices_[rb]);
    d_ready[rb] = buffer_transport(true, static_cast<uint64_t>(batch) * m.row_size(rb), phase, start);
  }
  std::vector<sc_core::sc_time> ready(static_cast<size_t>(m.tiles()));
  for (int k = 0; k < m.tiles(); ++k) ready[k] = std::max(x_ready[k % m.col_blocks], d_ready[k / m.col_blocks]);
  std::vector<sc_core::sc_time> managed(ready);
  for (size_t k : by_time(ready)) {
    managed[k] = update_management(layer.tile(which, static_cast<int>(k) / m.col_blocks, static_cast<int>(k) % m.col_blocks),
                                   params, batch, phase, ready[k]);
  }
  sc_core::sc_time finish = start;
  for (int rb = 0; rb < m.row_blocks && status == AIMC_OK; ++rb) {
    for (int cb = 0; cb < m.col_blocks && status == AIMC_OK; ++cb) {
      const int k = rb * m.col_blocks + cb;
      TileTransaction t;
      t.command = TileCommand::update;
      t.phase = phase;
      t.update = &params;
      t.input = m.col_blocks > 1 ? in_slices_[cb].data() : x;
      t.error = m.row_blocks > 1 ? aux_slices_[rb].data() : d;
      t.batch = batch;
      t.lr = lr;
      finish = std::max(finish, tile_transport(layer.tile(which, rb, cb), t, managed[k]));
      status = t.status;
    }
  }
  end(phase, start, finish);
  return status;
}

aimc_status Controller::transfer(Layer &layer, int first_column, int columns, float lr) {
  const aimc_hw_phase phase = AIMC_HW_PHASE_TRANSFER;
  if (!layer.has_fast()) return aimc_error_set(AIMC_EINVAL, "%s has no fast array to transfer from", layer.name());
  const LayerMap &m = layer.map();
  if (first_column < 0 || columns < 0 || first_column > m.in - columns)
    return aimc_error_set(AIMC_EINVAL, "%s: transfer of columns [%d, %d) outside the layer's %d columns", layer.name(),
                          first_column, first_column + columns, m.in);
  sc_core::sc_time start;
  aimc_status status = begin(phase, &start);
  if (status != AIMC_OK) return status;
  // The (column block, row block) pairs touched, with each block's local columns.
  struct Part {
    int rb, cb, first, count;
  };
  std::vector<Part> parts;
  for (int cb = 0; columns > 0 && cb < m.col_blocks; ++cb) {
    int lo = std::max(first_column, m.col_begin(cb)), hi = std::min(first_column + columns, m.col_begin(cb) + m.col_size(cb));
    if (lo >= hi) continue;
    for (int rb = 0; rb < m.row_blocks; ++rb) parts.push_back({rb, cb, lo - m.col_begin(cb), hi - lo});
  }
  partials_.resize(std::max(partials_.size(), parts.size()));
  aux_slices_.resize(std::max(aux_slices_.size(), parts.size()));
  std::vector<sc_core::sc_time> read_done(parts.size(), start);
  for (size_t k = 0; k < parts.size() && status == AIMC_OK; ++k) {
    const Part &p = parts[k];
    partials_[k].resize(static_cast<size_t>(p.count) * m.row_size(p.rb));
    TileTransaction t;
    t.command = TileCommand::read_columns;
    t.phase = phase;
    t.io = &layer.params().transfer_io;
    t.output = partials_[k].data();
    t.batch = p.count;
    t.first_column = p.first;
    read_done[k] = tile_transport(layer.tile(AIMC_HW_ARRAY_FAST, p.rb, p.cb), t, start);
    status = t.status;
  }
  std::vector<sc_core::sc_time> managed(read_done);
  sc_core::sc_time finish = start;
  if (status == AIMC_OK) {
    for (size_t k : by_time(read_done)) {
      const Part &p = parts[k];
      managed[k] = update_management(layer.tile(AIMC_HW_ARRAY_MAIN, p.rb, p.cb), layer.params().update, p.count, phase,
                                     read_done[k]);
    }
    for (size_t k = 0; k < parts.size() && status == AIMC_OK; ++k) {
      const Part &p = parts[k];
      std::vector<float> &one_hot = aux_slices_[k];
      one_hot.assign(static_cast<size_t>(p.count) * m.col_size(p.cb), 0.0f);
      for (int v = 0; v < p.count; ++v) one_hot[static_cast<size_t>(v) * m.col_size(p.cb) + p.first + v] = 1.0f;
      TileTransaction t;
      t.command = TileCommand::update;
      t.phase = phase;
      t.update = &layer.params().update;
      t.input = one_hot.data();
      t.error = partials_[k].data();
      t.batch = p.count;
      t.lr = -lr;
      finish = std::max(finish, tile_transport(layer.tile(AIMC_HW_ARRAY_MAIN, p.rb, p.cb), t, managed[k]));
      status = t.status;
    }
  }
  end(phase, start, finish);
  return status;
}

aimc_status Controller::device_step(Layer &layer) {
  const aimc_hw_phase phase = AIMC_HW_PHASE_UPDATE;
  sc_core::sc_time start;
  aimc_status status = begin(phase, &start);
  if (status != AIMC_OK) return status;
  const LayerMap &m = layer.map();
  sc_core::sc_time finish = start;
  for (int a = 0; a < (layer.has_fast() ? 2 : 1) && status == AIMC_OK; ++a) {
    const aimc_hw_array which = a == 0 ? AIMC_HW_ARRAY_MAIN : AIMC_HW_ARRAY_FAST;
    for (int k = 0; k < m.tiles() && status == AIMC_OK; ++k) {
      TileTransaction t;
      t.command = TileCommand::device_step;
      t.phase = phase;
      finish = std::max(finish, tile_transport(layer.tile(which, k / m.col_blocks, k % m.col_blocks), t, start));
      status = t.status;
    }
  }
  end(phase, start, finish);
  return status;
}

aimc_status Controller::reset_columns(Layer &layer, aimc_hw_array which, int first_column, int columns) {
  const aimc_hw_phase phase = AIMC_HW_PHASE_TRANSFER;
  aimc_status status = check_layer(layer, which, 0);
  if (status != AIMC_OK) return status;
  const LayerMap &m = layer.map();
  if (first_column < 0 || columns < 0 || first_column > m.in - columns)
    return aimc_error_set(AIMC_EINVAL, "%s: reset of columns [%d, %d) outside the layer's %d columns", layer.name(),
                          first_column, first_column + columns, m.in);
  sc_core::sc_time start;
  if ((status = begin(phase, &start)) != AIMC_OK) return status;
  sc_core::sc_time finish = start;
  for (int cb = 0; columns > 0 && cb < m.col_blocks && status == AIMC_OK; ++cb) {
    int lo = std::max(first_column, m.col_begin(cb)), hi = std::min(first_column + columns, m.col_begin(cb) + m.col_size(cb));
    if (lo >= hi) continue;
    for (int rb = 0; rb < m.row_blocks && status == AIMC_OK; ++rb) {
      TileTransaction t;
      t.command = TileCommand::reset_columns;
      t.phase = phase;
      t.first_column = lo - m.col_begin(cb);
      t.batch = hi - lo;
      finish = std::max(finish, tile_transport(layer.tile(which, rb, cb), t, start));
      status = t.status;
    }
  }
  end(phase, start, finish);
  return status;
}

aimc_status Controller::digital(aimc_hw_phase phase, aimc_hw_op_class op, uint64_t count) {
  if (static_cast<unsigned>(phase) >= AIMC_HW_PHASE_COUNT)
    return aimc_error_set(AIMC_EINVAL, "digital: phase %d is unknown", (int)phase);
  const aimc_hw_op_cost *cost = aimc_hw_controller_op_cost(&params_, op);
  if (!cost) return aimc_error_set(AIMC_EINVAL, "digital: operation class %d is unknown", (int)op);
  if (count > largest_count)
    return aimc_error_set(AIMC_EINVAL, "digital: %llu operations in one call exceed 2^40", (unsigned long long)count);
  sc_core::sc_time start;
  aimc_status status = begin(phase, &start);
  if (status != AIMC_OK) return status;
  sc_core::sc_time operands = buffer_transport(true, count * static_cast<uint64_t>(cost->words_read), phase, start);
  sc_core::sc_time computed = digital_unit(op, count, phase, operands);
  sc_core::sc_time written =
      buffer_transport(false, count * static_cast<uint64_t>(cost->words_written), phase, computed);
  end(phase, start, written);
  return AIMC_OK;
}

aimc_status Controller::parallel_begin() {
  if (in_group_) return aimc_error_set(AIMC_EINVAL, "%s: parallel groups cannot be nested", name());
  if (timed_ && !in_program())
    return aimc_error_set(AIMC_EINVAL, "operations of a timed chip must be called from the program run by aimc_hw_chip_run");
  in_group_ = true;
  group_start_ = group_end_ = timed_ ? sc_core::sc_time_stamp() : sc_core::SC_ZERO_TIME;
  return AIMC_OK;
}

aimc_status Controller::parallel_end() {
  if (!in_group_) return aimc_error_set(AIMC_EINVAL, "%s: parallel_end without parallel_begin", name());
  in_group_ = false;
  if (!timed_) return AIMC_OK;
  sc_core::sc_time now = sc_core::sc_time_stamp();
  if (group_end_ > now) wait(group_end_ - now);
  if (trace_) trace_->vcd().flush_before(sc_core::sc_time_stamp());
  return AIMC_OK;
}

void Controller::set_step(uint64_t step) {
  step_ = step;
  if (trace_) trace_->step(step, sc_core::sc_time_stamp());
}

}  // namespace aimc::hw
