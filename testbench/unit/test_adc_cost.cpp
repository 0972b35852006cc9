// The ADC cost model (params.h, docs/hardware.md "ADC and DAC cost model"):
// energy per conversion and conversion time of SAR and flash ADCs as functions
// of the resolution, against the closed forms worked by hand here, and the
// default least-squares run at 4, 8 and 12 bits.
#include <cjson/cJSON.h>
#include <gtest/gtest.h>

#include <cmath>
#include <string>

#include "exe_support.h"

extern "C" {
#include "aimc_hw/params.h"
}

namespace {

aimc_hw_adc_params default_adc(aimc_hw_adc_type type, int bits) {
  aimc_hw_adc_params adc;
  aimc_hw_adc_params_default(&adc);
  adc.type = type;
  adc.bits = bits;
  return adc;
}

double energy(aimc_hw_adc_type type, int bits) {
  aimc_hw_adc_params adc = default_adc(type, bits);
  return aimc_hw_adc_energy_per_conversion(&adc);
}

double sar_energy(int bits) { return energy(AIMC_HW_ADC_SAR, bits); }

}  // namespace

// Walden's figure of merit 13.046875 fJ per step at ENOB = bits - 1, and above
// about 12 bits Schreier's 170 dB thermal bound: 4 b = 8 steps, 8 b = 128 steps
// (ISAAC's 1.67 pJ), 12 b = 1/2 x 10^((6.02 x 11 + 1.76 - 170) / 10).
TEST(AdcCost, SarEnergyIsTheWaldenSchreierClosedFormAndGrowsWithBits) {
  EXPECT_DOUBLE_EQ(sar_energy(4), 8 * 13.046875e-15);
  EXPECT_DOUBLE_EQ(sar_energy(8), 1.67e-12);
  EXPECT_DOUBLE_EQ(sar_energy(12), 0.5 * std::pow(10.0, (66.22 + 1.76 - 170.0) / 10.0));
  EXPECT_NEAR(sar_energy(12), 31.4e-12, 0.1e-12);  // above Walden's 2048 steps = 26.7 pJ
  for (int bits = 3; bits <= 16; ++bits) EXPECT_GT(sar_energy(bits), sar_energy(bits - 1)) << bits;
  // Every constant is the chip's: a 20 fJ figure of merit at ENOB = bits - 0.5.
  aimc_hw_adc_params adc = default_adc(AIMC_HW_ADC_SAR, 6);
  adc.walden_fom = 20e-15;
  adc.enob_loss = 0.5;
  EXPECT_DOUBLE_EQ(aimc_hw_adc_energy_per_conversion(&adc), 20e-15 * std::exp2(5.5));
}

// One of 2^bits - 1 comparators at 2.02 pJ / 15 each (Van der Plas ISSCC'06).
TEST(AdcCost, FlashEnergyIsOneComparatorPerLevelAndGrowsWithBits) {
  auto flash = [](int bits) { return energy(AIMC_HW_ADC_FLASH, bits); };
  EXPECT_DOUBLE_EQ(flash(4), 2.02e-12);
  EXPECT_DOUBLE_EQ(flash(6), 63 * 2.02e-12 / 15);
  EXPECT_DOUBLE_EQ(flash(8), 255 * 2.02e-12 / 15);
  for (int bits = 3; bits <= 12; ++bits) EXPECT_GT(flash(bits), flash(bits - 1)) << bits;
}

TEST(AdcCost, SarConversionTimeIsProportionalToBitsAndFlashIsConstant) {
  const double cycle = 1.0 / 1.2e9 / 8.0;
  for (int bits = 2; bits <= 16; ++bits) {
    aimc_hw_adc_params sar = default_adc(AIMC_HW_ADC_SAR, bits);
    EXPECT_DOUBLE_EQ(aimc_hw_adc_conversion_time(&sar), bits * cycle) << bits;
  }
  aimc_hw_adc_params reference = default_adc(AIMC_HW_ADC_SAR, 8);
  EXPECT_DOUBLE_EQ(aimc_hw_adc_conversion_time(&reference), 1.0 / 1.2e9);  // Kull ISSCC'13's 1.2 GS/s
  for (int bits = 2; bits <= 12; ++bits) {
    aimc_hw_adc_params flash = default_adc(AIMC_HW_ADC_FLASH, bits);
    EXPECT_DOUBLE_EQ(aimc_hw_adc_conversion_time(&flash), 0.8e-9) << bits;
  }
}

