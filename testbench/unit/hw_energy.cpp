// One training-like step (forward, activation, backward, loss, pulsed update) on
// a 4 x 4 tile: every energy term and every phase time computed by hand from the
// parameters and matched to 1e-9 relative (times exactly).
#include <algorithm>
#include <cmath>
#include <cstring>

#include "aimc_hw/timebase.h"
#include "hw_support.h"

namespace {

// Round, distinct values so that a term charged to the wrong action shows.
aimc_hw_chip_params hand_chip() {
  aimc_hw_chip_params p;
  aimc_hw_chip_params_default(&p);
  p.tile = {4, 4};
  p.dac = {7, AIMC_HW_DAC_PULSE_WIDTH, 0.5e-9, 2e-9, 0.3e-12, 0.0};     // window 2^7 x 0.5 ns = 64 ns
  p.adc.cost = AIMC_HW_ADC_COST_TABLE;                                   // the fixed values below
  p.adc.conversion_time = 1.5e-9;
  p.adc.energy_per_conversion = 1.7e-12;
  p.adc.columns_per_adc = 2;                                             // 2 ADCs per side
  p.adc.leakage_fraction = 0.0;                                          // no leakage: dynamic terms only
  p.pulse = {4e-9, 6e-9, 1.5, 3e-9, 0.11e-12, AIMC_HW_LINE_ENERGY_TABLE, 0.0, 0.0};  // a fixed line energy
  p.conductance = {1e-6, 11e-6, AIMC_HW_DIFFERENTIAL_PAIR, 0.4, 2.5, AIMC_HW_PROGRAM_ENERGY_FORMULA, 0.0, 0.013e-15};
  p.read = {50e-9, 3, 0.05e-12};
  p.controller.clock_frequency = 0.5e9;                                  // 2 ns
  p.controller.lanes = 2;
  p.controller.activation = {2, 3e-12, 1, 1};
  p.controller.loss = {3, 4e-12, 2, 1};
  p.controller.update_management = {1, 0.02e-12, 0, 0};
  p.controller.add = {1, 0.2e-12, 0, 0};
  p.buffer = {0.3e-12, 0.25e-12, 32, 1, 8, 0.0};                        // no leakage: dynamic terms only
  return p;
}

}  // namespace

class HwEnergy : public HwTest {};

