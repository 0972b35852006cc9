// Pulsed update: statistics of the stochastic scheme against -lr d x^T, the ALD's
// drift toward its symmetric point at the rate of the G term, bounds, update and
// BL management, the deterministic schemes, and the fast kernel against the
// slot-order reference (bit for bit) and against itself on 1 and 2 threads.
#include <gtest/gtest.h>
#include <omp.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "test_util.h"

namespace {

aimc_update_params default_update() {
  aimc_update_params u;
  aimc_update_params_default(&u);
  return u;
}

std::vector<float> uniform_vector(std::mt19937 &rng, int n, float lo, float hi) {
  std::uniform_real_distribution<float> dist(lo, hi);
  std::vector<float> v(n);
  for (float &x : v) x = dist(rng);
  return v;
}

bool same_stats(const aimc_update_stats &a, const aimc_update_stats &b) {
  return a.samples == b.samples && a.skipped == b.skipped && a.slots == b.slots && a.row_pulses == b.row_pulses &&
         a.col_pulses == b.col_pulses && a.pulses_up == b.pulses_up && a.pulses_down == b.pulses_down &&
         a.cells_touched == b.cells_touched && a.half_selected == b.half_selected &&
         a.max_pulses_cell == b.max_pulses_cell;
}

}  // namespace

TEST(Update, StochasticMeanEqualsSgdStepForEveryCell) {
  // ConstantStep, cycle noise on, 8x8, 2e4 independent trials from w = 0.
  aimc_device_params p = quiet_device(AIMC_DEVICE_CONSTANT_STEP);
  p.dw_min = 0.001;
  p.dw_min_std = 0.3;
  p.w_max = 10;
  p.w_min = -10;
  Array arr(8, 8, p, 7);
  std::vector<float> x = {1.0f, -0.8f, 0.5f, 0.25f, -0.1f, 0.9f, -0.6f, 0.05f};
  std::vector<float> d = {0.7f, -1.0f, 0.3f, -0.45f, 0.2f, 0.05f, -0.8f, 0.6f};
  const float lr = 0.01f;
  aimc_update_params u = default_update();
  const int trials = 20000;
  std::vector<double> sum(64, 0.0), sum_sq(64, 0.0);
  std::vector<float> zero(64, 0.0f);
  aimc_update_stats stats = {};
  for (int t = 0; t < trials; ++t) {
    ASSERT_EQ(aimc_array_set_weights(&arr.a, zero.data()), AIMC_OK);
    ASSERT_EQ(aimc_array_update(&arr.a, x.data(), d.data(), 1, lr, &u, &stats, nullptr), AIMC_OK);
    for (int c = 0; c < 64; ++c) {
      sum[c] += arr.a.w[c];
      sum_sq[c] += (double)arr.a.w[c] * arr.a.w[c];
    }
  }
  for (int i = 0; i < 8; ++i) {
    for (int j = 0; j < 8; ++j) {
      int c = i * 8 + j;
      double mean = sum[c] / trials, var = sum_sq[c] / trials - mean * mean;
      double expected = -(double)lr * d[i] * x[j];
      double se = std::sqrt(var / trials);
      EXPECT_LE(std::fabs(mean - expected), 4 * se + 1e-9) << "cell " << i << "," << j << " mean " << mean
                                                           << " expected " << expected << " se " << se;
    }
  }
  // k = lr * max|x| * max|d| / dw_min = 10 -> BL = 10 with UBLM.
  EXPECT_EQ(stats.slots, (uint64_t)trials * 10);
  EXPECT_EQ(stats.samples, (uint64_t)trials);
}

