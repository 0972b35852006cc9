// SystemC kernel glue: the release string, the time resolution, and sc_main
// running a job handed over from the C front end (see kernel.h).
#include "aimc_hw/kernel.h"

#include <cmath>
#include <cstdio>
#include <exception>
#include <systemc>

#include "aimc_hw/params.h"
#include "aimc_hw/timebase.h"

namespace {
int (*pending_job)(void *) = nullptr;
void *pending_context = nullptr;
}  // namespace

extern "C" const char *aimc_hw_systemc_version(void) { return sc_core::sc_release(); }

extern "C" int aimc_hw_run_in_kernel(int (*job)(void *), void *context) {
  pending_job = job;
  pending_context = context;
  if (aimc::hw::ensure_time_resolution() != AIMC_OK) {
    std::fprintf(stderr, "aimcsim: %s\n", aimc_error_message());
    return 1;
  }
  char name[] = "aimcsim";
  char *argv[] = {name, nullptr};
  return sc_core::sc_elab_and_sim(1, argv);
}

int sc_main(int, char **) {
  if (!pending_job) return 1;
  try {
    return pending_job(pending_context);
  } catch (const std::exception &error) {
    std::fprintf(stderr, "aimcsim: SystemC: %s\n", error.what());
    return 1;
  }
}

namespace aimc::hw {

aimc_status ensure_time_resolution() {
  static bool attempted = false;
  if (!attempted) {
    attempted = true;
    try {
      sc_core::sc_set_time_resolution(AIMC_HW_TIME_RESOLUTION * 1e15, sc_core::SC_FS);
    } catch (const sc_core::sc_report &) {
      // Already fixed by someone else; checked below.
    }
  }
  double resolution = sc_core::sc_get_time_resolution().to_seconds();
  if (std::fabs(resolution - AIMC_HW_TIME_RESOLUTION) > 1e-6 * AIMC_HW_TIME_RESOLUTION)
    return aimc_error_set(AIMC_EINVAL,
                          "SystemC time resolution is %g s but aimcsim needs %g s: create the chip before any "
                          "other SystemC time is made",
                          resolution, AIMC_HW_TIME_RESOLUTION);
  return AIMC_OK;
}

}  // namespace aimc::hw
