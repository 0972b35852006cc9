// The area model (area.h, docs/hardware.md "Area"): known chips against their
// hand-computed areas, the ADC laws per type and resolution, a fixed tile
// count, the per-component areas of stats.json, and out-of-range parameters
// refused by validation and by config loading with their position.
#include <cjson/cJSON.h>

#include <cstdio>
#include <cstring>
#include <string>

#include "aimc_sim/config.h"
#include "hw_support.h"

namespace {

// 64 x 32 tiles, 6-bit SAR ADCs shared by 8 lines, 4 controller lanes, and area
// parameters chosen so that the hand arithmetic below stays exact (ADCs by the
// table's per-bit law).
aimc_hw_chip_params hand_chip() {
  aimc_hw_chip_params chip;
  aimc_hw_chip_params_default(&chip);
  chip.tile = {64, 32};
  chip.adc.type = AIMC_HW_ADC_SAR;
  chip.adc.bits = 6;
  chip.adc.columns_per_adc = 8;
  chip.controller.lanes = 4;
  chip.area.cell_height = 0.2e-6;
  chip.area.cell_width = 0.1e-6;
  chip.area.adc_cost = AIMC_HW_ADC_COST_TABLE;
  chip.area.adc_sar_8bit = 1200e-12;
  chip.area.adc_sar_growth = 2.0;
  chip.area.adc_flash_8bit = 5100e-12;  // 20 um^2 per comparator
  chip.area.dac_line = 0.5e-12;
  chip.area.pulse_driver_line = 0.25e-12;
  chip.area.buffer_bytes = 1024;
  chip.area.buffer_per_byte = 2e-12;
  chip.area.controller_per_lane = 1000e-12;
  return chip;
}

aimc_hw_area area_of(const ChipHandle &hw) {
  aimc_hw_area area;
  ok(aimc_hw_chip_area(hw.chip, &area));
  return area;
}

std::string written(const ChipHandle &hw, aimc_status (*write)(const aimc_hw_chip *, FILE *)) {
  return capture([&](FILE *f) { return write(hw.chip, f); });
}

// Sum of the components' own areas over the whole tree below `node`.
double tree_area(const cJSON *node) {
  double sum = at(node, {"area_mm2"})->valuedouble;
  const cJSON *child = nullptr;
  cJSON_ArrayForEach(child, at(node, {"children"})) sum += tree_area(child);
  return sum;
}

}  // namespace

class HwArea : public HwTest {};

// Two layers on 64 x 32 tiles: layer 0 (100 x 50) takes ceil(100/64) x ceil(50/32)
// = 2 x 2 tiles, layer 1 (10 x 100) takes 1 x 4: 8 tiles. Per tile, in um^2:
//   crossbar  64 x 32 weights x 2 devices x 0.2 um x 0.1 um    =    81.92
//   ADCs      (ceil(64/8) + ceil(32/8)) = 12 x 1200 x 2^(6-8)  =  3600
//   DACs      (64 + 32) lines x 0.5                            =    48
//   drivers   (64 + 32) lines x 0.25                           =    24
// Chip: 8 tiles -> 655.36 + 28800 + 384 + 192; buffer 1024 B x 2 = 2048;
// controller 4 lanes x 1000 = 4000; total 36079.36 um^2 = 0.03607936 mm^2.
TEST_F(HwArea, KnownChipMatchesItsHandComputedArea) {
  const aimc_hw_chip_params chip = hand_chip();
  ChipHandle hw(chip, false);
  aimc_hw_layer_params layer;
  aimc_hw_layer_params_default(&layer, 100, 50, &chip);
  hw.add(layer);
  aimc_hw_layer_params_default(&layer, 10, 100, &chip);
  hw.add(layer);
  const aimc_hw_area area = area_of(hw);
  EXPECT_EQ(area.tiles, 8);
  EXPECT_TRUE(RelativelyNear(area.crossbar_mm2, 655.36e-6, 1e-12));
  EXPECT_TRUE(RelativelyNear(area.adc_mm2, 28800e-6, 1e-12));
  EXPECT_TRUE(RelativelyNear(area.dac_mm2, 384e-6, 1e-12));
  EXPECT_TRUE(RelativelyNear(area.pulse_mm2, 192e-6, 1e-12));
  EXPECT_TRUE(RelativelyNear(area.buffer_mm2, 2048e-6, 1e-12));
  EXPECT_TRUE(RelativelyNear(area.controller_mm2, 4000e-6, 1e-12));
  EXPECT_TRUE(RelativelyNear(area.total_mm2, 0.03607936, 1e-12));

  // stats.json: the total, its parts, and every component's own area; with
  // tiles = 0 every counted tile is in the tree, so the tree adds up to the total.
  cJSON *root = cJSON_Parse(written(hw, aimc_hw_chip_write_stats_json).c_str());
  ASSERT_NE(root, nullptr);
  EXPECT_TRUE(RelativelyNear(at(root, {"area_mm2"})->valuedouble, 0.03607936, 1e-12));
  EXPECT_EQ(at(root, {"area", "tiles"})->valuedouble, 8.0);
  EXPECT_TRUE(RelativelyNear(at(root, {"area", "adc_mm2"})->valuedouble, 28800e-6, 1e-12));
  const cJSON *chip_node = at(root, {"components", "chip"});
  EXPECT_TRUE(RelativelyNear(tree_area(chip_node), 0.03607936, 1e-12));
  EXPECT_TRUE(RelativelyNear(at(chip_node, {"subtree_area_mm2"})->valuedouble, 0.03607936, 1e-12));
  const cJSON *tile = at(chip_node, {"children", "layer1", "children", "main_r0c3"});
  EXPECT_TRUE(RelativelyNear(at(tile, {"area_mm2"})->valuedouble, 81.92e-6, 1e-12));
  EXPECT_TRUE(RelativelyNear(at(tile, {"subtree_area_mm2"})->valuedouble, 3753.92e-6, 1e-12));
  EXPECT_TRUE(RelativelyNear(at(tile, {"children", "forward_adc", "area_mm2"})->valuedouble, 8 * 300e-6, 1e-12));
  EXPECT_TRUE(RelativelyNear(at(tile, {"children", "backward_adc", "area_mm2"})->valuedouble, 4 * 300e-6, 1e-12));
  EXPECT_TRUE(RelativelyNear(at(tile, {"children", "forward_dac", "area_mm2"})->valuedouble, 32 * 0.5e-6, 1e-12));
  EXPECT_TRUE(RelativelyNear(at(tile, {"children", "pulse_generator", "area_mm2"})->valuedouble, 96 * 0.25e-6, 1e-12));
  EXPECT_TRUE(RelativelyNear(at(chip_node, {"children", "buffer", "area_mm2"})->valuedouble, 2048e-6, 1e-12));
  EXPECT_EQ(at(chip_node, {"children", "layer0", "area_mm2"})->valuedouble, 0.0);
  cJSON_Delete(root);

  const std::string summary = written(hw, aimc_hw_chip_write_summary);
  EXPECT_NE(summary.find("area            3.607936e-02 mm^2, 8 tiles counted"), std::string::npos) << summary;
}

