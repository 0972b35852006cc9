// Periphery of the MVM: exact DAC/ADC levels for chosen inputs, clipping at the
// bounds, noise management and bound management, noise amplitudes, and the BLAS
// path against the naive reference.
#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <string>
#include <vector>

#include "test_util.h"

namespace {

// A 2x2 array holding exactly the given weights (ConstantStep, no variation, wide bounds).
struct Fixed : Array {
  Fixed(int rows, int cols, const std::vector<float> &w)
      : Array(rows, cols, [] {
          aimc_device_params p = quiet_device(AIMC_DEVICE_CONSTANT_STEP);
          p.w_max = 100;
          p.w_min = -100;
          return p;
        }()) {
    aimc_array_set_weights(&a, w.data());
  }
};

aimc_io_params quiet_io() {
  aimc_io_params io;
  aimc_io_params_default(&io);
  io.out_noise = 0;
  io.noise_management = AIMC_NM_NONE;
  io.bound_management = AIMC_BM_NONE;
  return io;
}

}  // namespace

TEST(Io, ExactDacAndAdcLevels) {
  Fixed arr(2, 2, {1.0f, 0.0f, 0.5f, 2.0f});
  aimc_io_params io = quiet_io();  // 7-bit DAC on [-1, 1]: step 2/126; 9-bit ADC on [-12, 12]: step 24/510
  std::vector<float> x = {0.3f, -0.62f}, y(2);
  ASSERT_EQ(aimc_array_forward(&arr.a, &io, x.data(), y.data(), 1, nullptr), AIMC_OK);
  const float dac = 2.0f / 126.0f, adc = 24.0f / 510.0f;
  // DAC levels: round(0.3 / dac) = 19, round(-0.62 / dac) = -39.
  float u0 = 19 * dac, u1 = -39 * dac;
  float v0 = 1.0f * u0 + 0.0f * u1, v1 = 0.5f * u0 + 2.0f * u1;
  EXPECT_FLOAT_EQ(y[0], std::round(v0 / adc) * adc);  // code 6
  EXPECT_FLOAT_EQ(y[1], std::round(v1 / adc) * adc);  // code -23
  EXPECT_EQ(std::lround(y[0] / adc), 6);
  EXPECT_EQ(std::lround(y[1] / adc), -23);
  // Transposed: y = W^T d.
  std::vector<float> back(2);
  ASSERT_EQ(aimc_array_backward(&arr.a, &io, x.data(), back.data(), 1, nullptr), AIMC_OK);
  EXPECT_FLOAT_EQ(back[0], std::round((1.0f * u0 + 0.5f * u1) / adc) * adc);
  EXPECT_FLOAT_EQ(back[1], std::round((0.0f * u0 + 2.0f * u1) / adc) * adc);
}

TEST(Io, ClippingAtInputAndOutputBounds) {
  Fixed arr(1, 2, {10.0f, 10.0f});
  aimc_io_params io = quiet_io();
  io.inp_res = 0;
  io.out_res = 0;
  std::vector<float> x = {3.0f, -0.25f}, y(1);
  aimc_io_stats stats = {};
  ASSERT_EQ(aimc_array_forward(&arr.a, &io, x.data(), y.data(), 1, &stats), AIMC_OK);
  EXPECT_FLOAT_EQ(y[0], 10.0f * 1.0f - 2.5f);  // x0 clipped to inp_bound 1
  x = {1.0f, 0.6f};
  ASSERT_EQ(aimc_array_forward(&arr.a, &io, x.data(), y.data(), 1, &stats), AIMC_OK);
  EXPECT_FLOAT_EQ(y[0], 12.0f);  // 16 clipped to out_bound
  EXPECT_EQ(stats.adc_clipped, 1u);
  EXPECT_EQ(stats.passes, 2u);
  EXPECT_EQ(stats.adc_conversions, 2u);
  EXPECT_EQ(stats.dac_conversions, 4u);
}

TEST(Io, NoiseManagementScalesInputAndOutput) {
  Fixed arr(1, 2, {1.0f, 1.0f});
  aimc_io_params io = quiet_io();
  io.inp_res = 0;
  io.out_res = 0;
  io.noise_management = AIMC_NM_ABS_MAX;
  std::vector<float> x = {40.0f, -10.0f}, y(1);
  ASSERT_EQ(aimc_array_forward(&arr.a, &io, x.data(), y.data(), 1, nullptr), AIMC_OK);
  EXPECT_FLOAT_EQ(y[0], 30.0f);  // alpha = 40: u = (1, -0.25), v = 0.75, y = 0.75 * 40
}

