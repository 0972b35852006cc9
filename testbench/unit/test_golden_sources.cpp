// Where the numbers of the golden files come from. testbench/golden pins the
// stats.json and the VCD of one tiny run (hw_golden_run.h); a regeneration would
// hide a wrong number, so every quantity they pin is derived here from the run's
// parameters and the model of docs/hardware.md: buffer traffic from the slices an
// operation moves, the controller's work from update management, converter counts
// from passes x lines, pulse counts from the C core's update replayed on a bare
// array with the tile's seeds, times from the timing model, energies as action
// counts x energy per action, areas from the area table, and the VCD's event times
// from the operation boundaries and the replayed pulse trains.
#include <cjson/cJSON.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <map>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "aimc_hw/timebase.h"
#include "hw_golden_run.h"
#include "hw_vcd.h"

namespace {

using aimc::hw::repeat;
using aimc::hw::seconds;
using golden::kBatch;
using golden::kCols;
using golden::kD;
using golden::kRows;
using golden::kUpdates;
using golden::kX;

uint64_t ceil_div(uint64_t a, uint64_t b) { return (a + b - 1) / b; }

// One sample's pulse trains as the C core draws them.
struct Sample {
  int bl = 0, words = 0;
  std::vector<uint64_t> row_bits, col_bits;
  std::vector<int8_t> row_sign, col_sign;
  int weight_sign = 0;         // -sign(lr)
  std::vector<float> weights;  // the array's weights when the sample's trains are drawn
};

struct SinkContext {
  std::vector<Sample> *samples;
  const aimc_array *array;
};

struct Replay {
  std::vector<std::vector<Sample>> samples;  // per update call
  std::vector<aimc_update_stats> stats;      // per update call
  aimc_update_stats total{};
  std::vector<float> weights;
};

void on_sample(void *context, uint64_t, int bl, int words, int rows, const uint64_t *row_bits, const int8_t *row_sign,
               int cols, const uint64_t *col_bits, const int8_t *col_sign, int weight_sign) {
  auto *sink = static_cast<SinkContext *>(context);
  Sample s;
  s.weights.assign(sink->array->w, sink->array->w + kRows * kCols);
  s.bl = bl;
  s.words = words;
  s.row_bits.assign(row_bits, row_bits + static_cast<size_t>(rows) * words);
  s.col_bits.assign(col_bits, col_bits + static_cast<size_t>(cols) * words);
  s.row_sign.assign(row_sign, row_sign + rows);
  s.col_sign.assign(col_sign, col_sign + cols);
  s.weight_sign = weight_sign;
  sink->samples->push_back(s);
}

// The golden program's updates on a bare C-core array: tile (0, 0) keeps the
// layer's construction seed and draws from stream 0 of the layer seed.
Replay replay_updates(const aimc_hw_layer_params &layer) {
  Replay r;
  aimc_array array;
  ok(aimc_array_create(&array, kRows, kCols, &layer.device, layer.seed, 0));
  for (int call = 0; call < kUpdates; ++call) {
    r.samples.emplace_back();
    SinkContext context = {&r.samples.back(), &array};
    aimc_train_sink sink = {&context, on_sample};
    aimc_update_stats s{};
    aimc_status status = aimc_array_update(&array, kX, kD, kBatch, golden::update_lr(call), &layer.update, &s, &sink);
    if (status != AIMC_OK) {
      aimc_array_destroy(&array);
      throw std::runtime_error(aimc_error_message());
    }
    r.stats.push_back(s);
    aimc_update_stats_add(&r.total, &s);
  }
  r.weights.assign(array.w, array.w + kRows * kCols);
  aimc_array_destroy(&array);
  return r;
}

// The golden run (untraced unless a VCD path is given) and its stats.json.
struct GoldenRun {
  aimc_hw_chip_params chip = golden::trace_chip();
  aimc_hw_layer_params layer = golden::trace_layer(chip);
  ChipHandle hw{chip, true};
  std::vector<float> y, b;  // outputs of the forward and backward reads
  cJSON *stats = nullptr;

  explicit GoldenRun(const std::string &vcd_path = "", uint64_t first_operation = 0) {
    hw.add(layer);
    if (!vcd_path.empty()) {
      aimc_hw_trace_params trace = golden::trace_all(vcd_path);
      trace.first_operation = first_operation;
      ok(aimc_hw_chip_trace_start(hw.chip, &trace));
    }
    if (hw.run([&] { return golden::tiny_program(hw, &y, &b); }) != 0) throw std::runtime_error(aimc_error_message());
    if (!vcd_path.empty()) ok(aimc_hw_chip_trace_finish(hw.chip));
    stats = cJSON_Parse(capture([&](FILE *f) { return aimc_hw_chip_write_stats_json(hw.chip, f); }).c_str());
    if (!stats) throw std::runtime_error("stats.json does not parse");
  }
  ~GoldenRun() { cJSON_Delete(stats); }
  GoldenRun(const GoldenRun &) = delete;
  GoldenRun &operator=(const GoldenRun &) = delete;

