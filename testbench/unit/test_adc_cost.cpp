// The ADC cost model (params.h, docs/hardware.md "ADC and DAC cost model"):
// energy per conversion and conversion time of SAR and flash ADCs as functions
// of the resolution, against the closed forms worked by hand here, and the
// default least-squares run at 4, 8 and 12 bits.
#include <cjson/cJSON.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
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
// about 12 bits Schreier's 170 dB thermal bound: 4 b = 8 steps at 2.4 GS/s,
// twice the 1.2 GS/s corner, 8 b = 128 steps (ISAAC's 1.67 pJ), 12 b = 1/2 x
// 10^((6.02 x 11 + 1.76 - 170) / 10).
TEST(AdcCost, SarEnergyIsTheWaldenSchreierClosedFormAndGrowsWithBits) {
  EXPECT_DOUBLE_EQ(sar_energy(4), 2 * 8 * 13.046875e-15);
  EXPECT_DOUBLE_EQ(sar_energy(8), 1.67e-12);
  EXPECT_DOUBLE_EQ(sar_energy(12), 0.5 * std::pow(10.0, (66.22 + 1.76 - 170.0) / 10.0));
  EXPECT_NEAR(sar_energy(12), 31.4e-12, 0.1e-12);  // above Walden's 2048 steps = 26.7 pJ
  for (int bits = 3; bits <= 16; ++bits) EXPECT_GT(sar_energy(bits), sar_energy(bits - 1)) << bits;
  // Every constant is the chip's: a 20 fJ figure of merit at ENOB = bits - 0.5
  // (1 ns bit decisions: 167 MS/s, below the sample-rate corner).
  aimc_hw_adc_params adc = default_adc(AIMC_HW_ADC_SAR, 6);
  adc.sar_cycle_time = 1e-9;
  adc.walden_fom = 20e-15;
  adc.enob_loss = 0.5;
  EXPECT_DOUBLE_EQ(aimc_hw_adc_energy_per_conversion(&adc), 20e-15 * std::exp2(5.5));
}

