// Invariant 1: the timed (SystemC) run, the untimed run and a timed run with
// waveforms make the same C-core calls in the same order with the same seeds,
// so outputs and weights are bit-identical; timing and tracing only observe.
// All three chips are built before the first simulation (one elaboration).
#include <cstring>
#include <random>
#include <tuple>

#include "hw_support.h"

namespace {

aimc_hw_chip_params chip_params() {
  aimc_hw_chip_params p;
  aimc_hw_chip_params_default(&p);
  p.tile = {8, 8};
  return p;
}

// Noisy periphery, device variation and cycle noise: every random stream is used.
void add_layers(ChipHandle &hw, const aimc_hw_chip_params &chip) {
  aimc_hw_layer_params split;
  aimc_hw_layer_params_default(&split, 10, 12, &chip);  // 2 x 2 tiles
  aimc_device_params_default(&split.device, AIMC_DEVICE_SOFT_BOUNDS);
  split.device.construction_seed = 11;
  split.seed = 5;
  hw.add(split);
  aimc_hw_layer_params tiki;
  aimc_hw_layer_params_default(&tiki, 6, 10, &chip);  // 1 x 2 tiles, and A
  tiki.fast = 1;
  aimc_device_params_default(&tiki.fast_device, AIMC_DEVICE_LINEAR_STEP);
  tiki.fast_device.construction_seed = 3;
  tiki.seed = 9;
  tiki.transfer_io.out_noise = 0.02;
  hw.add(tiki);
}

struct Workload {
  std::vector<float> x0, d1, d0;  // per step: input of layer 0, errors of layer 1 and 0
  int steps = 6, batch = 3;
  Workload() {
    std::mt19937 generator(17);
    std::normal_distribution<float> normal(0.0f, 0.5f);
    x0.resize(static_cast<size_t>(steps) * batch * 12);
    d1.resize(static_cast<size_t>(steps) * batch * 6);
    d0.resize(static_cast<size_t>(steps) * batch * 10);
    for (float &v : x0) v = normal(generator);
    for (float &v : d1) v = normal(generator);
    for (float &v : d0) v = normal(generator);
  }
};

// A training-like program; every output is appended to `outputs`.
int program(ChipHandle &hw, const Workload &work, std::vector<float> &outputs) {
  const int b = work.batch;
  std::vector<float> y0(static_cast<size_t>(b) * 10), y1(static_cast<size_t>(b) * 6), g1(static_cast<size_t>(b) * 10),
      g0(static_cast<size_t>(b) * 12), a(static_cast<size_t>(b) * 6);
  auto keep = [&](const std::vector<float> &v) { outputs.insert(outputs.end(), v.begin(), v.end()); };
  for (int step = 0; step < work.steps; ++step) {
    aimc_hw_chip_set_step(hw.chip, static_cast<uint64_t>(step));
    const float *x = work.x0.data() + static_cast<size_t>(step) * b * 12;
    const float *d1 = work.d1.data() + static_cast<size_t>(step) * b * 6;
    const float *d0 = work.d0.data() + static_cast<size_t>(step) * b * 10;
    if (aimc_hw_chip_forward(hw.chip, 0, AIMC_HW_ARRAY_MAIN, x, y0.data(), b)) return 1;
    if (aimc_hw_chip_digital(hw.chip, AIMC_HW_PHASE_FORWARD, AIMC_HW_OP_ACTIVATION, y0.size())) return 1;
    if (aimc_hw_chip_forward(hw.chip, 1, AIMC_HW_ARRAY_MAIN, y0.data(), y1.data(), b)) return 1;
    if (aimc_hw_chip_forward(hw.chip, 1, AIMC_HW_ARRAY_FAST, y0.data(), a.data(), b)) return 1;
    if (aimc_hw_chip_backward(hw.chip, 1, AIMC_HW_ARRAY_MAIN, d1, g1.data(), b)) return 1;
    if (aimc_hw_chip_backward(hw.chip, 0, AIMC_HW_ARRAY_MAIN, d0, g0.data(), b)) return 1;
    keep(y0), keep(y1), keep(a), keep(g1), keep(g0);
    if (aimc_hw_chip_parallel_begin(hw.chip)) return 1;
    if (aimc_hw_chip_update(hw.chip, 0, AIMC_HW_ARRAY_MAIN, x, d0, b, 0.05f)) return 1;
    if (aimc_hw_chip_update(hw.chip, 1, AIMC_HW_ARRAY_FAST, y0.data(), d1, b, 0.1f)) return 1;
    if (aimc_hw_chip_parallel_end(hw.chip)) return 1;
    if (aimc_hw_chip_transfer(hw.chip, 1, (step * 3) % 8, 3, 0.2f)) return 1;
  }
  return 0;
}

std::vector<float> all_weights(const ChipHandle &hw) {
  std::vector<float> out;
  for (auto [layer, which, rows, cols] : {std::tuple{0, AIMC_HW_ARRAY_MAIN, 10, 12}, std::tuple{1, AIMC_HW_ARRAY_MAIN, 6, 10},
                                          std::tuple{1, AIMC_HW_ARRAY_FAST, 6, 10}}) {
    std::vector<float> w = hw.weights(layer, which, rows, cols);
    out.insert(out.end(), w.begin(), w.end());
  }
  return out;
}

}  // namespace