  // A component of the tree: "" is the chip, "buffer", "layer0.main_r0c0.forward_adc".
  const cJSON *component(const std::string &path) const {
    const cJSON *node = at(stats, {"components", "chip"});
    size_t from = 0;
    while (from < path.size()) {
      size_t dot = path.find('.', from);
      std::string name = path.substr(from, dot == std::string::npos ? std::string::npos : dot - from);
      node = at(node, {"children", name.c_str()});
      from = dot == std::string::npos ? path.size() : dot + 1;
    }
    return node;
  }
  double count(const std::string &path, const char *counter) const {
    return at(component(path), {"counters", counter, "value"})->valuedouble;
  }
  double energy(const std::string &path, const char *phase) const {
    return at(component(path), {"energy", phase})->valuedouble;
  }
  double busy(const std::string &path) const { return at(component(path), {"busy_time"})->valuedouble; }
  double number(std::initializer_list<const char *> keys) const { return at(stats, keys)->valuedouble; }
};

const std::string kTile = "layer0.main_r0c0";

// The buffer moves word_bits per value; an access of b bits holds the port for
// ceil(b / bits_per_cycle) cycles.
struct Traffic {
  uint64_t word, per_cycle;
  uint64_t bits(uint64_t values) const { return values * word; }
  uint64_t cycles(uint64_t values) const { return ceil_div(values * word, per_cycle); }
};

Traffic traffic(const aimc_hw_chip_params &chip) {
  return {static_cast<uint64_t>(chip.buffer.word_bits), static_cast<uint64_t>(chip.buffer.bits_per_cycle)};
}

// One analog pass: DAC setup and the input window, the ADC rounds (outputs over
// the side's ceil(lines / columns_per_adc) ADCs), then post-processing cycles.
struct PassModel {
  sc_core::sc_time dac, adc, post;
};

PassModel pass_model(const aimc_hw_chip_params &chip, int inputs, int outputs) {
  (void)inputs;
  const uint64_t adcs = ceil_div(static_cast<uint64_t>(outputs), static_cast<uint64_t>(chip.adc.columns_per_adc));
  const uint64_t rounds = ceil_div(static_cast<uint64_t>(outputs), adcs);
  const sc_core::sc_time window = repeat(seconds(chip.dac.slot_time), 1ull << chip.dac.bits);
  return {
      seconds(chip.dac.setup_time) + window, repeat(seconds(aimc_hw_adc_conversion_time(&chip.adc)), rounds),
      repeat(seconds(1.0 / chip.controller.clock_frequency), static_cast<uint64_t>(chip.read.post_processing_cycles))};
}

// Update management scans batch x (rows + cols) elements per update.
uint64_t um_ops_per_update() { return static_cast<uint64_t>(kBatch) * (kRows + kCols); }

}  // namespace

class GoldenSources : public HwTest {};

// buffer.reads/writes/bits_read/bits_written/port_cycles/busy_time and its energy
// per phase: each update reads its x slice (batch x cols values) and its d slice
// (batch x rows); the forward read reads cols values and writes rows, the backward
// read the reverse; nothing else touches the buffer.
TEST_F(GoldenSources, BufferCountsAreTheSlicesTheProgramMoves) {
  GoldenRun run;
  const Traffic t = traffic(run.chip);
  ASSERT_EQ(run.chip.buffer.ports, 1);
  const uint64_t x_slice = kBatch * kCols, d_slice = kBatch * kRows;
  EXPECT_EQ(run.count("buffer", "reads"), 2 * kUpdates + 1 + 1);
  EXPECT_EQ(run.count("buffer", "writes"), 1 + 1);
  EXPECT_EQ(run.count("buffer", "bits_read"), kUpdates * t.bits(x_slice + d_slice) + t.bits(kCols) + t.bits(kRows));
  EXPECT_EQ(run.count("buffer", "bits_written"), t.bits(kRows) + t.bits(kCols));
  const uint64_t port_cycles = kUpdates * (t.cycles(x_slice) + t.cycles(d_slice)) + t.cycles(kCols) + t.cycles(kRows) +
                               t.cycles(kRows) + t.cycles(kCols);
  EXPECT_EQ(run.count("buffer", "port_cycles"), port_cycles);
  EXPECT_TRUE(RelativelyNear(run.busy("buffer"), port_cycles / run.chip.controller.clock_frequency, 1e-12));
  const double read = run.chip.buffer.read_energy_per_bit, write = run.chip.buffer.write_energy_per_bit;
  EXPECT_TRUE(RelativelyNear(run.energy("buffer", "forward"), t.bits(kCols) * read + t.bits(kRows) * write, 1e-12));
  EXPECT_TRUE(RelativelyNear(run.energy("buffer", "backward"), t.bits(kRows) * read + t.bits(kCols) * write, 1e-12));
  EXPECT_TRUE(RelativelyNear(run.energy("buffer", "update"), kUpdates * t.bits(x_slice + d_slice) * read, 1e-12));
}

