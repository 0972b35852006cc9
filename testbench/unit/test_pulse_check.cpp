// `aimcsim pulse-check`, run as a child process exactly as a user runs it, on
// the example configs of configs/pulse-check/: an unbiased constant-step update,
// the ALD's drift as the paper's G term predicts it, the bias of update
// management's BL cap, the half-select disturb, the limits and the exit codes.
#include <gtest/gtest.h>

#include <array>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <sstream>
#include <sys/stat.h>

#include <string>
#include <sys/wait.h>
#include <vector>

#include "exe_support.h"

namespace {

using exe::kExe;
const std::string kConfigs = std::string(AIMC_SOURCE_DIR) + "/configs/pulse-check/";

struct Result {
  int status;
  std::string out;
};

Result run(const std::string &args) {
  // One OpenMP thread: ctest runs two tests at once; results do not depend on it.
  Result r{-1, {}};
  r.status = exe::shell("OMP_NUM_THREADS=1 " + kExe + " " + args, &r.out);
  return r;
}

using exe::read_file;
using exe::TempDir;

// The number after "key": in pulse_check.json (keys are unique in the file).
double json_value(const std::string &json, const std::string &key) {
  size_t at = json.find("\"" + key + "\": ");
  if (at == std::string::npos) return NAN;
  std::string rest = json.substr(at + key.size() + 4);
  if (rest.compare(0, 4, "null") == 0) return NAN;
  return std::stod(rest);
}

// A CSV file as rows of named columns (empty fields are NaN).
std::vector<std::map<std::string, double>> read_csv(const std::string &path) {
  std::vector<std::map<std::string, double>> rows;
  for (const auto &fields : exe::read_csv_rows(path)) {
    std::map<std::string, double> row;
    for (const auto &[name, text] : fields) row[name] = text.empty() ? NAN : std::stod(text);
    rows.push_back(row);
  }
  return rows;
}

// For the ALD, the n pulses of sign s of one update give exactly
//   w_n = w0 (1 - a)^n + s tau (1 - (1 - a)^n),  a = dw_min / tau,
// whose first-order part is the paper's model; the rest is at most
// n(n-1)/2 a^2 (tau + |w0|) (eq. 20's second-order term). Its mean over the
// (cell, update) pairs of pulses_histogram.csv in `dir`.
double ald_second_order(const std::string &dir, double dw_min, double tau, double w0) {
  double pairs = 0.0, total = 0.0;
  for (const auto &row : read_csv(dir + "/pulses_histogram.csv")) {
    pairs += row.at("count") * row.at("pulses") * (row.at("pulses") - 1.0);
    total += row.at("count");
  }
  return pairs / total / 2.0 * (dw_min / tau) * (dw_min / tau) * (tau + std::fabs(w0));
}

// Runs the check into a fresh directory and returns pulse_check.json.
std::string check(const TempDir &dir, const std::string &config, const std::string &args = "") {
  Result r = run("pulse-check " + kConfigs + config + " -o " + dir.path() + " " + args);
  EXPECT_EQ(r.status, 0) << r.out;
  return read_file(dir.path() + "/pulse_check.json");
}

// A refused pulse-check changes nothing on disk, and its messages name the
// configuration's keys: traced lines outside the array, tracing without -o and
// an array larger than the tile are refused before OUTDIR exists.
TEST(PulseCheck, RefusedStartsNameTheKeyAndCreateNothing) {
  TempDir dir;
  const std::string outdir = dir.path() + "/out", config = kConfigs + "ald-small-tau.yaml";
  const std::pair<std::string, std::string> cases[] = {
      {"-p trace.enabled=true -p trace.rows=[0,99] -o " + outdir, "trace.rows[1] = 99 is outside the tile's 16 rows"},
      {"-p trace.enabled=true", "trace.enabled: the VCD (trace.vcd 'waveforms/trace.vcd') goes below the output "
                                "directory: give -o OUTDIR"},
      {"-p pulse_check.rows=200 -o " + outdir, "pulse_check: a 200 x 16 array does not fit one"},
  };
  for (const auto &[args, message] : cases) {
    Result r = run("pulse-check " + config + " " + args);
    EXPECT_EQ(r.status, 2) << args << "\n" << r.out;
    EXPECT_NE(r.out.find(message), std::string::npos) << args << "\n" << r.out;
    EXPECT_EQ(r.out.find("trace.tiles["), std::string::npos) << r.out;
    EXPECT_FALSE(exe::exists(outdir)) << args;
  }
}

// -o into a directory another command wrote (a run's, or one holding a
// config.yaml of its own) is refused with every byte left as it was; a
// pulse-check's own directory is written again.
TEST(PulseCheck, NeverWritesIntoADirectoryItDidNotWrite) {
  TempDir dir;
  const std::string config = kConfigs + "ald-small-tau.yaml -p pulse_check.trials=5";
  const std::string runs = dir.path() + "/run";
  ASSERT_EQ(exe::run("run -p experiment.steps=3 --quiet -o " + runs), 0);
  const std::string before = read_file(runs + "/config.yaml");
  Result r = run("pulse-check " + config + " -o " + runs);
  EXPECT_EQ(r.status, 2) << r.out;
  EXPECT_NE(r.out.find("which pulse-check did not write"), std::string::npos) << r.out;
  EXPECT_EQ(read_file(runs + "/config.yaml"), before);
  EXPECT_FALSE(exe::exists(runs + "/pulse_check.json"));
  const std::string other = dir.path() + "/other";
  ASSERT_EQ(mkdir(other.c_str(), 0777), 0);
  exe::write_file(other + "/config.yaml", "mine: 1\n");
  r = run("pulse-check " + config + " -o " + other);
  EXPECT_EQ(r.status, 2) << r.out;
  EXPECT_NE(r.out.find("-o " + other + " holds config.yaml, which pulse-check did not write"), std::string::npos)
      << r.out;
  EXPECT_EQ(read_file(other + "/config.yaml"), "mine: 1\n");
  const std::string own = dir.path() + "/own";
  ASSERT_EQ(run("pulse-check " + config + " -o " + own).status, 0);
  EXPECT_EQ(run("pulse-check " + config + " -o " + own).status, 0);
}

}  // namespace