TEST(Update, AldDriftsTowardSymmetricPointAtTheRateOfG) {
  // Zero-mean updates: x = 1 on every column, d_i = +-delta with a fair random sign.
  // The G term predicts E[w_{k+1}] = (1 - lr delta / tau) E[w_k] (eq. 8, F = 1).
  const double tau = 1.0, dw_min = 0.001, lr = 0.01, delta = 1.0, w0 = 0.5;
  // Cells of one row see the same pulses (x = 1 everywhere), so rows are the
  // independent samples; column 0 of each row is measured.
  const int rows = 2048, cols = 2, steps = 100;
  aimc_device_params p;
  aimc_device_params_ald(&p, tau, dw_min);
  Array arr(rows, cols, p, 11);
  std::vector<float> init(rows * cols, (float)w0);
  ASSERT_EQ(aimc_array_set_weights(&arr.a, init.data()), AIMC_OK);
  aimc_update_params u = default_update();
  std::vector<float> x(cols, 1.0f), d(rows);
  std::mt19937 rng(5);
  for (int k = 0; k < steps; ++k) {
    for (float &v : d) v = (rng() & 1) ? (float)delta : (float)-delta;
    ASSERT_EQ(aimc_array_update(&arr.a, x.data(), d.data(), 1, (float)lr, &u, nullptr, nullptr), AIMC_OK);
  }
  double sum = 0, sum_sq = 0;
  for (int i = 0; i < rows; ++i) {
    double v = arr.a.w[(size_t)i * cols];
    sum += v;
    sum_sq += v * v;
  }
  const int n = rows;
  double mean = sum / n, se = std::sqrt((sum_sq / n - mean * mean) / n);
  double g_prediction = w0 * std::pow(1 - lr * delta / tau, steps);
  // Exact pulse-level expectation: N ~ Binomial(BL, p q) pulses, each contracting
  // by (1 - dw_min/tau), so E[w'] = (1 - (dw_min/tau) p q)^BL E[w]. Here p = q = 1 and
  // BL = 10, so the G term's first-order prediction differs by the second-order term:
  double exact = w0 * std::pow(std::pow(1 - dw_min / tau, 10), steps);
  EXPECT_NEAR(mean, exact, 4 * se);
  EXPECT_NEAR(mean, g_prediction, 4 * se + std::fabs(exact - g_prediction));
  EXPECT_LT(std::fabs(exact - g_prediction), 0.01 * (w0 - g_prediction));  // second order is small
}

TEST(Update, WeightsNeverLeaveTheirBounds) {
  for (aimc_device_model model : {AIMC_DEVICE_CONSTANT_STEP, AIMC_DEVICE_SOFT_BOUNDS, AIMC_DEVICE_LINEAR_STEP,
                                  AIMC_DEVICE_EXP_STEP, AIMC_DEVICE_POW_STEP, AIMC_DEVICE_PIECEWISE_STEP}) {
    aimc_device_params p;
    aimc_device_params_default(&p, model);
    p.dw_min = 0.05;
    p.dw_min_std = 2.0;  // large cycle noise pushes past the bounds if clipping failed
    Array arr(16, 16, p, 3);
    aimc_update_params u = default_update();
    std::mt19937 rng(9);
    for (int k = 0; k < 200; ++k) {
      std::vector<float> x = uniform_vector(rng, 16, -1, 1), d = uniform_vector(rng, 16, -1, 1);
      if (k < 100) std::fill(d.begin(), d.end(), -1.0f);  // drive everything up first
      ASSERT_EQ(aimc_array_update(&arr.a, x.data(), d.data(), 1, 1.0f, &u, nullptr, nullptr), AIMC_OK);
    }
    for (int c = 0; c < 256; ++c) {
      ASSERT_GE(arr.a.w[c], arr.a.cells[c].b_min) << aimc_device_model_name(model);
      ASSERT_LE(arr.a.w[c], arr.a.cells[c].b_max) << aimc_device_model_name(model);
    }
  }
}

