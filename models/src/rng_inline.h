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

#if defined(__AVX512F__)
/*
 * The same generator on 16 lanes of AVX-512F vectors (the fast update kernels),
 * with the same operations in the same order, so the same bits.
 */
#include <immintrin.h>

/* The odd 32-bit lanes moved down into the even ones (the low halves of the 64-bit
 * lanes), by a shuffle rather than a shift: shifts of 512-bit vectors compete with
 * the multiplies for one port. */
static inline __m512i rng_odd_lanes_down(__m512i v) { return _mm512_shuffle_epi32(v, (_MM_PERM_ENUM)0xF5); }

/*
 * Philox4x32-10 on 16 counters at once, word for word rng_philox_lane.
 * vpmuludq multiplies the low 32 bits of each 64-bit lane, so every counter word
 * is handled as two halves of 8 lanes: the even 32-bit lanes in place and the odd
 * ones moved down. The high 32 bits of a half are don't-care (vpmuludq ignores
 * them and the output keeps only the low words), which saves all masking.
 */
static inline void rng_philox_x16(uint32_t k0, uint32_t k1, __m512i c0, __m512i c1, __m512i c2, __m512i c3,
                                  __m512i out[4]) {
  const __m512i m0 = _mm512_set1_epi64(0xD2511F53u), m1 = _mm512_set1_epi64(0xCD9E8D57u);
  __m512i c[2][4] = {{c0, c1, c2, c3},
                     {rng_odd_lanes_down(c0), rng_odd_lanes_down(c1), rng_odd_lanes_down(c2),
                      rng_odd_lanes_down(c3)}};
  for (int round = 0; round < 10; ++round) {
    const __m512i key0 = _mm512_set1_epi64(k0), key1 = _mm512_set1_epi64(k1);
    for (int h = 0; h < 2; ++h) {
      __m512i p0 = _mm512_mul_epu32(c[h][0], m0), p1 = _mm512_mul_epu32(c[h][2], m1);
      c[h][0] = _mm512_ternarylogic_epi64(rng_odd_lanes_down(p1), c[h][1], key0, 0x96); /* a ^ b ^ c */
      c[h][2] = _mm512_ternarylogic_epi64(rng_odd_lanes_down(p0), c[h][3], key1, 0x96);
      c[h][1] = p1;
      c[h][3] = p0;
    }
    k0 += 0x9E3779B9u;
    k1 += 0xBB67AE85u;
  }
  /* Odd halves back into the odd 32-bit lanes (swap within each 64-bit lane, merge). */
  for (int m = 0; m < 4; ++m) out[m] = _mm512_mask_shuffle_epi32(c[0][m], 0xAAAA, c[1][m], _MM_PERM_CDAB);
}

/*
 * rng_philox_x16 for 16 counters that differ only in c3 (a column index). The
 * words that do not depend on c3 are carried as scalars until c3 has mixed
 * into them: round 1 needs one vector xor, rounds 2 and 3 one multiply each
 * instead of two. rng_philox_c3_prepare does the scalar part once per (key,
 * c0, c1, c2).
 */
typedef struct rng_philox_c3_state {
  __m512i x2;      /* round 1: c2 = x2 ^ c3 */
  __m512i key0_r2; /* round 2: c0 = hi(c2 * M1) ^ key0_r2 */
  __m512i x0_r3;   /* round 3: c0 = c1 ^ x0_r3, c1 = c1_r4, c2 = hi(c0 * M0) ^ x2_r3 */
  __m512i x2_r3;
  __m512i c1_r4;
  uint32_t k0, k1; /* key of round 4 */
} rng_philox_c3_state;