TEST(Io, IterativeBoundManagementRecoversLargeOutputs) {
  Fixed arr(1, 4, {10.0f, 10.0f, 10.0f, 10.0f});
  aimc_io_params io = quiet_io();
  io.inp_res = 0;
  io.out_res = 0;
  io.noise_management = AIMC_NM_ABS_MAX;
  io.bound_management = AIMC_BM_ITERATIVE;
  std::vector<float> x = {1.0f, 1.0f, 1.0f, 0.5f}, y(1);
  aimc_io_stats stats = {};
  ASSERT_EQ(aimc_array_forward(&arr.a, &io, x.data(), y.data(), 1, &stats), AIMC_OK);
  // v = 35 at factor 1, 17.5 at 2, 8.75 at 4: three passes, exact result.
  EXPECT_FLOAT_EQ(y[0], 35.0f);
  EXPECT_EQ(stats.passes, 3u);
  EXPECT_EQ(stats.adc_clipped, 0u);
  // Backward passes do not use bound management (as in AIHWKIT).
  std::vector<float> d = {1.0f}, back(4);
  Fixed col(4, 1, {10.0f, 10.0f, 10.0f, 10.0f});
  stats = {};
  ASSERT_EQ(aimc_array_backward(&arr.a, &io, d.data(), back.data(), 1, &stats), AIMC_OK);
  EXPECT_EQ(stats.passes, 1u);
  EXPECT_FLOAT_EQ(back[0], 10.0f);
}

TEST(Io, OutputAndWeightNoiseAmplitudes) {
  Fixed arr(256, 4, std::vector<float>(1024, 0.0f));
  aimc_io_params io = quiet_io();
  io.inp_res = 0;
  io.out_res = 0;
  io.out_noise = 0.06;
  const int batch = 200;
  std::vector<float> x(4 * batch, 0.5f), y(256 * batch);
  ASSERT_EQ(aimc_array_forward(&arr.a, &io, x.data(), y.data(), batch, nullptr), AIMC_OK);
  double sum_sq = 0;
  for (float v : y) sum_sq += (double)v * v;
  double n = y.size(), sd = std::sqrt(sum_sq / n);
  EXPECT_NEAR(sd, 0.06, 4 * 0.06 / std::sqrt(2 * n));
  // Additive weight noise: std w_noise * ||u||_2 = 0.1 * 1.0.
  io.out_noise = 0;
  io.w_noise = 0.1;
  io.w_noise_type = AIMC_WNOISE_ADDITIVE_CONSTANT;
  ASSERT_EQ(aimc_array_forward(&arr.a, &io, x.data(), y.data(), batch, nullptr), AIMC_OK);
  sum_sq = 0;
  for (float v : y) sum_sq += (double)v * v;
  EXPECT_NEAR(std::sqrt(sum_sq / n), 0.1, 4 * 0.1 / std::sqrt(2 * n));
}

TEST(Io, PerfectPeripheryIsExactMvm) {
  Fixed arr(2, 3, {1, 2, 3, -1, 0.5f, 4});
  aimc_io_params io;
  aimc_io_params_perfect(&io);
  io.out_scale = 2.0;
  std::vector<float> x = {0.5f, -1.5f, 7.0f}, y(2);
  ASSERT_EQ(aimc_array_forward(&arr.a, &io, x.data(), y.data(), 1, nullptr), AIMC_OK);
  EXPECT_FLOAT_EQ(y[0], 2.0f * (0.5f - 3.0f + 21.0f));
  EXPECT_FLOAT_EQ(y[1], 2.0f * (-0.5f - 0.75f + 28.0f));
}

TEST(Io, BlasPathMatchesNaiveReference) {
  aimc_device_params p;
  aimc_device_params_default(&p, AIMC_DEVICE_SOFT_BOUNDS);
  const int rows = 70, cols = 130, batch = 8;
  std::mt19937 rng(31);
  std::uniform_real_distribution<float> dist(-0.5f, 0.5f);
  std::vector<float> w(rows * cols), x(batch * cols), d(batch * rows);
  for (float &v : w) v = dist(rng);
  for (float &v : x) v = 2 * dist(rng);
  for (float &v : d) v = 2 * dist(rng);
  aimc_io_params io;
  aimc_io_params_default(&io);
  io.w_noise = 0.02;
  io.w_noise_type = AIMC_WNOISE_PCM_READ;
  io.inp_noise = 0.01;
  Array fast(rows, cols, p), reference(rows, cols, p);
  aimc_array_set_weights(&fast.a, w.data());
  aimc_array_set_weights(&reference.a, w.data());
  std::vector<float> yf(batch * rows), yr(batch * rows), bf(batch * cols), br(batch * cols);
  aimc_io_stats sf = {}, sr = {};
  ASSERT_EQ(aimc_array_forward(&fast.a, &io, x.data(), yf.data(), batch, &sf), AIMC_OK);
  ASSERT_EQ(aimc_array_forward_reference(&reference.a, &io, x.data(), yr.data(), batch, &sr), AIMC_OK);
  ASSERT_EQ(aimc_array_backward(&fast.a, &io, d.data(), bf.data(), batch, &sf), AIMC_OK);
  ASSERT_EQ(aimc_array_backward_reference(&reference.a, &io, d.data(), br.data(), batch, &sr), AIMC_OK);
  // Dot products round differently; an output may land one ADC step away at most
  // (times the noise-management scale, at most max|x| = 1 here).
  const float step = 24.0f / 510.0f;
  int moved = 0;
  for (size_t k = 0; k < yf.size(); ++k) {
    ASSERT_LE(std::fabs(yf[k] - yr[k]), step * 1.0001f) << k;
    moved += yf[k] != yr[k];
  }
  for (size_t k = 0; k < bf.size(); ++k) ASSERT_LE(std::fabs(bf[k] - br[k]), step * 1.0001f) << k;
  EXPECT_LT(moved, (int)yf.size() / 20);
  EXPECT_EQ(sf.passes, sr.passes);
}