TEST(AdcCost, TableCostKeepsItsFixedValuesAtEveryResolution) {
  for (aimc_hw_adc_type type : {AIMC_HW_ADC_SAR, AIMC_HW_ADC_FLASH})
    for (int bits : {4, 8, 12}) {
      aimc_hw_adc_params adc = default_adc(type, bits);
      adc.cost = AIMC_HW_ADC_COST_TABLE;
      adc.conversion_time = 5e-9;
      adc.energy_per_conversion = 23e-12;
      EXPECT_EQ(aimc_hw_adc_energy_per_conversion(&adc), 23e-12);
      EXPECT_EQ(aimc_hw_adc_conversion_time(&adc), 5e-9);
    }
}

namespace {

struct RunStats {
  double energy_total = 0, adc_energy = 0, adc_busy = 0, conversions = 0, error = 0;
};

const cJSON *at(const cJSON *node, std::initializer_list<const char *> path) {
  for (const char *key : path) node = node ? cJSON_GetObjectItemCaseSensitive(node, key) : nullptr;
  return node;
}

RunStats run_with_bits(const exe::TempDir &dir, int bits) {
  std::string out, path = dir / ("b" + std::to_string(bits));
  EXPECT_EQ(exe::run("run --quiet -o " + path + " -p chip.adc.bits=" + std::to_string(bits), &out), 0) << out;
  cJSON *root = cJSON_Parse(exe::read_file(path + "/stats.json").c_str());
  RunStats run;
  if (!root) {
    ADD_FAILURE() << "no stats.json for " << bits << " bits";
    return run;
  }
  const cJSON *adc = at(root, {"components", "chip", "children", "layer0", "children", "main_r0c0", "children",
                               "forward_adc"});
  run.energy_total = at(root, {"energy_total"})->valuedouble;
  run.adc_energy = at(adc, {"energy", "total"})->valuedouble;
  run.adc_busy = at(adc, {"busy_time"})->valuedouble;
  run.conversions = at(adc, {"counters", "conversions", "value"})->valuedouble;
  cJSON_Delete(root);
  cJSON *result = cJSON_Parse(exe::read_file(path + "/result.json").c_str());
  const cJSON *error = at(result, {"asymptotic_error"});
  if (cJSON_IsNumber(error))
    run.error = error->valuedouble;
  else
    ADD_FAILURE() << "no asymptotic_error for " << bits << " bits";
  cJSON_Delete(result);
  return run;
}

}  // namespace

