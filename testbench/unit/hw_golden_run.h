// The tiny run of the golden files in testbench/golden (hw_tiny.stats.json and
// hw_tiny.vcd): a 4 x 5 tile at the reference chip's defaults with slots of 2 ns
// pulses every 5 ns, three updates of mini-batch 3 and a forward and a backward
// read. HwTrace.TinyRunMatchesGoldenStatsAndVcd compares the run with the files;
// test_golden_sources.cpp derives each number they pin from these parameters.
#ifndef AIMC_HW_GOLDEN_RUN_H
#define AIMC_HW_GOLDEN_RUN_H

#include <cstdio>
#include <string>
#include <vector>

#include "hw_support.h"

namespace golden {

constexpr int kRows = 4, kCols = 5, kBatch = 3, kUpdates = 3;

inline aimc_hw_chip_params trace_chip() {
  aimc_hw_chip_params p;
  aimc_hw_chip_params_default(&p);
  p.tile = {kRows, kCols};
  p.pulse.pulse_width = 2e-9;  // gaps between slots: every pulse is its own rising edge
  p.pulse.pulse_period = 5e-9;
  return p;
}

inline aimc_hw_layer_params trace_layer(const aimc_hw_chip_params &chip) {
  aimc_hw_layer_params layer;
  aimc_hw_layer_params_default(&layer, kRows, kCols, &chip);
  layer.forward_io = layer.backward_io = quiet_io(chip);
  layer.seed = 21;
  return layer;
}

inline aimc_hw_trace_params trace_all(const std::string &path) {
  aimc_hw_trace_params t;
  aimc_hw_trace_params_default(&t);
  std::snprintf(t.vcd_path, sizeof t.vcd_path, "%s", path.c_str());
  t.n_tiles = 1;
  t.tiles[0] = aimc_hw_trace_tile{};
  t.tiles[0].n_rows = -1;
  t.tiles[0].n_cols = -1;
  t.tiles[0].n_devices = 2;
  t.tiles[0].device_rows[1] = 3;
  t.tiles[0].device_cols[1] = 4;
  return t;
}

// The golden program: three updates of a mini-batch of kBatch samples (x and d
// row-major), then a forward read of the first x and a backward read of the first d.
constexpr float kX[kBatch * kCols] = {0.5f, -0.3f, 0.8f,  0.1f, -0.6f, 0.2f, 0.2f, -0.9f,
                                      0.4f, 0.0f,  -0.7f, 0.5f, 0.3f,  0.3f, -0.1f};
constexpr float kD[kBatch * kRows] = {0.4f, -0.2f, 0.1f, 0.3f, -0.5f, 0.6f, -0.1f, 0.2f, 0.2f, 0.2f, -0.3f, -0.4f};
inline float update_lr(int call) { return 0.05f + 0.02f * call; }

inline int tiny_program(ChipHandle &hw, std::vector<float> *forward_out, std::vector<float> *backward_out = nullptr) {
  for (int call = 0; call < kUpdates; ++call) {
    aimc_hw_chip_set_step(hw.chip, static_cast<uint64_t>(call));
    if (aimc_hw_chip_update(hw.chip, 0, AIMC_HW_ARRAY_MAIN, kX, kD, kBatch, update_lr(call))) return 1;
  }
  std::vector<float> y(kRows), b(kCols);
  if (aimc_hw_chip_forward(hw.chip, 0, AIMC_HW_ARRAY_MAIN, kX, y.data(), 1)) return 1;
  if (aimc_hw_chip_backward(hw.chip, 0, AIMC_HW_ARRAY_MAIN, kD, b.data(), 1)) return 1;
  if (forward_out) *forward_out = y;
  if (backward_out) *backward_out = b;
  return 0;
}

}  // namespace golden

#endif
