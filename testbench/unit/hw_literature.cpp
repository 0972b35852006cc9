// The configurations of published cost estimates (configs/literature/,
// docs/validation.md "Cost model against the literature"): every one loads, and
// the Li et al. 2025 Table 5 chip spends on each update sample the closed form
// the documentation states, setup + BL x pulse period = 0 + 31 x 5 ns; the
// MLP+NeuroSim V3.0 device has NeuroSim's 128 states, 50 ns pulses and 1.28 pJ
// per applied pulse.
#include <filesystem>
#include <string>
#include <utility>
#include <vector>

#include "aimc_sim/config.h"
#include "hw_support.h"

namespace {

std::string literature(const char *name) { return std::string(AIMC_SOURCE_DIR) + "/configs/literature/" + name; }

aimc_config load(const std::string &path) {
  aimc_config config;
  aimc_cfg_error error;
  if (aimc_cfg_load_file(&aimc_config_schema, &config, path.c_str(), nullptr, 0, &error) != AIMC_OK)
    throw std::runtime_error(error.text);
  return config;
}

}  // namespace

class HwLiterature : public HwTest {};

TEST_F(HwLiterature, EveryLiteratureConfigLoads) {
  int files = 0;
  for (const auto &entry : std::filesystem::directory_iterator(literature(""))) {
    if (entry.path().extension() != ".yaml") continue;
    ++files;
    aimc_config config;
    aimc_cfg_error error;
    EXPECT_EQ(aimc_cfg_load_file(&aimc_config_schema, &config, entry.path().c_str(), nullptr, 0, &error), AIMC_OK)
        << error.text;
    EXPECT_EQ(aimc_hw_chip_params_validate(&config.chip), AIMC_OK) << entry.path() << ": " << aimc_error_message();
  }
  EXPECT_GE(files, 2);
}

// One sample of the least-squares update (x: the 512 gradient entries, d = 1)
// on the configured chip. The Controller first reads x and d from the buffer on
// its one port, ceil(512 x 16 / 64) + ceil(16 / 64) = 129 cycles of 1 ns, then
// the tile drives BL = 31 slots of 5 ns with no setup: 155 ns, 284 ns in all.
TEST_F(HwLiterature, Li2025UpdateSampleTakesBlTimesThePulsePeriod) {
  const aimc_config config = load(literature("li2025-table5.yaml"));
  const aimc_hw_chip_params &chip = config.chip;
  ASSERT_EQ(config.least_squares.dim, 512);
  ASSERT_EQ(config.update.desired_bl, 31);
  ASSERT_TRUE(config.update.fixed_bl && !config.update.update_management && !config.update.update_bl_management);
  ASSERT_EQ(chip.pulse.pulse_period, 5e-9);
  ASSERT_EQ(chip.pulse.setup_time, 0.0);
  ASSERT_EQ(chip.tile.rows, 512);
  ASSERT_EQ(chip.tile.cols, 512);
  ChipHandle hw(chip, true);
  aimc_hw_layer_params layer;
  aimc_hw_layer_params_default(&layer, 1, config.least_squares.dim, &chip);
  layer.device = config.device;
  layer.update = config.update;
  layer.forward_io = config.forward;
  hw.add(layer);
  std::vector<float> x(512), d(1, 1.0f);
  for (size_t j = 0; j < x.size(); ++j) x[j] = 0.01f * static_cast<float>(1 + j % 7) * (j % 2 ? 1.0f : -1.0f);
  ASSERT_EQ(hw.run([&] {
              ok(aimc_hw_chip_update(hw.chip, 0, AIMC_HW_ARRAY_MAIN, x.data(), d.data(), 1,
                                     static_cast<float>(config.experiment.lr)));
              return 0;
            }),
            0)
      << aimc_error_message();
  const double pulse_train = chip.pulse.setup_time + config.update.desired_bl * chip.pulse.pulse_period;
  EXPECT_DOUBLE_EQ(pulse_train, 155e-9);
  EXPECT_EQ(hw.counter("layer0.main_r0c0.pulse_generator.samples"), 1.0);
  EXPECT_EQ(hw.counter("layer0.main_r0c0.pulse_generator.slots"), 31.0);
  const double word = chip.buffer.word_bits, port = chip.buffer.bits_per_cycle;
  const double buffer_cycles = std::ceil(512 * word / port) + std::ceil(word / port);
  EXPECT_EQ(buffer_cycles, 129.0);
  aimc_hw_totals totals;
  aimc_hw_chip_totals(hw.chip, &totals);
  const double expected = buffer_cycles / chip.controller.clock_frequency + pulse_train;
  EXPECT_TRUE(RelativelyNear(totals.time[AIMC_HW_PHASE_UPDATE], expected, 1e-12));
  EXPECT_TRUE(RelativelyNear(totals.time[AIMC_HW_PHASE_UPDATE], 284e-9, 1e-12));
}

