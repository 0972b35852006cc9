// Update line energy (docs/hardware.md, "Update line energy"): with the model
// line energy a pulse on a row line costs tile.cols x (cell_width x
// wire_capacitance + cell_capacitance) x amplitude^2, on a column line the same
// with tile.rows and cell_height; with the table line energy, energy_per_line_pulse.
#include "hw_support.h"

namespace {

struct LineRun {
  double energy = 0, row_pulses = 0, col_pulses = 0;
};

// One pulsed update of a full-tile layer; the pulse generator's update energy
// and its pulse counts.
LineRun update_lines(const aimc_hw_chip_params &chip) {
  ChipHandle hw(chip, false);
  aimc_hw_layer_params layer;
  aimc_hw_layer_params_default(&layer, chip.tile.rows, chip.tile.cols, &chip);
  layer.seed = 3;
  hw.add(layer);
  std::vector<float> x(static_cast<size_t>(chip.tile.cols), 0.7f), d(static_cast<size_t>(chip.tile.rows), -0.6f);
  hw.run([&] {
    ok(aimc_hw_chip_update(hw.chip, 0, AIMC_HW_ARRAY_MAIN, x.data(), d.data(), 1, 0.5f));
    return 0;
  });
  LineRun r;
  r.energy = hw.energy("layer0.main_r0c0.pulse_generator", AIMC_HW_PHASE_UPDATE);
  r.row_pulses = hw.counter("layer0.main_r0c0.pulse_generator.row_pulses");
  r.col_pulses = hw.counter("layer0.main_r0c0.pulse_generator.col_pulses");
  return r;
}

aimc_hw_chip_params line_chip(int rows, int cols, double amplitude) {
  aimc_hw_chip_params p;
  aimc_hw_chip_params_default(&p);
  p.tile = {rows, cols};
  p.area.cell_height = 300e-9;
  p.area.cell_width = 200e-9;
  p.pulse.amplitude = amplitude;
  p.pulse.wire_capacitance = 0.2e-15 / 1e-6;  // 0.2 fF/um
  p.pulse.cell_capacitance = 0.05e-15;
  return p;
}

}  // namespace

class HwLineEnergy : public HwTest {};

TEST_F(HwLineEnergy, ALinePulseChargesItsLineLengthTimesAmplitudeSquaredAtTwoSizesAndTwoAmplitudes) {
  for (int size : {0, 1}) {
    const int rows = size ? 24 : 8, cols = size ? 40 : 16;
    for (double amplitude : {1.0, 2.5}) {
      const aimc_hw_chip_params chip = line_chip(rows, cols, amplitude);
      const double row_line = cols * (200e-9 * 0.2e-15 / 1e-6 + 0.05e-15) * amplitude * amplitude;
      const double col_line = rows * (300e-9 * 0.2e-15 / 1e-6 + 0.05e-15) * amplitude * amplitude;
      EXPECT_DOUBLE_EQ(aimc_hw_row_line_pulse_energy(&chip), row_line) << rows << "x" << cols << " at " << amplitude;
      EXPECT_DOUBLE_EQ(aimc_hw_col_line_pulse_energy(&chip), col_line) << rows << "x" << cols << " at " << amplitude;
      const LineRun r = update_lines(chip);
      ASSERT_GT(r.row_pulses, 0.0);
      ASSERT_GT(r.col_pulses, 0.0);
      EXPECT_TRUE(RelativelyNear(r.energy, r.row_pulses * row_line + r.col_pulses * col_line, 1e-12))
          << rows << "x" << cols << " at " << amplitude << ": " << r.energy;
    }
  }
}

TEST_F(HwLineEnergy, TheTableLineEnergyChargesEnergyPerLinePulseOnEveryLine) {
  aimc_hw_chip_params chip = line_chip(8, 16, 2.5);
  chip.pulse.line_energy = AIMC_HW_LINE_ENERGY_TABLE;
  chip.pulse.energy_per_line_pulse = 0.37e-12;
  EXPECT_EQ(aimc_hw_row_line_pulse_energy(&chip), 0.37e-12);
  EXPECT_EQ(aimc_hw_col_line_pulse_energy(&chip), 0.37e-12);
  const LineRun r = update_lines(chip);
  ASSERT_GT(r.row_pulses + r.col_pulses, 0.0);
  EXPECT_TRUE(RelativelyNear(r.energy, (r.row_pulses + r.col_pulses) * 0.37e-12, 1e-12));
}
