// Version facts of the SystemC kernel linked into aimcsim.
#include "aimc_hw/hw_info.h"

#include <systemc>

extern "C" const char *aimc_hw_systemc_version(void) { return sc_core::sc_release(); }
