// Leakage (docs/hardware.md, "Leakage"): the buffer, every ADC and the
// controller draw a static power over the powered time (the whole simulated
// run); stats.json reports it as its own row per component, apart from the
// phases, and the run's total energy includes it.
#include <cjson/cJSON.h>

#include <string>

#include "hw_support.h"

namespace {

// Round, distinct powers so that a leakage booked to the wrong part shows.
// (stats.json numbers pass through cJSON's printing: compared to 4 ulp.)
aimc_hw_chip_params leaky_chip() {
  aimc_hw_chip_params p;
  aimc_hw_chip_params_default(&p);
  p.tile = {4, 4};
  p.adc.cost = AIMC_HW_ADC_COST_TABLE;
  p.adc.conversion_time = 1.5e-9;
  p.adc.energy_per_conversion = 1.7e-12;
  p.adc.columns_per_adc = 2;  // 2 ADCs per side of the tile
  p.adc.leakage_fraction = 0.25;
  p.buffer.leakage_power_per_byte = 1e-9;
  p.area.buffer_bytes = 1000;
  p.controller.static_power = 2e-3;
  return p;
}

// Runs one forward and one backward pass of a 4 x 4 layer on `chip` (timed).
void run_passes(ChipHandle &hw, const aimc_hw_chip_params &chip) {
  aimc_hw_layer_params layer;
  aimc_hw_layer_params_default(&layer, 4, 4, &chip);
  hw.add(layer);
  std::vector<float> x(4, 0.3f), y(4), d(4, -0.2f), b(4);
  ASSERT_EQ(hw.run([&] {
              ok(aimc_hw_chip_forward(hw.chip, 0, AIMC_HW_ARRAY_MAIN, x.data(), y.data(), 1));
              ok(aimc_hw_chip_backward(hw.chip, 0, AIMC_HW_ARRAY_MAIN, d.data(), b.data(), 1));
              return 0;
            }),
            0)
      << aimc_error_message();
}

}  // namespace

class HwLeakage : public HwTest {};

TEST_F(HwLeakage, LeakageIsStaticPowerTimesTheSimulatedRunPerComponent) {
  const aimc_hw_chip_params chip = leaky_chip();
  ChipHandle hw(chip, true);
  run_passes(hw, chip);
  aimc_hw_totals totals;
  aimc_hw_chip_totals(hw.chip, &totals);
  const double t = totals.simulated_time;
  ASSERT_GT(t, 0.0);
  const double adc_bank = 2 * (0.25 * 1.7e-12 / 1.5e-9) * t;  // per side: 2 ADCs of f E / t_conv each
  const double buffer = 1e-9 * 1000 * t, controller = 2e-3 * t;

  std::string json = capture([&](FILE *f) { return aimc_hw_chip_write_stats_json(hw.chip, f); });
  cJSON *root = cJSON_Parse(json.c_str());
  ASSERT_NE(root, nullptr);
  const cJSON *c = at(root, {"components", "chip"});
  const cJSON *tile = at(c, {"children", "layer0", "children", "main_r0c0"});
  EXPECT_DOUBLE_EQ(at(c, {"children", "buffer", "leakage_j"})->valuedouble, buffer);
  EXPECT_DOUBLE_EQ(at(c, {"children", "controller", "leakage_j"})->valuedouble, controller);
  EXPECT_DOUBLE_EQ(at(tile, {"children", "forward_adc", "leakage_j"})->valuedouble, adc_bank);
  EXPECT_DOUBLE_EQ(at(tile, {"children", "backward_adc", "leakage_j"})->valuedouble, adc_bank);
  EXPECT_DOUBLE_EQ(at(tile, {"children", "forward_adc", "static_power_w"})->valuedouble, 2 * (0.25 * 1.7e-12 / 1.5e-9));
  // Parts without static power have the row too, at 0; a subtree sums its parts.
  for (const char *part : {"forward_dac", "backward_dac", "pulse_generator"})
    EXPECT_EQ(at(tile, {"children", part, "leakage_j"})->valuedouble, 0.0) << part;
  EXPECT_EQ(at(tile, {"leakage_j"})->valuedouble, 0.0);
  EXPECT_DOUBLE_EQ(at(tile, {"subtree_leakage_j"})->valuedouble, 2 * adc_bank);
  const double leakage = buffer + controller + 2 * adc_bank;
  EXPECT_DOUBLE_EQ(at(c, {"subtree_leakage_j"})->valuedouble, leakage);
  EXPECT_DOUBLE_EQ(at(root, {"leakage", "energy"})->valuedouble, leakage);
  EXPECT_DOUBLE_EQ(at(root, {"leakage", "powered_time"})->valuedouble, t);
  // Apart from the phases, inside the total.
  double phases = 0;
  for (const char *p : {"forward", "backward", "update", "transfer", "digital"})
    phases += at(root, {"phases", p, "energy"})->valuedouble;
  EXPECT_DOUBLE_EQ(at(root, {"energy_dynamic"})->valuedouble, phases);
  EXPECT_DOUBLE_EQ(at(root, {"energy_total"})->valuedouble, phases + leakage);
  cJSON_Delete(root);
  EXPECT_DOUBLE_EQ(totals.leakage, leakage);
  EXPECT_DOUBLE_EQ(totals.energy_total, phases + leakage);

  std::string summary = capture([&](FILE *f) { return aimc_hw_chip_write_summary(hw.chip, f); });
  EXPECT_NE(summary.find("\nleakage "), std::string::npos) << summary;
  EXPECT_NE(summary.find("leakage [J]"), std::string::npos) << summary;
}

TEST_F(HwLeakage, ZeroStaticPowerLeaksNothing) {
  aimc_hw_chip_params chip = leaky_chip();
  chip.adc.leakage_fraction = 0.0;
  chip.buffer.leakage_power_per_byte = 0.0;
  chip.controller.static_power = 0.0;
  ChipHandle hw(chip, true);
  run_passes(hw, chip);
  aimc_hw_totals totals;
  aimc_hw_chip_totals(hw.chip, &totals);
  ASSERT_GT(totals.simulated_time, 0.0);
  EXPECT_EQ(totals.leakage, 0.0);
  EXPECT_EQ(totals.static_power, 0.0);
  double phases = 0;
  for (int p = 0; p < AIMC_HW_PHASE_COUNT; ++p) phases += totals.energy[p];
  EXPECT_EQ(totals.energy_total, phases);
}

TEST_F(HwLeakage, AnUntimedChipHasNoPoweredTimeAndNoLeakage) {
  const aimc_hw_chip_params chip = leaky_chip();
  ChipHandle hw(chip, false);
  run_passes(hw, chip);
  aimc_hw_totals totals;
  aimc_hw_chip_totals(hw.chip, &totals);
  EXPECT_GT(totals.static_power, 0.0);
  EXPECT_EQ(totals.leakage, 0.0);
}