TEST(Update, UpdateManagementKeepsTheExpectationWhereFixedScalesClip) {
  // x ten times larger than 1 and d a hundred times smaller: without UM the x
  // probabilities exceed 1 and the mean update collapses; with UM it is exact.
  aimc_device_params p = quiet_device(AIMC_DEVICE_CONSTANT_STEP);
  p.w_max = 10;
  p.w_min = -10;
  std::vector<float> x = {10.0f, 5.0f}, d = {0.01f, 0.004f};
  const float lr = 0.01f;
  auto mean_update = [&](const aimc_update_params &u, uint64_t *slots) {
    Array arr(2, 2, p, 21);
    std::vector<double> sum(4, 0.0);
    std::vector<float> zero(4, 0.0f);
    aimc_update_stats stats = {};
    const int trials = 20000;
    for (int t = 0; t < trials; ++t) {
      aimc_array_set_weights(&arr.a, zero.data());
      EXPECT_EQ(aimc_array_update(&arr.a, x.data(), d.data(), 1, lr, &u, &stats, nullptr), AIMC_OK);
      for (int c = 0; c < 4; ++c) sum[c] += arr.a.w[c];
    }
    *slots = stats.slots / trials;
    for (double &s : sum) s /= trials;
    return sum;
  };
  aimc_update_params managed = default_update();
  uint64_t bl = 0;
  std::vector<double> m = mean_update(managed, &bl);
  EXPECT_EQ(bl, 1u);  // k = lr * 10 * 0.01 / 0.001 = 1
  // Cell (0,0) fires with p = q = 1: exactly one pulse every time.
  EXPECT_NEAR(m[0], -lr * d[0] * x[0], 1e-9);
  for (int i = 0; i < 2; ++i)
    for (int j = 0; j < 2; ++j) EXPECT_NEAR(m[i * 2 + j], -lr * d[i] * x[j], 4 * 0.001 * 0.5 / std::sqrt(20000.0) + 1e-9);
  aimc_update_params plain = default_update();
  plain.update_management = 0;
  plain.update_bl_management = 0;
  std::vector<double> biased = mean_update(plain, &bl);
  EXPECT_EQ(bl, 31u);
  EXPECT_LT(std::fabs(biased[0]), 0.5 * std::fabs(lr * d[0] * x[0]));  // clipped probabilities lose most of it
}

TEST(Update, BlManagementCapsTheTrainLength) {
  aimc_device_params p = quiet_device(AIMC_DEVICE_CONSTANT_STEP);
  Array arr(4, 4, p);
  aimc_update_params u = default_update();
  std::vector<float> x(4, 1.0f), d(4, 1.0f);
  aimc_update_stats stats = {};
  // k = 1.0 * 1 * 1 / 0.001 = 1000 > desired_bl: BL is capped at 31.
  ASSERT_EQ(aimc_array_update(&arr.a, x.data(), d.data(), 1, 1.0f, &u, &stats, nullptr), AIMC_OK);
  EXPECT_EQ(stats.slots, 31u);
  EXPECT_EQ(stats.max_pulses_cell, 31u);  // every probability is 1: all slots coincide
  // k = 0.0025 -> BL = 1.
  stats = {};
  ASSERT_EQ(aimc_array_update(&arr.a, x.data(), d.data(), 1, 2.5e-6f, &u, &stats, nullptr), AIMC_OK);
  EXPECT_EQ(stats.slots, 1u);
  // A zero input applies nothing and is counted as skipped.
  std::vector<float> zero(4, 0.0f);
  stats = {};
  ASSERT_EQ(aimc_array_update(&arr.a, zero.data(), d.data(), 1, 0.1f, &u, &stats, nullptr), AIMC_OK);
  EXPECT_EQ(stats.skipped, 1u);
  EXPECT_EQ(stats.slots, 0u);
}

TEST(Update, MeanCountAppliesRoundedCoincidences) {
  aimc_device_params p = quiet_device(AIMC_DEVICE_CONSTANT_STEP);
  p.dw_min = 0.01;
  Array arr(1, 1, p);
  aimc_update_params u = default_update();
  u.pulse_type = AIMC_PULSE_MEAN_COUNT;
  u.update_management = 0;
  u.update_bl_management = 0;
  u.desired_bl = 10;
  // A = B = sqrt(lr / (g BL)) = sqrt(0.1 / 0.1) = 1: p = 0.5, q = 0.3; n_d = 5, n_x = 3,
  // coincidences = round(15 / 10) = 2, sign -sign(d x) = -1.
  float x = 0.3f, d = 0.5f;
  aimc_update_stats stats = {};
  ASSERT_EQ(aimc_array_update(&arr.a, &x, &d, 1, 0.1f, &u, &stats, nullptr), AIMC_OK);
  EXPECT_NEAR(arr.a.w[0], -0.02f, 1e-7);
  EXPECT_EQ(stats.pulses_down, 2u);
  EXPECT_EQ(stats.row_pulses, 5u);
  EXPECT_EQ(stats.col_pulses, 3u);
  EXPECT_EQ(stats.half_selected, 5u + 3u - 2u * 2u);
}

