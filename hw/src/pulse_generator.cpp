// Update pulse generator (pulse_generator.h).
#include "aimc_hw/pulse_generator.h"

#include "aimc_hw/timebase.h"

namespace aimc::hw {

PulseGenerator::PulseGenerator(const sc_core::sc_module_name &name, const aimc_hw_chip_params &chip)
    : sc_core::sc_module(name),
      StatProvider("pulse_generator"),
      period_(seconds(chip.pulse.pulse_period)),
      width_(seconds(chip.pulse.pulse_width)),
      setup_(seconds(chip.pulse.setup_time)),
      row_energy_(aimc_hw_row_line_pulse_energy(&chip)),
      col_energy_(aimc_hw_col_line_pulse_energy(&chip)),
      samples_(add_counter("samples", "1", "update samples with pulses to apply (skipped ones excluded)")),
      slots_(add_counter("slots", "1", "pulse slots driven: sum of BL over samples")),
      row_pulses_(add_counter("row_pulses", "1", "pulses on row (d) lines")),
      col_pulses_(add_counter("col_pulses", "1", "pulses on column (x) lines")) {}

sc_core::sc_time PulseGenerator::duration(uint64_t samples, uint64_t slots) const {
  return repeat(setup_, samples) + repeat(period_, slots);
}

void PulseGenerator::fire(const aimc_update_stats &update, aimc_hw_phase phase) {
  uint64_t samples = update.samples - update.skipped;
  samples_.add(samples);
  slots_.add(update.slots);
  row_pulses_.add(update.row_pulses);
  col_pulses_.add(update.col_pulses);
  add_energy(phase, static_cast<double>(update.row_pulses) * row_energy_ +
                        static_cast<double>(update.col_pulses) * col_energy_);
  add_busy(duration(samples, update.slots));
}

}  // namespace aimc::hw
