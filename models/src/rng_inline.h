/*
 * Inline parts of the counter-based generator, shared by the scalar reference
 * kernels and the vectorised fast kernels. The polynomial log and sin/cos are
 * plain float arithmetic without library calls, so a loop over them vectorises
 * and rounds exactly like the scalar code (contraction is off project-wide).
 *
 * log: x = m 2^e with m in [sqrt(1/2), sqrt(2)), ln m = 2 atanh(s), s = (m-1)/(m+1),
 * |s| <= 0.1716, series to s^9 (truncation < 3e-9 relative).
 * sin/cos of 2 pi u: quadrant reduction to |theta| <= pi/4 and Taylor series to
 * degree 9 / 10 (truncation < 3e-8).
 */
#ifndef AIMC_RNG_INLINE_H
#define AIMC_RNG_INLINE_H

#include <stdint.h>
#include <string.h>

#include <Random123/philox.h>

#include "aimc/rng.h"

static inline void rng_philox(aimc_rng_key key, uint64_t event, uint32_t block, uint32_t purpose,
                              uint32_t row, uint32_t col, uint32_t out[4]) {
  philox4x32_ctr_t ctr = {{(uint32_t)event, (uint32_t)((event >> 32) & 0xFFFFu) | (block << 16),
                           (purpose << 28) | (row & 0x0FFFFFFFu), col}};
  philox4x32_key_t k = {{key.k0, key.k1}};
  philox4x32_ctr_t r = philox4x32(ctr, k);
  out[0] = r.v[0];
  out[1] = r.v[1];
  out[2] = r.v[2];
  out[3] = r.v[3];
}

/*
 * Philox4x32-10 on plain scalars, the same function as Random123's philox4x32
 * (tested word for word) but written so that a loop over lanes vectorises.
 */
static inline void rng_philox_lane(uint32_t k0, uint32_t k1, uint32_t c0, uint32_t c1, uint32_t c2, uint32_t c3,
                                   uint32_t *o0, uint32_t *o1, uint32_t *o2, uint32_t *o3) {
  /* Ten rounds, unrolled so that a loop over lanes has no inner loop. */
#define AIMC_PHILOX_ROUND                                  \
  do {                                                     \
    uint64_t p0 = (uint64_t)0xD2511F53u * c0;              \
    uint64_t p1 = (uint64_t)0xCD9E8D57u * c2;              \
    uint32_t n0 = (uint32_t)(p1 >> 32) ^ c1 ^ k0;          \
    uint32_t n2 = (uint32_t)(p0 >> 32) ^ c3 ^ k1;          \
    c1 = (uint32_t)p1;                                     \
    c3 = (uint32_t)p0;                                     \
    c0 = n0;                                               \
    c2 = n2;                                               \
    k0 += 0x9E3779B9u;                                     \
    k1 += 0xBB67AE85u;                                     \
  } while (0)
  AIMC_PHILOX_ROUND; AIMC_PHILOX_ROUND; AIMC_PHILOX_ROUND; AIMC_PHILOX_ROUND; AIMC_PHILOX_ROUND;
  AIMC_PHILOX_ROUND; AIMC_PHILOX_ROUND; AIMC_PHILOX_ROUND; AIMC_PHILOX_ROUND; AIMC_PHILOX_ROUND;
#undef AIMC_PHILOX_ROUND
  *o0 = c0;
  *o1 = c1;
  *o2 = c2;
  *o3 = c3;
}

static inline float rng_log_unit(float x) {
  uint32_t bits;
  memcpy(&bits, &x, sizeof bits);
  /* Split x = m 2^e with m in [sqrt(1/2), sqrt(2)) by offsetting the bits with
   * those of sqrt(1/2) (0x3f3504f3). */
  uint32_t offset = bits - 0x3f3504f3u;
  int32_t e = (int32_t)offset >> 23; /* floor: GCC and Clang shift signed values arithmetically */
  uint32_t mbits = bits - (offset & 0xff800000u);
  float m;
  memcpy(&m, &mbits, sizeof m);
  float s = (m - 1.0f) / (m + 1.0f);
  float s2 = s * s;
  float series = 1.0f + s2 * (1.0f / 3.0f + s2 * (1.0f / 5.0f + s2 * (1.0f / 7.0f + s2 * (1.0f / 9.0f))));
  return 2.0f * s * series + (float)e * 0.693147180559945309f;
}

