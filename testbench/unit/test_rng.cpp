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

// The pulse trains are shared by the fast update kernel and its reference, so
// the fast-versus-reference tests cannot catch an error in them. Here each
// train is rebuilt bit by bit from its definition: slot k of line l fires if
// the uniform of word k % 4 of the counter (event, k / 4, purpose, l, 0) is
// below the line's probability. Odd line counts leave partial 16-line groups;
// BL 100 and 130 need two and three 64-bit words per train.
extern "C" {
#include "update_internal.h"
}

TEST(Rng, PulseTrainsFollowTheirDefinitionBitForBit) {
  aimc_device_params device;
  aimc_device_params_default(&device, AIMC_DEVICE_CONSTANT_STEP);
  const int rows = 37, cols = 53;
  aimc_array array;
  ASSERT_EQ(aimc_array_create(&array, rows, cols, &device, 2024, 3), AIMC_OK);
  update_scratch s;
  ASSERT_EQ(update_scratch_init(&s, rows, cols, 130), AIMC_OK);
  for (int bl : {1, 3, 4, 7, 31, 64, 65, 100, 130}) {
    for (uint64_t event : {0ull, 5ull, 0x0000ABCD12345678ull}) {
      // Probabilities from 0 (idle line) to above 1 (every slot fires), and a
      // group of 16 idle rows, which the vector code skips.
      for (int i = 0; i < rows; ++i) s.row_prob[i] = (i >= 16 && i < 32) ? 0.0f : (float)((i * 7) % 12) / 10.0f;
      for (int j = 0; j < cols; ++j) s.col_prob[j] = (float)((j * 5) % 11) / 10.0f;
      aimc_update_stats stats;
      memset(&stats, 0, sizeof stats);
      update_build_trains(&array, bl, event, &s, &stats);
      const int words = (bl + 63) / 64;
      uint64_t fired[2] = {0, 0};
      std::vector<int> active;
      for (int side = 0; side < 2; ++side) {
        const int lines = side == 0 ? rows : cols;
        const float *prob = side == 0 ? s.row_prob : s.col_prob;
        const uint64_t *bits = side == 0 ? s.row_bits : s.col_bits;
        const uint32_t purpose = side == 0 ? AIMC_RNG_ROW_TRAIN : AIMC_RNG_COL_TRAIN;
        for (int l = 0; l < lines; ++l) {
          bool any = false;
          for (int k = 0; k < bl; ++k) {
            uint32_t w[4];
            aimc_rng_words(array.key, event, (uint32_t)(k / 4), purpose, (uint32_t)l, 0, w);
            bool expected = aimc_rng_uniform(w[k % 4]) < prob[l];
            bool got = (bits[(size_t)l * words + k / 64] >> (k % 64)) & 1u;
            ASSERT_EQ(got, expected) << "side " << side << " line " << l << " slot " << k << " bl " << bl;
            fired[side] += expected;
            any |= expected;
          }
          for (int k = bl; k < words * 64; ++k)
            ASSERT_EQ((bits[(size_t)l * words + k / 64] >> (k % 64)) & 1u, 0u) << "slot past BL set";
          if (side == 1 && any) active.push_back(l);
        }
      }
      EXPECT_EQ(stats.row_pulses, fired[0]);
      EXPECT_EQ(stats.col_pulses, fired[1]);
      ASSERT_EQ(s.n_active_cols, (int)active.size());
      for (size_t a = 0; a < active.size(); ++a) EXPECT_EQ(s.active_cols[a], active[a]);
    }
  }
  update_scratch_free(&s);
  aimc_array_destroy(&array);
}