TEST(Update, FloatingPointModes) {
  aimc_device_params p = quiet_device(AIMC_DEVICE_SOFT_BOUNDS);
  p.w_max = 0.5;
  p.w_min = -0.5;
  std::vector<float> x = {1.0f, -2.0f, 0.5f}, d = {0.3f, -0.1f};
  const float lr = 0.4f;
  aimc_update_params u = default_update();
  {
    u.pulse_type = AIMC_PULSE_NONE;
    Array arr(2, 3, p);
    ASSERT_EQ(aimc_array_update(&arr.a, x.data(), d.data(), 1, lr, &u, nullptr, nullptr), AIMC_OK);
    for (int i = 0; i < 2; ++i)
      for (int j = 0; j < 3; ++j) EXPECT_EQ(arr.a.w[i * 3 + j], (-lr * d[i]) * x[j]);  // not clipped: 0.24 etc.
  }
  {
    u.pulse_type = AIMC_PULSE_NONE_WITH_DEVICE;
    Array arr(2, 3, p);
    std::vector<float> big = {4.0f, -4.0f, 1.0f};
    ASSERT_EQ(aimc_array_update(&arr.a, big.data(), d.data(), 1, lr, &u, nullptr, nullptr), AIMC_OK);
    EXPECT_EQ(arr.a.w[0], (-lr * d[0]) * big[0]);
    EXPECT_EQ(arr.a.w[1], (-lr * d[0]) * big[1]);
    ASSERT_EQ(aimc_array_update(&arr.a, big.data(), d.data(), 1, lr, &u, nullptr, nullptr), AIMC_OK);
    EXPECT_EQ(arr.a.w[0], -0.5f);  // clipped at the bound
    EXPECT_EQ(arr.a.w[1], 0.5f);
  }
  {
    u.pulse_type = AIMC_PULSE_EXPECTED;  // ALD on [-0.5, 0.5]: w + dW - |dW| w / tau
    Array arr(2, 3, p);
    std::vector<float> start = {0.2f, -0.2f, 0.1f, 0.0f, 0.3f, -0.4f};
    aimc_array_set_weights(&arr.a, start.data());
    ASSERT_EQ(aimc_array_update(&arr.a, x.data(), d.data(), 1, lr, &u, nullptr, nullptr), AIMC_OK);
    for (int i = 0; i < 2; ++i)
      for (int j = 0; j < 3; ++j) {
        double w = start[i * 3 + j], dW = -(double)lr * d[i] * x[j];
        double expected = std::min(0.5, std::max(-0.5, w + dW - std::fabs(dW) * w / 0.5));
        EXPECT_NEAR(arr.a.w[i * 3 + j], expected, 1e-6);
      }
  }
}

TEST(Update, ExpectedModelMatchesMeanOfPulseLevelOnAld) {
  const double tau = 0.8, dw_min = 1e-3;
  aimc_device_params p;
  aimc_device_params_ald(&p, tau, dw_min);
  const int n = 64;
  std::vector<float> start(n * n);
  std::mt19937 rng(13);
  for (float &v : start) v = std::uniform_real_distribution<float>(-0.6f, 0.6f)(rng);
  std::vector<float> x = uniform_vector(rng, n, -1, 1), d = uniform_vector(rng, n, -1, 1);
  aimc_update_params u = default_update();
  u.desired_bl = 200;
  const float lr = 0.05f;  // k = 50: BL 50, about 25 pulses on the largest cells
  Array expected_arr(n, n, p);
  aimc_array_set_weights(&expected_arr.a, start.data());
  u.pulse_type = AIMC_PULSE_EXPECTED;
  ASSERT_EQ(aimc_array_update(&expected_arr.a, x.data(), d.data(), 1, lr, &u, nullptr, nullptr), AIMC_OK);
  u.pulse_type = AIMC_PULSE_STOCHASTIC_COMPRESSED;
  const int trials = 400;
  std::vector<double> sum(n * n, 0.0), sum_sq(n * n, 0.0);
  Array arr(n, n, p);
  for (int t = 0; t < trials; ++t) {
    aimc_array_set_weights(&arr.a, start.data());
    ASSERT_EQ(aimc_array_update(&arr.a, x.data(), d.data(), 1, lr, &u, nullptr, nullptr), AIMC_OK);
    for (int c = 0; c < n * n; ++c) {
      double delta = arr.a.w[c] - start[c];
      sum[c] += delta;
      sum_sq[c] += delta * delta;
    }
  }
  // Per cell: pulse-level mean within 4 SE plus the eq. 20 bias bound of the expected model.
  int outside = 0;
  for (int c = 0; c < n * n; ++c) {
    double mean = sum[c] / trials, var = sum_sq[c] / trials - mean * mean;
    double model = expected_arr.a.w[c] - start[c];
    double bias = dw_min / tau + model * model / (2 * tau);
    if (std::fabs(mean - model) > 4 * std::sqrt(var / trials) + bias) ++outside;
  }
  EXPECT_LE(outside, 2) << "cells outside 4 SE (expect ~0.3 of 4096 by chance)";
}

