// Every numeric key of the device, update, forward, backward and chip sections
// acts: the walk goes through the schema's own field tables (nested sections
// too), changes one key at a time in a tiny timed run and requires a different
// result (metrics.csv, stats.json or result.json, wall-clock times left out).
// A key that can only act in another setting (another device family, Tiki-Taka,
// a non-perfect periphery) is listed below with that setting and its reason,
// and the walk shows it acting there; a key that can act nowhere is listed as
// refused, and every value it tries must then exit 2 naming the key.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <cstring>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "aimc_sim/config.h"
#include "exe_support.h"

namespace {

using exe::read_file;
using exe::TempDir;

// The tiny runs: 20 least-squares steps (the backward periphery needs a network:
// two mini-batches of an FCN on 20 generated images).
const char *const kLeastSquares =
    "version: 1\n"
    "experiment: {workload: least_squares, algorithm: analog_sgd, lr: 0.1, steps: 20, log_every: 5}\n"
    "least_squares: {rows: 16, dim: 8}\n"
    "chip: {adc: {bits: 9}}\n";

struct Setting {
  std::string args;    // -p overrides of the setting the key acts in
  std::string reason;  // why the key cannot act in the plain run
  bool refused = false;
};

const std::string kTikiTaka = "-p experiment.algorithm=tiki_taka -p tiki_taka.gamma=0.5 ";
const std::string kExpStep = "-p device.model=exp_step ";
const std::string kLinear = "-p device.model=linear_step ";
const std::string kPow = "-p device.model=pow_step ";
const std::string kReference = "-p device.model=soft_bounds_reference ";

// Keys that act only in another setting, or nowhere (refused).
const std::map<std::string, Setting> kConditional = {
    {"device.w_max_dtod", {"-p device.model=soft_bounds ", "acts through each cell's upper bound: clipping, or "
      "SoftBounds' step; the plain run's weights stay below every bound (drawn bounds are mirrored at 0, not cut "
      "to 0)"}},
    {"device.gamma_up", {kLinear, "LinearStep/SoftBounds/ExpStep slope"}},
    {"device.gamma_down", {kLinear, "LinearStep/SoftBounds/ExpStep slope"}},
    {"device.gamma_up_dtod", {kLinear, "spread of a LinearStep slope"}},
    {"device.gamma_down_dtod", {kLinear, "spread of a LinearStep slope"}},
    {"device.reference_mean", {kReference, "SoftBoundsReference only"}},
    {"device.reference_std", {kReference, "SoftBoundsReference only"}},
    {"device.A_up", {kExpStep, "ExpStep only"}},
    {"device.A_down", {kExpStep, "ExpStep only"}},
    {"device.a", {kExpStep, "ExpStep only"}},
    {"device.b", {kExpStep, "ExpStep only"}},
    {"device.dw_min_std_add", {kExpStep, "ExpStep's complex noise only"}},
    {"device.dw_min_std_slope", {kExpStep, "ExpStep's complex noise only"}},
    {"device.pow_gamma", {kPow, "PowStep only"}},
    {"device.pow_gamma_dtod", {kPow, "PowStep only"}},
    {"device.pow_up_down", {kPow, "PowStep only"}},
    {"device.pow_up_down_dtod", {kPow, "PowStep only"}},
    {"device.reset", {"-p device.lifetime=20 ", "the point lifetime decay moves towards"}},
    {"device.reset_dtod", {"-p device.lifetime=20 ", "spread of the point lifetime decay moves towards"}},
    {"device.lifetime_dtod", {"-p device.lifetime=20 ", "spread of the lifetime"}},
    {"device.diffusion_dtod", {"-p device.diffusion=0.01 ", "spread of the diffusion rate"}},
    {"device.reset_std", {"", "the main array is never reset (only Tiki-Taka's A is)", true}},
    {"update.x_res_implicit", {"-p update.pulse_type=deterministic_implicit ", "DeterministicImplicit pulses only"}},
    {"update.d_res_implicit", {"-p update.pulse_type=deterministic_implicit ", "DeterministicImplicit pulses only"}},
    {"forward.w_noise", {"-p forward.w_noise_type=additive_constant ", "needs a weight-noise type"}},
    {"backward.w_noise", {"-p backward.w_noise_type=additive_constant ", "needs a weight-noise type"}},
    {"forward.max_bm_factor",
     {"-p forward.out_bound=0.0001 -p forward.max_bm_res=100 ", "limits bound-management repeats: needs outputs "
      "clipped beyond max_bm_res's limit"}},
    {"forward.max_bm_res", {"-p forward.out_bound=0.05 ", "limits bound-management repeats: needs clipped outputs"}},
    {"backward.max_bm_factor", {"", "bound management repeats forward reads only", true}},
    {"backward.max_bm_res", {"", "bound management repeats forward reads only", true}},
    {"chip.pulse.pulse_width", {"-p chip.conductance.program_energy=formula ", "enters the formula energy of a device pulse"}},
    {"chip.conductance.v_write", {"-p chip.conductance.program_energy=formula ", "enters the formula energy of a device pulse"}},
    {"chip.pulse.energy_per_line_pulse", {"-p chip.pulse.line_energy=table ", "the table line energy"}},
    {"chip.read.integration_time", {"-p chip.dac.encoding=amplitude ", "the read window of amplitude encoding"}},
    {"chip.area.adc_flash_8bit", {"-p chip.area.adc_cost=table -p chip.adc.type=flash ", "table area of a flash ADC"}},
    {"chip.area.adc_sar_8bit", {"-p chip.area.adc_cost=table ", "table area of a SAR ADC"}},
    {"chip.area.adc_sar_growth", {"-p chip.area.adc_cost=table ", "table area of a SAR ADC"}},
    {"chip.adc.conversion_time", {"-p chip.adc.cost=table ", "the table cost's conversion time"}},
    {"chip.dac.amplitude_energy_per_bit", {"-p chip.dac.encoding=amplitude ", "the amplitude DAC's energy"}},
    {"chip.adc.energy_per_conversion", {"-p chip.adc.cost=table ", "the table cost's energy"}},
    {"chip.adc.schreier_fom", {"-p chip.adc.bits=16 ", "the SAR model's thermal-noise bound, above Walden's at 16 bits"}},
    {"chip.adc.flash_conversion_time", {"-p chip.adc.type=flash ", "the flash model's conversion time"}},
    {"chip.adc.flash_energy_per_comparator", {"-p chip.adc.type=flash ", "the flash model's energy"}},
    {"chip.adc.ramp_step_time", {"-p chip.adc.type=ramp ", "the ramp model's conversion time"}},
    {"chip.adc.ramp_energy_per_step", {"-p chip.adc.type=ramp ", "the ramp model's energy"}},
};

// Run fingerprint: what a user reads, without wall-clock times.
std::string strip_column(const std::string &csv, const std::string &name) {
  std::istringstream in(csv);
  std::string line, out;
  int drop = -1;
  while (std::getline(in, line)) {
    std::vector<std::string> fields;
    std::stringstream ls(line);
    std::string f;
    while (std::getline(ls, f, ',')) fields.push_back(f);
    if (drop < 0)
      for (size_t k = 0; k < fields.size(); ++k)
        if (fields[k] == name) drop = static_cast<int>(k);
    for (size_t k = 0; k < fields.size(); ++k)
      if (static_cast<int>(k) != drop) out += fields[k] + ",";
    out += "\n";
  }
  return out;
}

std::string without_wall(const std::string &json) {
  std::istringstream in(json);
  std::string line, out;
  while (std::getline(in, line))
    if (line.find("\"wall_s\"") == std::string::npos) out += line + "\n";
  return out;
}

std::string fingerprint(const std::string &dir) {
  return strip_column(read_file(dir + "/metrics.csv"), "wall_s") + read_file(dir + "/stats.json") +
         without_wall(read_file(dir + "/result.json"));
}

// 20 random 28x28 images and labels as uncompressed IDX files.
void write_idx(const std::string &dir) {
  std::string images("\x00\x00\x08\x03", 4), labels("\x00\x00\x08\x01", 4);
  auto be32 = [](std::string &s, uint32_t v) {
    for (int k = 3; k >= 0; --k) s.push_back(static_cast<char>((v >> (8 * k)) & 0xff));
  };
  be32(images, 20);
  be32(images, 28);
  be32(images, 28);
  be32(labels, 20);
  uint32_t state = 12345;
  for (int k = 0; k < 20 * 28 * 28; ++k) {
    state = state * 1664525u + 1013904223u;
    images.push_back(static_cast<char>(state >> 24));
  }
  for (int k = 0; k < 20; ++k) labels.push_back(static_cast<char>(k % 10));
  exe::write_file(dir + "/images", images);
  exe::write_file(dir + "/labels", labels);
}

struct Key {
  std::string path;  // section.key as the user writes it
  const aimc_cfg_field *field;
  const void *base;  // the struct holding it in the loaded base config
};

void collect(const aimc_cfg_section *section, const std::string &prefix, const void *base, std::vector<Key> *keys) {
  for (size_t i = 0; i < section->field_count; ++i) {
    const aimc_cfg_field *f = &section->fields[i];
    const void *member = static_cast<const char *>(base) + f->offset;
    std::string path = prefix + "." + f->key;
    if (f->type == AIMC_CFG_SECTION)
      collect(f->section, path, member, keys);
    else if (f->type == AIMC_CFG_DOUBLE || f->type == AIMC_CFG_INT || f->type == AIMC_CFG_UINT64)
      keys->push_back({path, f, base});
  }
}

bool within(const aimc_cfg_field *f, double v) {
  if ((f->flags & AIMC_CFG_GE_MIN) && !(v >= f->min)) return false;
  if ((f->flags & AIMC_CFG_GT_MIN) && !(v > f->min)) return false;
  if ((f->flags & AIMC_CFG_LE_MAX) && !(v <= f->max)) return false;
  if ((f->flags & AIMC_CFG_LT_MAX) && !(v < f->max)) return false;
  return true;
}

// Values to try, nearest first, within the field's own bounds.
std::vector<std::string> candidates(const Key &key) {
  const char *member = static_cast<const char *>(key.base) + key.field->offset;
  std::vector<std::string> out;
  char text[64];
  if (key.field->type == AIMC_CFG_DOUBLE) {
    double v;
    std::memcpy(&v, member, sizeof v);
    std::vector<double> tries = v != 0.0 ? std::vector<double>{v * 1.5, v * 0.5, v * 4.0, -v, v * 0.1}
                                         : std::vector<double>{0.1, 0.01, 0.5, 1.0, 2.0, -0.1, 0.3, 1e-3, 1e-4};
    for (double t : tries)
      if (within(key.field, t) && t != v) {
        std::snprintf(text, sizeof text, "%.17g", t);
        out.push_back(text);
      }
  } else {
    long long v;
    if (key.field->type == AIMC_CFG_INT) {
      int i;
      std::memcpy(&i, member, sizeof i);
      v = i;
    } else {
      uint64_t u;
      std::memcpy(&u, member, sizeof u);
      v = static_cast<long long>(u);
    }
    std::vector<long long> tries = v != 0 ? std::vector<long long>{v + 1, v * 2, v - 1, v / 2, v * 8}
                                          : std::vector<long long>{1, 2, 4, 16, 64};
    for (long long t : tries)
      if (t != v && (key.field->type == AIMC_CFG_INT || t >= 0) && within(key.field, static_cast<double>(t)))
        out.push_back(std::to_string(t));
  }
  return out;
}

}  // namespace

