// Amplitude DAC (dac_amplitude.h).
#include "aimc_hw/dac_amplitude.h"

#include "aimc_hw/timebase.h"

namespace aimc::hw {

AmplitudeDac::AmplitudeDac(const sc_core::sc_module_name &name, const aimc_hw_dac_params &params,
                           const aimc_hw_read_params &read, int lines)
    : DacBank(name, params, lines, "dac_amplitude"), window_(seconds(read.integration_time)) {}

}  // namespace aimc::hw
