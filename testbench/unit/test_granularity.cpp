// Weight granularity per device family and the device construction's float
// products, against AIHWKIT's formulas (calcWeightGranularity of each device's
// meta parameter, PulsedRPUDevice::populate) evaluated here in float arithmetic
// from the parameters of the presets as aimcsim's configuration resolves them.
#include <gtest/gtest.h>

#include <cmath>
#include <string>

extern "C" {
#include "aimc/aimc.h"
#include "aimc_sim/config.h"
}

namespace {

aimc_device_params preset_device(const std::string &preset) {
  std::string text = "device: {preset: " + preset + "}\n";
  aimc_config config;
  aimc_cfg_error error;
  EXPECT_EQ(aimc_cfg_load_string(&aimc_config_schema, &config, "test.yaml", text.data(), text.size(), nullptr, 0,
                                 &error),
            AIMC_OK)
      << error.text;
  return config.device;
}

float built_granularity(const aimc_device_params &p) {
  aimc_device device;
  EXPECT_EQ(aimc_device_init(&device, &p), AIMC_OK) << aimc_error_message();
  EXPECT_EQ(device.granularity, aimc_device_granularity(&p));
  return device.granularity;
}

// AIHWKIT's ExpStep granularity (rpu_expstep_device.h:50-60, v0.9.0): the down
// step of the mean device at w = 0, in float; dw_min when that step is 0.
float aihwkit_expstep_granularity(const aimc_device_params &p) {
  float up_down = (float)p.up_down, dw_min = (float)p.dw_min;
  float down_bias = up_down > 0.0f ? -up_down : 0.0f;
  float scale_down = (down_bias + 1.0f) * dw_min;
  float z = 2.0f * 0.0f / ((float)p.w_max - (float)p.w_min) * (float)p.a + (float)p.b;
  float y = 1.0f - (float)p.A_down * std::exp((float)p.gamma_down * -z);
  float g = scale_down * (y > 0.0f ? y : 0.0f);
  return g > 0.0f ? g : dw_min;
}

// The mean of the mean device's up and down steps at w = 0 (aimcsim's former rule).
double mean_step_at_zero(const aimc_device_params &p) {
  aimc_device device;
  EXPECT_EQ(aimc_device_init(&device, &p), AIMC_OK);
  aimc_cell cell;
  aimc_device_mean_cell(&device, &cell);
  return 0.5 * ((double)aimc_device_step(&device, &cell, 0.0f, +1) + (double)aimc_device_step(&device, &cell, 0.0f, -1));
}

}  // namespace

TEST(Granularity, ExpStepReramEsIsAihwkitsDownStepAtZero) {
  aimc_device_params p = preset_device("reram_es");
  ASSERT_EQ(p.model, AIMC_DEVICE_EXP_STEP);
  // (1 - up_down) dw_min (1 - A_down exp(gamma_down 0.5)) with the preset's values.
  float expected = (1.0f - 0.259359f) * 0.00135f * (1.0f - -0.081404f * std::exp(5.0f * 0.5f));
  EXPECT_EQ(aihwkit_expstep_granularity(p), expected);
  EXPECT_EQ(built_granularity(p), expected);
  // The factor against the mean of the two steps: x1.15.
  EXPECT_NEAR(built_granularity(p) / mean_step_at_zero(p), 1.147, 0.001);
}

TEST(Granularity, ExpStepPcmIsAihwkitsDownStepAtZero) {
  aimc_device_params p = preset_device("pcm");
  ASSERT_EQ(p.model, AIMC_DEVICE_EXP_STEP);
  float expected = (0.0f + 1.0f) * 0.01f * (1.0f - -2.235f * std::exp(2.5f * -0.0f));
  EXPECT_EQ(aihwkit_expstep_granularity(p), expected);
  EXPECT_EQ(built_granularity(p), expected);
  EXPECT_NEAR(built_granularity(p) / mean_step_at_zero(p), 0.2056, 0.0005);
}