// The embedded least-squares default at 4, 8 and 12 ADC bits: three different
// totals, the forward ADC charging the model's energy per conversion, its
// busy time growing as the SAR's bit decisions (4 : 8 : 12), and three
// different errors, since the default's reads go through the converters: a
// 4-bit read's step is 2 x 12 / 14 = 1.7 on outputs of size about 3, so its
// floor is orders of magnitude above the 8-bit one (seed 1: 0.383, 1.62e-3,
// 1.29e-3, where the 12-bit floor is the output noise's).
TEST(AdcCost, DefaultRunAtFourEightAndTwelveBitsGivesThreeDifferentEnergiesAndErrors) {
  exe::TempDir dir;
  RunStats r4 = run_with_bits(dir, 4), r8 = run_with_bits(dir, 8), r12 = run_with_bits(dir, 12);
  EXPECT_NE(r4.energy_total, r8.energy_total);
  EXPECT_NE(r4.energy_total, r12.energy_total);
  EXPECT_LT(r8.energy_total, r12.energy_total);
  EXPECT_GT(r4.error, 100 * r8.error);
  EXPECT_GT(r8.error, r12.error);
  EXPECT_NEAR(r4.error, 0.38258584616973723, 1e-9);
  EXPECT_NEAR(r12.error, 0.0012932445700405714, 1e-12);
  ASSERT_GT(r8.conversions, 0);
  // The same reads at every resolution; the 4-bit run costs more than the 8-bit
  // one through its update pulses (a larger error draws longer trains).
  EXPECT_EQ(r4.conversions, r8.conversions);
  EXPECT_EQ(r12.conversions, r8.conversions);
  EXPECT_NEAR(r4.adc_energy / (r4.conversions * sar_energy(4)), 1.0, 1e-9);
  EXPECT_NEAR(r8.adc_energy / (r8.conversions * 1.67e-12), 1.0, 1e-9);
  EXPECT_NEAR(r12.adc_energy / (r12.conversions * sar_energy(12)), 1.0, 1e-9);
  EXPECT_NEAR(r4.adc_busy / r8.adc_busy, 0.5, 1e-4);
  EXPECT_NEAR(r12.adc_busy / r8.adc_busy, 1.5, 1e-4);
}

// A constant that the chosen cost and architecture do not use is refused
// (exit 2) with its key, instead of being silently ignored.
TEST(AdcCost, AConstantTheCostDoesNotUseIsRefused) {
  exe::TempDir dir;
  std::string out;
  EXPECT_EQ(exe::run("run --quiet -o " + (dir / "a") + " -p chip.adc.energy_per_conversion=2pJ", &out), 2) << out;
  EXPECT_NE(out.find("chip.adc.energy_per_conversion = 2e-12 has no effect with chip.adc.cost model"),
            std::string::npos)
      << out;
  EXPECT_FALSE(exe::exists(dir / "a"));
  EXPECT_EQ(exe::run("run --quiet -o " + (dir / "b") + " -p chip.adc.flash_energy_per_comparator=1pJ", &out), 2)
      << out;
  EXPECT_NE(out.find("chip.adc.flash_energy_per_comparator = 1e-12 has no effect with chip.adc.cost model and "
                     "chip.adc.type sar"),
            std::string::npos)
      << out;
  EXPECT_EQ(exe::run("run --quiet -o " + (dir / "c") + " -p chip.adc.cost=table -p chip.adc.walden_fom=20fJ", &out),
            2)
      << out;
  EXPECT_NE(out.find("chip.adc.walden_fom = 2e-14 has no effect with chip.adc.cost table"), std::string::npos) << out;
}

namespace {

aimc_hw_dac_params default_dac(aimc_hw_dac_encoding encoding, int bits) {
  aimc_hw_dac_params dac;
  aimc_hw_dac_params_default(&dac);
  dac.encoding = encoding;
  dac.bits = bits;
  return dac;
}

}  // namespace

// An amplitude DAC's energy is bits x 0.06 pJ (a C-2C ladder of one unit per
// bit, 0.42 pJ at the reference 7 bits); a pulse-width input is one 0.42 pJ
// line drive whatever its length.
TEST(DacCost, AmplitudeEnergyIsLinearInBitsAndPulseWidthIsOneDrive) {
  for (int bits : {4, 7, 12}) {
    aimc_hw_dac_params amplitude = default_dac(AIMC_HW_DAC_AMPLITUDE, bits);
    EXPECT_DOUBLE_EQ(aimc_hw_dac_energy_per_conversion(&amplitude), bits * 0.06e-12) << bits;
    aimc_hw_dac_params pulse = default_dac(AIMC_HW_DAC_PULSE_WIDTH, bits);
    EXPECT_DOUBLE_EQ(aimc_hw_dac_energy_per_conversion(&pulse), 0.42e-12) << bits;
  }
  for (int bits = 3; bits <= 16; ++bits) {
    aimc_hw_dac_params lower = default_dac(AIMC_HW_DAC_AMPLITUDE, bits - 1), upper = lower;
    upper.bits = bits;
    EXPECT_GT(aimc_hw_dac_energy_per_conversion(&upper), aimc_hw_dac_energy_per_conversion(&lower)) << bits;
  }
}

