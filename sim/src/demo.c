/*
 * `aimcsim demo`: a short, real demonstration of the physics core. It prints the
 * pulse response of the paper's asymmetric linear device, then applies one
 * stochastic pulsed update to a 512x512 array with AIHWKIT's default device and
 * update settings and reports what the pulses did, against the ideal SGD step.
 */
#include <math.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "aimc/aimc.h"
#include "cli/cli_common.h"
#include "aimc_sim/commands.h"

static double now_seconds(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}


static void show_response(void) {
  const double tau = 0.6, dw_min = 0.01;
  aimc_device_params params;
  aimc_device_params_ald(&params, tau, dw_min);
  aimc_device device;
  aimc_cell cell;
  aimc_device_init(&device, &params);
  aimc_device_mean_cell(&device, &cell);
  printf("1. Asymmetric linear device (SoftBounds on [-%.1f, %.1f], dw_min %.2f): 150 up, then 150 down pulses\n",
         tau, tau, dw_min);
  printf("   %6s %9s %8s %8s %8s %9s\n", "pulse", "w", "q+(w)", "q-(w)", "F(w)", "G(w)");
  float w = (float)-tau;
  for (int n = 0; n <= 300; ++n) {
    if (n % 30 == 0) {
      printf("   %6d %9.5f %8.4f %8.4f %8.4f %9.4f\n", n, (double)w, aimc_device_q_up(&device, &cell, w),
             aimc_device_q_down(&device, &cell, w), aimc_device_F(&device, &cell, w),
             aimc_device_G(&device, &cell, w));
    }
    w = aimc_device_pulse(&device, &cell, w, n < 150 ? +1 : -1, 0.0f);
  }
  printf("   Steps shrink toward the bound they approach (saturation) and grow away from it;\n"
         "   G(w) = w/tau is the asymmetric drift toward the symmetric point 0.\n\n");
}

static int show_update(unsigned long seed) {
  const int n = 512;
  aimc_device_params params;
  aimc_device_params_default(&params, AIMC_DEVICE_SOFT_BOUNDS);
  params.construction_seed = seed;
  aimc_update_params update;
  aimc_update_params_default(&update);
  aimc_array array;
  if (aimc_array_create(&array, n, n, &params, seed, 0) != AIMC_OK) {
    fprintf(stderr, "aimcsim: %s\n", aimc_error_message());
    return AIMC_EXIT_FAILURE;
  }
  float *x = malloc(sizeof(float) * n), *d = malloc(sizeof(float) * n);
  float *before = malloc(sizeof(float) * (size_t)n * n);
  if (!x || !d || !before) {
    fprintf(stderr, "aimcsim: out of memory\n");
    free(x), free(d), free(before);
    aimc_array_destroy(&array);
    return AIMC_EXIT_FAILURE;
  }
  aimc_rng_key key = aimc_rng_key_make(seed, 99);
  for (int k = 0; k < n; k += 4) {
    uint32_t w[4];
    float z[4];
    aimc_rng_words(key, 0, 0, AIMC_RNG_USER, 0, (uint32_t)k, w);
    aimc_rng_normal4(key, 0, 0, AIMC_RNG_USER, 1, (uint32_t)k, z);
    for (int m = 0; m < 4; ++m) {
      x[k + m] = 2.0f * aimc_rng_uniform(w[m]) - 1.0f;
      d[k + m] = 0.1f * z[m];
    }
  }
  memcpy(before, array.w, sizeof(float) * (size_t)n * n);
  const float lr = 0.01f;
  aimc_update_stats stats = {0};
  double start = now_seconds();
  aimc_status status = aimc_array_update(&array, x, d, 1, lr, &update, &stats, NULL);
  double elapsed = now_seconds() - start;
  if (status != AIMC_OK) {
    fprintf(stderr, "aimcsim: %s\n", aimc_error_message());
    free(x), free(d), free(before);
    aimc_array_destroy(&array);
    return AIMC_EXIT_FAILURE;
  }
  double ideal_sq = 0.0, error_sq = 0.0, realised = 0.0, ideal = 0.0;
  for (int i = 0; i < n; ++i) {
    for (int j = 0; j < n; ++j) {
      double target = -(double)lr * d[i] * x[j];
      double got = array.w[(size_t)i * n + j] - before[(size_t)i * n + j];
      ideal_sq += target * target;
      error_sq += (got - target) * (got - target);
      realised += got;
      ideal += target;
    }
  }
  printf("2. One stochastic pulsed update, 512 x 512 SoftBounds array (AIHWKIT defaults:\n"
         "   dw_min 0.001, 30%% device-to-device and cycle-to-cycle spread), desired_bl 31 with\n"
         "   update and BL management, x ~ U[-1, 1], d ~ N(0, 0.1^2), lr 0.01\n");
  printf("   BL chosen by BL management      %10llu slots\n", (unsigned long long)stats.slots);
  printf("   row / column line pulses        %10llu / %llu\n", (unsigned long long)stats.row_pulses,
         (unsigned long long)stats.col_pulses);
  printf("   device pulses up / down         %10llu / %llu\n", (unsigned long long)stats.pulses_up,
         (unsigned long long)stats.pulses_down);
  printf("   cells touched                   %10llu of %d\n", (unsigned long long)stats.cells_touched, n * n);
  printf("   most pulses on one cell         %10llu\n", (unsigned long long)stats.max_pulses_cell);
  printf("   half-selected (cell, slot) pairs %9llu\n", (unsigned long long)stats.half_selected);
  printf("   sum of realised / ideal updates %+10.5f / %+.5f\n", realised, ideal);
  printf("   relative rms error of the step  %10.3f (the stochastic scheme's sampling noise)\n",
         sqrt(error_sq / ideal_sq));
  printf("   wall time                       %10.3f ms on %d thread(s)\n", 1e3 * elapsed, omp_get_max_threads());
  free(x), free(d), free(before);
  aimc_array_destroy(&array);
  return AIMC_EXIT_OK;
}

int aimc_cmd_demo(int argc, char **argv) {
  long seed = 1, threads = 0;
  for (int k = 1; k < argc; ++k) {
    if (strcmp(argv[k], "--help") == 0) {
      printf("usage: aimcsim demo [--seed N] [--threads N]\n");
      return AIMC_EXIT_OK;
    } else if (strcmp(argv[k], "--seed") == 0 && k + 1 < argc) {
      if (!cli_parse_long("demo", "--seed", argv[++k], 0, 0x7fffffffL, &seed)) return AIMC_EXIT_USAGE;
    } else if (strcmp(argv[k], "--threads") == 0 && k + 1 < argc) {
      if (!cli_parse_long("demo", "--threads", argv[++k], 1, 1024, &threads)) return AIMC_EXIT_USAGE;
    } else {
      fprintf(stderr, "aimcsim demo: unknown argument '%s'\nusage: aimcsim demo [--seed N] [--threads N]\n", argv[k]);
      return AIMC_EXIT_USAGE;
    }
  }
  if (threads > 0) omp_set_num_threads((int)threads);
  printf("aimcsim demo: device responses and pulsed updates (seed %ld)\n\n", seed);
  show_response();
  return show_update((unsigned long)seed);
}