// Above the survey's high-speed corner (1.2 GS/s) the Walden term grows as the
// per-ADC sample rate f = 1 / t_conv over the corner; below it the sample rate
// does not enter. 8 bits = 128 steps of 13.046875 fJ.
TEST(AdcCost, SarWaldenTermGrowsWithTheSampleRateAboveTheCorner) {
  const double steps8 = 128 * 13.046875e-15;
  aimc_hw_adc_params adc = default_adc(AIMC_HW_ADC_SAR, 8);
  adc.sar_cycle_time = 0.5e-9;  // 4 ns: 250 MS/s, below the corner
  EXPECT_DOUBLE_EQ(aimc_hw_adc_energy_per_conversion(&adc), steps8);
  adc.sar_cycle_time = 1.0 / (8 * 2.4e9);  // 2.4 GS/s: twice the corner
  EXPECT_DOUBLE_EQ(aimc_hw_adc_energy_per_conversion(&adc), 2 * steps8);
  adc.sar_cycle_time = 1.0 / (8 * 6.0e9);  // 6 GS/s: five times
  EXPECT_DOUBLE_EQ(aimc_hw_adc_energy_per_conversion(&adc), 5 * steps8);
  // The corner is the chip's: the reference 1.2 GS/s against a 0.4 GHz corner.
  adc = default_adc(AIMC_HW_ADC_SAR, 8);
  adc.sample_rate_corner = 0.4e9;
  EXPECT_DOUBLE_EQ(aimc_hw_adc_energy_per_conversion(&adc), 3 * steps8);
  // Only the Walden term moves: at 14 bits (Schreier's regime) 1.2 GS/s costs
  // the thermal bound 1/2 x 10^((6.02 x 13 + 1.76 - 170) / 10) whatever the corner.
  adc = default_adc(AIMC_HW_ADC_SAR, 14);
  adc.sar_cycle_time = 1.0 / (14 * 1.2e9);
  EXPECT_DOUBLE_EQ(aimc_hw_adc_energy_per_conversion(&adc), 0.5 * std::pow(10.0, (6.02 * 13 + 1.76 - 170.0) / 10.0));
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

// A ramp (single-slope) conversion is 2^bits LSB steps of 300 ps (the HERMES
// core's ADCs, Khaddam-Aljameh et al., JSSC 2022), each one comparator
// decision of 2.02 pJ / 15 (the flash default's comparator).
TEST(AdcCost, RampEnergyAndTimeAreTwoToTheBitsStepsAndGrowWithBits) {
  auto ramp = [](int bits) { return energy(AIMC_HW_ADC_RAMP, bits); };
  EXPECT_DOUBLE_EQ(ramp(4), 16 * 2.02e-12 / 15);
  EXPECT_DOUBLE_EQ(ramp(6), 64 * 2.02e-12 / 15);
  EXPECT_DOUBLE_EQ(ramp(8), 256 * 2.02e-12 / 15);
  for (int bits = 3; bits <= 16; ++bits) EXPECT_GT(ramp(bits), ramp(bits - 1)) << bits;
  for (int bits = 2; bits <= 16; ++bits) {
    aimc_hw_adc_params adc = default_adc(AIMC_HW_ADC_RAMP, bits);
    EXPECT_DOUBLE_EQ(aimc_hw_adc_conversion_time(&adc), std::ldexp(300e-12, bits)) << bits;
  }
  aimc_hw_adc_params adc = default_adc(AIMC_HW_ADC_RAMP, 8);
  EXPECT_NEAR(aimc_hw_adc_conversion_time(&adc), 76.8e-9, 1e-15);
  adc.ramp_step_time = 1e-9;
  adc.ramp_energy_per_step = 10e-15;
  EXPECT_DOUBLE_EQ(aimc_hw_adc_conversion_time(&adc), 256e-9);
  EXPECT_DOUBLE_EQ(aimc_hw_adc_energy_per_conversion(&adc), 2.56e-12);
}

TEST(AdcCost, TableCostKeepsItsFixedValuesAtEveryResolution) {
  for (aimc_hw_adc_type type : {AIMC_HW_ADC_SAR, AIMC_HW_ADC_FLASH, AIMC_HW_ADC_RAMP})
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

double adc_area(aimc_hw_adc_type type, int bits, double sar_cycle_time = 1.0 / 1.2e9 / 8.0) {
  aimc_hw_chip_params chip;
  aimc_hw_chip_params_default(&chip);
  chip.adc.type = type;
  chip.adc.bits = bits;
  chip.adc.sar_cycle_time = sar_cycle_time;
  return aimc_hw_adc_area(&chip);
}

// The Accelergy ADC plug-in's regression in m^2: node 32 nm, f in Hz, E in pJ.
double regression(double f, double e_pj) {
  return std::exp(1.346 + 0.9933 * std::log(32.0) + 0.1807 * std::log(f) + 0.2991 * std::log(e_pj)) * 1e-12;
}

}  // namespace

// ADC area follows the model's energy and sample rate through the plug-in's
// regression: the reference 8-bit SAR (1.2 GS/s, 1.67 pJ) is about 6120 um^2,
// a 4-bit SAR at 2.4 GS/s and 0.209 pJ, a 12-bit at 0.8 GS/s and 31.4 pJ.
TEST(AdcArea, ModelIsThePluginRegressionAndMovesWithBitsAndSampleRate) {
  EXPECT_NEAR(adc_area(AIMC_HW_ADC_SAR, 8) / regression(1.2e9, 1.67), 1.0, 1e-12);
  EXPECT_NEAR(adc_area(AIMC_HW_ADC_SAR, 8), 6121e-12, 1e-12);
  EXPECT_NEAR(adc_area(AIMC_HW_ADC_SAR, 4) / regression(2.4e9, 2 * 8 * 13.046875e-3), 1.0, 1e-12);
  EXPECT_NEAR(adc_area(AIMC_HW_ADC_SAR, 12) / regression(0.8e9, sar_energy(12) * 1e12), 1.0, 1e-12);
  EXPECT_NEAR(adc_area(AIMC_HW_ADC_FLASH, 4) / regression(1.25e9, 2.02), 1.0, 1e-12);
  EXPECT_NEAR(adc_area(AIMC_HW_ADC_RAMP, 8) / regression(1.0 / 76.8e-9, 256 * 2.02 / 15), 1.0, 1e-12);
  for (aimc_hw_adc_type type : {AIMC_HW_ADC_SAR, AIMC_HW_ADC_FLASH, AIMC_HW_ADC_RAMP})
    for (int bits = 3; bits <= (type == AIMC_HW_ADC_FLASH ? 12 : 16); ++bits)
      EXPECT_GT(adc_area(type, bits), adc_area(type, bits - 1)) << type << " " << bits;
  // Sample rate: the 8-bit SAR at 0.6 GS/s (below the energy's corner: only
  // the f^0.1807 term moves) and at 2.4 GS/s (the energy doubles too).
  EXPECT_NEAR(adc_area(AIMC_HW_ADC_SAR, 8, 2.0 / 1.2e9 / 8.0) / adc_area(AIMC_HW_ADC_SAR, 8), std::pow(0.5, 0.1807),
              1e-12);
  EXPECT_NEAR(adc_area(AIMC_HW_ADC_SAR, 8, 0.5 / 1.2e9 / 8.0) / adc_area(AIMC_HW_ADC_SAR, 8),
              std::pow(2.0, 0.1807 + 0.2991), 1e-12);
}

// chip.area.adc_cost table keeps the per-bit law: SAR 1200 um^2 x 2^(bits - 8),
// flash 6000 um^2 x (2^bits - 1) / 255, whatever the sample rate.
TEST(AdcArea, TableKeepsThePerBitLaw) {
  aimc_hw_chip_params chip;
  aimc_hw_chip_params_default(&chip);
  chip.area.adc_cost = AIMC_HW_ADC_COST_TABLE;
  chip.adc.bits = 6;
  EXPECT_DOUBLE_EQ(aimc_hw_adc_area(&chip), 300e-12);
  chip.adc.sar_cycle_time = 1e-9;
  EXPECT_DOUBLE_EQ(aimc_hw_adc_area(&chip), 300e-12);
  chip.adc.type = AIMC_HW_ADC_FLASH;
  chip.adc.bits = 4;
  EXPECT_DOUBLE_EQ(aimc_hw_adc_area(&chip), 6000e-12 * 15 / 255);
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
  // Dynamic energy: all of E_conv, the default ADC books no static power.
  EXPECT_NEAR(r4.adc_energy / (r4.conversions * sar_energy(4)), 1.0, 1e-9);
  EXPECT_NEAR(r8.adc_energy / (r8.conversions * 1.67e-12), 1.0, 1e-9);
  EXPECT_NEAR(r12.adc_energy / (r12.conversions * sar_energy(12)), 1.0, 1e-9);
  EXPECT_NEAR(r4.adc_busy / r8.adc_busy, 0.5, 1e-4);
  EXPECT_NEAR(r12.adc_busy / r8.adc_busy, 1.5, 1e-4);
}

// The default run with chip.adc.type=ramp: the forward ADC makes 2^bits
// comparator decisions per conversion, charges 2^bits steps of energy and is
// busy 2^bits steps per conversion round (6 bits against 8: a quarter).
TEST(AdcCost, RampRunChargesTwoToTheBitsStepsPerConversion) {
  exe::TempDir dir;
  double busy[2];
  int k = 0;
  for (int bits : {6, 8}) {
    std::string out, path = dir / ("r" + std::to_string(bits));
    ASSERT_EQ(exe::run("run --quiet -o " + path + " -p chip.adc.type=ramp -p chip.adc.bits=" + std::to_string(bits), &out), 0)
        << out;
    cJSON *root = cJSON_Parse(exe::read_file(path + "/stats.json").c_str());
    ASSERT_NE(root, nullptr);
    const cJSON *adc = at(root, {"components", "chip", "children", "layer0", "children", "main_r0c0", "children",
                                 "forward_adc"});
    double conversions = at(adc, {"counters", "conversions", "value"})->valuedouble;
    ASSERT_GT(conversions, 0);
    EXPECT_EQ(at(adc, {"counters", "comparisons", "value"})->valuedouble, conversions * std::ldexp(1.0, bits));
    // 2^bits steps, all dynamic: the default ADC books no static power.
    EXPECT_NEAR(at(adc, {"energy", "total"})->valuedouble / (conversions * std::ldexp(2.02e-12 / 15, bits)), 1.0,
                1e-9);
    busy[k++] = at(adc, {"busy_time"})->valuedouble;
    cJSON_Delete(root);
  }
  EXPECT_NEAR(busy[0] / busy[1], 0.25, 1e-6);
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
  EXPECT_EQ(exe::run("run --quiet -o " + (dir / "d") + " -p chip.adc.ramp_step_time=1ns", &out), 2) << out;
  EXPECT_NE(out.find("chip.adc.ramp_step_time = 1e-09 has no effect with chip.adc.cost model and chip.adc.type sar"),
            std::string::npos)
      << out;
  EXPECT_FALSE(exe::exists(dir / "d"));
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

namespace {

// The model's SAR at a published design point: its ENOB (enob_loss = bits -
// ENOB) and its sample rate (sar_cycle_time = 1 / (rate x bits)); the nominal
// bits enter only through that rate, which the design fixes.
double sar_at(int bits, double enob, double rate) {
  aimc_hw_adc_params adc = default_adc(AIMC_HW_ADC_SAR, bits);
  adc.enob_loss = bits - enob;
  adc.sar_cycle_time = 1.0 / (rate * bits);
  return aimc_hw_adc_energy_per_conversion(&adc);
}

// The survey model's stated error: the model fixes FOM_W at 13.05 fJ, while the
// designs of Murmann's survey that an AIMC chip would use (Nyquist, since 2012,
// at most 40 nm, 10 MS/s-2 GS/s, ENOB 4-10; n = 36) spread from p10 10.3 fJ to
// p90 83.5 fJ, so a design's published energy lies within [10.3, 83.5] / 13.05
// of the model's.
constexpr double kLow = 10.3 / 13.046875, kHigh = 83.5 / 13.046875;

}  // namespace

// Published design points (B. Murmann, "ADC Performance Survey 1997-2025",
// rows of ISSCC and VLSI; E = P / f_snyq) against the model at each design's
// ENOB and sample rate: published / model within the survey's p10..p90 spread.
TEST(AdcSurvey, PublishedDesignPointsAreWithinTheSurveyModelsError) {
  struct Point {
    const char *design;
    double published, model;
  } points[] = {
      // Kull et al., ISSCC 2013: 8 b SAR, 1.2 GS/s, 32 nm SOI, 3.06 mW, SNDR 39.3 dB.
      {"Kull ISSCC 2013", 2.55e-12, sar_at(8, 6.2, 1.2e9)},
      // Choo, Bell, Flynn, ISSCC 2016: 6 b SAR, 1 GS/s, 40 nm, 1.26 mW, SNDR 34.6 dB.
      {"Choo ISSCC 2016", 1.26e-12, sar_at(6, 5.5, 1.0e9)},
      // Yoshioka et al., VLSI 2013: SAR, 24.6 MS/s, 40 nm, 54.6 uW, SNDR 44.2 dB.
      {"Yoshioka VLSI 2013", 2.22e-12, sar_at(8, 7.05, 24.576e6)},
      // Van der Plas et al., ISSCC 2006: 4 b flash, 1.25 GS/s, 90 nm, 2.52 mW
      // (the flash default is derived from it: the model reproduces it).
      {"Van der Plas ISSCC 2006", 2.02e-12, energy(AIMC_HW_ADC_FLASH, 4)},
  };
  EXPECT_NEAR(points[0].model, 13.046875e-15 * std::exp2(6.2), 1e-18);
  for (const Point &p : points) {
    double ratio = p.published / p.model;
    EXPECT_GE(ratio, kLow) << p.design << ": published " << p.published << " J, model " << p.model << " J";
    EXPECT_LE(ratio, kHigh) << p.design << ": published " << p.published << " J, model " << p.model << " J";
  }
  // Lee et al., VLSI 2022 (8 nm, 250 MS/s, the survey's SNDR 62 dB: ENOB 10.0,
  // 2.24 pJ) is a record: FOM_W 2.2 fJ, below the survey's p10, and the model
  // prices it 6x too high.
  double lee = sar_at(11, (62.0 - 1.76) / 6.02, 250e6);
  EXPECT_LT(2.24e-12 / lee, kLow);
}

namespace {

std::string energy_curve() {
  std::string csv = "bits,enob,sar_j,flash_j,ramp_j,envelope_j,sar_over_envelope\n";
  char line[256];
  for (int bits = 2; bits <= 14; ++bits) {
    double enob = bits - 1.0;  // the model's default enob_loss
    double envelope = std::max(0.67e-15 * std::exp2(enob), 0.5 * std::pow(10.0, (6.02 * enob + 1.76 - 186.4) / 10.0));
    double sar = energy(AIMC_HW_ADC_SAR, bits), ramp = energy(AIMC_HW_ADC_RAMP, bits);
    char flash[32] = "";
    if (bits <= 12) std::snprintf(flash, sizeof flash, "%.6g", energy(AIMC_HW_ADC_FLASH, bits));
    std::snprintf(line, sizeof line, "%d,%.0f,%.6g,%s,%.6g,%.6g,%.4g\n", bits, enob, sar, flash, ramp, envelope,
                  sar / envelope);
    csv += line;
  }
  return csv;
}

}  // namespace

// Energy per conversion against bits (2..14) for the three architectures and
// the survey's envelope (Walden 0.67 fJ low-rate, Schreier 186.4 dB) at
// ENOB = bits - 1; the SAR sits above the envelope at every resolution.
// Regenerate: AIMC_UPDATE_GOLDEN=1 ctest --preset release -R AdcSurvey.
TEST(AdcSurvey, EnergyVsBitsCurveMatchesItsGoldenFile) {
  const std::string path = std::string(AIMC_GOLDEN_DIR) + "/adc_energy_vs_bits.csv";
  const std::string curve = energy_curve();
  const char *update = std::getenv("AIMC_UPDATE_GOLDEN");
  if (update && *update == '1') {
    FILE *f = std::fopen(path.c_str(), "wb");
    ASSERT_NE(f, nullptr) << path;
    std::fwrite(curve.data(), 1, curve.size(), f);
    std::fclose(f);
  }
  EXPECT_EQ(exe::read_file(path), curve);
  for (int bits = 2; bits <= 14; ++bits) {
    double enob = bits - 1.0;
    double envelope = std::max(0.67e-15 * std::exp2(enob), 0.5 * std::pow(10.0, (6.02 * enob + 1.76 - 186.4) / 10.0));
    EXPECT_GT(energy(AIMC_HW_ADC_SAR, bits), envelope) << bits;
    EXPECT_GT(energy(AIMC_HW_ADC_RAMP, bits), envelope) << bits;
    if (bits <= 12) {
      EXPECT_GT(energy(AIMC_HW_ADC_FLASH, bits), envelope) << bits;
    }
  }
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

// hwcomponents-adc's split of a published E_conv = P / f_s: a conversion books
// (1 - leakage_fraction) x E_conv, the ADC leaks leakage_fraction x E_conv /
// t_conv, so one fully busy conversion time costs E_conv in all.
TEST(AdcCost, ABusyAdcCostsEConvPerConversionInAll) {
  for (aimc_hw_adc_type type : {AIMC_HW_ADC_SAR, AIMC_HW_ADC_FLASH, AIMC_HW_ADC_RAMP})
    for (double fraction : {0.0, 0.2, 0.5}) {
      aimc_hw_adc_params adc = default_adc(type, 6);
      adc.leakage_fraction = fraction;
      const double e = aimc_hw_adc_energy_per_conversion(&adc);
      EXPECT_DOUBLE_EQ(aimc_hw_adc_dynamic_energy_per_conversion(&adc), (1.0 - fraction) * e) << type;
      EXPECT_NEAR(aimc_hw_adc_dynamic_energy_per_conversion(&adc) +
                      aimc_hw_adc_static_power(&adc) * aimc_hw_adc_conversion_time(&adc),
                  e, 1e-12 * e)
          << type << " " << fraction;
    }
}

// The ADC area's constants are per way of costing it: under the model (the
// default) the table's per-bit law is not read, under the table the node is
// not, and each table law belongs to its architecture. A moved constant that
// the chosen way does not read is refused before anything is written.
TEST(AdcArea, AConstantTheAreaCostDoesNotUseIsRefused) {
  exe::TempDir dir;
  std::string out;
  const std::string run = "run --quiet -p experiment.steps=5 -o ";
  EXPECT_EQ(exe::run(run + (dir / "a") + " -p chip.area.adc_sar_8bit=1um^2", &out), 2) << out;
  EXPECT_NE(out.find("chip.area.adc_sar_8bit = 1e-12 m^2 has no effect with chip.area.adc_cost model and "
                     "chip.adc.type sar"),
            std::string::npos)
      << out;
  EXPECT_FALSE(exe::exists(dir / "a"));
  EXPECT_EQ(exe::run(run + (dir / "b") + " -p chip.area.adc_cost=table -p chip.area.adc_node=45nm", &out), 2) << out;
  EXPECT_NE(out.find("chip.area.adc_node = 4.5e-08 m has no effect with chip.area.adc_cost table"), std::string::npos)
      << out;
  EXPECT_FALSE(exe::exists(dir / "b"));
  EXPECT_EQ(exe::run(run + (dir / "c") + " -p chip.area.adc_cost=table -p chip.adc.type=flash -p chip.area.adc_sar_growth=3",
                     &out),
            2)
      << out;
  EXPECT_NE(out.find("chip.area.adc_sar_growth = 3 has no effect with chip.area.adc_cost table and chip.adc.type flash"),
            std::string::npos)
      << out;
  EXPECT_FALSE(exe::exists(dir / "c"));
  // Each acts where it is read.
  EXPECT_EQ(exe::run(run + (dir / "d") + " -p chip.area.adc_cost=table -p chip.area.adc_sar_8bit=1um^2", &out), 0) << out;
  EXPECT_EQ(exe::run(run + (dir / "e") + " -p chip.area.adc_node=45nm", &out), 0) << out;
}