// A 5-bit flash ADC has 2^5 - 1 = 31 comparators: 5100 x 31 / 255 = 620 um^2.
// A chip of 10 fixed tiles counts all 10 although its one layer (100 x 50) uses
// 4: ADCs 10 x 12 x 620 = 74400 um^2; a tile is 81.92 + 12 x 620 + 48 + 24 =
// 7593.92 um^2; total 10 x 7593.92 + 2048 + 4000 = 81987.2 um^2. The component
// tree holds only the 4 tiles in use: 4 x 7593.92 + 6048 = 36423.68 um^2.
TEST_F(HwArea, FlashAdcsAndAFixedTileCountFollowTheirLaws) {
  aimc_hw_chip_params chip = hand_chip();
  chip.adc.type = AIMC_HW_ADC_FLASH;
  chip.adc.bits = 5;
  chip.tiles = 10;
  ChipHandle hw(chip, false);
  aimc_hw_layer_params layer;
  aimc_hw_layer_params_default(&layer, 100, 50, &chip);
  hw.add(layer);
  const aimc_hw_area area = area_of(hw);
  EXPECT_EQ(area.tiles, 10);
  EXPECT_TRUE(RelativelyNear(area.adc_mm2, 74400e-6, 1e-12));
  EXPECT_TRUE(RelativelyNear(area.total_mm2, 81987.2e-6, 1e-12));
  cJSON *root = cJSON_Parse(written(hw, aimc_hw_chip_write_stats_json).c_str());
  ASSERT_NE(root, nullptr);
  EXPECT_TRUE(RelativelyNear(at(root, {"area_mm2"})->valuedouble, 81987.2e-6, 1e-12));
  EXPECT_TRUE(RelativelyNear(tree_area(at(root, {"components", "chip"})), 36423.68e-6, 1e-12));
  cJSON_Delete(root);

  // SAR at 10 bits with growth 1.5: 1200 x 1.5^2 = 2700 um^2 per ADC.
  chip.adc.type = AIMC_HW_ADC_SAR;
  chip.adc.bits = 10;
  chip.area.adc_sar_growth = 1.5;
  ChipHandle sar(chip, false);
  EXPECT_TRUE(RelativelyNear(area_of(sar).adc_mm2, 10 * 12 * 2700e-6, 1e-12));
  EXPECT_EQ(aimc_hw_chip_area(nullptr, nullptr), AIMC_EINVAL);
}

TEST_F(HwArea, OutOfRangeParametersAreRefused) {
  aimc_hw_area_params area;
  aimc_hw_area_params_default(&area);
  ASSERT_EQ(aimc_hw_area_params_validate(&area), AIMC_OK);
  area.cell_height = 0.0;
  EXPECT_EQ(aimc_hw_area_params_validate(&area), AIMC_EINVAL);
  EXPECT_NE(std::string(aimc_error_message()).find("area.cell_height"), std::string::npos) << aimc_error_message();
  aimc_hw_chip_params chip = hand_chip();
  chip.area.adc_sar_growth = 0.5;
  aimc_hw_chip *hw = nullptr;
  EXPECT_EQ(aimc_hw_chip_create(&hw, &chip, 0), AIMC_EINVAL);
  EXPECT_EQ(hw, nullptr);
  EXPECT_NE(std::string(aimc_error_message()).find("area.adc_sar_growth"), std::string::npos) << aimc_error_message();

  // Config loading names the file, line and column of the value.
  const std::string path = std::string(AIMC_SOURCE_DIR) + "/testbench/config/area_out_of_range.yaml";
  aimc_config config;
  aimc_cfg_error error;
  ASSERT_EQ(aimc_cfg_load_file(&aimc_config_schema, &config, path.c_str(), nullptr, 0, &error), AIMC_EFORMAT);
  EXPECT_EQ(std::string(error.text).rfind(path + ":4:21: 'chip.area.adc_sar_growth' = 8 is out of range: must be in [1, 4]", 0),
            0u)
      << error.text;
  EXPECT_EQ(error.line, 4);
  EXPECT_EQ(error.column, 21);
}