namespace {

void compare_fast_and_reference(const aimc_device_params &p, const aimc_update_params &u, float lr, int rows, int cols,
                                int batch, const char *what) {
  std::mt19937 rng(17);
  std::vector<float> start = uniform_vector(rng, rows * cols, -0.3f, 0.3f);
  std::vector<float> x = uniform_vector(rng, batch * cols, -1, 1), d = uniform_vector(rng, batch * rows, -0.5f, 0.5f);
  for (int k = 0; k < batch * cols; k += 7) x[k] = 0.0f;  // idle lines
  Array fast(rows, cols, p, 5), reference(rows, cols, p, 5);
  aimc_array_set_weights(&fast.a, start.data());
  aimc_array_set_weights(&reference.a, start.data());
  aimc_update_stats fs = {}, rs = {};
  ASSERT_EQ(aimc_array_update(&fast.a, x.data(), d.data(), batch, lr, &u, &fs, nullptr), AIMC_OK) << aimc_error_message();
  ASSERT_EQ(aimc_array_update_reference(&reference.a, x.data(), d.data(), batch, lr, &u, &rs), AIMC_OK);
  EXPECT_EQ(0, memcmp(fast.a.w, reference.a.w, sizeof(float) * rows * cols)) << what;
  EXPECT_TRUE(same_stats(fs, rs)) << what << ": pulses " << fs.pulses_up + fs.pulses_down << " vs "
                                  << rs.pulses_up + rs.pulses_down << ", half " << fs.half_selected << " vs "
                                  << rs.half_selected;
  if (u.pulse_type < AIMC_PULSE_NONE) EXPECT_GT(fs.pulses_up + fs.pulses_down, 0u) << what;  // pulses were compared
  else EXPECT_EQ(fs.samples, (uint64_t)batch) << what;                                        // floating-point modes
}

}  // namespace

TEST(Update, FastKernelEqualsReferenceBitForBit) {
  for (int m = 0; m < AIMC_DEVICE_MODEL_COUNT; ++m) {
    aimc_device_params p;
    aimc_device_params_default(&p, (aimc_device_model)m);
    p.construction_seed = 3;
    for (int t = 0; t < AIMC_PULSE_TYPE_COUNT; ++t) {
      aimc_update_params u = default_update();
      u.pulse_type = (aimc_pulse_type)t;
      std::string what = std::string(aimc_device_model_name((aimc_device_model)m)) + "/" +
                         aimc_pulse_type_name((aimc_pulse_type)t);
      compare_fast_and_reference(p, u, 0.02f, 13, 21, 4, what.c_str());
    }
  }
}

TEST(Update, FastKernelEqualsReferenceWithLongTrainsDisturbAndWriteNoise) {
  aimc_device_params p;
  aimc_device_params_default(&p, AIMC_DEVICE_SOFT_BOUNDS);
  aimc_update_params u = default_update();
  u.desired_bl = 150;  // three 64-bit words per train
  compare_fast_and_reference(p, u, 0.1f, 17, 9, 3, "long trains");
  p.half_select_disturb = 0.05;
  compare_fast_and_reference(p, u, 0.1f, 17, 9, 3, "disturb");
  p.write_noise_std = 2.0;
  compare_fast_and_reference(p, u, 0.1f, 17, 9, 3, "write noise");
  aimc_update_params coarse = default_update();
  coarse.res = 8;
  coarse.sto_round = 1;
  compare_fast_and_reference(p, coarse, 0.05f, 8, 8, 3, "probability rounding");
  aimc_update_params unfixed = default_update();
  unfixed.fixed_bl = 0;
  unfixed.desired_bl = 5;
  compare_fast_and_reference(p, unfixed, 0.05f, 8, 8, 2, "fixed_bl off");
}

