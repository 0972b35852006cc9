// Counter-based random numbers: determinism, independence of counters, the
// accuracy of the polynomial Box-Muller transform and the moments of the deviates.
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

extern "C" {
#include "aimc/rng.h"
}

TEST(Rng, SameCounterSameWordsDifferentCounterDifferentWords) {
  aimc_rng_key key = aimc_rng_key_make(42, 7);
  uint32_t a[4], b[4], c[4];
  aimc_rng_words(key, 123456789012ull, 3, AIMC_RNG_PULSE_NOISE, 5, 9, a);
  aimc_rng_words(key, 123456789012ull, 3, AIMC_RNG_PULSE_NOISE, 5, 9, b);
  aimc_rng_words(key, 123456789012ull, 3, AIMC_RNG_PULSE_NOISE, 5, 10, c);
  for (int k = 0; k < 4; ++k) EXPECT_EQ(a[k], b[k]);
  int equal = 0;
  for (int k = 0; k < 4; ++k) equal += a[k] == c[k];
  EXPECT_EQ(equal, 0);
  // Another stream under the same seed gives other words.
  aimc_rng_words(aimc_rng_key_make(42, 8), 123456789012ull, 3, AIMC_RNG_PULSE_NOISE, 5, 9, c);
  equal = 0;
  for (int k = 0; k < 4; ++k) equal += a[k] == c[k];
  EXPECT_EQ(equal, 0);
}

TEST(Rng, BoxMullerMatchesDoublePrecisionFormula) {
  // The polynomial log and sin/cos must track libm to float accuracy over the
  // whole input range, including the extreme words.
  aimc_rng_key key = aimc_rng_key_make(1, 1);
  double worst = 0.0;
  auto check = [&](uint32_t w0, uint32_t w1) {
    float z0, z1;
    aimc_rng_box_muller(w0, w1, &z0, &z1);
    double u0 = ((w0 >> 8) + 1.0) / 16777216.0, u1 = (w1 >> 8) / 16777216.0;
    double r = std::sqrt(-2.0 * std::log(u0));
    double e0 = r * std::cos(2.0 * M_PI * u1), e1 = r * std::sin(2.0 * M_PI * u1);
    worst = std::max(worst, std::fabs(z0 - e0) / (1.0 + std::fabs(e0)));
    worst = std::max(worst, std::fabs(z1 - e1) / (1.0 + std::fabs(e1)));
  };
  for (uint32_t k = 0; k < 200000; ++k) {
    uint32_t w[4];
    aimc_rng_words(key, k, 0, AIMC_RNG_USER, 0, 0, w);
    check(w[0], w[1]);
    check(w[2], w[3]);
  }
  const uint32_t edges[] = {0u, 0xFFu, 0x100u, 0x7FFFFFFFu, 0x80000000u, 0xFFFFFF00u, 0xFFFFFFFFu, 0x40000000u, 0xC0000000u};
  for (uint32_t a : edges)
    for (uint32_t b : edges) check(a, b);
  EXPECT_LT(worst, 2e-6);
}

TEST(Rng, NormalMomentsWithinFourStandardErrors) {
  aimc_rng_key key = aimc_rng_key_make(2024, 3);
  const int n = 1 << 20;
  double sum = 0, sum_sq = 0, sum_4 = 0;
  for (int g = 0; g < n / 4; ++g) {
    float z[4];
    aimc_rng_normal4(key, (uint64_t)g, 0, AIMC_RNG_USER, 1, 2, z);
    for (float v : z) {
      sum += v;
      sum_sq += (double)v * v;
      sum_4 += (double)v * v * v * v;
    }
  }
  double mean = sum / n, var = sum_sq / n - mean * mean, kurt = sum_4 / n;
  EXPECT_LT(std::fabs(mean), 4.0 / std::sqrt((double)n));
  EXPECT_LT(std::fabs(var - 1.0), 4.0 * std::sqrt(2.0 / n));
  EXPECT_LT(std::fabs(kurt - 3.0), 4.0 * std::sqrt(96.0 / n));
}

TEST(Rng, UniformIsExactAndInRange) {
  EXPECT_EQ(aimc_rng_uniform(0u), 0.0f);
  EXPECT_EQ(aimc_rng_uniform(0xFFFFFFFFu), 16777215.0f / 16777216.0f);
  EXPECT_EQ(aimc_rng_uniform(0x80000000u), 0.5f);
}

// The loop-friendly Philox and per-lane deviates of the fast kernels must equal
// Random123's philox4x32 and the reference deviates exactly.
#include <Random123/philox.h>  // as C++ first, so the C include below reuses it
extern "C" {
#include "rng_inline.h"
}

TEST(Rng, LanePhiloxEqualsRandom123) {
  aimc_rng_key key = aimc_rng_key_make(0x123456789abcull, 77);
  for (uint32_t k = 0; k < 5000; ++k) {
    uint64_t event = 0x0000BEEF00000000ull + k * 7919ull;
    uint32_t expected[4], got[4];
    aimc_rng_words(key, event, k % 9, AIMC_RNG_PULSE_NOISE, k * 13, k * 31, expected);
    rng_philox_lane(key.k0, key.k1, (uint32_t)event, (uint32_t)((event >> 32) & 0xFFFFu) | ((k % 9) << 16),
                    ((uint32_t)AIMC_RNG_PULSE_NOISE << 28) | (k * 13), k * 31, &got[0], &got[1], &got[2], &got[3]);
    for (int m = 0; m < 4; ++m) ASSERT_EQ(got[m], expected[m]) << k;
    for (uint32_t pulse = 0; pulse < 9; ++pulse)
      ASSERT_EQ(rng_pulse_normal_lane(key, event, k, k + 1, pulse), rng_pulse_normal(key, event, k, k + 1, pulse));
  }
}
