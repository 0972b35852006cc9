// Parameter defaults of the C core against AIHWKIT's documented defaults, and
// the name tables of every enumeration.
#include <gtest/gtest.h>

#include <string>

#include "test_util.h"

TEST(Params, DeviceDefaultsAreAihwkits) {
  aimc_device_params p;
  aimc_device_params_default(&p, AIMC_DEVICE_SOFT_BOUNDS);
  EXPECT_EQ(p.dw_min, 0.001);
  EXPECT_EQ(p.dw_min_dtod, 0.3);
  EXPECT_EQ(p.dw_min_std, 0.3);
  EXPECT_EQ(p.up_down, 0.0);
  EXPECT_EQ(p.up_down_dtod, 0.01);
  EXPECT_EQ(p.w_max, 0.6);
  EXPECT_EQ(p.w_min, -0.6);
  EXPECT_EQ(p.w_max_dtod, 0.3);
  EXPECT_EQ(p.reset_std, 0.01);
  EXPECT_EQ(p.mult_noise, 1);
  aimc_device_params_default(&p, AIMC_DEVICE_SOFT_BOUNDS_REFERENCE);
  EXPECT_EQ(p.mult_noise, 0);
  aimc_device_params_default(&p, AIMC_DEVICE_EXP_STEP);
  EXPECT_EQ(p.A_up, 0.00081);
  EXPECT_EQ(p.A_down, 0.36833);
  EXPECT_EQ(p.gamma_up, 12.44625);
  EXPECT_EQ(p.gamma_down, 12.78785);
  EXPECT_EQ(p.a, 0.244);
  EXPECT_EQ(p.b, 0.2425);
  aimc_device_params_default(&p, AIMC_DEVICE_POW_STEP);
  EXPECT_EQ(p.pow_gamma, 1.0);
  EXPECT_EQ(p.pow_gamma_dtod, 0.1);
  aimc_device_params_default(&p, AIMC_DEVICE_LINEAR_STEP);
  EXPECT_EQ(p.gamma_up_dtod, 0.05);
  EXPECT_EQ(p.mean_bound_reference, 1);
  for (int m = 0; m < AIMC_DEVICE_MODEL_COUNT; ++m) {
    aimc_device_params_default(&p, (aimc_device_model)m);
    EXPECT_EQ(aimc_device_params_validate(&p), AIMC_OK) << aimc_device_model_name((aimc_device_model)m);
  }
}

TEST(Params, UpdateAndIoDefaultsAreAihwkits) {
  aimc_update_params u;
  aimc_update_params_default(&u);
  EXPECT_EQ(u.desired_bl, 31);
  EXPECT_EQ(u.pulse_type, AIMC_PULSE_STOCHASTIC_COMPRESSED);
  EXPECT_EQ(u.update_management, 1);
  EXPECT_EQ(u.update_bl_management, 1);
  EXPECT_EQ(u.fixed_bl, 1);
  aimc_io_params io;
  aimc_io_params_default(&io);
  EXPECT_EQ(io.inp_bound, 1.0);
  EXPECT_EQ(io.inp_res, 1.0 / 126);
  EXPECT_EQ(io.out_bound, 12.0);
  EXPECT_EQ(io.out_res, 1.0 / 510);
  EXPECT_EQ(io.out_noise, 0.06);
  EXPECT_EQ(io.noise_management, AIMC_NM_ABS_MAX);
  EXPECT_EQ(io.bound_management, AIMC_BM_ITERATIVE);
  EXPECT_EQ(io.max_bm_factor, 1000.0);
  EXPECT_EQ(io.max_bm_res, 0.25);
}

TEST(Params, EveryEnumNameParsesBack) {
  for (int t = 0; t < AIMC_PULSE_TYPE_COUNT; ++t) {
    aimc_pulse_type back;
    ASSERT_EQ(aimc_pulse_type_parse(aimc_pulse_type_name((aimc_pulse_type)t), &back), AIMC_OK);
    EXPECT_EQ(back, t);
  }
  for (int m = 0; m < AIMC_DEVICE_MODEL_COUNT; ++m) {
    aimc_device_model back;
    ASSERT_EQ(aimc_device_model_parse(aimc_device_model_name((aimc_device_model)m), &back), AIMC_OK);
    EXPECT_EQ(back, m);
  }
  for (int k = 0; k <= AIMC_NM_CONSTANT; ++k) {
    aimc_noise_management back;
    ASSERT_EQ(aimc_noise_management_parse(aimc_noise_management_name((aimc_noise_management)k), &back), AIMC_OK);
    EXPECT_EQ(back, k);
  }
  aimc_bound_management bm;
  EXPECT_EQ(aimc_bound_management_parse("iterative", &bm), AIMC_OK);
  EXPECT_EQ(bm, AIMC_BM_ITERATIVE);
  aimc_w_noise_type wt;
  EXPECT_EQ(aimc_w_noise_type_parse("pcm_read", &wt), AIMC_OK);
  EXPECT_EQ(aimc_w_noise_type_parse("pcm", &wt), AIMC_EINVAL);
  EXPECT_NE(std::string(aimc_error_message()).find("pcm"), std::string::npos);
  EXPECT_EQ(aimc_pulse_type_name((aimc_pulse_type)99), nullptr);
}
