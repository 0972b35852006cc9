// The devices' own processes as chip operations, against closed forms: lifetime
// decay of a constant weight over k mini-batches, the variance growth of k
// diffusion steps, and a column reset to the reset point with its spread, with
// the reset's pulses, time and energy (AIHWKIT v0.9.0 rpu_pulsed_device.cpp:
// decayWeights, diffuseWeights, resetCols).
#include <cmath>
#include <vector>

#include "aimc_hw/timebase.h"
#include "hw_support.h"

namespace {

// One layer of out x in on a chip of 128 x 128 tiles, with `device`.
int add_layer(aimc_hw_chip *chip, const aimc_hw_chip_params &params, int out, int in,
              const aimc_device_params &device) {
  aimc_hw_layer_params layer;
  aimc_hw_layer_params_default(&layer, out, in, &params);
  layer.device = device;
  layer.seed = 7;
  int index = -1;
  ok(aimc_hw_chip_add_layer(chip, &layer, &index));
  return index;
}

std::vector<float> weights_of(aimc_hw_chip *chip, int layer, int n) {
  std::vector<float> w(static_cast<size_t>(n));
  ok(aimc_hw_chip_get_weights(chip, layer, AIMC_HW_ARRAY_MAIN, w.data()));
  return w;
}

}  // namespace

class DeviceProcesses : public HwTest {};

TEST_F(DeviceProcesses, DecayMovesAConstantWeightTowardsTheResetPointByOneMinusOneOverLifetimePerMiniBatch) {
  aimc_hw_chip_params params;
  aimc_hw_chip_params_default(&params);
  ChipHandle chip(params, false);
  aimc_device_params device = quiet_constant_step();
  device.lifetime = 10.0;
  device.lifetime_dtod = 0.0;
  device.reset = 0.2;
  device.reset_dtod = 0.0;
  int layer = add_layer(chip.chip, params, 3, 4, device);
  std::vector<float> w0(12, 0.8f);
  ok(aimc_hw_chip_set_weights(chip.chip, layer, AIMC_HW_ARRAY_MAIN, w0.data()));
  const int k = 7;
  for (int step = 0; step < k; ++step) ok(aimc_hw_chip_device_step(chip.chip, layer));
  // w_k = b + (w_0 - b) (1 - 1/lifetime)^k
  double expected = 0.2 + (0.8 - 0.2) * std::pow(1.0 - 1.0 / 10.0, k);
  for (float w : weights_of(chip.chip, layer, 12)) EXPECT_NEAR(w, expected, 1e-6);
  // Passive physics: one operation of the update phase, no energy.
  aimc_hw_totals totals;
  aimc_hw_chip_totals(chip.chip, &totals);
  EXPECT_EQ(totals.operations[AIMC_HW_PHASE_UPDATE], static_cast<uint64_t>(k));
  EXPECT_EQ(totals.energy_total, 0.0);
}

TEST_F(DeviceProcesses, KDiffusionStepsGrowTheWeightVarianceByKTimesDiffusionSquared) {
  aimc_hw_chip_params params;
  aimc_hw_chip_params_default(&params);
  ChipHandle chip(params, false);
  aimc_device_params device = quiet_constant_step();
  device.diffusion = 0.01;
  device.diffusion_dtod = 0.0;
  const int rows = 128, cols = 128, n = rows * cols, k = 16;
  int layer = add_layer(chip.chip, params, rows, cols, device);
  for (int step = 0; step < k; ++step) ok(aimc_hw_chip_device_step(chip.chip, layer));
  double mean = 0.0, square = 0.0;
  for (float w : weights_of(chip.chip, layer, n)) {
    mean += w;
    square += static_cast<double>(w) * w;
  }
  mean /= n;
  double variance = square / n - mean * mean, expected = k * 0.01 * 0.01;
  // Sampling error of a variance over n normal draws: sqrt(2/n) ~ 1.1 %.
  EXPECT_NEAR(variance, expected, 0.05 * expected);
  EXPECT_NEAR(mean, 0.0, 4.0 * std::sqrt(expected / n));
}

TEST_F(DeviceProcesses, AColumnResetPutsItsDevicesAtTheResetPointWithResetStdAndCostsOnePulseEach) {
  aimc_hw_chip_params params;
  aimc_hw_chip_params_default(&params);
  ChipHandle chip(params, false);
  aimc_device_params device = quiet_constant_step();
  device.reset = 0.1;
  device.reset_dtod = 0.0;
  device.reset_std = 0.05;
  const int rows = 128, cols = 8;
  int layer = add_layer(chip.chip, params, rows, cols, device);
  std::vector<float> start(rows * cols, 0.5f);
  ok(aimc_hw_chip_set_weights(chip.chip, layer, AIMC_HW_ARRAY_MAIN, start.data()));
  ok(aimc_hw_chip_reset_columns(chip.chip, layer, AIMC_HW_ARRAY_MAIN, 2, 3));
  std::vector<float> w = weights_of(chip.chip, layer, rows * cols);
  double mean = 0.0, square = 0.0;
  const int reset = rows * 3;
  for (int i = 0; i < rows; ++i) {
    for (int j = 0; j < cols; ++j) {
      float v = w[static_cast<size_t>(i) * cols + j];
      if (j < 2 || j >= 5) {
        EXPECT_EQ(v, 0.5f) << "row " << i << " column " << j << " is not reset";
        continue;
      }
      mean += v;
      square += static_cast<double>(v) * v;
    }
  }
  mean /= reset;
  double sd = std::sqrt(square / reset - mean * mean);
  EXPECT_NEAR(mean, 0.1, 4.0 * 0.05 / std::sqrt(reset));
  EXPECT_NEAR(sd, 0.05, 0.1 * 0.05);
  // One device pulse per reset device and one line pulse per row and column line
  // in each of the 3 slots, in the transfer phase.
  aimc_hw_totals totals;
  aimc_hw_chip_totals(chip.chip, &totals);
  double pulse = aimc_hw_device_pulse_energy(&params.conductance, &params.pulse);
  double expected = reset * pulse + reset * aimc_hw_row_line_pulse_energy(&params) +
                    3 * aimc_hw_col_line_pulse_energy(&params);
  EXPECT_NEAR(totals.energy[AIMC_HW_PHASE_TRANSFER], expected, 1e-12 * expected);
  EXPECT_EQ(totals.energy_total, totals.energy[AIMC_HW_PHASE_TRANSFER]);
  EXPECT_EQ(totals.operations[AIMC_HW_PHASE_TRANSFER], 1u);
}

TEST_F(DeviceProcesses, AColumnResetTakesOneSetupAndOnePulsePeriodPerColumn) {
  aimc_hw_chip_params params;
  aimc_hw_chip_params_default(&params);
  ChipHandle chip(params, true);
  aimc_device_params device = quiet_constant_step();
  int layer = add_layer(chip.chip, params, 16, 8, device);
  struct Context {
    aimc_hw_chip *chip;
    int layer;
  } context{chip.chip, layer};
  auto program = [](void *c) -> int {
    auto *ctx = static_cast<Context *>(c);
    return aimc_hw_chip_reset_columns(ctx->chip, ctx->layer, AIMC_HW_ARRAY_MAIN, 1, 4) == AIMC_OK ? 0 : 1;
  };
  ASSERT_EQ(aimc_hw_chip_run(chip.chip, program, &context), 0) << aimc_error_message();
  aimc_hw_totals totals;
  aimc_hw_chip_totals(chip.chip, &totals);
  EXPECT_NEAR(totals.simulated_time, 4 * (params.pulse.setup_time + params.pulse.pulse_period), 1e-15);
}