// controller.operations/update_management_ops/activation_ops/loss_ops/add_ops, its
// energy and busy time: five chip operations; update management (on by default)
// scans batch x (rows + cols) elements per update on `lanes` lanes; the program
// has no activation, loss or partial-sum addition (one tile).
TEST_F(GoldenSources, ControllerCountsAreTheUpdateManagementOfEveryUpdate) {
  GoldenRun run;
  ASSERT_TRUE(run.layer.update.update_management || run.layer.update.update_bl_management);
  const aimc_hw_op_cost &um = run.chip.controller.update_management;
  EXPECT_EQ(run.count("controller", "operations"), kUpdates + 2);
  EXPECT_EQ(run.count("controller", "update_management_ops"), kUpdates * um_ops_per_update());
  EXPECT_EQ(run.count("controller", "activation_ops"), 0);
  EXPECT_EQ(run.count("controller", "loss_ops"), 0);
  EXPECT_EQ(run.count("controller", "add_ops"), 0);
  EXPECT_TRUE(RelativelyNear(run.energy("controller", "update"), kUpdates * um_ops_per_update() * um.energy, 1e-12));
  EXPECT_EQ(run.energy("controller", "forward") + run.energy("controller", "backward"), 0.0);
  const uint64_t cycles = kUpdates * ceil_div(um_ops_per_update(), run.chip.controller.lanes) * um.cycles;
  EXPECT_TRUE(RelativelyNear(run.busy("controller"), cycles / run.chip.controller.clock_frequency, 1e-12));
}

// The tile's reads/outputs_scaled, each DAC's passes/conversions, each ADC's
// conversions/comparisons, their energies and busy times: one pass per read (no
// bound management), a DAC conversion per input line, an ADC conversion per
// output line of `bits` comparator decisions (SAR), a scaled output per
// conversion.
TEST_F(GoldenSources, ConverterCountsArePassesTimesLines) {
  GoldenRun run;
  ASSERT_EQ(run.chip.adc.type, AIMC_HW_ADC_SAR);
  ASSERT_EQ(run.layer.forward_io.bound_management, AIMC_BM_NONE);
  EXPECT_EQ(run.count(kTile, "reads"), 2);
  EXPECT_EQ(run.count(kTile, "outputs_scaled"), kRows + kCols);
  for (const auto &[side, inputs, outputs] :
       {std::make_tuple("forward", kCols, kRows), std::make_tuple("backward", kRows, kCols)}) {
    const std::string dac = kTile + "." + side + "_dac", adc = kTile + "." + side + "_adc";
    EXPECT_EQ(run.count(dac, "passes"), 1) << side;
    EXPECT_EQ(run.count(dac, "conversions"), inputs) << side;
    EXPECT_EQ(run.count(adc, "conversions"), outputs) << side;
    EXPECT_EQ(run.count(adc, "comparisons"), outputs * run.chip.adc.bits) << side;
    EXPECT_TRUE(RelativelyNear(run.energy(dac, side), inputs * aimc_hw_dac_energy_per_conversion(&run.chip.dac), 1e-12)) << side;
    // The dynamic share of E_conv; its leakage_fraction is booked as static power.
    EXPECT_TRUE(RelativelyNear(run.energy(adc, side),
                               outputs * (1.0 - run.chip.adc.leakage_fraction) *
                                   aimc_hw_adc_energy_per_conversion(&run.chip.adc),
                               1e-12))
        << side;
    const PassModel pass = pass_model(run.chip, inputs, outputs);
    EXPECT_TRUE(RelativelyNear(run.busy(dac), pass.dac.to_seconds(), 1e-12)) << side;
    EXPECT_TRUE(RelativelyNear(run.busy(adc), pass.adc.to_seconds(), 1e-12)) << side;
  }
}