TEST(Granularity, ExpStepDefaultAndSaturatedDownStepFollowAihwkit) {
  aimc_device_params p;
  aimc_device_params_default(&p, AIMC_DEVICE_EXP_STEP);
  p.up_down = 0.2;  // shrinks the down step only
  EXPECT_EQ(built_granularity(p), aihwkit_expstep_granularity(p));
  EXPECT_EQ(built_granularity(p),
            (-0.2f + 1.0f) * 0.001f * (1.0f - 0.36833f * std::exp(12.78785f * -(2.0f * 0.0f / 1.2f * 0.244f + 0.2425f))));
  // No down response at w = 0: AIHWKIT falls back to dw_min (the device still works upward).
  p.A_down = 100.0;
  EXPECT_EQ(built_granularity(p), 0.001f);
}

TEST(Granularity, AffineFamiliesAndPresetsUseDwMin) {
  for (aimc_device_model m : {AIMC_DEVICE_CONSTANT_STEP, AIMC_DEVICE_LINEAR_STEP, AIMC_DEVICE_SOFT_BOUNDS,
                              AIMC_DEVICE_SOFT_BOUNDS_REFERENCE}) {
    aimc_device_params p;
    aimc_device_params_default(&p, m);
    p.dw_min = 0.0037;
    p.up_down = -0.3;  // no effect on the granularity of these families
    EXPECT_EQ(built_granularity(p), 0.0037f) << aimc_device_model_name(m);
  }
  for (const char *preset : {"reram_sb", "capacitor", "ecram", "ecram_mo", "idealized", "gokmen_vlasov", "ald"}) {
    aimc_device_params p = preset_device(preset);
    EXPECT_EQ(built_granularity(p), (float)p.dw_min) << preset;
  }
}

TEST(Granularity, PowStepIsDwMinTimesHalfToTheGammaInFloat) {
  aimc_device_params p;
  aimc_device_params_default(&p, AIMC_DEVICE_POW_STEP);
  p.pow_gamma = 1.7;  // dw_min 0.001 (default)
  const float expected = 0.001f * std::pow(0.5f, 1.7f);  // rpu_powstep_device.h:39, powf
  ASSERT_NE(expected, (float)(0.001 * std::pow(0.5, 1.7)));  // a double product lands an ulp away
  EXPECT_EQ(built_granularity(p), expected);
}

TEST(Granularity, PiecewiseStepTakesTheUpNodeAtHalfTheNodeCount) {
  aimc_device_params p;
  aimc_device_params_default(&p, AIMC_DEVICE_PIECEWISE_STEP);
  p.dw_min = 0.01;
  // Four nodes: AIHWKIT's middle is piecewise_up_vec[4 / 2] = node 2, not node 1.
  p.piecewise_nodes = 4;
  const double up[] = {1.5, 1.0, 0.6, 0.2};
  for (int k = 0; k < 4; ++k) p.piecewise_up[k] = up[k], p.piecewise_down[k] = 1.0;
  EXPECT_EQ(built_granularity(p), 0.01f * 0.6f);
  // Five nodes: node 2 again.
  p.piecewise_nodes = 5;
  const double up5[] = {1.5, 1.0, 0.7, 0.6, 0.2};
  for (int k = 0; k < 5; ++k) p.piecewise_up[k] = up5[k], p.piecewise_down[k] = 1.0;
  EXPECT_EQ(built_granularity(p), 0.01f * 0.7f);
}

TEST(DeviceConstruction, SoftBoundsUpDownStepIsAihwkitsFloatProduct) {
  aimc_device_params p;
  aimc_device_params_default(&p, AIMC_DEVICE_SOFT_BOUNDS);
  p.up_down = -0.3;
  aimc_device device;
  ASSERT_EQ(aimc_device_init(&device, &p), AIMC_OK);
  aimc_cell cell;
  aimc_device_mean_cell(&device, &cell);
  // rpu_pulsed_device.cpp:632: w_scale_up = (up_bias + gain + r) * dw_min, all float.
  const float up_bias = -0.3f, gain = 1.0f + 0.3f * 0.0f, r = 0.01f * 0.0f;
  const float expected_up = (up_bias + gain + r) * 0.001f;
  // The double product rounded once lands elsewhere: the test tells the two apart.
  ASSERT_NE(expected_up, (float)((-0.3 + 1.0 + 0.0) * 0.001));
  EXPECT_EQ(cell.dw_up, expected_up);
  EXPECT_EQ(cell.dw_down, (0.0f + gain - r) * 0.001f);
  // SoftBounds slope as LinearStep with ls_decrease_up = 1 (rpu_linearstep_device.cpp:69).
  EXPECT_EQ(cell.slope_up, -1.0f * expected_up / (0.6f * (1.0f + 0.3f * 0.0f)));
  // One pulse up from 0 moves by exactly that step.
  EXPECT_EQ(aimc_device_pulses(&device, &cell, 0.0f, +1, 1), expected_up);
}