TEST(PulseCheck, ConstantStepWithFineStepIsUnbiased) {
  TempDir dir;
  // dw_min = 1e-4, lr = 1e-3, |x|, |d| <= 1: k = lr max|x| max|d| / dw_min <= 10 < 31,
  // so every coincidence probability stays below 1 and E[pulses] = |I| / dw_min.
  std::string json = check(dir, "constant-step.yaml");
  double n = json_value(json, "trials");
  ASSERT_EQ(n, 4000);
  auto cells = read_csv(dir.path() + "/cells.csv");
  ASSERT_EQ(cells.size(), 256u);
  // Each cell's bias is a mean of n independent errors: within 5 standard errors
  // of zero (a false alarm anywhere in the 256 cells has probability ~1.5e-4,
  // and the seed is fixed).
  double stderr_sum = 0.0;
  for (const auto &cell : cells) {
    EXPECT_LE(std::fabs(cell.at("bias")), 5.0 * cell.at("bias_stderr"))
        << "cell " << cell.at("row") << "," << cell.at("col");
    stderr_sum += cell.at("bias_stderr");
  }
  // The mean over cells, even if the cells' errors were fully correlated.
  EXPECT_LE(std::fabs(json_value(json, "mean_bias")), 5.0 * stderr_sum / cells.size());
  EXPECT_LE(json_value(json, "max_abs_bias_z"), 5.0);
  // Variance of e = dW - I given x and d: the pulse count is binomial, Var <= E[n],
  // and each pulse adds (dw_min dw_min_std)^2, so
  //   dw_min^2 dw_min_std^2 E[n] <= Var(e) <= dw_min^2 (1 + dw_min_std^2) E[n].
  double g = 1e-4, sigma = 0.3, pulses = json_value(json, "per_device_mean");
  EXPECT_NEAR(pulses, json_value(json, "ideal_abs_mean") / g, 0.02 * pulses);
  double variance = json_value(json, "mean_variance");
  EXPECT_GT(variance, g * g * sigma * sigma * pulses);
  EXPECT_LT(variance, g * g * (1.0 + sigma * sigma) * pulses);
  // BL management: ceil(k) slots, at most 10; no cell gets more pulses than slots.
  EXPECT_EQ(json_value(json, "slots_max"), 10);
  EXPECT_LE(json_value(json, "per_device_max"), 10);
  // The histogram counts every (cell, update) pair once.
  double counted = 0.0;
  for (const auto &row : read_csv(dir.path() + "/pulses_histogram.csv")) counted += row.at("count");
  EXPECT_EQ(counted, n * 256);
  // Time and energy come from the timed chip: 5 ns per slot plus setup.
  EXPECT_GE(json_value(json, "update_time_max_s"), 10 * 5e-9);
  EXPECT_GT(json_value(json, "energy_per_update_mean_j"), 0.0);
}

