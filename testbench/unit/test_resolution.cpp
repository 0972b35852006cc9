// One source of truth for resolution (docs/config-engine.md, "Values that follow
// other sections"): the numeric quantisation of the forward, backward and
// transfer reads follows the chip's converters, 1/(2^bits - 2), unless the config
// gives it; a given resolution finer than its converter is exit 2 at the key,
// before anything is written; the built-in defaults run as they are.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "aimc_sim/config.h"
#include "exe_support.h"

namespace {

using exe::exists;
using exe::read_csv_rows;
using exe::read_file;
using exe::run;
using exe::shell;
using exe::TempDir;
using exe::write_file;

aimc_config load(const std::string &text, const std::vector<const char *> &overrides = {}) {
  aimc_config config;
  aimc_cfg_error error;
  EXPECT_EQ(aimc_cfg_load_string(&aimc_config_schema, &config, "test.yaml", text.data(), text.size(),
                                 overrides.data(), overrides.size(), &error),
            AIMC_OK)
      << error.text;
  return config;
}

std::vector<std::string> losses(const std::string &outdir) {
  std::vector<std::string> values;
  for (const auto &row : read_csv_rows(outdir + "/metrics.csv")) values.push_back(row.at("loss"));
  return values;
}

TEST(Resolution, TheConvertersBitsSetEveryPassUnlessTheConfigGivesIt) {
  aimc_config six = load("", {"chip.adc.bits=6", "chip.dac.bits=5"});
  for (const aimc_io_params *io : {&six.forward, &six.backward, &six.transfer_forward}) {
    EXPECT_EQ(io->out_res, 1.0 / 62.0);
    EXPECT_EQ(io->inp_res, 1.0 / 30.0);
  }
  // A resolution given in the file, by -p or by an AIHWKIT preset stays; perfect follows.
  aimc_config given = load("chip: {adc: {bits: 10}}\nforward: {out_res: 0.01}\nbackward: {preset: perfect}\n",
                           {"transfer_forward.preset=aihwkit_preset", "backward.inp_res=0.25"});
  EXPECT_EQ(given.forward.out_res, 0.01);
  EXPECT_EQ(given.forward.inp_res, 1.0 / 126.0);
  EXPECT_EQ(given.backward.is_perfect, 1);
  EXPECT_EQ(given.backward.out_res, 1.0 / 1022.0);
  EXPECT_EQ(given.backward.inp_res, 0.25);
  EXPECT_EQ(given.transfer_forward.out_res, 1.0 / 510.0);
}

TEST(Resolution, TheDumpShowsTheResolutionTheAdcBitsSet) {
  std::string out;
  ASSERT_EQ(shell(exe::kExe + " config --dump -p chip.adc.bits=6", &out), 0) << out;
  EXPECT_NE(out.find("forward:\n  is_perfect: false\n  inp_bound: 1\n  inp_res: 0.007936507936507936\n"
                     "  inp_sto_round: false\n  inp_noise: 0\n  out_bound: 12\n  out_res: 0.016129032258064516\n"),
            std::string::npos)
      << out;
  EXPECT_NE(out.find("\nbackward:\n"), std::string::npos);
  size_t backward = out.find("\nbackward:\n");
  EXPECT_NE(out.find("  out_res: 0.016129032258064516\n", backward), std::string::npos) << out;
}

TEST(Resolution, TheEmptyConfigRunsOnTheBuiltInDefaults) {
  TempDir dir;
  std::string empty = dir / "empty.yaml", outdir = dir / "out", out;
  write_file(empty, "");
  ASSERT_EQ(run("run " + empty + " -p experiment.steps=5 --quiet -o " + outdir, &out), 0) << out;
  EXPECT_NE(read_file(outdir + "/result.json").find("\"status\": \"completed\""), std::string::npos);
  EXPECT_NE(read_file(outdir + "/config.yaml").find("  out_res: 0.003937007874015748\n"), std::string::npos);
}

TEST(Resolution, ARunQuantisesAtTheResolutionTheAdcBitsSet) {
  TempDir dir;
  const std::string analog = "run -p forward.is_perfect=false -p backward.is_perfect=false -p experiment.steps=40 "
                             "--quiet ";
  std::string out;
  ASSERT_EQ(run(analog + "-p chip.adc.bits=6 -o " + (dir / "follows"), &out), 0) << out;
  ASSERT_EQ(run(analog + "-p chip.adc.bits=6 -p forward.out_res=62 -p backward.out_res=62 -o " + (dir / "given"),
                &out),
            0)
      << out;
  ASSERT_EQ(run(analog + "-p chip.adc.bits=8 -o " + (dir / "eight"), &out), 0) << out;
  std::vector<std::string> follows = losses(dir / "follows");
  ASSERT_EQ(follows.size(), losses(dir / "given").size());
  EXPECT_EQ(follows, losses(dir / "given"));  // 62 steps, bit for bit
  EXPECT_NE(follows, losses(dir / "eight"));
}

TEST(Resolution, AGivenResolutionFinerThanTheAdcIsRefusedAtItsKeyBeforeAnyOutput) {
  TempDir dir;
  std::string config = dir / "fine.yaml", outdir = dir / "out", out;
  write_file(config, "chip:\n  adc:\n    bits: 4\nforward:\n  out_res: 0.0039\n");
  EXPECT_EQ(run("run " + config + " -o " + outdir + " --quiet", &out), 2) << out;
  EXPECT_EQ(out.rfind(config + ":5:12: invalid configuration: forward.out_res (0.0039: 256 steps) is finer than the "
                      "chip's 4-bit ADC (chip.adc.bits, 14 steps)\n  out_res: 0.0039\n           ^\n", 0),
            0u)
      << out;
  EXPECT_FALSE(exists(outdir));
  EXPECT_EQ(run("run -p chip.dac.bits=4 -p backward.is_perfect=false -p backward.inp_res=30 -o " + outdir + " --quiet", &out), 2) << out;
  EXPECT_EQ(out.rfind("-p backward.inp_res=30: invalid configuration: backward.inp_res (30: 30 steps) is finer than "
                      "the chip's 4-bit DAC (chip.dac.bits, 14 steps)\n", 0),
            0u)
      << out;
  EXPECT_FALSE(exists(outdir));
  // A preset that sets the resolution gives it: the report points at the preset.
  std::string preset = dir / "preset.yaml";
  write_file(preset, "backward:\n  preset: aihwkit_preset\n");
  EXPECT_EQ(run("run " + preset + " -p chip.adc.bits=6 -o " + outdir + " --quiet", &out), 2) << out;
  EXPECT_EQ(out.rfind(preset + ":2:11: invalid configuration: backward.out_res (0.00196078: 510 steps) is finer "
                      "than the chip's 6-bit ADC (chip.adc.bits, 62 steps)\n", 0),
            0u)
      << out;
  EXPECT_FALSE(exists(outdir));
  // The config command refuses it the same way.
  EXPECT_EQ(shell(exe::kExe + " config --dump " + config, &out), 2) << out;
  EXPECT_NE(out.find(config + ":5:12: invalid configuration: forward.out_res"), std::string::npos) << out;
}

}  // namespace
