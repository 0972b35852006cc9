// Chip: elaboration, layer mapping and tracing (chip_module.h).
#include "aimc_hw/chip_module.h"

#include <vector>

#include <cmath>
#include <set>
#include <string>
#include <tuple>

namespace aimc::hw {

namespace {

BufferConfig buffer_config(const aimc_hw_chip_params &p, bool timed) {
  BufferConfig c;
  c.buffer = p.buffer;
  c.clock_frequency = p.controller.clock_frequency;
  c.static_power = aimc_hw_buffer_static_power(&p.buffer, &p.area);
  c.timed = timed;
  return c;
}

ControllerConfig controller_config(const aimc_hw_chip_params &p, bool timed) {
  ControllerConfig c;
  c.controller = p.controller;
  c.word_bits = p.buffer.word_bits;
  c.timed = timed;
  return c;
}

// splitmix64 of the seed and the tile index: independent construction seeds
// for the tiles of one layer (tile 0 keeps the user's seed).
uint64_t tile_seed(uint64_t seed, uint64_t k) {
  if (k == 0) return seed;
  uint64_t z = seed + 0x9e3779b97f4a7c15ull * k;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

aimc_status validate_layer(const aimc_hw_layer_params &p, const aimc_hw_chip_params &chip) {
  if (p.out < 1 || p.out > (1 << 24) || p.in < 1 || p.in > (1 << 24))
    return aimc_error_set(AIMC_EINVAL, "layer: shape %d x %d is outside [1, 2^24]", p.out, p.in);
  aimc_status s;
  if ((s = aimc_device_params_validate(&p.device)) != AIMC_OK) return s;
  if ((s = aimc_update_params_validate(&p.update)) != AIMC_OK) return s;
  if ((s = aimc_io_params_validate(&p.forward_io)) != AIMC_OK) return s;
  if ((s = aimc_io_params_validate(&p.backward_io)) != AIMC_OK) return s;
  if ((s = aimc_hw_io_check_converters(&p.forward_io, "layer: forward_io", &chip)) != AIMC_OK) return s;
  if ((s = aimc_hw_io_check_converters(&p.backward_io, "layer: backward_io", &chip)) != AIMC_OK) return s;
  if (p.fast != 0 && p.fast != 1) return aimc_error_set(AIMC_EINVAL, "layer: fast must be 0 or 1 (got %d)", p.fast);
  if (p.fast) {
    if ((s = aimc_device_params_validate(&p.fast_device)) != AIMC_OK) return s;
    if ((s = aimc_update_params_validate(&p.fast_update)) != AIMC_OK) return s;
    if ((s = aimc_io_params_validate(&p.transfer_io)) != AIMC_OK) return s;
    if ((s = aimc_hw_io_check_converters(&p.transfer_io, "layer: transfer_io", &chip)) != AIMC_OK) return s;
  }
  return AIMC_OK;
}

void destroy_all(std::vector<aimc_array> &arrays) {
  for (aimc_array &a : arrays) aimc_array_destroy(&a);
  arrays.clear();
}

// Makes modules created in its lifetime children of `parent`, after elaboration
// of the parent itself (layers are added to an existing chip).
struct ChildrenOf {
  explicit ChildrenOf(sc_core::sc_module *parent) { sc_core::sc_get_curr_simcontext()->hierarchy_push(parent); }
  ~ChildrenOf() { sc_core::sc_get_curr_simcontext()->hierarchy_pop(); }
  ChildrenOf(const ChildrenOf &) = delete;
  ChildrenOf &operator=(const ChildrenOf &) = delete;
};

}  // namespace

Chip::Chip(const sc_core::sc_module_name &name, const aimc_hw_chip_params &params, bool timed)
    : sc_core::sc_module(name),
      StatProvider("chip"),
      params_(params),
      timed_(timed),
      buffer_("buffer", buffer_config(params, timed)),
      controller_("controller", controller_config(params, timed)) {
  controller_.connect(buffer_);
  keep_time(timed);
}

Chip::~Chip() {
  controller_.attach_trace(nullptr);
  for (Tile *tile : traced_tiles_) tile->attach_trace(nullptr);
}

Layer *Chip::layer(int index) const {
  if (index < 0 || index >= layers()) {
    aimc_error_set(AIMC_EINVAL, "%s: layer %d does not exist (%d layers)", name(), index, layers());
    return nullptr;
  }
  return layers_[static_cast<size_t>(index)].get();
}

aimc_status Chip::add_layer(const aimc_hw_layer_params &params, int *index) {
  if (sc_core::sc_get_status() != sc_core::SC_ELABORATION)
    return aimc_error_set(AIMC_EINVAL, "%s: layers must be added before the SystemC simulation starts", name());
  aimc_status status = validate_layer(params, params_);
  if (status != AIMC_OK) return status;
  LayerMap map(params.out, params.in, params_.tile);
  int needed = aimc_hw_layer_tiles(&params_.tile, params.out, params.in, params.fast);
  if (params_.tiles > 0 && tiles_used_ + needed > params_.tiles)
    return aimc_error_set(AIMC_EINVAL, "%s: layer %d (%d x %d) needs %d tiles of %d x %d but only %d of %d are free",
                          name(), layers(), params.out, params.in, needed, params_.tile.rows, params_.tile.cols,
                          params_.tiles - tiles_used_, params_.tiles);
  std::vector<aimc_array> arrays[2];
  for (int which = 0; which < (params.fast ? 2 : 1); ++which) {
    for (int k = 0; k < map.tiles(); ++k) {
      aimc_device_params device = which ? params.fast_device : params.device;
      device.construction_seed = tile_seed(device.construction_seed, static_cast<uint64_t>(k));
      aimc_array array;
      status = aimc_array_create(&array, map.row_size(k / map.col_blocks), map.col_size(k % map.col_blocks), &device,
                                 params.seed, static_cast<uint32_t>(2 * k + which));
      if (status != AIMC_OK) {
        destroy_all(arrays[0]);
        destroy_all(arrays[1]);
        return status;
      }
      arrays[which].push_back(array);
    }
  }
  LayerConfig config;
  config.chip = params_;
  config.layer = params;
  config.timed = timed_;
  std::string layer_name = "layer" + std::to_string(layers());
  {
    ChildrenOf scope(this);
    layers_.push_back(std::make_unique<Layer>(layer_name.c_str(), config, std::move(arrays[0]), std::move(arrays[1])));
  }
  Layer &layer = *layers_.back();
  for (int which = 0; which < (params.fast ? 2 : 1); ++which) {
    for (int rb = 0; rb < map.row_blocks; ++rb) {
      for (int cb = 0; cb < map.col_blocks; ++cb) controller_.connect(layer.tile(static_cast<aimc_hw_array>(which), rb, cb));
    }
  }
  tiles_used_ += needed;
  if (index) *index = layers() - 1;
  return AIMC_OK;
}

aimc_status Chip::set_weights(Layer &layer, aimc_hw_array which, const float *weights) {
  const LayerMap &m = layer.map();
  std::vector<float> block;
  for (int rb = 0; rb < m.row_blocks; ++rb) {
    for (int cb = 0; cb < m.col_blocks; ++cb) {
      block.resize(static_cast<size_t>(m.row_size(rb)) * m.col_size(cb));
      for (int i = 0; i < m.row_size(rb); ++i)
        std::copy_n(weights + static_cast<size_t>(m.row_begin(rb) + i) * m.in + m.col_begin(cb), m.col_size(cb),
                    block.data() + static_cast<size_t>(i) * m.col_size(cb));
      Tile &tile = layer.tile(which, rb, cb);
      aimc_status status = tile.set_weights(block.data());
      if (status != AIMC_OK) return status;
      if (trace_) tile.trace_conductances(sc_core::sc_time_stamp());
    }
  }
  return AIMC_OK;
}

namespace {
// Copies each tile's row-major block (from `source`) into its place in the
// layer's out x in matrix.
template <typename Source>
void gather_blocks(const Layer &layer, aimc_hw_array which, float *out, Source source) {
  const LayerMap &m = layer.map();
  for (int rb = 0; rb < m.row_blocks; ++rb) {
    for (int cb = 0; cb < m.col_blocks; ++cb) {
      const float *block = source(layer.tile(which, rb, cb).array());
      for (int i = 0; i < m.row_size(rb); ++i)
        std::copy_n(block + static_cast<size_t>(i) * m.col_size(cb), m.col_size(cb),
                    out + static_cast<size_t>(m.row_begin(rb) + i) * m.in + m.col_begin(cb));
    }
  }
}
}  // namespace

void Chip::get_weights(const Layer &layer, aimc_hw_array which, float *weights) const {
  gather_blocks(layer, which, weights, [](const aimc_array &a) { return a.w; });
}

aimc_status Chip::get_saturation(const Layer &layer, aimc_hw_array which, float *saturation) const {
  std::vector<float> block;
  try {
    gather_blocks(layer, which, saturation, [&block](const aimc_array &a) {
      block.resize(static_cast<size_t>(a.rows) * static_cast<size_t>(a.cols));
      aimc_array_saturation(&a, block.data());
      return block.data();
    });
  } catch (const std::bad_alloc &) {
    return aimc_error_set(AIMC_ENOMEM, "%s: cannot allocate the saturation of a tile", name());
  }
  return AIMC_OK;
}

aimc_status Chip::trace_start(const aimc_hw_trace_params &params) {
  if (!timed_) return aimc_error_set(AIMC_EINVAL, "%s: waveforms need a timed chip", name());
  if (trace_) return aimc_error_set(AIMC_EINVAL, "%s: a trace is already running", name());
  std::vector<aimc_hw_trace_layer> shapes;
  for (const auto &layer : layers_) shapes.push_back({layer->map().out, layer->map().in, layer->has_fast() ? 1 : 0});
  aimc_status status = aimc_hw_trace_params_check_layers(&params, &params_.tile, shapes.data(),
                                                        static_cast<int>(shapes.size()), nullptr);
  if (status != AIMC_OK) return status;
  auto trace = std::make_unique<TraceWindow>(params);
  VcdWriter &vcd = trace->vcd();
  trace->declare_chip(name());
  std::vector<std::unique_ptr<TileTrace>> tile_traces;
  std::vector<Tile *> tiles;
  const bool pair = params_.conductance.mapping == AIMC_HW_DIFFERENTIAL_PAIR;
  for (int t = 0; t < params.n_tiles; ++t) {
    const aimc_hw_trace_tile &p = params.tiles[t];
    Tile &tile = layers_[static_cast<size_t>(p.layer)]->tile(static_cast<aimc_hw_array>(p.fast), p.row_block, p.col_block);
    auto tt = std::make_unique<TileTrace>();
    tt->vcd = &vcd;
    tt->active = trace->active_flag();
    std::string scope = tile.name();
    tt->activity = vcd.declare(scope, "activity", VcdWriter::Kind::integer, VcdWriter::View::enumeration,
                               {"idle", "forward", "backward", "update", "transfer_read", "transfer_update"});
    auto lines = [](int n, const int *chosen, int all) {
      std::vector<int> out;
      if (n < 0) {
        for (int k = 0; k < aimc_hw_trace_line_count(n, all); ++k) out.push_back(k);
      } else {
        out.assign(chosen, chosen + n);
      }
      return out;
    };
    tt->rows = lines(p.n_rows, p.rows, tile.rows());
    tt->cols = lines(p.n_cols, p.cols, tile.cols());
    for (int i : tt->rows) {
      std::string line = "row" + std::to_string(i);
      tt->row_pulse.push_back(vcd.declare(scope, line, VcdWriter::Kind::wire, VcdWriter::View::wire));
      tt->row_positive.push_back(vcd.declare(scope, line + "_positive", VcdWriter::Kind::wire, VcdWriter::View::wire));
      tt->row_code.push_back(vcd.declare(scope, line + "_adc", VcdWriter::Kind::integer, VcdWriter::View::signed_decimal));
    }
    for (int j : tt->cols) {
      std::string line = "col" + std::to_string(j);
      tt->col_pulse.push_back(vcd.declare(scope, line, VcdWriter::Kind::wire, VcdWriter::View::wire));
      tt->col_positive.push_back(vcd.declare(scope, line + "_positive", VcdWriter::Kind::wire, VcdWriter::View::wire));
      tt->col_code.push_back(vcd.declare(scope, line + "_adc", VcdWriter::Kind::integer, VcdWriter::View::signed_decimal));
    }
    for (int k = 0; k < p.n_devices; ++k) {
      int i = p.device_rows[k], j = p.device_cols[k];
      std::string cell = "g" + std::to_string(i) + "_" + std::to_string(j);
      int first = vcd.declare(scope, cell + (pair ? "_plus" : ""), VcdWriter::Kind::real, VcdWriter::View::analog);
      int second = vcd.declare(scope, cell + (pair ? "_minus" : "_ref"), VcdWriter::Kind::real, VcdWriter::View::analog);
      double g_first = 0.0, g_second = 0.0;
      tile.conductances().devices(tile.array().w[static_cast<size_t>(i) * tile.cols() + j], &g_first, &g_second);
      vcd.initial(first, g_first);
      vcd.initial(second, g_second);
      tt->device_row.push_back(i);
      tt->device_col.push_back(j);
      tt->device_first.push_back(first);
      tt->device_second.push_back(second);
    }
    tile_traces.push_back(std::move(tt));
    tiles.push_back(&tile);
  }
  if ((status = vcd.open(params.vcd_path)) != AIMC_OK) return status;
  trace_ = std::move(trace);
  tile_traces_ = std::move(tile_traces);
  traced_tiles_ = std::move(tiles);
  for (size_t k = 0; k < traced_tiles_.size(); ++k) traced_tiles_[k]->attach_trace(tile_traces_[k].get());
  controller_.attach_trace(trace_.get());
  return AIMC_OK;
}

aimc_status Chip::trace_finish() {
  if (!trace_) return AIMC_OK;
  controller_.attach_trace(nullptr);
  for (Tile *tile : traced_tiles_) tile->attach_trace(nullptr);
  aimc_status status = trace_->vcd().finish();
  trace_.reset();
  tile_traces_.clear();
  traced_tiles_.clear();
  return status;
}

RunSummary Chip::summary() const {
  RunSummary run;
  run.timed = timed_;
  run.simulated_time = timed_ ? controller_.last_end() : sc_core::SC_ZERO_TIME;
  run.phases = controller_.phases();
  run.tiles_used = tiles_used_;
  run.tiles_available = params_.tiles;
  run.layers = layers();
  run.params = &params_;
  return run;
}

}  // namespace aimc::hw
