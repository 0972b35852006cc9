// Reports and the C interface's refusals: stats.json holds the component tree
// with action counts consistent with the C core, phase totals that add up, and
// a summary; bad calls fail with a message naming what is wrong.
#include <cjson/cJSON.h>

#include <cmath>
#include <cstdio>
#include <functional>
#include <string>

#include "hw_support.h"

class HwReports : public HwTest {};

TEST_F(HwReports, StatsJsonTreeAndSummary) {
  aimc_hw_chip_params chip;
  aimc_hw_chip_params_default(&chip);
  chip.tile = {8, 8};
  ChipHandle hw(chip, true);
  aimc_hw_layer_params layer;
  aimc_hw_layer_params_default(&layer, 8, 12, &chip);  // 1 x 2 tiles
  hw.add(layer);
  std::vector<float> x(24, 0.3f), y(16), d(16, -0.2f), b(24);
  ASSERT_EQ(hw.run([&] {
              ok(aimc_hw_chip_forward(hw.chip, 0, AIMC_HW_ARRAY_MAIN, x.data(), y.data(), 2));
              ok(aimc_hw_chip_backward(hw.chip, 0, AIMC_HW_ARRAY_MAIN, d.data(), b.data(), 2));
              ok(aimc_hw_chip_update(hw.chip, 0, AIMC_HW_ARRAY_MAIN, x.data(), d.data(), 2, 0.01f));
              ok(aimc_hw_chip_digital(hw.chip, AIMC_HW_PHASE_DIGITAL, AIMC_HW_OP_LOSS, 8));
              return 0;
            }),
            0)
      << aimc_error_message();
  std::string json = capture([&](FILE *f) { return aimc_hw_chip_write_stats_json(hw.chip, f); });
  cJSON *root = cJSON_Parse(json.c_str());
  ASSERT_NE(root, nullptr);
  EXPECT_STREQ(at(root, {"format"})->valuestring, "aimcsim-hw-stats");
  EXPECT_TRUE(cJSON_IsTrue(at(root, {"timed"})));
  EXPECT_EQ(at(root, {"tiles_used"})->valuedouble, 2.0);
  // Phase energies add up to the dynamic energy, and so do the components'
  // subtrees; the total adds the leakage, booked on its own.
  double phases = 0, phase_times = 0;
  for (const char *p : {"forward", "backward", "update", "transfer", "digital"}) {
    phases += at(root, {"phases", p, "energy"})->valuedouble;
    phase_times += at(root, {"phases", p, "time"})->valuedouble;
  }
  const double total = at(root, {"energy_dynamic"})->valuedouble;
  EXPECT_TRUE(RelativelyNear(phases, total, 1e-12));
  EXPECT_GT(at(root, {"leakage", "energy"})->valuedouble, 0.0);
  EXPECT_TRUE(RelativelyNear(total + at(root, {"leakage", "energy"})->valuedouble,
                             at(root, {"energy_total"})->valuedouble, 1e-12));
  EXPECT_TRUE(RelativelyNear(phase_times, at(root, {"simulated_time"})->valuedouble, 1e-12));
  const cJSON *chip_node = at(root, {"components", "chip"});
  EXPECT_TRUE(RelativelyNear(at(chip_node, {"subtree_energy", "total"})->valuedouble, total, 1e-12));
  double parts = 0;
  for (const char *child : {"buffer", "controller", "layer0"}) parts += at(chip_node, {"children", child, "subtree_energy", "total"})->valuedouble;
  EXPECT_TRUE(RelativelyNear(parts, total, 1e-12));
  // The ADC counters agree with what the C core reported for the layer.
  aimc_hw_layer_stats stats;
  ok(aimc_hw_chip_layer_stats(hw.chip, 0, AIMC_HW_ARRAY_MAIN, &stats));
  double adc = 0;
  for (const char *tile : {"main_r0c0", "main_r0c1"})
    adc += at(chip_node, {"children", "layer0", "children", tile, "children", "forward_adc", "counters", "conversions", "value"})
               ->valuedouble;
  EXPECT_EQ(adc, static_cast<double>(stats.forward.adc_conversions));
  const cJSON *conversions = at(chip_node, {"children", "layer0", "children", "main_r0c0", "children", "forward_adc", "counters", "conversions"});
  EXPECT_STREQ(at(conversions, {"unit"})->valuestring, "1");
  EXPECT_GT(std::string(at(conversions, {"description"})->valuestring).size(), 10u);
  EXPECT_GT(at(chip_node, {"children", "layer0", "children", "main_r0c0", "busy_time"})->valuedouble, 0.0);
  cJSON_Delete(root);

  std::string summary = capture([&](FILE *f) { return aimc_hw_chip_write_summary(hw.chip, f); });
  EXPECT_NE(summary.find("aimcsim hardware summary (timed)"), std::string::npos);
  for (const char *word : {"forward", "backward", "update", "digital", "adc_sar", "buffer", "layer0"})
    EXPECT_NE(summary.find(word), std::string::npos) << word << " missing in\n" << summary;
}

