// Device response models: zero-noise closed forms (the model's formula iterated by
// hand in double precision), the ALD against the paper's discrete-time model
// (eq. 20), response factors and symmetric points, device-to-device draws,
// rejection of invalid parameters and the spread of the cycle-to-cycle noise.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <functional>
#include <string>
#include <vector>

#include "test_util.h"

namespace {

struct Built {
  aimc_device device;
  aimc_cell cell;
};

Built build(const aimc_device_params &p) {
  Built b;
  EXPECT_EQ(aimc_device_init(&b.device, &p), AIMC_OK) << aimc_error_message();
  aimc_device_mean_cell(&b.device, &b.cell);
  return b;
}

// Applies n noise-free pulses through the library and through `step` (the
// model's step formula, in double), clipping to [lo, hi] after each pulse.
void expect_iterates(const Built &b, double w0, int sign, int n, double lo, double hi,
                     const std::function<double(double)> &step, const char *what) {
  double w = w0;
  float wf = (float)w0;
  for (int k = 1; k <= n; ++k) {
    w = std::min(hi, std::max(lo, w + sign * step(w)));
    wf = aimc_device_pulses(&b.device, &b.cell, wf, sign, 1);
    ASSERT_NEAR(wf, w, 2e-6 * (1.0 + std::fabs(w))) << what << " after " << k << " pulses from " << w0;
  }
  // The n-pulse helper equals n single pulses.
  EXPECT_EQ(aimc_device_pulses(&b.device, &b.cell, (float)w0, sign, n), wf) << what;
}

}  // namespace

TEST(Device, ConstantStepIsLinearUntilTheBound) {
  aimc_device_params p = quiet_device(AIMC_DEVICE_CONSTANT_STEP);
  p.dw_min = 0.01;
  p.w_max = 0.5;
  p.w_min = -0.4;
  Built b = build(p);
  for (double w0 : {-0.4, -0.1, 0.0, 0.3}) {
    expect_iterates(b, w0, +1, 120, -0.4, 0.5, [](double) { return 0.01; }, "up");
    expect_iterates(b, w0, -1, 120, -0.4, 0.5, [](double) { return 0.01; }, "down");
  }
  // Closed form: n up pulses from 0 give n dw_min, capped at the bound.
  EXPECT_NEAR(aimc_device_pulses(&b.device, &b.cell, 0.0f, +1, 30), 0.30, 1e-5);
  EXPECT_FLOAT_EQ(aimc_device_pulses(&b.device, &b.cell, 0.0f, +1, 80), 0.5f);
}

TEST(Device, SoftBoundsClosedForm) {
  aimc_device_params p = quiet_device(AIMC_DEVICE_SOFT_BOUNDS);
  p.dw_min = 0.02;
  p.w_max = 0.8;
  p.w_min = -0.6;
  Built b = build(p);
  for (double w0 : {-0.5, 0.0, 0.7}) {
    expect_iterates(b, w0, +1, 200, -0.6, 0.8, [](double w) { return 0.02 * (1 - w / 0.8); }, "up");
    expect_iterates(b, w0, -1, 200, -0.6, 0.8, [](double w) { return 0.02 * (1 - w / -0.6); }, "down");
    // Closed form of the geometric approach to the bound.
    int n = 37;
    double expected = 0.8 - (0.8 - w0) * std::pow(1 - 0.02 / 0.8, n);
    EXPECT_NEAR(aimc_device_pulses(&b.device, &b.cell, (float)w0, +1, n), expected, 1e-5);
  }
}

TEST(Device, LinearStepWithGammaAndUpDown) {
  aimc_device_params p = quiet_device(AIMC_DEVICE_LINEAR_STEP);
  p.dw_min = 0.01;
  p.gamma_up = 0.3;
  p.gamma_down = 0.6;
  p.up_down = 0.2;  // shrinks the down step to (1 - 0.2) dw_min
  p.w_max = 1.0;
  p.w_min = -1.0;
  Built b = build(p);
  EXPECT_FLOAT_EQ(b.cell.dw_up, 0.01f);
  EXPECT_FLOAT_EQ(b.cell.dw_down, 0.008f);
  for (double w0 : {-0.9, 0.0, 0.5}) {
    expect_iterates(b, w0, +1, 150, -1, 1, [](double w) { return 0.01 * (1 - 0.3 * w / 1.0); }, "up");
    expect_iterates(b, w0, -1, 150, -1, 1, [](double w) { return 0.008 * (1 - 0.6 * w / -1.0); }, "down");
  }
}