TEST(EveryKey, EveryNumericDeviceUpdatePeripheryAndChipKeyChangesATinyRunOrIsRefused) {
  TempDir dir;
  exe::write_file(dir / "ls.yaml", kLeastSquares);
  write_idx(dir.path());
  const std::string fcn = "-p experiment.workload=fcn -p experiment.epochs=1 -p experiment.batch=10 -p data.train_images=" +
                          (dir / "images") + " -p data.train_labels=" + (dir / "labels") + " -p data.test_images=" +
                          (dir / "images") + " -p data.test_labels=" + (dir / "labels") + " ";
  aimc_config config;
  aimc_cfg_error error;
  ASSERT_EQ(aimc_cfg_load_string(&aimc_config_schema, &config, "ls.yaml", kLeastSquares, std::strlen(kLeastSquares),
                                 nullptr, 0, &error),
            AIMC_OK)
      << error.text;
  std::vector<Key> keys;
  for (size_t i = 0; i < aimc_config_schema.field_count; ++i) {
    const aimc_cfg_field *f = &aimc_config_schema.fields[i];
    const std::string name = f->key;
    if (name == "device" || name == "update" || name == "forward" || name == "backward" || name == "chip")
      collect(f->section, name, reinterpret_cast<const char *>(&config) + f->offset, &keys);
  }
  ASSERT_GT(keys.size(), 100u);
  std::map<std::string, std::string> baselines;  // setting -> fingerprint
  int runs = 0;
  auto run_tiny = [&](const std::string &args, std::string *out) {
    std::string path = dir / ("r" + std::to_string(runs++));
    int status = exe::run("run " + (dir / "ls.yaml") + " --quiet -o " + path + " " + args, out);
    if (status == 0) *out = fingerprint(path);
    std::system(("rm -rf " + path).c_str());
    return status;
  };
  std::vector<std::string> silent;
  for (const Key &key : keys) {
    auto listed = kConditional.find(key.path);
    Setting setting;
    if (listed != kConditional.end()) setting = listed->second;
    std::string context = setting.args;
    // Backward reads and activations happen in networks only.
    if (key.path.rfind("backward.", 0) == 0 || key.path.rfind("chip.controller.activation.", 0) == 0)
      context = fcn + context;
    if (!baselines.count(context)) {
      std::string out;
      ASSERT_EQ(run_tiny(context, &out), 0) << context << "\n" << out;
      baselines[context] = out;
    }
    bool acted = false, refused_all = true;
    std::string tried;
    for (const std::string &value : candidates(key)) {
      std::string out;
      int status = run_tiny(context + "-p " + key.path + "=" + value, &out);
      tried += " " + value + "->" + std::to_string(status);
      if (setting.refused) {
        EXPECT_EQ(status, 2) << key.path << "=" << value << " is listed as refused\n" << out;
        EXPECT_NE(out.find(key.field->key), std::string::npos) << out;
        refused_all = refused_all && status == 2;
        continue;
      }
      if (status == 0 && out != baselines[context]) {
        acted = true;
        break;
      }
    }
    if (setting.refused) {
      EXPECT_TRUE(refused_all) << key.path;
      continue;
    }
    if (!acted) silent.push_back(key.path + " (" + (context.empty() ? "plain run" : context) + ";" + tried + ")");
  }
  std::string list;
  for (const std::string &s : silent) list += "\n  " + s;
  EXPECT_TRUE(silent.empty()) << silent.size() << " keys change nothing:" << list;
}