// The pulse generator's samples/slots/row_pulses/col_pulses, the tile's
// device_pulses_up/down/half_selected/program_energy, their energies and busy
// time: the C core's update of a bare array with the tile's seeds, replayed (the
// weights must come out bit-identical); line charging per line pulse, the table
// energy per device pulse, setup plus BL slots per sample.
TEST_F(GoldenSources, PulseCountsAreTheCoreUpdateReplayed) {
  GoldenRun run;
  const Replay r = replay_updates(run.layer);
  const std::vector<float> w = run.hw.weights(0, AIMC_HW_ARRAY_MAIN, kRows, kCols);
  ASSERT_EQ(std::memcmp(w.data(), r.weights.data(), sizeof(float) * w.size()), 0);
  const aimc_update_stats &s = r.total;
  const uint64_t applied = s.samples - s.skipped;
  ASSERT_GT(s.pulses_up, 0u);
  ASSERT_GT(s.pulses_down, 0u);
  const std::string pulse = kTile + ".pulse_generator";
  EXPECT_EQ(run.count(pulse, "samples"), applied);
  EXPECT_EQ(run.count(pulse, "slots"), s.slots);
  EXPECT_EQ(run.count(pulse, "row_pulses"), s.row_pulses);
  EXPECT_EQ(run.count(pulse, "col_pulses"), s.col_pulses);
  EXPECT_EQ(run.count(kTile, "device_pulses_up"), s.pulses_up);
  EXPECT_EQ(run.count(kTile, "device_pulses_down"), s.pulses_down);
  EXPECT_EQ(run.count(kTile, "half_selected"), s.half_selected);
  ASSERT_EQ(run.chip.conductance.program_energy, AIMC_HW_PROGRAM_ENERGY_TABLE);
  const double program =
      static_cast<double>(s.pulses_up + s.pulses_down) * run.chip.conductance.energy_per_device_pulse +
      static_cast<double>(s.half_selected) * run.chip.conductance.energy_per_half_select;
  EXPECT_TRUE(RelativelyNear(run.count(kTile, "program_energy"), program, 1e-12));
  EXPECT_TRUE(RelativelyNear(run.energy(kTile, "update"), program, 1e-12));
  // Model line energy: a row line crosses tile.cols cells of cell_width, a
  // column line tile.rows cells of cell_height, C = length x wire capacitance.
  ASSERT_EQ(run.chip.pulse.line_energy, AIMC_HW_LINE_ENERGY_MODEL);
  ASSERT_EQ(run.chip.pulse.cell_capacitance, 0.0);
  const double v2 = run.chip.pulse.amplitude * run.chip.pulse.amplitude;
  const double row_line = run.chip.tile.cols * run.chip.area.cell_width * run.chip.pulse.wire_capacitance * v2;
  const double col_line = run.chip.tile.rows * run.chip.area.cell_height * run.chip.pulse.wire_capacitance * v2;
  EXPECT_TRUE(RelativelyNear(run.energy(pulse, "update"),
                             static_cast<double>(s.row_pulses) * row_line + static_cast<double>(s.col_pulses) * col_line,
                             1e-12));
  const sc_core::sc_time busy =
      repeat(seconds(run.chip.pulse.setup_time), applied) + repeat(seconds(run.chip.pulse.pulse_period), s.slots);
  EXPECT_TRUE(RelativelyNear(run.busy(pulse), busy.to_seconds(), 1e-12));
}

// The tile's read_energy and its forward and backward energy: per pass v_read^2 x
// window x sum(G) over the devices (differential pair: g_min + (g_max - g_min)
// min(|w| / w_span, 1) on w's side, g_min on the other) of the weights read,
// which are the weights after the updates; plus the scaling of each output.
TEST_F(GoldenSources, ReadEnergyIsTheConductanceOfTheWeightsRead) {
  GoldenRun run;
  ASSERT_EQ(run.chip.conductance.mapping, AIMC_HW_DIFFERENTIAL_PAIR);
  ASSERT_EQ(run.chip.dac.encoding, AIMC_HW_DAC_PULSE_WIDTH);
  const aimc_hw_conductance_params &g = run.chip.conductance;
  const double w_span = std::max(run.layer.device.w_max, -run.layer.device.w_min);
  double sum_g = 0;
  for (float w : run.hw.weights(0, AIMC_HW_ARRAY_MAIN, kRows, kCols))
    sum_g += 2 * g.g_min + (g.g_max - g.g_min) * std::min(std::fabs(static_cast<double>(w)) / w_span, 1.0);
  const double window = run.chip.dac.slot_time * std::ldexp(1.0, run.chip.dac.bits);
  const double per_pass = g.v_read * g.v_read * window * sum_g;
  EXPECT_TRUE(RelativelyNear(run.count(kTile, "read_energy"), 2 * per_pass, 1e-9));
  EXPECT_TRUE(RelativelyNear(run.energy(kTile, "forward"), per_pass + kRows * run.chip.read.energy_per_output, 1e-9));
  EXPECT_TRUE(RelativelyNear(run.energy(kTile, "backward"), per_pass + kCols * run.chip.read.energy_per_output, 1e-9));
}