TEST(Device, SoftBoundsReferenceActsOnShiftedWeight) {
  aimc_device_params p = quiet_device(AIMC_DEVICE_SOFT_BOUNDS_REFERENCE);
  p.dw_min = 0.01;
  p.w_max = 1.0;
  p.w_min = -1.0;
  p.reference_mean = 0.25;  // pulses act on v = w + 0.25, bounds apply to v
  Built b = build(p);
  EXPECT_FLOAT_EQ(b.cell.b_max, 0.75f);
  EXPECT_FLOAT_EQ(b.cell.b_min, -1.25f);
  for (double w0 : {-1.0, 0.0, 0.5}) {
    expect_iterates(b, w0, +1, 100, -1.25, 0.75, [](double w) { return 0.01 * (1 - (w + 0.25) / 1.0); }, "up");
    expect_iterates(b, w0, -1, 100, -1.25, 0.75, [](double w) { return 0.01 * (1 + (w + 0.25) / 1.0); }, "down");
  }
  // subtract_symmetry_point centres the device: q+ = q- at w = 0.
  p.reference_mean = 0.0;
  p.up_down = 0.3;
  p.subtract_symmetry_point = 1;
  Built c = build(p);
  double w_sym = 1;
  ASSERT_EQ(aimc_device_symmetric_point(&c.device, &c.cell, &w_sym), AIMC_OK);
  EXPECT_NEAR(w_sym, 0.0, 1e-6);
}

TEST(Device, ExpStepFormula) {
  aimc_device_params p = quiet_device(AIMC_DEVICE_EXP_STEP);
  p.dw_min = 0.005;
  p.w_max = 1.0;
  p.w_min = -1.0;
  Built b = build(p);
  const double A_up = p.A_up, A_down = p.A_down, g_up = p.gamma_up, g_down = p.gamma_down, a = p.a, bb = p.b;
  auto z = [&](double w) { return 2 * a * w / 2.0 + bb; };
  auto up = [&](double w) { return 0.005 * std::max(1 - A_up * std::exp(g_up * z(w)), 0.0); };
  auto down = [&](double w) { return 0.005 * std::max(1 - A_down * std::exp(-g_down * z(w)), 0.0); };
  for (double w0 : {-0.8, 0.0, 0.6}) {
    expect_iterates(b, w0, +1, 150, -1, 1, up, "up");
    expect_iterates(b, w0, -1, 150, -1, 1, down, "down");
  }
  // Granularity: AIHWKIT's, the down step at w = 0 (test_granularity.cpp checks it bit for bit).
  EXPECT_NEAR(b.device.granularity, down(0), 1e-9);
}

TEST(Device, PowStepFormula) {
  aimc_device_params p = quiet_device(AIMC_DEVICE_POW_STEP);
  p.dw_min = 0.01;
  p.pow_gamma = 1.7;
  p.pow_up_down = 0.1;  // down exponent (1 - 0.1) * 1.7
  p.w_max = 1.0;
  p.w_min = -0.5;
  Built b = build(p);
  const double range = 1.5, g_up = 1.7, g_down = 0.9 * 1.7;
  auto up = [&](double w) { return 0.01 * std::pow((1.0 - w) / range, g_up); };
  auto down = [&](double w) { return 0.01 * std::pow((w + 0.5) / range, g_down); };
  for (double w0 : {-0.5, 0.1, 0.9}) {
    expect_iterates(b, w0, +1, 150, -0.5, 1, up, "up");
    expect_iterates(b, w0, -1, 150, -0.5, 1, down, "down");
  }
  EXPECT_NEAR(b.device.granularity, 0.01 * std::pow(0.5, 1.7), 1e-9);
}

TEST(Device, PiecewiseStepInterpolatesNodes) {
  aimc_device_params p = quiet_device(AIMC_DEVICE_PIECEWISE_STEP);
  p.dw_min = 0.01;
  p.w_max = 1.0;
  p.w_min = -1.0;
  p.piecewise_nodes = 4;
  const double up_nodes[] = {1.5, 1.0, 0.6, 0.2}, down_nodes[] = {0.1, 0.7, 1.0, 1.4};
  for (int k = 0; k < 4; ++k) {
    p.piecewise_up[k] = up_nodes[k];
    p.piecewise_down[k] = down_nodes[k];
  }
  Built b = build(p);
  auto interp = [](const double *v, double w) {
    double s = std::max((w + 1.0) / 2.0 * 3.0, 0.0);
    int k = std::min((int)std::floor(s), 2);
    double t = std::min(s - k, 1.0);
    return (1 - t) * v[k] + t * v[k + 1];
  };
  for (double w0 : {-1.0, -0.2, 0.9}) {
    expect_iterates(b, w0, +1, 150, -1, 1, [&](double w) { return 0.01 * interp(up_nodes, w); }, "up");
    expect_iterates(b, w0, -1, 150, -1, 1, [&](double w) { return 0.01 * interp(down_nodes, w); }, "down");
  }
}

