/*
 * Counter-based random numbers (Random123 Philox4x32-10, Salmon et al., SC'11).
 *
 * Every random number in aimcsim is a pure function of (seed, stream) as the
 * key and of a 128-bit counter naming the event that consumes it, never of a
 * shared sequential state. The counter layout is
 *   c0, c1  event     : a 48-bit event number (an update sample, an MVM vector)
 *                       and, in the top 16 bits of c1, a block index
 *   c2      purpose   : 4-bit purpose tag << 28 | 28-bit row (or line) index
 *   c3      column    : column index, or a sub-purpose
 * so results are identical whatever the number of threads and whatever the
 * order in which rows are processed.
 *
 * Normal deviates use Box-Muller on 24-bit uniforms with polynomial log and
 * sin/cos that are written so that scalar and SIMD code round identically;
 * deviates are therefore bounded by sqrt(-2 ln 2^-24) = 5.77 standard deviations.
 */
#ifndef AIMC_RNG_H
#define AIMC_RNG_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct aimc_rng_key {
  uint32_t k0; /* low 32 bits of the user seed */
  uint32_t k1; /* stream id xor high 32 bits of the seed */
} aimc_rng_key;

enum aimc_rng_purpose {
  AIMC_RNG_PULSE_NOISE = 0, /* cycle-to-cycle noise of applied pulses */
  AIMC_RNG_ROW_TRAIN = 1,   /* Bernoulli bits of row (d) pulse trains */
  AIMC_RNG_COL_TRAIN = 2,   /* Bernoulli bits of column (x) pulse trains */
  AIMC_RNG_DTOD = 3,        /* device-to-device draws at construction */
  AIMC_RNG_IO = 4,          /* periphery noise and stochastic rounding */
  AIMC_RNG_DEVICE_EVENT = 5,/* reset, diffusion, write noise */
  AIMC_RNG_ROUNDING = 6,    /* stochastic rounding of update probabilities */
  AIMC_RNG_USER = 7         /* workloads (data, initialisation, gradient noise) */
};

/* Key of stream `stream` under `seed`. */
aimc_rng_key aimc_rng_key_make(uint64_t seed, uint32_t stream);

/* Four independent 32-bit words for the counter (event, block, purpose, row, col). */
void aimc_rng_words(aimc_rng_key key, uint64_t event, uint32_t block, uint32_t purpose,
                    uint32_t row, uint32_t col, uint32_t out[4]);

/* Uniform in [0, 1) from a 32-bit word (24 significant bits, exact in float). */
static inline float aimc_rng_uniform(uint32_t word) {
  return (float)(word >> 8) * (1.0f / 16777216.0f);
}

/* Four normal deviates (two Box-Muller pairs) from one counter. */
void aimc_rng_normal4(aimc_rng_key key, uint64_t event, uint32_t block, uint32_t purpose,
                      uint32_t row, uint32_t col, float out[4]);

/* Two normal deviates from two 32-bit words (the pair used by aimc_rng_normal4). */
void aimc_rng_box_muller(uint32_t w0, uint32_t w1, float *z0, float *z1);

#ifdef __cplusplus
}
#endif
#endif