TEST(PulseCheck, AsymmetricLinearDeviceDriftsAsTheGTermPredicts) {
  TempDir dir;
  // ALD with tau = 0.3 at w0 = 0.15: F = 1 and G(w0) = w0 / tau = 0.5 (paper,
  // eq. 8), so E[dW] = E[I] - G E|I| and the bias is the G term alone,
  //   -G(w0) lr E|d| E|x| = -0.5 * 0.01 * 0.5 * 0.5 = -1.25e-3 per update.
  const double tau = 0.3, w0 = 0.15, lr = 0.01, g = 0.001;
  const double drift = -(w0 / tau) * lr * 0.5 * 0.5;
  std::string json = check(dir, "ald-small-tau.yaml");
  EXPECT_NEAR(json_value(json, "F_mean"), 1.0, 1e-6);
  EXPECT_NEAR(json_value(json, "G_mean"), w0 / tau, 1e-6);
  // Tolerance: the pulses of one update see w move (ald_second_order); 1% more
  // covers the sampling of E|I| over 4000 updates and the pulse noise of the mean.
  double second_order = ald_second_order(dir.path(), g, tau, w0);
  EXPECT_LT(second_order, 0.025 * std::fabs(drift));
  double bias = json_value(json, "mean_bias");
  EXPECT_NEAR(bias, drift, second_order + 0.01 * std::fabs(drift)) << "second order " << second_order;
  // The decomposition the report gives: the G term alone, computed from the
  // sampled |I|, and the expected-model kernel agree with it.
  EXPECT_NEAR(json_value(json, "g_term_mean"), -0.5 * json_value(json, "ideal_abs_mean"), 1e-9);
  EXPECT_NEAR(json_value(json, "f_term_mean"), 0.0, 1e-9);
  EXPECT_NEAR(json_value(json, "expected_kernel_bias_mean"), json_value(json, "model_bias_mean"),
              1e-3 * std::fabs(drift));
  EXPECT_NEAR(bias, json_value(json, "model_bias_mean"), second_order + 0.01 * std::fabs(drift));

  // Other distributions, same law: x ~ N(0, 0.5^2), d = +-1 give E|x| E|d| =
  // 0.5 sqrt(2/pi); normal deviates stay below 5.77 sigma, so k < 0.01 * 2.89 /
  // 0.001 < 31 and no update is capped.
  TempDir gaussian;
  std::string other = check(gaussian, "ald-small-tau.yaml",
                            "-p pulse_check.x_distribution=gaussian -p pulse_check.x_scale=0.5 "
                            "-p pulse_check.d_distribution=sign");
  const double other_drift = -(w0 / tau) * lr * 0.5 * std::sqrt(2.0 / M_PI);
  double other_second_order = ald_second_order(gaussian.path(), g, tau, w0);
  EXPECT_NEAR(json_value(other, "mean_bias"), other_drift, other_second_order + 0.01 * std::fabs(other_drift))
      << "second order " << other_second_order;

  // From each cell's symmetric point (G = 0) the same updates do not drift.
  TempDir symmetric;
  std::string at_symmetric = check(symmetric, "ald-small-tau.yaml", "-p pulse_check.weight_state=symmetric_point");
  EXPECT_NEAR(json_value(at_symmetric, "G_mean"), 0.0, 1e-6);
  EXPECT_LT(std::fabs(json_value(at_symmetric, "mean_bias")), 0.01 * std::fabs(drift));
}

TEST(PulseCheck, BitLengthCapOfUpdateManagementShowsAsBias) {
  TempDir dir;
  // x = d = 1, lr = 0.01, dw_min = 1e-4: k = 100 > desired_bl = 31, so update
  // management scales the probabilities down and every device gets exactly 31
  // pulses: dW = -31 dw_min instead of I = -0.01, a bias of 0.0069 per update.
  std::string json = check(dir, "constant-step.yaml",
                           "-p pulse_check.x_distribution=constant -p pulse_check.d_distribution=constant "
                           "-p pulse_check.lr=0.01 -p pulse_check.trials=500");
  EXPECT_EQ(json_value(json, "per_device_max"), 31);
  auto histogram = read_csv(dir.path() + "/pulses_histogram.csv");
  ASSERT_EQ(histogram.size(), 32u);
  EXPECT_EQ(histogram[31].at("fraction"), 1.0);
  // 31 pulses of dw_min (1 + 0.3 xi): standard error 1e-4 * 0.3 * sqrt(31 / 500).
  double stderr_mean = 1e-4 * 0.3 * std::sqrt(31.0 / 500.0);
  EXPECT_NEAR(json_value(json, "mean_bias"), 0.01 - 31 * 1e-4, 5.0 * stderr_mean);
  EXPECT_GT(json_value(json, "max_abs_bias_z"), 100.0);
}