namespace {

const std::string kExperiments = std::string(AIMC_SOURCE_DIR) + "/configs/experiments/";

// Exit status and output of `aimcsim run ARGS -o DIR/NAME`.
int run_in(const TempDir &dir, const std::string &name, const std::string &args, std::string *out) {
  return exe::run("run " + args + " --quiet -o " + (dir / name), out);
}

}  // namespace

TEST(DeviceSettings, ResetStdOfTheMainArrayIsRefusedAtItsFileLineAndColumnBeforeAnyOutput) {
  TempDir dir;
  exe::write_file(dir / "c.yaml", "version: 1\nexperiment: {steps: 5}\ndevice:\n  reset_std: 0.2\n");
  std::string out;
  EXPECT_EQ(run_in(dir, "out", dir / "c.yaml", &out), 2) << out;
  EXPECT_NE(out.find("c.yaml:4:14"), std::string::npos) << out;
  EXPECT_NE(out.find("device.reset_std = 0.2 has no effect"), std::string::npos) << out;
  EXPECT_FALSE(exe::exists(dir / "out"));
}

TEST(DeviceSettings, FastDeviceResetStdIsRefusedWithoutTikiTakaColumnResets) {
  TempDir dir;
  std::string out;
  const std::string tt = kExperiments + "ls-tiki-taka.yaml -p experiment.steps=5 -p fast_device.reset_std=0.02";
  EXPECT_EQ(run_in(dir, "a", tt, &out), 2) << out;
  EXPECT_NE(out.find("fast_device.reset_std = 0.02 has no effect"), std::string::npos) << out;
  EXPECT_EQ(run_in(dir, "b", tt + " -p tiki_taka.with_reset_prob=0.5", &out), 0) << out;
}