TEST(Update, HalfSelectDisturbMovesHalfSelectedCells) {
  aimc_device_params p = quiet_device(AIMC_DEVICE_CONSTANT_STEP);
  p.dw_min = 0.01;
  p.half_select_disturb = 0.1;
  Array arr(1, 2, p);
  aimc_update_params u = default_update();
  u.update_bl_management = 0;
  u.update_management = 0;
  u.desired_bl = 4;
  // lr = 0.04 = g BL: A = B = 1, so p = |d| = 1 (row fires every slot), q = (1, 0).
  std::vector<float> x = {1.0f, 0.0f}, d = {-1.0f};
  aimc_update_stats stats = {};
  ASSERT_EQ(aimc_array_update(&arr.a, x.data(), d.data(), 1, 0.04f, &u, &stats, nullptr), AIMC_OK);
  EXPECT_NEAR(arr.a.w[0], 0.04f, 1e-6);         // 4 coincidences up
  EXPECT_NEAR(arr.a.w[1], 4 * 0.1 * 0.01, 1e-6); // 4 half-selects with the row's sign (+)
  EXPECT_EQ(stats.half_selected, 4u);
}

TEST(Update, ResultsDoNotDependOnThreadCount) {
  aimc_device_params p;
  aimc_device_params_default(&p, AIMC_DEVICE_SOFT_BOUNDS);
  std::mt19937 rng(23);
  const int rows = 300, cols = 260, batch = 4;  // above AIMC_PARALLEL_MIN_CELLS
  std::vector<float> x = uniform_vector(rng, batch * cols, -1, 1), d = uniform_vector(rng, batch * rows, -0.2f, 0.2f);
  aimc_update_params u = default_update();
  std::vector<float> results[2];
  aimc_update_stats stats[2] = {};
  int saved = omp_get_max_threads();
  for (int threads = 1; threads <= 2; ++threads) {
    omp_set_num_threads(threads);
    Array arr(rows, cols, p, 8);
    ASSERT_EQ(aimc_array_update(&arr.a, x.data(), d.data(), batch, 0.01f, &u, &stats[threads - 1], nullptr), AIMC_OK);
    results[threads - 1] = arr.weights();
  }
  omp_set_num_threads(saved);
  EXPECT_EQ(results[0], results[1]);
  EXPECT_TRUE(same_stats(stats[0], stats[1]));
}

TEST(Update, InvalidInputsAreRejected) {
  aimc_device_params p = quiet_device(AIMC_DEVICE_CONSTANT_STEP);
  Array arr(2, 2, p);
  std::vector<float> x = {1, 2}, d = {1, NAN};
  aimc_update_params u = default_update();
  EXPECT_EQ(aimc_array_update(&arr.a, x.data(), d.data(), 1, 0.1f, &u, nullptr, nullptr), AIMC_ENUMERIC);
  EXPECT_NE(std::string(aimc_error_message()).find("d[0][1]"), std::string::npos);
  d[1] = 0.5f;
  u.desired_bl = 0;
  EXPECT_EQ(aimc_array_update(&arr.a, x.data(), d.data(), 1, 0.1f, &u, nullptr, nullptr), AIMC_EINVAL);
  EXPECT_NE(std::string(aimc_error_message()).find("desired_bl"), std::string::npos);
  u = default_update();
  u.um_grad_scale = -1;
  EXPECT_EQ(aimc_array_update(&arr.a, x.data(), d.data(), 1, 0.1f, &u, nullptr, nullptr), AIMC_EINVAL);
  u = default_update();
  EXPECT_EQ(aimc_array_update(&arr.a, x.data(), d.data(), 1, INFINITY, &u, nullptr, nullptr), AIMC_ENUMERIC);
}