TEST_F(HwEnergy, FourByFourStepMatchesHandComputation) {
  const aimc_hw_chip_params chip = hand_chip();
  aimc_hw_layer_params layer;
  aimc_hw_layer_params_default(&layer, 4, 4, &chip);
  layer.device = quiet_constant_step(1.0, 0.01);
  layer.forward_io = layer.backward_io = quiet_io(chip);
  layer.seed = 7;
  const std::vector<float> w0 = {0.5f, -0.25f, 0.0f,  0.75f, -0.8f, 0.1f, 0.2f, -0.3f,
                                 0.05f, 0.6f, -0.45f, 0.0f, 0.3f, -0.15f, 0.4f, -0.7f};
  const std::vector<float> x = {0.9f, -0.4f, 0.3f, 0.6f}, d = {0.2f, -0.5f, 0.35f, -0.1f};
  const float lr = 0.1f;

  ChipHandle hw(chip, true);
  hw.add(layer);
  ok(aimc_hw_chip_set_weights(hw.chip, 0, AIMC_HW_ARRAY_MAIN, w0.data()));
  std::vector<float> y(4), back(4);
  sc_core::sc_time after_forward, after_backward;
  int result = hw.run([&] {
    ok(aimc_hw_chip_forward(hw.chip, 0, AIMC_HW_ARRAY_MAIN, x.data(), y.data(), 1));
    ok(aimc_hw_chip_digital(hw.chip, AIMC_HW_PHASE_FORWARD, AIMC_HW_OP_ACTIVATION, 4));
    after_forward = sc_core::sc_time_stamp();
    ok(aimc_hw_chip_backward(hw.chip, 0, AIMC_HW_ARRAY_MAIN, d.data(), back.data(), 1));
    ok(aimc_hw_chip_digital(hw.chip, AIMC_HW_PHASE_BACKWARD, AIMC_HW_OP_LOSS, 4));
    after_backward = sc_core::sc_time_stamp();
    ok(aimc_hw_chip_update(hw.chip, 0, AIMC_HW_ARRAY_MAIN, x.data(), d.data(), 1, lr));
    return 0;
  });
  ASSERT_EQ(result, 0) << aimc_error_message();

  // The same update on a bare C-core array with the tile's seeds: tile (0, 0)
  // keeps the layer's construction seed and uses stream 0 of the layer seed.
  aimc_array reference;
  ok(aimc_array_create(&reference, 4, 4, &layer.device, layer.seed, 0));
  ok(aimc_array_set_weights(&reference, w0.data()));
  aimc_update_stats s{};
  ok(aimc_array_update(&reference, x.data(), d.data(), 1, lr, &layer.update, &s, nullptr));
  std::vector<float> w1 = hw.weights(0, AIMC_HW_ARRAY_MAIN, 4, 4);
  EXPECT_EQ(std::memcmp(w1.data(), reference.w, sizeof(float) * 16), 0);
  aimc_array_destroy(&reference);
  ASSERT_GT(s.pulses_up + s.pulses_down, 0u);
  ASSERT_EQ(s.samples, 1u);
  ASSERT_EQ(s.skipped, 0u);

  // Conductances of the initial weights: per weight 2 g_min + (g_max - g_min) |w| / w_span, w_span = 1.
  double sum_g = 0;
  for (float w : w0) sum_g += 2 * 1e-6 + 10e-6 * std::min(std::fabs(static_cast<double>(w)), 1.0);
  const double window = 128 * 0.5e-9, v_read = 0.4;
  const double bits4 = 4 * 8;  // four 8-bit words
  const double read_bits = 0.3e-12, write_bits = 0.25e-12;
  // One analog pass: 4 DAC conversions, 4 ADC conversions, the crossbar read, 4 scaled outputs.
  const double pass = 4 * 0.3e-12 + 4 * 1.7e-12 + v_read * v_read * window * sum_g + 4 * 0.05e-12;
  const double mvm = bits4 * read_bits + pass + bits4 * write_bits;
  const double activation = 4 * 3e-12 + bits4 * read_bits + bits4 * write_bits;
  const double loss = 4 * 4e-12 + 2 * bits4 * read_bits + bits4 * write_bits;
  const double e_pulse = 2.5 * 2.5 * 11e-6 * 4e-9;
  const double update = 2 * bits4 * read_bits + 8 * 0.02e-12 + static_cast<double>(s.row_pulses + s.col_pulses) * 0.11e-12 +
                        static_cast<double>(s.pulses_up + s.pulses_down) * e_pulse +
                        static_cast<double>(s.half_selected) * 0.013e-15;

  aimc_hw_totals totals;
  aimc_hw_chip_totals(hw.chip, &totals);
  EXPECT_TRUE(RelativelyNear(totals.energy[AIMC_HW_PHASE_FORWARD], mvm + activation, 1e-9));
  EXPECT_TRUE(RelativelyNear(totals.energy[AIMC_HW_PHASE_BACKWARD], mvm + loss, 1e-9));
  EXPECT_TRUE(RelativelyNear(totals.energy[AIMC_HW_PHASE_UPDATE], update, 1e-9));
  EXPECT_EQ(totals.energy[AIMC_HW_PHASE_TRANSFER], 0.0);
  EXPECT_EQ(totals.energy[AIMC_HW_PHASE_DIGITAL], 0.0);
  EXPECT_TRUE(RelativelyNear(totals.energy_total, 2 * mvm + activation + loss + update, 1e-9));

  // Per component.
  const std::string tile = "layer0.main_r0c0";
  EXPECT_TRUE(RelativelyNear(hw.energy(tile + ".forward_dac"), 4 * 0.3e-12, 1e-9));
  EXPECT_TRUE(RelativelyNear(hw.energy(tile + ".backward_dac"), 4 * 0.3e-12, 1e-9));
  EXPECT_TRUE(RelativelyNear(hw.energy(tile + ".forward_adc"), 4 * 1.7e-12, 1e-9));
  EXPECT_TRUE(RelativelyNear(hw.energy(tile + ".backward_adc"), 4 * 1.7e-12, 1e-9));
  EXPECT_TRUE(RelativelyNear(hw.energy(tile + ".pulse_generator"),
                             static_cast<double>(s.row_pulses + s.col_pulses) * 0.11e-12, 1e-9));
  EXPECT_TRUE(RelativelyNear(hw.counter(tile + ".read_energy"), 2 * v_read * v_read * window * sum_g, 1e-9));
  EXPECT_TRUE(RelativelyNear(hw.counter(tile + ".program_energy"),
                             static_cast<double>(s.pulses_up + s.pulses_down) * e_pulse, 1e-9));
  EXPECT_EQ(hw.counter(tile + ".half_selected"), static_cast<double>(s.half_selected));
  EXPECT_EQ(hw.counter(tile + ".pulse_generator.row_pulses"), static_cast<double>(s.row_pulses));
  EXPECT_TRUE(RelativelyNear(hw.energy("controller"), 4 * 3e-12 + 4 * 4e-12 + 8 * 0.02e-12, 1e-9));
  EXPECT_TRUE(RelativelyNear(hw.energy("buffer"), 2 * bits4 * read_bits + 2 * bits4 * write_bits +
                                                      bits4 * (read_bits + write_bits) +
                                                      bits4 * (2 * read_bits + write_bits) + 2 * bits4 * read_bits,
                             1e-9));

  // Times: one 2 ns cycle moves 32 bits; a pass is setup + window + 2 conversion
  // rounds + 3 cycles; digital work takes ceil(4 / 2 lanes) x cycles per operation.
  using aimc::hw::repeat;
  using aimc::hw::seconds;
  const sc_core::sc_time cycle = seconds(2e-9);
  const sc_core::sc_time pass_time = seconds(2e-9) + repeat(seconds(0.5e-9), 128) + repeat(seconds(1.5e-9), 2) +
                                     repeat(cycle, 3);
  const sc_core::sc_time mvm_time = cycle + pass_time + cycle;
  const sc_core::sc_time activation_time = cycle + repeat(cycle, 2 * 2) + cycle;
  const sc_core::sc_time loss_time = repeat(cycle, 2) + repeat(cycle, 2 * 3) + cycle;
  // Update: x then d through the one port, update management of 8 elements on 2
  // lanes, then setup + BL slots.
  const sc_core::sc_time update_time = repeat(cycle, 2) + repeat(cycle, 4) + seconds(3e-9) + repeat(seconds(6e-9), s.slots);
  EXPECT_EQ(after_forward, mvm_time + activation_time);
  EXPECT_EQ(after_backward, 2 * mvm_time + activation_time + loss_time);
  EXPECT_DOUBLE_EQ(totals.time[AIMC_HW_PHASE_FORWARD], (mvm_time + activation_time).to_seconds());
  EXPECT_DOUBLE_EQ(totals.time[AIMC_HW_PHASE_BACKWARD], (mvm_time + loss_time).to_seconds());
  EXPECT_DOUBLE_EQ(totals.time[AIMC_HW_PHASE_UPDATE], update_time.to_seconds());
  EXPECT_DOUBLE_EQ(totals.simulated_time, (2 * mvm_time + activation_time + loss_time + update_time).to_seconds());
  EXPECT_EQ(totals.operations[AIMC_HW_PHASE_FORWARD], 2u);
  EXPECT_EQ(totals.operations[AIMC_HW_PHASE_BACKWARD], 2u);
  EXPECT_EQ(totals.operations[AIMC_HW_PHASE_UPDATE], 1u);
}

