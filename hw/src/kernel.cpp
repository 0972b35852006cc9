// SystemC kernel glue: the release string, and sc_main running a job handed over
// from the C front end (see kernel.h).
#include "aimc_hw/kernel.h"

#include <cstdio>
#include <exception>
#include <systemc>

namespace {
int (*pending_job)(void *) = nullptr;
void *pending_context = nullptr;
}  // namespace

extern "C" const char *aimc_hw_systemc_version(void) { return sc_core::sc_release(); }

extern "C" int aimc_hw_run_in_kernel(int (*job)(void *), void *context) {
  pending_job = job;
  pending_context = context;
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