TEST(Device, AldResponseFactorsAndComponents) {
  const double tau = 0.7;
  aimc_device_params p;
  aimc_device_params_ald(&p, tau, 0.001);
  Built b = build(p);
  for (double w : {-0.6, -0.2, 0.0, 0.35, 0.69}) {
    EXPECT_NEAR(aimc_device_q_up(&b.device, &b.cell, w), 1 - w / tau, 1e-6);
    EXPECT_NEAR(aimc_device_q_down(&b.device, &b.cell, w), 1 + w / tau, 1e-6);
    EXPECT_NEAR(aimc_device_F(&b.device, &b.cell, w), 1.0, 1e-6);
    EXPECT_NEAR(aimc_device_G(&b.device, &b.cell, w), w / tau, 1e-6);
  }
  double w_sym = 1;
  ASSERT_EQ(aimc_device_symmetric_point(&b.device, &b.cell, &w_sym), AIMC_OK);
  EXPECT_NEAR(w_sym, 0.0, 1e-9);
}

TEST(Device, AldPulseLevelWithinPaperBoundOfDiscreteTimeModel) {
  // BL pulses of dw_min against the model U(w, dW) = w + dW q_s(w), |dW| = BL dw_min.
  // Exactly: U_p^BL - U = -s (tau - s w) [(1 - a)^BL - 1 + BL a], a = dw_min / tau,
  // which is at most q_s(w) dw_min^2 BL (BL - 1) / (2 tau). Eq. 20 of the paper prints
  // dw_min/tau + dW^2/(2 tau) without the factor q_s(w) <= 2: it holds as printed where
  // q_s(w) <= 1 (pulses toward saturation) and up to that factor elsewhere.
  int checked_as_printed = 0;
  for (double tau : {0.6, 1.0, 3.0}) {
    for (double dw_min : {1e-4, 1e-3}) {
      aimc_device_params p;
      aimc_device_params_ald(&p, tau, dw_min);
      Built b = build(p);
      for (int bl : {1, 5, 40, 300}) {
        for (double w : {-0.9 * tau, -0.3 * tau, 0.0, 0.5 * tau, 0.9 * tau}) {
          for (int s : {+1, -1}) {
            double dW = s * bl * dw_min;
            double q = 1 - s * w / tau;
            double model = w + dW - std::fabs(dW) * w / tau;  // eq. 8
            double pulses = aimc_device_pulses(&b.device, &b.cell, (float)w, s, bl);
            double a = dw_min / tau;
            double exact = -s * (tau - s * w) * (std::pow(1 - a, bl) - 1 + bl * a);
            double rounding = 4e-7 * (1 + std::fabs(w)) * bl;  // float accumulation over BL pulses
            EXPECT_NEAR(pulses - model, exact, rounding) << "tau " << tau << " BL " << bl << " w " << w;
            double printed = dw_min / tau + dW * dW / (2 * tau);
            EXPECT_LE(std::fabs(pulses - model), std::max(q, 1.0) * printed + rounding)
                << "tau " << tau << " dw_min " << dw_min << " BL " << bl << " w " << w << " s " << s;
            if (q <= 1.0) {
              EXPECT_LE(std::fabs(pulses - model), printed + rounding);
              ++checked_as_printed;
            }
          }
        }
      }
    }
  }
  EXPECT_GT(checked_as_printed, 100);
}

TEST(Device, SoftBoundsSymmetricPointWithUpDown) {
  aimc_device_params p = quiet_device(AIMC_DEVICE_SOFT_BOUNDS);
  p.up_down = 0.2;
  p.w_max = 1.0;
  p.w_min = -1.0;
  Built b = build(p);
  // q+ = q-: dw+ (1 - w) = dw- (1 + w) with dw+ = dw_min, dw- = 0.8 dw_min.
  double expected = (1.0 - 0.8) / (1.0 + 0.8);
  double w_sym = 0;
  ASSERT_EQ(aimc_device_symmetric_point(&b.device, &b.cell, &w_sym), AIMC_OK);
  EXPECT_NEAR(w_sym, expected, 1e-6);
  EXPECT_NEAR(aimc_device_G(&b.device, &b.cell, w_sym), 0.0, 1e-6);
}