// MLP+NeuroSim V3.0's TaOx/HfOx device (docs/validation.md, "End-to-end
// training estimate"): NeuroSim maps a full sweep of the weight range to
// maxNumLevel = 128 pulses, so every cell of the configured device, drawn as
// the simulator draws it, climbs from its lower to its upper bound in exactly
// 128 noise-free pulses and comes back down in 128; the write pulse is 50 ns
// per slot, and one applied pulse costs v_write^2 x g_max x pulse width =
// 1.6^2 x 10 uS x 50 ns = 1.28 pJ (g_max = 1 / Ron, Ron = 100 kOhm, on/off 10).
TEST_F(HwLiterature, NeuroSimTaOxDeviceHas128StatesAnd50nsPulsesOf1p28pJ) {
  const aimc_config config = load(literature("neurosim-mlp-v3.yaml"));
  aimc_device device;
  ok(aimc_device_init(&device, &config.device));
  const auto steps_between_bounds = [&](const aimc_cell &cell, float from, int sign) {
    float w = from;
    int steps = 0;
    for (; steps < 1000; ++steps) {
      const float next = aimc_device_pulses(&device, &cell, w, sign, 1);
      if (next == w) break;
      w = next;
    }
    return std::make_pair(steps, w);
  };
  for (const auto &rc : {std::make_pair(0u, 0u), std::make_pair(5u, 7u), std::make_pair(99u, 399u)}) {
    aimc_cell cell;
    aimc_device_draw_cell(&device, rc.first, rc.second, &cell);
    EXPECT_EQ(cell.b_min, -1.0f);
    EXPECT_EQ(cell.b_max, 1.0f);
    const auto up = steps_between_bounds(cell, cell.b_min, +1);
    EXPECT_EQ(up.first, 128) << "cell " << rc.first << "," << rc.second;
    EXPECT_EQ(up.second, cell.b_max);
    const auto down = steps_between_bounds(cell, cell.b_max, -1);
    EXPECT_EQ(down.first, 128) << "cell " << rc.first << "," << rc.second;
    EXPECT_EQ(down.second, cell.b_min);
  }
  const aimc_hw_chip_params &chip = config.chip;
  EXPECT_EQ(chip.pulse.pulse_width, 50e-9);
  EXPECT_EQ(chip.pulse.pulse_period, 50e-9);
  EXPECT_TRUE(RelativelyNear(chip.conductance.g_max / chip.conductance.g_min, 10.0, 1e-12));
  EXPECT_TRUE(RelativelyNear(1.0 / chip.conductance.g_max, 100e3, 1e-12));
  EXPECT_EQ(chip.conductance.v_write, 2 * chip.pulse.amplitude);
  EXPECT_TRUE(RelativelyNear(aimc_hw_device_pulse_energy(&chip.conductance, &chip.pulse), 1.28e-12, 1e-12));
}