TEST_F(HwReports, RefusalsNameTheProblem) {
  aimc_hw_chip_params chip;
  aimc_hw_chip_params_default(&chip);
  chip.tile = {8, 8};
  ChipHandle hw(chip, true);
  aimc_hw_layer_params layer;
  aimc_hw_layer_params_default(&layer, 4, 4, &chip);
  aimc_io_params_default(&layer.forward_io);  // AIHWKIT's 9-bit ADC on the chip's 8-bit one
  int index = -1;
  EXPECT_EQ(aimc_hw_chip_add_layer(hw.chip, &layer, &index), AIMC_EINVAL);
  EXPECT_NE(std::string(aimc_error_message()).find("forward_io.out_res"), std::string::npos) << aimc_error_message();
  aimc_hw_layer_params_default(&layer, 4, 4, &chip);
  layer.forward_io.inp_res = 0;  // unquantised input: an explicit idealisation, allowed
  index = hw.add(layer);
  std::vector<float> x(4, 0.1f), y(4);
  // A timed chip runs operations only inside its program.
  EXPECT_EQ(aimc_hw_chip_forward(hw.chip, index, AIMC_HW_ARRAY_MAIN, x.data(), y.data(), 1), AIMC_EINVAL);
  EXPECT_NE(std::string(aimc_error_message()).find("aimc_hw_chip_run"), std::string::npos);
  ASSERT_EQ(hw.run([&] {
              EXPECT_EQ(aimc_hw_chip_transfer(hw.chip, index, 0, 1, 0.1f), AIMC_EINVAL);
              EXPECT_NE(std::string(aimc_error_message()).find("no fast array"), std::string::npos);
              EXPECT_EQ(aimc_hw_chip_forward(hw.chip, 3, AIMC_HW_ARRAY_MAIN, x.data(), y.data(), 1), AIMC_EINVAL);
              EXPECT_NE(std::string(aimc_error_message()).find("layer 3 does not exist"), std::string::npos);
              EXPECT_EQ(aimc_hw_chip_update(hw.chip, index, AIMC_HW_ARRAY_FAST, x.data(), x.data(), 1, 0.1f), AIMC_EINVAL);
              x[2] = NAN;
              EXPECT_EQ(aimc_hw_chip_forward(hw.chip, index, AIMC_HW_ARRAY_MAIN, x.data(), y.data(), 1), AIMC_ENUMERIC);
              EXPECT_EQ(aimc_hw_chip_parallel_end(hw.chip), AIMC_EINVAL);
              return 0;
            }),
            0);
  // Layers cannot be added once the simulation has started.
  EXPECT_EQ(aimc_hw_chip_add_layer(hw.chip, &layer, &index), AIMC_EINVAL);
  EXPECT_NE(std::string(aimc_error_message()).find("before the SystemC simulation starts"), std::string::npos);
  double value = 0;
  EXPECT_EQ(aimc_hw_chip_counter(hw.chip, "layer0.main_r0c0.no_such_counter", &value), AIMC_EINVAL);
}
