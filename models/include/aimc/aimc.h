/* Umbrella header of the aimcsim C core. */
#ifndef AIMC_AIMC_H
#define AIMC_AIMC_H
#include "aimc/array.h"
#include "aimc/device.h"
#include "aimc/error.h"
#include "aimc/io.h"
#include "aimc/rng.h"
#include "aimc/update.h"
#endif