TEST(Device, PowStepSymmetricPointByBisection) {
  aimc_device_params p = quiet_device(AIMC_DEVICE_POW_STEP);
  p.w_max = 1.0;
  p.w_min = -1.0;
  p.pow_gamma = 2.0;
  Built b = build(p);
  double w_sym = 1;
  ASSERT_EQ(aimc_device_symmetric_point(&b.device, &b.cell, &w_sym), AIMC_OK);
  EXPECT_NEAR(w_sym, 0.0, 1e-6);  // symmetric exponents: the midpoint
}

TEST(Device, DeviceToDeviceDrawsHaveTheirSpreadAndDoNotDependOnShape) {
  aimc_device_params p;
  aimc_device_params_default(&p, AIMC_DEVICE_SOFT_BOUNDS);
  p.construction_seed = 99;
  aimc_device device;
  ASSERT_EQ(aimc_device_init(&device, &p), AIMC_OK);
  const int n = 20000;
  double sum = 0, sum_sq = 0, bmax_sum = 0;
  for (int k = 0; k < n; ++k) {
    aimc_cell c;
    aimc_device_draw_cell(&device, (uint32_t)(k / 100), (uint32_t)(k % 100), &c);
    double gain = 0.5 * (c.dw_up + c.dw_down) / p.dw_min;  // r cancels in the mean of up and down
    sum += gain;
    sum_sq += gain * gain;
    bmax_sum += c.b_max;
  }
  double mean = sum / n, sd = std::sqrt(sum_sq / n - mean * mean);
  EXPECT_NEAR(mean, 1.0, 4 * 0.3 / std::sqrt((double)n));
  EXPECT_NEAR(sd, 0.3, 0.02);
  EXPECT_NEAR(bmax_sum / n, 0.6, 4 * 0.18 / std::sqrt((double)n));
  // Cell (3, 5) is the same in an 8x8 and a 16x40 array.
  Array small(8, 8, p), large(16, 40, p);
  EXPECT_EQ(0, memcmp(&small.a.cells[3 * 8 + 5], &large.a.cells[3 * 40 + 5], sizeof(aimc_cell)));
}

TEST(Device, InvalidParametersAreRejectedWithTheFieldNamed) {
  struct Case {
    std::function<void(aimc_device_params &)> mutate;
    const char *field;
  } cases[] = {
      {[](aimc_device_params &p) { p.dw_min = 0; }, "dw_min"},
      {[](aimc_device_params &p) { p.dw_min = -1e-3; }, "dw_min"},
      {[](aimc_device_params &p) { p.dw_min = NAN; }, "dw_min"},
      {[](aimc_device_params &p) { p.w_min = 0.7; }, "w_min"},
      {[](aimc_device_params &p) { p.w_max = -0.1; p.w_min = -0.2; }, "contain 0"},
      {[](aimc_device_params &p) { p.dw_min_std = -0.1; }, "dw_min_std"},
      {[](aimc_device_params &p) { p.up_down = 1.0; }, "up_down"},
      {[](aimc_device_params &p) { p.lifetime = 0.5; }, "lifetime"},
      {[](aimc_device_params &p) { p.half_select_disturb = 1.5; }, "half_select_disturb"},
      {[](aimc_device_params &p) { p.w_max_dtod = INFINITY; }, "w_max_dtod"},
      {[](aimc_device_params &p) { p.piecewise_nodes = 1; }, "piecewise"},
      {[](aimc_device_params &p) { p.model = (aimc_device_model)42; }, "model"},
  };
  for (const Case &c : cases) {
    aimc_device_params p;
    aimc_device_params_default(&p, AIMC_DEVICE_SOFT_BOUNDS);
    c.mutate(p);
    EXPECT_EQ(aimc_device_params_validate(&p), AIMC_EINVAL) << c.field;
    EXPECT_NE(std::string(aimc_error_message()).find(c.field), std::string::npos) << aimc_error_message();
    aimc_array a;
    EXPECT_EQ(aimc_array_create(&a, 2, 2, &p, 1, 0), AIMC_EINVAL);
  }
  aimc_device_model model;
  EXPECT_EQ(aimc_device_model_parse("soft_bounds", &model), AIMC_OK);
  EXPECT_EQ(model, AIMC_DEVICE_SOFT_BOUNDS);
  EXPECT_EQ(aimc_device_model_parse("softbounds", &model), AIMC_EINVAL);
}

