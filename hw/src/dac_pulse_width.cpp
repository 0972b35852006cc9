// Pulse-width DAC (dac_pulse_width.h).
#include "aimc_hw/dac_pulse_width.h"

#include "aimc_hw/timebase.h"

namespace aimc::hw {

PulseWidthDac::PulseWidthDac(const sc_core::sc_module_name &name, const aimc_hw_dac_params &params, int lines)
    : DacBank(name, params, lines, "dac_pulse_width"), window_(repeat(seconds(params.slot_time), 1ull << params.bits)) {}

}  // namespace aimc::hw