TEST(DeviceSettings, ChipPulseConstantsOfTheUnusedLineEnergyAreRefused) {
  TempDir dir;
  std::string out;
  EXPECT_EQ(run_in(dir, "a", "-p experiment.steps=5 -p chip.pulse.energy_per_line_pulse=1pJ", &out), 2) << out;
  EXPECT_NE(out.find("chip.pulse.energy_per_line_pulse = 1e-12 J has no effect with chip.pulse.line_energy model"),
            std::string::npos)
      << out;
  EXPECT_FALSE(exe::exists(dir / "a"));
  EXPECT_EQ(run_in(dir, "b", "-p experiment.steps=5 -p chip.pulse.line_energy=table -p chip.pulse.amplitude=3V", &out),
            2)
      << out;
  EXPECT_NE(out.find("chip.pulse.amplitude = 3 V has no effect with chip.pulse.line_energy table"), std::string::npos)
      << out;
  EXPECT_FALSE(exe::exists(dir / "b"));
  EXPECT_EQ(run_in(dir, "c", "-p experiment.steps=5 -p chip.pulse.amplitude=3V", &out), 0) << out;
}

TEST(DeviceSettings, TikiTakaWithResetProbabilityOneLeavesEveryTransferredColumnOfAAtItsResetPoint) {
  TempDir dir;
  std::string out;
  // Every column of A is transferred (and so reset to 0.05, no spread) at every step.
  ASSERT_EQ(run_in(dir, "a",
                   kExperiments + "ls-tiki-taka.yaml -p experiment.steps=5 -p tiki_taka.with_reset_prob=1 "
                                  "-p fast_device.reset=0.05 -p tiki_taka.n_reads_per_transfer=1000",
                   &out),
            0)
      << out;
  int in_reset_bin = 0, elsewhere = 0;
  for (const auto &row : exe::read_csv_rows(dir / "a/histograms.csv")) {
    if (row.at("array") != "fast" || row.at("quantity") != "weight") continue;
    int count = std::stoi(row.at("count"));
    (row.at("bin_low") == "0.05" ? in_reset_bin : elsewhere) += count;
  }
  EXPECT_EQ(in_reset_bin, 40);
  EXPECT_EQ(elsewhere, 0);
}