// phases.*.time/operations, simulated_time and the tile's busy time: a read is
// its input slice's port cycles, one pass and its result's port cycles; an update
// is its x and d slices' port cycles, update management, then setup + BL slots
// per sample; operations run one after another.
TEST_F(GoldenSources, PhaseTimesFollowTheTimingModel) {
  GoldenRun run;
  const Replay r = replay_updates(run.layer);
  const Traffic t = traffic(run.chip);
  const sc_core::sc_time cycle = seconds(1.0 / run.chip.controller.clock_frequency);
  const PassModel f = pass_model(run.chip, kCols, kRows), b = pass_model(run.chip, kRows, kCols);
  const sc_core::sc_time forward =
      repeat(cycle, t.cycles(kCols)) + f.dac + f.adc + f.post + repeat(cycle, t.cycles(kRows));
  const sc_core::sc_time backward =
      repeat(cycle, t.cycles(kRows)) + b.dac + b.adc + b.post + repeat(cycle, t.cycles(kCols));
  sc_core::sc_time update = sc_core::SC_ZERO_TIME, pulsing = sc_core::SC_ZERO_TIME;
  for (const aimc_update_stats &s : r.stats) {
    pulsing += repeat(seconds(run.chip.pulse.setup_time), s.samples - s.skipped) +
               repeat(seconds(run.chip.pulse.pulse_period), s.slots);
    update += repeat(cycle, t.cycles(kBatch * kCols) + t.cycles(kBatch * kRows) +
                                ceil_div(um_ops_per_update(), run.chip.controller.lanes) *
                                    run.chip.controller.update_management.cycles);
  }
  update += pulsing;
  EXPECT_DOUBLE_EQ(run.number({"phases", "forward", "time"}), forward.to_seconds());
  EXPECT_DOUBLE_EQ(run.number({"phases", "backward", "time"}), backward.to_seconds());
  EXPECT_DOUBLE_EQ(run.number({"phases", "update", "time"}), update.to_seconds());
  EXPECT_DOUBLE_EQ(run.number({"simulated_time"}), (forward + backward + update).to_seconds());
  EXPECT_EQ(run.number({"phases", "forward", "operations"}), 1);
  EXPECT_EQ(run.number({"phases", "backward", "operations"}), 1);
  EXPECT_EQ(run.number({"phases", "update", "operations"}), kUpdates);
  for (const char *phase : {"transfer", "digital"}) {
    EXPECT_EQ(run.number({"phases", phase, "time"}), 0) << phase;
    EXPECT_EQ(run.number({"phases", phase, "operations"}), 0) << phase;
  }
  EXPECT_DOUBLE_EQ(run.busy(kTile), (f.dac + f.adc + f.post + b.dac + b.adc + b.post + pulsing).to_seconds());
}

// phases.*.energy, energy_total and every subtree_energy: the sum of the
// components' own energies (each derived above), phase by phase.
TEST_F(GoldenSources, PhaseEnergiesAreTheSumsOfTheComponents) {
  GoldenRun run;
  const std::vector<std::string> tile_parts = {kTile,
                                               kTile + ".forward_dac",
                                               kTile + ".backward_dac",
                                               kTile + ".forward_adc",
                                               kTile + ".backward_adc",
                                               kTile + ".pulse_generator"};
  double total = 0;
  for (const char *phase : {"forward", "backward", "update", "transfer", "digital"}) {
    double tile = 0;
    for (const std::string &part : tile_parts) tile += run.energy(part, phase);
    const double chip = tile + run.energy("buffer", phase) + run.energy("controller", phase);
    EXPECT_TRUE(RelativelyNear(at(run.component(kTile), {"subtree_energy", phase})->valuedouble, tile, 1e-12)) << phase;
    EXPECT_TRUE(RelativelyNear(at(run.component("layer0"), {"subtree_energy", phase})->valuedouble, tile, 1e-12))
        << phase;
    EXPECT_TRUE(RelativelyNear(at(run.component(""), {"subtree_energy", phase})->valuedouble, chip, 1e-12)) << phase;
    EXPECT_TRUE(RelativelyNear(run.number({"phases", phase, "energy"}), chip, 1e-12)) << phase;
    total += chip;
  }
  EXPECT_TRUE(RelativelyNear(run.number({"energy_dynamic"}), total, 1e-12));
  EXPECT_TRUE(RelativelyNear(run.number({"energy_total"}), total + run.number({"leakage", "energy"}), 1e-12));
  EXPECT_GT(total, 0.0);
}

