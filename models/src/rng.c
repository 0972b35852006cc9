/*
 * Public wrappers of the counter-based generator (see rng.h and rng_inline.h).
 */
#include "aimc/rng.h"

#include "rng_inline.h"

aimc_rng_key aimc_rng_key_make(uint64_t seed, uint32_t stream) {
  aimc_rng_key key = {(uint32_t)seed, (uint32_t)(seed >> 32) ^ stream};
  return key;
}

void aimc_rng_words(aimc_rng_key key, uint64_t event, uint32_t block, uint32_t purpose, uint32_t row,
                    uint32_t col, uint32_t out[4]) {
  rng_philox(key, event, block, purpose, row, col, out);
}

void aimc_rng_normal4(aimc_rng_key key, uint64_t event, uint32_t block, uint32_t purpose, uint32_t row,
                      uint32_t col, float out[4]) {
  rng_normal4(key, event, block, purpose, row, col, out);
}

void aimc_rng_box_muller(uint32_t w0, uint32_t w1, float *z0, float *z1) { rng_box_muller(w0, w1, z0, z1); }
