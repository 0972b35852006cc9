/*
 * Thread-local error messages of the C core. A failing function records one
 * line here and returns its status; the caller decides how to report it.
 */
#include "aimc/error.h"

#include <stdarg.h>
#include <stdio.h>

static _Thread_local char message[512];

const char *aimc_error_message(void) { return message; }

aimc_status aimc_error_set(aimc_status status, const char *format, ...) {
  va_list args;
  va_start(args, format);
  vsnprintf(message, sizeof message, format, args);
  va_end(args);
  return status;
}

const char *aimc_status_name(aimc_status status) {
  switch (status) {
    case AIMC_OK: return "ok";
    case AIMC_EINVAL: return "invalid argument";
    case AIMC_ENOMEM: return "out of memory";
    case AIMC_ENUMERIC: return "numerical fault";
    case AIMC_EIO: return "input/output error";
    case AIMC_EFORMAT: return "malformed file";
    case AIMC_EBUSY: return "in use";
  }
  return "unknown status";
}