static inline rng_philox_c3_state rng_philox_c3_prepare(uint32_t k0, uint32_t k1, uint32_t c0, uint32_t c1,
                                                        uint32_t c2) {
  const uint64_t mul0 = 0xD2511F53u, mul1 = 0xCD9E8D57u;
  rng_philox_c3_state st;
  /* Round 1: only the new c2 depends on c3. */
  uint64_t p0 = mul0 * c0, p1 = mul1 * c2;
  uint32_t s0 = (uint32_t)(p1 >> 32) ^ c1 ^ k0, s1 = (uint32_t)p1, s3 = (uint32_t)p0;
  st.x2 = _mm512_set1_epi64((uint32_t)(p0 >> 32) ^ k1);
  k0 += 0x9E3779B9u;
  k1 += 0xBB67AE85u;
  /* Round 2: c0 and c3 are scalars, so the new c2 and c3 are too. */
  p0 = mul0 * s0;
  uint32_t t2 = (uint32_t)(p0 >> 32) ^ s3 ^ k1, t3 = (uint32_t)p0;
  st.key0_r2 = _mm512_set1_epi64(s1 ^ k0);
  k0 += 0x9E3779B9u;
  k1 += 0xBB67AE85u;
  /* Round 3: c2 is a scalar, so the new c1 is too. */
  p1 = mul1 * t2;
  st.x0_r3 = _mm512_set1_epi64((uint32_t)(p1 >> 32) ^ k0);
  st.x2_r3 = _mm512_set1_epi64(t3 ^ k1);
  st.c1_r4 = _mm512_set1_epi64((uint32_t)p1);
  st.k0 = k0 + 0x9E3779B9u;
  st.k1 = k1 + 0xBB67AE85u;
  return st;
}

static inline void rng_philox_x16_c3(const rng_philox_c3_state *st, __m512i c3, __m512i out[4]) {
  const __m512i m0 = _mm512_set1_epi64(0xD2511F53u), m1 = _mm512_set1_epi64(0xCD9E8D57u);
  __m512i c[2][4];
  __m512i half[2] = {c3, rng_odd_lanes_down(c3)}; /* even and odd lanes, as in rng_philox_x16 */
  for (int h = 0; h < 2; ++h) {
    __m512i a2 = _mm512_xor_si512(st->x2, half[h]);                                 /* round 1 */
    __m512i q1 = _mm512_mul_epu32(a2, m1);                                         /* round 2 */
    __m512i b0 = _mm512_xor_si512(rng_odd_lanes_down(q1), st->key0_r2), b1 = q1;
    __m512i q0 = _mm512_mul_epu32(b0, m0);                                         /* round 3 */
    c[h][0] = _mm512_xor_si512(b1, st->x0_r3);
    c[h][1] = st->c1_r4;
    c[h][2] = _mm512_xor_si512(rng_odd_lanes_down(q0), st->x2_r3);
    c[h][3] = q0;
  }
  uint32_t k0 = st->k0, k1 = st->k1;
  for (int round = 3; round < 10; ++round) {
    const __m512i key0 = _mm512_set1_epi64(k0), key1 = _mm512_set1_epi64(k1);
    for (int h = 0; h < 2; ++h) {
      __m512i q0 = _mm512_mul_epu32(c[h][0], m0), q1 = _mm512_mul_epu32(c[h][2], m1);
      c[h][0] = _mm512_ternarylogic_epi64(rng_odd_lanes_down(q1), c[h][1], key0, 0x96);
      c[h][2] = _mm512_ternarylogic_epi64(rng_odd_lanes_down(q0), c[h][3], key1, 0x96);
      c[h][1] = q1;
      c[h][3] = q0;
    }
    k0 += 0x9E3779B9u;
    k1 += 0xBB67AE85u;
  }
  for (int m = 0; m < 4; ++m) out[m] = _mm512_mask_shuffle_epi32(c[0][m], 0xAAAA, c[1][m], _MM_PERM_CDAB);
}

/* rng_log_unit on 16 lanes (same operations, so the same floats). */
static inline __m512 rng_log_unit_x16(__m512 x) {
  __m512i bits = _mm512_castps_si512(x);
  __m512i offset = _mm512_sub_epi32(bits, _mm512_set1_epi32(0x3f3504f3));
  __m512i e = _mm512_srai_epi32(offset, 23);
  __m512i mbits = _mm512_sub_epi32(bits, _mm512_and_si512(offset, _mm512_set1_epi32((int32_t)0xff800000u)));
  __m512 m = _mm512_castsi512_ps(mbits);
  const __m512 one = _mm512_set1_ps(1.0f);
  __m512 s = _mm512_div_ps(_mm512_sub_ps(m, one), _mm512_add_ps(m, one));
  __m512 s2 = _mm512_mul_ps(s, s);
  __m512 series = _mm512_add_ps(_mm512_set1_ps(1.0f / 7.0f), _mm512_mul_ps(s2, _mm512_set1_ps(1.0f / 9.0f)));
  series = _mm512_add_ps(_mm512_set1_ps(1.0f / 5.0f), _mm512_mul_ps(s2, series));
  series = _mm512_add_ps(_mm512_set1_ps(1.0f / 3.0f), _mm512_mul_ps(s2, series));
  series = _mm512_add_ps(one, _mm512_mul_ps(s2, series));
  return _mm512_add_ps(_mm512_mul_ps(_mm512_mul_ps(_mm512_set1_ps(2.0f), s), series),
                       _mm512_mul_ps(_mm512_cvtepi32_ps(e), _mm512_set1_ps(0.693147180559945309f)));
}