namespace {

struct CapturedTrains {
  int bl = 0, words = 0, rows = 0, cols = 0;
  std::vector<uint64_t> row_bits, col_bits;
  uint64_t event = 0;
};

void capture(void *context, uint64_t sample, int bl, int words, int rows, const uint64_t *row_bits, const int8_t *,
             int cols, const uint64_t *col_bits, const int8_t *, int) {
  auto *c = static_cast<CapturedTrains *>(context);
  c->event = sample;
  c->bl = bl;
  c->words = words;
  c->rows = rows;
  c->cols = cols;
  c->row_bits.assign(row_bits, row_bits + (size_t)rows * words);
  c->col_bits.assign(col_bits, col_bits + (size_t)cols * words);
}

}  // namespace

TEST(Update, TrainsAreTheDocumentedBernoulliDraws) {
  // The trains are shared by the fast kernel and its reference, so they are checked
  // here against their definition: slot k of line l fires iff the 24-bit uniform
  // of word k % 4 of Philox(event, block k / 4, purpose, l, 0) is below the line's
  // probability (p_i = A |d_i| for rows, q_j = B |x_j| for columns). 40 rows leave
  // a partial group of 16 lines, rows 16-31 (d = 0) a whole idle group that the
  // vector code skips; BL 100 and 130 need two and three 64-bit words per train.
  for (int desired_bl : {4, 31, 100, 130}) {
    aimc_device_params p = quiet_device(AIMC_DEVICE_CONSTANT_STEP);
    const int rows = 40, cols = 70;
    Array arr(rows, cols, p, 77);
    std::mt19937 rng(3);
    std::vector<float> x = uniform_vector(rng, cols, -1, 1), d = uniform_vector(rng, rows, -1, 1);
    std::fill(d.begin() + 16, d.begin() + 32, 0.0f);
    aimc_update_params u = default_update();
    u.desired_bl = desired_bl;
    const float lr = 1.0f;  // k = 1000 > desired_bl: BL = desired_bl
    CapturedTrains c;
    aimc_train_sink sink = {&c, capture};
    aimc_update_stats stats = {};
    ASSERT_EQ(aimc_array_update(&arr.a, x.data(), d.data(), 1, lr, &u, &stats, &sink), AIMC_OK);
    ASSERT_EQ(c.bl, desired_bl);
    float x_max = 0, d_max = 0;
    for (float v : x) x_max = std::max(x_max, std::fabs(v));
    for (float v : d) d_max = std::max(d_max, std::fabs(v));
    aimc_bl_scales s = aimc_update_bl_scales(&u, lr, arr.a.device.granularity, x_max, d_max, (float)p.dw_min);
    auto expected_bit = [&](uint32_t purpose, int line, float prob, int slot) {
      uint32_t w[4];
      aimc_rng_words(arr.a.key, c.event, (uint32_t)slot / 4, purpose, (uint32_t)line, 0, w);
      return aimc_rng_uniform(w[slot % 4]) < prob;
    };
    uint64_t row_fired = 0, col_fired = 0;
    for (int i = 0; i < rows; ++i)
      for (int k = 0; k < 64 * c.words; ++k) {
        bool bit = (c.row_bits[(size_t)i * c.words + k / 64] >> (k % 64)) & 1u;
        bool expected = k < c.bl && expected_bit(AIMC_RNG_ROW_TRAIN, i, s.a * std::fabs(d[i]), k);
        ASSERT_EQ(bit, expected) << "row " << i << " slot " << k;
        row_fired += bit;
      }
    for (int j = 0; j < cols; ++j)
      for (int k = 0; k < 64 * c.words; ++k) {
        bool bit = (c.col_bits[(size_t)j * c.words + k / 64] >> (k % 64)) & 1u;
        bool expected = k < c.bl && expected_bit(AIMC_RNG_COL_TRAIN, j, s.b * std::fabs(x[j]), k);
        ASSERT_EQ(bit, expected) << "col " << j << " slot " << k;
        col_fired += bit;
      }
    EXPECT_GT(row_fired, 0u);
    EXPECT_EQ(stats.row_pulses, row_fired);
    EXPECT_EQ(stats.col_pulses, col_fired);
  }
}