TEST(DeviceConstruction, LinearStepFoldsNegativeGammaDrawsToTheirMagnitude) {
  aimc_device_params p;
  aimc_device_params_default(&p, AIMC_DEVICE_LINEAR_STEP);  // gamma 0 with gamma_*_dtod 0.05
  p.construction_seed = 7;
  aimc_device device;
  ASSERT_EQ(aimc_device_init(&device, &p), AIMC_OK);
  // mean_bound_reference: slope_up = -gamma_up dw_up / w_max, so gamma_up = -slope_up w_max / dw_up.
  const int n = 4096;
  int zero = 0, negative = 0;
  double sum = 0;
  for (int k = 0; k < n; ++k) {
    aimc_cell cell;
    aimc_device_draw_cell(&device, (uint32_t)(k / 64), (uint32_t)(k % 64), &cell);
    double gamma_up = -(double)cell.slope_up * 0.6 / (double)cell.dw_up;
    zero += gamma_up == 0.0;
    negative += gamma_up < 0.0;
    sum += gamma_up;
  }
  // |N(0, 0.05)|: never exactly 0, mean 0.05 sqrt(2/pi) = 0.0399 (cutting at 0 gives 0.0199).
  EXPECT_EQ(zero, 0);
  EXPECT_EQ(negative, 0);
  EXPECT_NEAR(sum / n, 0.05 * std::sqrt(2.0 / M_PI), 0.0015);
}

TEST(DeviceConstruction, BoundsDrawnAcrossZeroAreMirroredAsAihwkitDoes) {
  aimc_device_params p;
  aimc_device_params_default(&p, AIMC_DEVICE_CONSTANT_STEP);
  p.w_max_dtod = 2.0;  // w_max (1 + 2 xi) < 0 for xi < -0.5: about 31 % of the cells
  p.w_min_dtod = 2.0;
  p.construction_seed = 3;
  aimc_device device;
  ASSERT_EQ(aimc_device_init(&device, &p), AIMC_OK);
  int zero_max = 0, zero_min = 0, outside = 0;
  const int n = 2048;
  for (int k = 0; k < n; ++k) {
    aimc_cell cell;
    aimc_device_draw_cell(&device, (uint32_t)(k / 64), (uint32_t)(k % 64), &cell);
    outside += !(cell.b_max >= 0.0f && cell.b_min <= 0.0f);
    zero_max += cell.b_max == 0.0f;
    zero_min += cell.b_min == 0.0f;
  }
  EXPECT_EQ(outside, 0);
  // Cutting at 0 would leave several hundred cells stuck at a bound of exactly 0.
  EXPECT_EQ(zero_max, 0);
  EXPECT_EQ(zero_min, 0);
  // Without enforce_consistency, crossed bounds meet at their middle (a stuck device).
  p.enforce_consistency = 0;
  ASSERT_EQ(aimc_device_init(&device, &p), AIMC_OK);
  int stuck = 0, crossed = 0;
  for (int k = 0; k < n; ++k) {
    aimc_cell cell;
    aimc_device_draw_cell(&device, (uint32_t)(k / 64), (uint32_t)(k % 64), &cell);
    crossed += cell.b_min > cell.b_max;
    stuck += cell.b_min == cell.b_max;
  }
  EXPECT_EQ(crossed, 0);
  EXPECT_GT(stuck, 0);
}