/* rng_box_muller on 16 lanes; the quadrant's sign flips are sign-bit xors, which
 * equal the negations of the scalar code exactly. */
static inline void rng_box_muller_x16(__m512i w0, __m512i w1, __m512 *z0, __m512 *z1) {
  const __m512 scale = _mm512_set1_ps(1.0f / 16777216.0f);
  __m512 u0 = _mm512_mul_ps(_mm512_cvtepi32_ps(_mm512_add_epi32(_mm512_srli_epi32(w0, 8), _mm512_set1_epi32(1))), scale);
  __m512 u1 = _mm512_mul_ps(_mm512_cvtepi32_ps(_mm512_srli_epi32(w1, 8)), scale);
  __m512 radius_sq = _mm512_mul_ps(_mm512_set1_ps(-2.0f), rng_log_unit_x16(u0));
  __m512 radius = _mm512_sqrt_ps(_mm512_max_ps(radius_sq, _mm512_setzero_ps())); /* radius_sq > 0 ? radius_sq : 0 */
  __m512i q = _mm512_cvttps_epi32(_mm512_add_ps(_mm512_mul_ps(u1, _mm512_set1_ps(4.0f)), _mm512_set1_ps(0.5f)));
  __m512 theta = _mm512_mul_ps(_mm512_sub_ps(u1, _mm512_mul_ps(_mm512_cvtepi32_ps(q), _mm512_set1_ps(0.25f))),
                               _mm512_set1_ps(6.28318530717958648f));
  __m512 t2 = _mm512_mul_ps(theta, theta);
  __m512 s = _mm512_add_ps(_mm512_set1_ps(-1.0f / 5040.0f), _mm512_mul_ps(t2, _mm512_set1_ps(1.0f / 362880.0f)));
  s = _mm512_add_ps(_mm512_set1_ps(1.0f / 120.0f), _mm512_mul_ps(t2, s));
  s = _mm512_add_ps(_mm512_set1_ps(-1.0f / 6.0f), _mm512_mul_ps(t2, s));
  s = _mm512_mul_ps(theta, _mm512_add_ps(_mm512_set1_ps(1.0f), _mm512_mul_ps(t2, s)));
  __m512 c = _mm512_add_ps(_mm512_set1_ps(1.0f / 40320.0f), _mm512_mul_ps(t2, _mm512_set1_ps(-1.0f / 3628800.0f)));
  c = _mm512_add_ps(_mm512_set1_ps(-1.0f / 720.0f), _mm512_mul_ps(t2, c));
  c = _mm512_add_ps(_mm512_set1_ps(1.0f / 24.0f), _mm512_mul_ps(t2, c));
  c = _mm512_add_ps(_mm512_set1_ps(-0.5f), _mm512_mul_ps(t2, c));
  c = _mm512_add_ps(_mm512_set1_ps(1.0f), _mm512_mul_ps(t2, c));
  /* Quadrant 0..3: sin is s, c, -s, -c and cos is c, -s, -c, s. */
  __mmask16 odd = _mm512_test_epi32_mask(q, _mm512_set1_epi32(1));
  __m512i sin_sign = _mm512_slli_epi32(_mm512_and_si512(q, _mm512_set1_epi32(2)), 30);
  __m512i cos_sign = _mm512_slli_epi32(_mm512_and_si512(_mm512_add_epi32(q, _mm512_set1_epi32(1)), _mm512_set1_epi32(2)), 30);
  __m512 sine = _mm512_castsi512_ps(_mm512_xor_si512(_mm512_castps_si512(_mm512_mask_blend_ps(odd, s, c)), sin_sign));
  __m512 cosine = _mm512_castsi512_ps(_mm512_xor_si512(_mm512_castps_si512(_mm512_mask_blend_ps(odd, c, s)), cos_sign));
  *z0 = _mm512_mul_ps(radius, cosine);
  *z1 = _mm512_mul_ps(radius, sine);
}
#endif

#endif