// area and area_mm2: two devices per weight of cell_height x cell_width, one SAR
// ADC per columns_per_adc lines on each side at the ADC plug-in's regression
// exp(1.346 + 0.9933 ln(node nm) + 0.1807 ln(f Hz) + 0.2991 ln(E pJ)) um^2,
// a DAC and a pulse driver per line, the buffer's bytes and a controller of
// `lanes` lanes (m^2 in the parameters, mm^2 in stats.json).
TEST_F(GoldenSources, AreaIsTheTableTimesTheTile) {
  GoldenRun run;
  const aimc_hw_area_params &a = run.chip.area;
  const double mm2 = 1e6;
  const double crossbar = kRows * kCols * 2 * a.cell_height * a.cell_width * mm2;
  const double adcs = static_cast<double>(ceil_div(kRows, run.chip.adc.columns_per_adc) +
                                          ceil_div(kCols, run.chip.adc.columns_per_adc));
  const double f = 1.0 / aimc_hw_adc_conversion_time(&run.chip.adc),
               e_pj = aimc_hw_adc_energy_per_conversion(&run.chip.adc) * 1e12;
  const double one_adc =
      std::exp(1.346 + 0.9933 * std::log(a.adc_node * 1e9) + 0.1807 * std::log(f) + 0.2991 * std::log(e_pj)) * 1e-12;
  const double adc = adcs * one_adc * mm2;
  const double dac = (kRows + kCols) * a.dac_line * mm2, pulse = (kRows + kCols) * a.pulse_driver_line * mm2;
  const double buffer = a.buffer_bytes * a.buffer_per_byte * mm2,
               controller = run.chip.controller.lanes * a.controller_per_lane * mm2;
  EXPECT_EQ(run.number({"area", "tiles"}), 1);
  EXPECT_TRUE(RelativelyNear(run.number({"area", "crossbar_mm2"}), crossbar, 1e-9));
  EXPECT_TRUE(RelativelyNear(run.number({"area", "adc_mm2"}), adc, 1e-9));
  EXPECT_TRUE(RelativelyNear(run.number({"area", "dac_mm2"}), dac, 1e-9));
  EXPECT_TRUE(RelativelyNear(run.number({"area", "pulse_mm2"}), pulse, 1e-9));
  EXPECT_TRUE(RelativelyNear(run.number({"area", "buffer_mm2"}), buffer, 1e-9));
  EXPECT_TRUE(RelativelyNear(run.number({"area", "controller_mm2"}), controller, 1e-9));
  EXPECT_TRUE(RelativelyNear(run.number({"area_mm2"}), crossbar + adc + dac + pulse + buffer + controller, 1e-9));
  EXPECT_TRUE(
      RelativelyNear(at(run.component(kTile), {"subtree_area_mm2"})->valuedouble, crossbar + adc + dac + pulse, 1e-9));
}

// timed/time_resolution/layers/tiles_used/tiles_available and each ADC's clipped
// count: a timed chip on SystemC's 100 fs grid (the VCD's timescale), one layer of
// kRows x kCols on ceil(rows / tile.rows) x ceil(cols / tile.cols) tiles of a chip
// sized to the layers (tiles = 0), and no output of either read at +-out_bound.
TEST_F(GoldenSources, RunShapeIsTheLayerOnTheTileGrid) {
  GoldenRun run;
  EXPECT_TRUE(cJSON_IsTrue(at(run.stats, {"timed"})));
  EXPECT_DOUBLE_EQ(run.number({"time_resolution"}), sc_core::sc_get_time_resolution().to_seconds());
  EXPECT_DOUBLE_EQ(run.number({"time_resolution"}), 1e-13);
  EXPECT_EQ(run.number({"layers"}), 1);
  EXPECT_EQ(run.number({"tiles_used"}), ceil_div(kRows, run.chip.tile.rows) * ceil_div(kCols, run.chip.tile.cols));
  EXPECT_EQ(run.number({"tiles_available"}), run.chip.tiles);
  auto at_bound = [](const std::vector<float> &out, const aimc_io_params &io) {
    int n = 0;
    for (float v : out) n += std::fabs(v) >= io.out_bound;
    return n;
  };
  ASSERT_EQ(run.y.size(), static_cast<size_t>(kRows));
  ASSERT_EQ(run.b.size(), static_cast<size_t>(kCols));
  EXPECT_EQ(run.count(kTile + ".forward_adc", "clipped"), at_bound(run.y, run.layer.forward_io));
  EXPECT_EQ(run.count(kTile + ".backward_adc", "clipped"), at_bound(run.b, run.layer.backward_io));
}