TEST(DeviceConstruction, ExpStepPulsesFollowAihwkitsFloatFormulaBitForBit) {
  for (const char *preset : {"reram_es", "pcm"}) {
    aimc_device_params p = preset_device(preset);
    p.dw_min_std = 0;
    p.write_noise_std = 0;
    p.dw_min_std_add = p.dw_min_std_slope = 0;
    aimc_device device;
    ASSERT_EQ(aimc_device_init(&device, &p), AIMC_OK);
    const float a = (float)p.a, b = (float)p.b, A_up = (float)p.A_up, A_down = (float)p.A_down;
    const float g_up = (float)p.gamma_up, g_down = (float)p.gamma_down;
    int differing = 0;
    // Drawn cells: their bound ranges are not powers of two, so the order of the operations shows.
    for (uint32_t col = 0; col < 16; ++col) {
      aimc_cell cell;
      aimc_device_draw_cell(&device, 0, col, &cell);
      const float lo = cell.b_min, hi = cell.b_max, scale_up = cell.dw_up, scale_down = cell.dw_down;
      // update_once of rpu_expstep_device.cpp:40-55 (v0.9.0) without noise, in float.
      auto pulse = [&](float w, int sign) {
        float z = 2.0f * w / (hi - lo) * a + b;
        if (sign < 0) {
          float y_down = std::max(1.0f - A_down * std::exp(g_down * -z), 0.0f);
          w -= y_down * 1.0f * scale_down;
        } else {
          float y_up = std::max(1.0f - A_up * std::exp(g_up * z), 0.0f);
          w += y_up * 1.0f * scale_up;
        }
        return std::max(std::min(w, hi), lo);
      };
      float w = lo;
      for (int n = 0; n < 2000; ++n) {
        int sign = n < 1000 ? +1 : -1;
        float want = pulse(w, sign);
        differing += aimc_device_pulses(&device, &cell, w, sign, 1) != want;
        w = want;  // every pulse from the same weight
      }
    }
    EXPECT_EQ(differing, 0) << preset;
  }
}

TEST(DeviceConstruction, StuckCellsOfEveryFamilyStayAtTheirValue) {
  int stuck_total = 0;
  for (int m = 0; m < AIMC_DEVICE_MODEL_COUNT; ++m) {
    aimc_device_params p;
    aimc_device_params_default(&p, (aimc_device_model)m);
    p.enforce_consistency = 0;  // crossed bounds meet at their middle: a stuck device
    p.w_max_dtod = p.w_min_dtod = 2.0;
    p.dw_min_std = 0;
    aimc_device device;
    ASSERT_EQ(aimc_device_init(&device, &p), AIMC_OK) << aimc_device_model_name((aimc_device_model)m);
    int stuck = 0, moved = 0;
    for (uint32_t col = 0; col < 256; ++col) {
      aimc_cell cell;
      aimc_device_draw_cell(&device, 0, col, &cell);
      if (cell.b_min != cell.b_max) continue;
      ++stuck;
      for (int sign : {+1, -1}) moved += !(aimc_device_pulses(&device, &cell, cell.b_max, sign, 3) == cell.b_max);
    }
    EXPECT_EQ(moved, 0) << aimc_device_model_name((aimc_device_model)m);
    stuck_total += stuck;
  }
  EXPECT_GT(stuck_total, 0);
}

TEST(DeviceConstruction, PowStepExponentDrawsAreFoldedOnlyWithEnforceConsistency) {
  aimc_device_params p;
  aimc_device_params_default(&p, AIMC_DEVICE_POW_STEP);
  p.pow_gamma_dtod = 2.0;  // 1 + 2 xi < 0 for xi < -0.5
  for (int enforce : {1, 0}) {
    p.enforce_consistency = enforce;
    aimc_device device;
    ASSERT_EQ(aimc_device_init(&device, &p), AIMC_OK);
    int negative = 0, folded_match = 0;
    for (uint32_t col = 0; col < 256; ++col) {
      aimc_cell cell;
      aimc_device_draw_cell(&device, 0, col, &cell);  // slope_up/down hold the exponents
      negative += cell.slope_up < 0.0f;
      folded_match += cell.slope_up == cell.slope_down;  // pow_up_down 0: one exponent
    }
    // rpu_powstep_device.cpp:47-53: (up_bias + gain + r) gamma, |.| only under enforce_consistency.
    if (enforce)
      EXPECT_EQ(negative, 0);
    else
      EXPECT_GT(negative, 40) << "about 31 % of 256 cells draw a negative exponent";
    EXPECT_EQ(folded_match, 256);
  }
}
