// Simulated time of the hardware model: SystemC's resolution is fixed at
// AIMC_HW_TIME_RESOLUTION (100 fs) so that the pulse-width DAC's sub-nanosecond
// slots and a 1.2 GS/s ADC's conversions are represented (nearly) exactly, while
// 2^64 steps still cover about 21 days of simulated time.
#ifndef AIMC_HW_TIMEBASE_H
#define AIMC_HW_TIMEBASE_H

#include <cstdint>

#include <systemc>

#include "aimc/error.h"

namespace aimc::hw {

// Fixes the resolution on first use; AIMC_EINVAL if something fixed another one first.
aimc_status ensure_time_resolution();

// A parameter time in seconds as SystemC time (rounded to the resolution).
inline sc_core::sc_time seconds(double s) { return sc_core::sc_time(s, sc_core::SC_SEC); }

// n times t, exactly (integer steps of the resolution).
inline sc_core::sc_time repeat(const sc_core::sc_time &t, uint64_t n) { return sc_core::sc_time::from_value(t.value() * n); }

}  // namespace aimc::hw

#endif