TEST(PulseCheck, HalfSelectDisturbIsItsFractionOfAPulsePerHalfSelectedSlot) {
  TempDir dir;
  // x = 1, d = 0.45: k = 4.5, BL = 5, every line fires with probability
  // sqrt(0.9), so cells are half-selected in some slots. Each such slot moves a
  // constant-step device by half_select_disturb * dw_min in the driven line's
  // sign, here -sign(lr) sign(d) = -sign(lr) sign(x) = -1.
  std::string json = check(dir, "constant-step.yaml",
                           "-p device.half_select_disturb=0.1 -p device.dw_min_std=0 -p pulse_check.trials=300 "
                           "-p pulse_check.x_distribution=constant -p pulse_check.d_distribution=constant "
                           "-p pulse_check.d_scale=0.45");
  EXPECT_GT(json_value(json, "devices_per_update_mean"), 0.0);
  for (const auto &cell : read_csv(dir.path() + "/cells.csv"))
    EXPECT_NEAR(cell.at("disturb_mean"), -0.1 * 1e-4 * cell.at("half_selects_mean"), 1e-4 * 1e-4)
        << "cell " << cell.at("row") << "," << cell.at("col");
}

TEST(PulseCheck, LimitBelowTheMeasuredMaximumFailsAndNamesIt) {
  // The ALD config gives up to 10 pulses per device in one update (BL <= 10).
  const std::string config = "pulse-check " + kConfigs + "ald-small-tau.yaml -p pulse_check.trials=200 ";
  Result at = run(config + "-p pulse_check.max_pulses_per_device=10");
  EXPECT_EQ(at.status, 0) << at.out;
  EXPECT_NE(at.out.find("PASS: every limit holds"), std::string::npos) << at.out;
  Result below = run(config + "-p pulse_check.max_pulses_per_device=9 -p pulse_check.max_update_time=1us");
  EXPECT_EQ(below.status, 4) << below.out;
  EXPECT_NE(below.out.find("limit broken: pulse_check.max_pulses_per_device: measured 10, limit 9"),
            std::string::npos)
      << below.out;
  EXPECT_NE(below.out.find("FAIL: 1 limit broken"), std::string::npos) << below.out;
  EXPECT_EQ(below.out.find("limit broken: pulse_check.max_update_time"), std::string::npos) << below.out;
}

TEST(PulseCheck, InvalidConfigurationsExitWithStatus2) {
  TempDir dir;
  std::string path = dir.path() + "/bad.yaml";
  std::ofstream(path) << "version: 1\npulse_check:\n  trials: 100\n  max_pulse_per_device: 3\n";
  Result r = run("pulse-check " + path);
  EXPECT_EQ(r.status, 2) << r.out;
  EXPECT_NE(r.out.find(path + ":4:3: unknown key 'max_pulse_per_device' in section 'pulse_check'"),
            std::string::npos)
      << r.out;
  // An array larger than one tile is refused before anything runs.
  Result big = run("pulse-check " + kConfigs + "ald-small-tau.yaml -p pulse_check.rows=200");
  EXPECT_EQ(big.status, 2) << big.out;
  EXPECT_NE(big.out.find("does not fit one 128 x 128 tile"), std::string::npos) << big.out;
  // So is a symmetric-point start on a device without one (up_down = 0.2 makes
  // every down step smaller than every up step).
  Result asymmetric = run("pulse-check " + kConfigs +
                          "constant-step.yaml -p device.up_down=0.2 -p pulse_check.weight_state=symmetric_point");
  EXPECT_EQ(asymmetric.status, 2) << asymmetric.out;
  EXPECT_NE(asymmetric.out.find("cell (0, 0): device has no symmetric point in [-0.6, 0.6]"), std::string::npos)
      << asymmetric.out;
}

TEST(PulseCheck, TracesTheChosenUpdateToVcd) {
  TempDir dir;
  Result r = run("pulse-check " + kConfigs + "ald-small-tau.yaml -p pulse_check.trials=10 -p trace.enabled=true " +
                 "-p trace.first_step=3 -p trace.last_step=3 -p trace.vcd=waveforms/update.vcd -o " + dir.path());
  ASSERT_EQ(r.status, 0) << r.out;
  std::string vcd = read_file(dir.path() + "/waveforms/update.vcd");
  ASSERT_FALSE(vcd.empty());
  // The chip's step variable takes the traced trial's index (3 = b11), not the next.
  std::string declaration = "$var integer 32 ";
  size_t at = vcd.find(" step [31:0] $end");
  ASSERT_NE(at, std::string::npos);
  size_t start = vcd.rfind(declaration, at) + declaration.size();
  std::string id = vcd.substr(start, at - start);
  EXPECT_NE(vcd.find("\nb11 " + id + "\n"), std::string::npos) << vcd;
  EXPECT_EQ(vcd.find("\nb100 " + id + "\n"), std::string::npos) << vcd;
}