TEST(DeviceSettings, TheCapacitorPresetLoadsAndItsLifetimeChangesTheRun) {
  TempDir dir;
  std::string out;
  const std::string cap = "-p experiment.steps=20 -p least_squares.dim=8 -p device.preset=capacitor";
  ASSERT_EQ(run_in(dir, "a", cap, &out), 0) << out;
  ASSERT_EQ(run_in(dir, "b", cap + " -p device.lifetime=0", &out), 0) << out;
  EXPECT_NE(fingerprint(dir / "a"), fingerprint(dir / "b"));
}

TEST(DeviceSettings, TimedAndUntimedRunsWithDecayDiffusionAndResetsAreBitIdentical) {
  TempDir dir;
  std::string out;
  const std::string args = kExperiments + "ls-tiki-taka.yaml -p experiment.steps=60 -p device.lifetime=100 "
                                          "-p device.diffusion=0.002 -p fast_device.lifetime=30 "
                                          "-p fast_device.diffusion=0.001 -p tiki_taka.with_reset_prob=0.3 "
                                          "-p fast_device.reset_std=0.01";
  ASSERT_EQ(run_in(dir, "timed", args, &out), 0) << out;
  ASSERT_EQ(run_in(dir, "untimed", args + " --no-timing", &out), 0) << out;
  // energy_j holds the leakage, which needs simulated time: the phases' dynamic
  // energy must agree.
  for (const char *column : {"loss", "f_minus_fstar", "learning_error", "energy_update_j", "energy_transfer_j"}) {
    auto timed = exe::read_csv_rows(dir / "timed/metrics.csv"), untimed = exe::read_csv_rows(dir / "untimed/metrics.csv");
    ASSERT_EQ(timed.size(), untimed.size());
    for (size_t k = 0; k < timed.size(); ++k) EXPECT_EQ(timed[k].at(column), untimed[k].at(column)) << column << k;
  }
  EXPECT_EQ(read_file(dir / "timed/histograms.csv"), read_file(dir / "untimed/histograms.csv"));
}