// The forward DAC of a run with amplitude encoding charges bits x
// amplitude_energy_per_bit per conversion, and the other encoding's constant is
// refused.
TEST(DacCost, AmplitudeRunChargesItsBitsAndTheOtherEncodingsConstantIsRefused) {
  exe::TempDir dir;
  double per_conversion[2];
  int k = 0;
  for (int bits : {4, 8}) {
    std::string out, path = dir / ("d" + std::to_string(bits));
    ASSERT_EQ(exe::run("run --quiet -o " + path + " -p chip.dac.encoding=amplitude -p chip.dac.bits=" +
                           std::to_string(bits) + " -p forward.inp_res=0",
                       &out),
              0)
        << out;
    cJSON *root = cJSON_Parse(exe::read_file(path + "/stats.json").c_str());
    ASSERT_NE(root, nullptr);
    const cJSON *dac = at(root, {"components", "chip", "children", "layer0", "children", "main_r0c0", "children",
                                 "forward_dac"});
    per_conversion[k++] = at(dac, {"energy", "total"})->valuedouble / at(dac, {"counters", "conversions", "value"})->valuedouble;
    cJSON_Delete(root);
  }
  EXPECT_NEAR(per_conversion[0] / (4 * 0.06e-12), 1.0, 1e-9);
  EXPECT_NEAR(per_conversion[1] / (8 * 0.06e-12), 1.0, 1e-9);
  std::string out;
  EXPECT_EQ(exe::run("run --quiet -o " + (dir / "a") + " -p chip.dac.amplitude_energy_per_bit=1pJ", &out), 2) << out;
  EXPECT_NE(out.find("chip.dac.amplitude_energy_per_bit = 1e-12 has no effect with chip.dac.encoding pulse_width"),
            std::string::npos)
      << out;
  EXPECT_EQ(exe::run("run --quiet -o " + (dir / "b") + " -p chip.dac.encoding=amplitude "
                     "-p chip.dac.energy_per_conversion=1pJ", &out), 2) << out;
  EXPECT_NE(out.find("chip.dac.energy_per_conversion = 1e-12 has no effect with chip.dac.encoding amplitude"),
            std::string::npos)
      << out;
  EXPECT_FALSE(exe::exists(dir / "a"));
  EXPECT_FALSE(exe::exists(dir / "b"));
}

// Bound management repeats forward reads only (AIHWKIT sets the transposed
// read's to none): the backward section's is none unless given, and a given
// iterative is refused before anything is written instead of being ignored.
TEST(BackwardPeriphery, BoundManagementIsNoneAndIterativeIsRefused) {
  exe::TempDir dir;
  std::string out;
  ASSERT_EQ(exe::shell(exe::kExe + " config --dump", &out), 0) << out;
  size_t backward = out.find("\nbackward:\n");
  ASSERT_NE(backward, std::string::npos) << out;
  size_t next = out.find("\n", out.find("bound_management:", backward));
  EXPECT_EQ(out.substr(out.find("bound_management:", backward), next - out.find("bound_management:", backward)),
            "bound_management: none");
  EXPECT_EQ(exe::run("run --quiet -o " + (dir / "a") + " -p backward.bound_management=iterative", &out), 2) << out;
  EXPECT_NE(out.find("backward.bound_management = iterative has no effect: bound management repeats forward reads "
                     "only"),
            std::string::npos)
      << out;
  EXPECT_FALSE(exe::exists(dir / "a"));
  EXPECT_EQ(exe::run("run --quiet -o " + (dir / "b") + " -p backward.bound_management=none -p experiment.steps=10", &out),
            0)
      << out;
}