TEST(Io, InvalidParametersAndInputs) {
  Fixed arr(1, 1, {1.0f});
  aimc_io_params io;
  aimc_io_params_default(&io);
  float x = NAN, y = 0;
  EXPECT_EQ(aimc_array_forward(&arr.a, &io, &x, &y, 1, nullptr), AIMC_ENUMERIC);
  x = 1;
  io.out_bound = 0;
  EXPECT_EQ(aimc_array_forward(&arr.a, &io, &x, &y, 1, nullptr), AIMC_EINVAL);
  EXPECT_NE(std::string(aimc_error_message()).find("out_bound"), std::string::npos);
  aimc_io_params_default(&io);
  io.inp_noise = -1;
  EXPECT_EQ(aimc_io_params_validate(&io), AIMC_EINVAL);
  aimc_io_params_default(&io);
  io.noise_management = AIMC_NM_CONSTANT;
  EXPECT_EQ(aimc_io_params_validate(&io), AIMC_EINVAL);
}

TEST(Io, QuantizeRoundsToNearestOrStochastically) {
  EXPECT_FLOAT_EQ(aimc_io_quantize(0.26f, 0.1f, -1.0f), 0.3f);
  EXPECT_FLOAT_EQ(aimc_io_quantize(-0.26f, 0.1f, -1.0f), -0.3f);
  EXPECT_FLOAT_EQ(aimc_io_quantize(0.26f, 0.0f, -1.0f), 0.26f);
  EXPECT_FLOAT_EQ(aimc_io_quantize(0.26f, 0.1f, 0.0f), 0.2f);   // floor(2.6 + 0)
  EXPECT_FLOAT_EQ(aimc_io_quantize(0.26f, 0.1f, 0.5f), 0.3f);   // floor(2.6 + 0.5)
}

// The output deviates of an MVM are the keyed normals of their definition:
// output k of vector `event`, pass 0, is element k % 4 of
// aimc_rng_normal4(key, event, 0, AIMC_RNG_IO, k / 4, kind 1). The fast and the
// reference MVM share the generator, so only a test like this one can catch an
// error in its vectorised forms: one vector at a time, and a batch drawn at once
// (lanes across the vectors). 150 and 77 outputs leave partial last groups.
TEST(Io, OutputNoiseIsTheKeyedNormalOfEachOutput) {
  const int rows = 150, cols = 77;
  Fixed arr(rows, cols, std::vector<float>((size_t)rows * cols, 0.0f));
  aimc_io_params io = quiet_io();
  io.out_res = 0;  // no ADC quantisation: y = 0 + out_noise * z exactly
  io.out_noise = 1.0;
  const int max_batch = 9;
  std::vector<float> x((size_t)max_batch * cols, 0.25f), d((size_t)max_batch * rows, -0.5f);
  std::vector<float> y((size_t)max_batch * rows), back((size_t)max_batch * cols);
  // (transposed, batch): events 0, 1, 2, then 3..11 in one call, then 12..18.
  const std::pair<bool, int> calls[] = {{false, 1}, {false, 1}, {true, 1}, {false, 9}, {true, 7}};
  uint64_t event = 0;
  for (auto [transposed, batch] : calls) {
    float *out = transposed ? back.data() : y.data();
    int n = transposed ? cols : rows;
    ASSERT_EQ(transposed ? aimc_array_backward(&arr.a, &io, d.data(), out, batch, nullptr)
                         : aimc_array_forward(&arr.a, &io, x.data(), out, batch, nullptr),
              AIMC_OK);
    for (int t = 0; t < batch; ++t, ++event) {
      for (int k = 0; k < n; ++k) {
        float z[4];
        aimc_rng_normal4(arr.a.key, event, 0, AIMC_RNG_IO, (uint32_t)(k / 4), 1, z);
        ASSERT_EQ(out[(size_t)t * n + k], z[k % 4]) << "event " << event << " output " << k;
      }
    }
  }
  EXPECT_EQ(arr.a.io_event, 19u);
}