/* sin and cos of 2*pi*u for u in [0, 1). */
static inline void rng_sincos_2pi(float u, float *sine, float *cosine) {
  float q = (float)(int32_t)(u * 4.0f + 0.5f); /* nearest quarter turn, 0..4 */
  float theta = (u - q * 0.25f) * 6.28318530717958648f;
  float t2 = theta * theta;
  float s = theta * (1.0f + t2 * (-1.0f / 6.0f + t2 * (1.0f / 120.0f + t2 * (-1.0f / 5040.0f +
                                                                              t2 * (1.0f / 362880.0f)))));
  float c = 1.0f + t2 * (-0.5f + t2 * (1.0f / 24.0f + t2 * (-1.0f / 720.0f + t2 * (1.0f / 40320.0f +
                                                                                 t2 * (-1.0f / 3628800.0f)))));
  int32_t quadrant = (int32_t)q & 3;
  float sin_out = quadrant == 0 ? s : quadrant == 1 ? c : quadrant == 2 ? -s : -c;
  float cos_out = quadrant == 0 ? c : quadrant == 1 ? -s : quadrant == 2 ? -c : s;
  *sine = sin_out;
  *cosine = cos_out;
}

static inline void rng_box_muller(uint32_t w0, uint32_t w1, float *z0, float *z1) {
  float u0 = (float)((w0 >> 8) + 1u) * (1.0f / 16777216.0f); /* (0, 1] */
  float u1 = (float)(w1 >> 8) * (1.0f / 16777216.0f);        /* [0, 1) */
  float radius_sq = -2.0f * rng_log_unit(u0);
  float radius = __builtin_sqrtf(radius_sq > 0.0f ? radius_sq : 0.0f);
  float s, c;
  rng_sincos_2pi(u1, &s, &c);
  *z0 = radius * c;
  *z1 = radius * s;
}

static inline void rng_normal4(aimc_rng_key key, uint64_t event, uint32_t block, uint32_t purpose,
                               uint32_t row, uint32_t col, float out[4]) {
  uint32_t w[4];
  rng_philox(key, event, block, purpose, row, col, w);
  rng_box_muller(w[0], w[1], &out[0], &out[1]);
  rng_box_muller(w[2], w[3], &out[2], &out[3]);
}

/* The deviate of pulse number `pulse` on cell (row, col) in update sample `event`:
 * element pulse & 3 of the four deviates of block pulse >> 2. */
static inline float rng_pulse_normal(aimc_rng_key key, uint64_t event, uint32_t row, uint32_t col,
                                     uint32_t pulse) {
  float z[4];
  rng_normal4(key, event, pulse >> 2, AIMC_RNG_PULSE_NOISE, row, col, z);
  return z[pulse & 3u];
}

/* The same deviate computed lane-wise (only the Box-Muller pair it needs). */
static inline float rng_pulse_normal_lane(aimc_rng_key key, uint64_t event, uint32_t row, uint32_t col,
                                          uint32_t pulse) {
  uint32_t w0, w1, w2, w3;
  rng_philox_lane(key.k0, key.k1, (uint32_t)event, (uint32_t)((event >> 32) & 0xFFFFu) | ((pulse >> 2) << 16),
                  ((uint32_t)AIMC_RNG_PULSE_NOISE << 28) | (row & 0x0FFFFFFFu), col, &w0, &w1, &w2, &w3);
  int second_pair = (pulse >> 1) & 1u;
  float z0, z1;
  rng_box_muller(second_pair ? w2 : w0, second_pair ? w3 : w1, &z0, &z1);
  return (pulse & 1u) ? z1 : z0;
}

#endif