// The vectorised construction draws (sixteen columns in lanes, used by
// aimc_array_create) give every cell exactly the parameters of the one-cell
// reference, for every model, for a row whose length is not a multiple of 16.
TEST(Device, RowDrawsEqualTheOneCellReferenceBitForBit) {
  for (int m = 0; m < AIMC_DEVICE_MODEL_COUNT; ++m) {
    aimc_device_params p;
    aimc_device_params_default(&p, static_cast<aimc_device_model>(m));
    p.construction_seed = 77;
    aimc_device device;
    ASSERT_EQ(aimc_device_init(&device, &p), AIMC_OK) << m;
    const int n = 37;
    std::vector<aimc_cell> row(n);
    aimc_device_draw_cells(&device, 1234, 5, n, row.data());
    for (int k = 0; k < n; ++k) {
      aimc_cell one;
      aimc_device_draw_cell(&device, 1234, static_cast<uint32_t>(5 + k), &one);
      EXPECT_EQ(std::memcmp(&one, &row[k], sizeof one), 0) << "model " << m << ", column " << 5 + k;
    }
  }
}

// Cycle-to-cycle noise: each pulse moves a cell by dw_min (1 + sigma xi) with
// sigma = dw_min_std (reference/aihwkit.md: multiplicative noise of the step, or
// dw_min sigma xi added for LinearStep without mult_noise), so n pulses of a
// ConstantStep cell from 0 add up to n dw_min with variance n (dw_min sigma)^2.
// With x = d = 1 and lr = 10 dw_min, update management makes both probabilities
// exactly 1 over BL = 10 slots: every cell receives 10 down pulses per update.
// The sample variance of 256 cells x 200 updates has a relative standard error of
// sqrt(2 / 51200) = 0.0063; the bound is six times that.
TEST(Device, CycleToCycleNoiseHasTheVarianceOfDwMinTimesDwMinStd) {
  const int rows = 16, cols = 16, trials = 200, pulses = 10;
  const double dw_min = 0.001, sigma = 0.3;
  for (aimc_device_model model : {AIMC_DEVICE_CONSTANT_STEP, AIMC_DEVICE_LINEAR_STEP}) {
    for (int reference = 0; reference < 2; ++reference) {
      aimc_device_params p = quiet_device(model);
      p.dw_min = dw_min;
      p.dw_min_std = sigma;
      p.up_down = 0;
      p.gamma_up = p.gamma_down = 0;  // LinearStep: a constant step, noise added (mult_noise off)
      p.mult_noise = 0;
      p.w_max = 10;
      p.w_min = -10;
      Array arr(rows, cols, p, 5);
      std::vector<float> x(cols, 1.0f), d(rows, 1.0f), zero((size_t)rows * cols, 0.0f);
      aimc_update_params u;
      aimc_update_params_default(&u);
      const float lr = (float)(pulses * dw_min);
      aimc_update_stats stats = {};
      double sum = 0, sum_sq = 0;
      for (int t = 0; t < trials; ++t) {
        ASSERT_EQ(aimc_array_set_weights(&arr.a, zero.data()), AIMC_OK);
        aimc_status s = reference ? aimc_array_update_reference(&arr.a, x.data(), d.data(), 1, lr, &u, &stats)
                                  : aimc_array_update(&arr.a, x.data(), d.data(), 1, lr, &u, &stats, nullptr);
        ASSERT_EQ(s, AIMC_OK) << aimc_error_message();
        for (int c = 0; c < rows * cols; ++c) {
          sum += arr.a.w[c];
          sum_sq += (double)arr.a.w[c] * arr.a.w[c];
        }
      }
      const std::string what = std::string(model == AIMC_DEVICE_CONSTANT_STEP ? "constant_step" : "linear_step") +
                               (reference ? " reference kernel" : " fast kernel");
      // Every slot a coincidence: the step count is exact, only the step size varies.
      ASSERT_EQ(stats.pulses_down, (uint64_t)trials * rows * cols * pulses) << what;
      ASSERT_EQ(stats.pulses_up, 0u) << what;
      const double n = (double)trials * rows * cols;
      const double mean = sum / n, var = (sum_sq - n * mean * mean) / (n - 1);
      const double expected_var = pulses * (dw_min * sigma) * (dw_min * sigma);
      EXPECT_NEAR(mean, -pulses * dw_min, 5 * std::sqrt(expected_var / n)) << what;
      EXPECT_NEAR(var / expected_var, 1.0, 6 * std::sqrt(2.0 / n))
          << what << ": variance of 10 pulse steps " << var << ", expected 10 (dw_min dw_min_std)^2 = " << expected_var;
    }
  }
}