TEST_F(HwEnergy, UntimedChipCountsTheSameEnergyWithoutTime) {
  const aimc_hw_chip_params chip = hand_chip();
  aimc_hw_layer_params layer;
  aimc_hw_layer_params_default(&layer, 4, 4, &chip);
  layer.device = quiet_constant_step(1.0, 0.01);
  layer.forward_io = layer.backward_io = quiet_io(chip);
  ChipHandle hw(chip, false);
  hw.add(layer);
  const std::vector<float> w0(16, 0.5f), x = {0.9f, -0.4f, 0.3f, 0.6f};
  ok(aimc_hw_chip_set_weights(hw.chip, 0, AIMC_HW_ARRAY_MAIN, w0.data()));
  std::vector<float> y(4);
  ok(aimc_hw_chip_forward(hw.chip, 0, AIMC_HW_ARRAY_MAIN, x.data(), y.data(), 1));
  const double sum_g = 16 * (2e-6 + 10e-6 * 0.5);
  const double expected = 32 * 0.3e-12 + 4 * 0.3e-12 + 4 * 1.7e-12 + 0.16 * 64e-9 * sum_g + 4 * 0.05e-12 + 32 * 0.25e-12;
  aimc_hw_totals totals;
  aimc_hw_chip_totals(hw.chip, &totals);
  EXPECT_EQ(totals.timed, 0);
  EXPECT_TRUE(RelativelyNear(totals.energy_total, expected, 1e-9));
  EXPECT_EQ(totals.simulated_time, 0.0);
  EXPECT_EQ(totals.time[AIMC_HW_PHASE_FORWARD], 0.0);
  EXPECT_EQ(totals.operations[AIMC_HW_PHASE_FORWARD], 1u);
}

TEST_F(HwEnergy, ReferenceDeviceMappingCountsTheReference) {
  aimc_hw_chip_params chip = hand_chip();
  chip.conductance.mapping = AIMC_HW_REFERENCE_DEVICE;
  aimc_hw_layer_params layer;
  aimc_hw_layer_params_default(&layer, 4, 4, &chip);
  layer.device = quiet_constant_step(1.0, 0.01);
  layer.device.w_min = -0.5;  // asymmetric range: G_ref = g_min + 10 uS * 0.5 / 1.5
  layer.forward_io = layer.backward_io = quiet_io(chip);
  ChipHandle hw(chip, false);
  hw.add(layer);
  const std::vector<float> w0 = {0.5f, -0.25f, 0.0f, 0.75f, -0.5f, 0.1f, 0.2f, -0.3f,
                                 0.05f, 0.6f, -0.45f, 0.0f, 0.3f, -0.15f, 0.4f, 1.0f};
  ok(aimc_hw_chip_set_weights(hw.chip, 0, AIMC_HW_ARRAY_MAIN, w0.data()));
  std::vector<float> x = {0.5f, 0.5f, 0.5f, 0.5f}, y(4);
  ok(aimc_hw_chip_forward(hw.chip, 0, AIMC_HW_ARRAY_MAIN, x.data(), y.data(), 1));
  const double g_ref = 1e-6 + 10e-6 * (0.5 / 1.5);
  double sum_g = 0;
  for (float w : w0) sum_g += 1e-6 + 10e-6 * (static_cast<double>(w) + 0.5) / 1.5 + g_ref;
  EXPECT_TRUE(RelativelyNear(hw.counter("layer0.main_r0c0.read_energy"), 0.16 * 64e-9 * sum_g, 1e-9));
}