// The VCD's event times and values (traced from the second operation, as the
// golden file). Every variable's changes are derived: `operation` is phase + 1
// from an operation's start to its end and `step` the step set before it; the
// tile's `activity` is its transaction's kind (update 3, forward 1, backward 2)
// from the tile's start, after the buffer reads and update management, to its
// end; each row and column line rises at the start of every slot in which its
// replayed train has a bit (setup + k x pulse_period into the sample) and falls
// pulse_width later; its `_positive` polarity, -sign(lr) sign(d_i) on rows and
// sign(x_j) on columns, is set at the sample's start where the line carries
// pulses; the `_adc` codes are the read's outputs in ADC steps (2 out_bound
// out_res) at the end of the pass; the traced devices show the conductances of
// their replayed weights from each sample's start.
TEST_F(GoldenSources, VcdEventsAreAtTheOperationBoundariesAndTheReplayedSlots) {
  const std::string path = ::testing::TempDir() + "golden_sources.vcd";
  GoldenRun run(path, 1);
  const Replay r = replay_updates(run.layer);
  const hw_vcd::Vcd vcd(path);
  ASSERT_EQ(vcd.timescale, "100 fs");
  const uint64_t resolution = sc_core::sc_time(100, sc_core::SC_FS).value();
  auto ticks = [&](const sc_core::sc_time &t) { return t.value() / resolution; };
  const Traffic t = traffic(run.chip);
  const aimc_hw_pulse_params &p = run.chip.pulse;
  const sc_core::sc_time cycle = seconds(1.0 / run.chip.controller.clock_frequency);
  const sc_core::sc_time before_pulses = repeat(cycle, t.cycles(kBatch * kCols) + t.cycles(kBatch * kRows) +
                                                           ceil_div(um_ops_per_update(), run.chip.controller.lanes) *
                                                               run.chip.controller.update_management.cycles);
  const std::string scope = "chip.layer0.main_r0c0";
  auto line = [&](const char *kind, int index, const char *suffix = "") {
    return vcd.id_of(scope, kind + std::to_string(index) + suffix);
  };
  const std::string operation = vcd.id_of("chip", "operation"), step = vcd.id_of("chip", "step"),
                    activity = vcd.id_of(scope, "activity");

  // Expected changes in the order the model makes them: (time, variable, value).
  std::vector<std::tuple<uint64_t, std::string, int64_t>> changes;
  auto change = [&](const sc_core::sc_time &at, const std::string &id, int64_t value) {
    changes.emplace_back(ticks(at), id, value);
  };
  const int64_t kUpdate = 3, kForward = 1, kBackward = 2;  // phase + 1, and the tile's activity
  sc_core::sc_time now = sc_core::SC_ZERO_TIME;
  for (int call = 0; call < kUpdates; ++call) {
    const bool traced = call >= 1;
    change(now, step, call);
    if (traced) change(now, operation, kUpdate);
    now += before_pulses;
    if (traced) change(now, activity, kUpdate);
    for (const Sample &s : r.samples[static_cast<size_t>(call)]) {
      const sc_core::sc_time first_slot = now + seconds(p.setup_time);
      if (traced) {
        for (int i = 0; i < kRows; ++i)
          if (s.row_sign[static_cast<size_t>(i)] != 0)
            change(now, line("row", i, "_positive"), s.weight_sign * s.row_sign[static_cast<size_t>(i)] > 0);
        for (int j = 0; j < kCols; ++j)
          if (s.col_sign[static_cast<size_t>(j)] != 0)
            change(now, line("col", j, "_positive"), s.col_sign[static_cast<size_t>(j)] > 0);
        for (int k = 0; k < s.bl; ++k) {
          const sc_core::sc_time rise = first_slot + repeat(seconds(p.pulse_period), static_cast<uint64_t>(k));
          auto edges = [&](const std::vector<uint64_t> &bits, int lines, const char *kind) {
            for (int l = 0; l < lines; ++l) {
              if (!((bits[static_cast<size_t>(l) * s.words + k / 64] >> (k % 64)) & 1u)) continue;
              change(rise, line(kind, l), 1);
              change(rise + seconds(p.pulse_width), line(kind, l), 0);
            }
          };
          edges(s.row_bits, kRows, "row");
          edges(s.col_bits, kCols, "col");
        }
      }
      now = first_slot + repeat(seconds(p.pulse_period), static_cast<uint64_t>(s.bl));
    }
    if (traced) {
      change(now, activity, 0);
      change(now, operation, 0);
    }
  }
  auto code = [](float out, const aimc_io_params &io) { return std::lround(out / (2 * io.out_bound * io.out_res)); };
  for (const bool backward : {false, true}) {
    const int inputs = backward ? kRows : kCols, outputs = backward ? kCols : kRows;
    const PassModel pass = pass_model(run.chip, inputs, outputs);
    change(now, operation, backward ? kBackward : kForward);
    const sc_core::sc_time tile_start = now + repeat(cycle, t.cycles(static_cast<uint64_t>(inputs)));
    const sc_core::sc_time tile_end = tile_start + pass.dac + pass.adc + pass.post;
    change(tile_start, activity, backward ? kBackward : kForward);
    for (int o = 0; o < outputs; ++o)
      change(tile_end, line(backward ? "col" : "row", o, "_adc"),
             backward ? code(run.b[static_cast<size_t>(o)], run.layer.backward_io)
                      : code(run.y[static_cast<size_t>(o)], run.layer.forward_io));
    change(tile_end, activity, 0);
    now = tile_end + repeat(cycle, t.cycles(static_cast<uint64_t>(outputs)));
    change(now, operation, 0);
  }

  // The file records, per variable and time, the last value set if it differs
  // from the value before (the initial values are block 0, $dumpvars).
  auto parse = [](const std::string &text) {
    return text[0] == 'b' ? hw_vcd::integer_value(text) : static_cast<int64_t>(text == "1");
  };
  std::map<std::string, int64_t> value;
  for (const auto &[id, text] : vcd.blocks.at(0).second) value[id] = parse(text);
  std::map<std::pair<uint64_t, std::string>, int64_t> last;
  for (const auto &[time, id, v] : changes) last[{time, id}] = v;
  std::map<std::string, std::vector<std::pair<uint64_t, int64_t>>> by_variable;
  for (const auto &[key, v] : last) by_variable[key.second].push_back({key.first, v});
  std::map<std::pair<uint64_t, std::string>, int64_t> expected, observed;
  for (auto &[id, timeline] : by_variable) {
    std::sort(timeline.begin(), timeline.end());
    int64_t before = value.at(id);
    for (const auto &[time, v] : timeline) {
      if (v != before) expected[{time, id}] = v;
      before = v;
    }
  }
  for (size_t k = 1; k < vcd.blocks.size(); ++k)
    for (const auto &[id, text] : vcd.blocks[k].second)
      if (vcd.vars.at(id).type != "real") observed[{vcd.blocks[k].first, id}] = parse(text);
  EXPECT_GT(expected.size(), 100u);
  for (const auto &[key, v] : expected) {
    auto it = observed.find(key);
    if (it == observed.end())
      ADD_FAILURE() << "no change of " << vcd.vars.at(key.second).name << " to " << v << " at #" << key.first;
    else
      EXPECT_EQ(it->second, v) << vcd.vars.at(key.second).name << " at #" << key.first;
  }
  for (const auto &[key, v] : observed)
    if (!expected.count(key))
      ADD_FAILURE() << "unexpected change of " << vcd.vars.at(key.second).name << " to " << v << " at #" << key.first;

  // The traced devices (0, 0) and (3, 4): from each sample's start, the
  // conductances of their weights then (differential pair).
  const aimc_hw_conductance_params &g = run.chip.conductance;
  const double w_span = std::max(run.layer.device.w_max, -run.layer.device.w_min);
  auto pair = [&](float w) {
    const double on = g.g_min + (g.g_max - g.g_min) * std::min(std::fabs(static_cast<double>(w)) / w_span, 1.0);
    return std::make_pair(w >= 0 ? on : g.g_min, w >= 0 ? g.g_min : on);
  };
  auto real_at = [&](const std::string &id, uint64_t time) {
    double v = NAN;
    for (const auto &[at, block] : vcd.blocks) {
      if (at > time) break;
      for (const auto &[changed, text] : block)
        if (changed == id) v = std::stod(text.substr(1));
    }
    return v;
  };
  now = sc_core::SC_ZERO_TIME;
  int checked = 0;
  for (int call = 0; call < kUpdates; ++call) {
    now += before_pulses;
    for (const Sample &s : r.samples[static_cast<size_t>(call)]) {
      for (const auto &[name, cell] : {std::make_pair("g0_0", 0), std::make_pair("g3_4", 3 * kCols + 4)}) {
        if (call == 0) continue;
        const auto [plus, minus] = pair(s.weights[static_cast<size_t>(cell)]);
        const uint64_t at = ticks(now);
        EXPECT_TRUE(RelativelyNear(real_at(vcd.id_of(scope, std::string(name) + "_plus"), at), plus, 1e-12))
            << name << "_plus at #" << at;
        EXPECT_TRUE(RelativelyNear(real_at(vcd.id_of(scope, std::string(name) + "_minus"), at), minus, 1e-12))
            << name << "_minus at #" << at;
        ++checked;
      }
      now += seconds(p.setup_time) + repeat(seconds(p.pulse_period), static_cast<uint64_t>(s.bl));
    }
  }
  EXPECT_EQ(checked, 2 * static_cast<int>(r.samples[1].size() + r.samples[2].size()));
}