class HwIdentical : public HwTest {};

TEST_F(HwIdentical, TimedUntimedAndTracedRunsAreBitIdentical) {
  const aimc_hw_chip_params chip = chip_params();
  const Workload work;
  ChipHandle untimed(chip, false), timed(chip, true), traced(chip, true);
  for (ChipHandle *hw : {&untimed, &timed, &traced}) add_layers(*hw, chip);
  aimc_hw_trace_params trace;
  aimc_hw_trace_params_default(&trace);
  std::string path = ::testing::TempDir() + "hw_identical.vcd";
  std::snprintf(trace.vcd_path, sizeof trace.vcd_path, "%s", path.c_str());
  trace.n_tiles = 2;
  trace.tiles[0] = aimc_hw_trace_tile{};
  trace.tiles[0].layer = 1;
  trace.tiles[0].n_rows = -1;
  trace.tiles[0].n_cols = -1;
  trace.tiles[0].n_devices = 1;
  trace.tiles[1] = trace.tiles[0];
  trace.tiles[1].fast = 1;
  trace.tiles[1].col_block = 1;
  ok(aimc_hw_chip_trace_start(traced.chip, &trace));

  std::vector<float> out_untimed, out_timed, out_traced;
  ASSERT_EQ(untimed.run([&] { return program(untimed, work, out_untimed); }), 0) << aimc_error_message();
  ASSERT_EQ(timed.run([&] { return program(timed, work, out_timed); }), 0) << aimc_error_message();
  ASSERT_EQ(traced.run([&] { return program(traced, work, out_traced); }), 0) << aimc_error_message();
  ok(aimc_hw_chip_trace_finish(traced.chip));

  ASSERT_EQ(out_untimed.size(), out_timed.size());
  ASSERT_EQ(out_untimed.size(), out_traced.size());
  EXPECT_EQ(std::memcmp(out_untimed.data(), out_timed.data(), out_untimed.size() * sizeof(float)), 0);
  EXPECT_EQ(std::memcmp(out_untimed.data(), out_traced.data(), out_untimed.size() * sizeof(float)), 0);
  std::vector<float> w_untimed = all_weights(untimed), w_timed = all_weights(timed), w_traced = all_weights(traced);
  EXPECT_EQ(std::memcmp(w_untimed.data(), w_timed.data(), w_untimed.size() * sizeof(float)), 0);
  EXPECT_EQ(std::memcmp(w_untimed.data(), w_traced.data(), w_untimed.size() * sizeof(float)), 0);
  // Training moved the weights (the comparison is not of untouched arrays).
  aimc_hw_layer_stats stats;
  ok(aimc_hw_chip_layer_stats(untimed.chip, 1, AIMC_HW_ARRAY_MAIN, &stats));
  EXPECT_GT(stats.update.pulses_up + stats.update.pulses_down, 0u);

  // Energy is counted identically in all modes; tracing leaves time alone too.
  aimc_hw_totals tu, tt, tr;
  aimc_hw_chip_totals(untimed.chip, &tu);
  aimc_hw_chip_totals(timed.chip, &tt);
  aimc_hw_chip_totals(traced.chip, &tr);
  for (int p = 0; p < AIMC_HW_PHASE_COUNT; ++p) {
    EXPECT_EQ(tu.energy[p], tt.energy[p]) << aimc_hw_phase_name(static_cast<aimc_hw_phase>(p));
    EXPECT_EQ(tt.energy[p], tr.energy[p]) << aimc_hw_phase_name(static_cast<aimc_hw_phase>(p));
    EXPECT_EQ(tt.time[p], tr.time[p]) << aimc_hw_phase_name(static_cast<aimc_hw_phase>(p));
  }
  EXPECT_GT(tt.time[AIMC_HW_PHASE_TRANSFER], 0.0);
  EXPECT_EQ(tu.simulated_time, 0.0);
}
