// `aimcsim response` from any starting point: --w0, --up and --down, against the
// closed form of a LinearStep staircase, and their refusals (exit 2).
#include <gtest/gtest.h>

#include <unistd.h>

#include <cmath>
#include <cstdlib>
#include <string>
#include <vector>

#include "exe_support.h"

namespace {

struct Dir {
  std::string path;
  Dir() {
    char pattern[] = "/tmp/aimcsim-response-XXXXXX";
    const char *made = mkdtemp(pattern);
    path = made ? made : "";
  }
  ~Dir() {
    if (!path.empty()) exe::shell("rm -rf '" + path + "'");
  }
};

// A noise-free LinearStep on [-1, 1]: dw+ = 0.01 (1 - 0.5 w), dw- = 0.01 (1 + 0.25 w).
const char *kLinearStep =
    "version: 1\n"
    "device:\n"
    "  model: linear_step\n"
    "  dw_min: 0.01\n"
    "  gamma_up: 0.5\n"
    "  gamma_down: 0.25\n"
    "  w_max: 1\n"
    "  w_min: -1\n"
    "  dw_min_dtod: 0\n"
    "  up_down_dtod: 0\n"
    "  w_max_dtod: 0\n"
    "  w_min_dtod: 0\n"
    "  gamma_up_dtod: 0\n"
    "  gamma_down_dtod: 0\n"
    "  dw_min_std: 0\n";

std::string write_config(const Dir &dir) {
  std::string path = dir.path + "/linear.yaml";
  FILE *f = fopen(path.c_str(), "w");
  if (f) {
    fputs(kLinearStep, f);
    fclose(f);
  }
  return path;
}

int response(const std::string &args, std::string *out) { return exe::shell(exe::kExe + " response " + args, out); }

// The pulse table's weights, in row order (checks the pulse column counts 0, 1, ...).
std::vector<double> pulse_weights(const std::string &csv) {
  auto rows = exe::read_csv_rows(csv);
  std::vector<double> w;
  for (size_t k = 0; k < rows.size(); ++k) {
    EXPECT_EQ(rows[k]["pulse"], std::to_string(k));
    w.push_back(std::stod(rows[k]["w"]));
  }
  return w;
}

}  // namespace

TEST(Response, StartsAtW0ThenTakesUpAndDownPulsesOnTheLinearStepStaircase) {
  Dir dir;
  ASSERT_FALSE(dir.path.empty());
  std::string config = write_config(dir), csv = dir.path + "/r.csv", out;
  ASSERT_EQ(response(config + " --w0 0.25 --up 40 --down 25 --points 2 -o " + csv, &out), 0) << out;
  std::vector<double> w = pulse_weights(csv);
  ASSERT_EQ(w.size(), 1u + 40 + 25);
  EXPECT_EQ(w[0], 0.25);
  // Up: w_n = w+ + (w0 - w+)(1 - a)^n with a = dw_min gamma_up / w_max, w+ = w_max / gamma_up.
  const double a = 0.01 * 0.5, w_up = 1.0 / 0.5;
  for (int n = 1; n <= 40; ++n) {
    EXPECT_NEAR(w[n], w_up + (0.25 - w_up) * std::pow(1 - a, n), 1e-5) << "after " << n << " up pulses";
    EXPECT_GT(w[n], w[n - 1]);
  }
  // Down: w_m = w- + (w_40 - w-)(1 - b)^m with b = dw_min gamma_down / |w_min|, w- = -|w_min| / gamma_down.
  const double b = 0.01 * 0.25, w_down = -1.0 / 0.25, w40 = w_up + (0.25 - w_up) * std::pow(1 - a, 40);
  for (int m = 1; m <= 25; ++m) {
    EXPECT_NEAR(w[40 + m], w_down + (w40 - w_down) * std::pow(1 - b, m), 1e-5) << "after " << m << " down pulses";
    EXPECT_LT(w[40 + m], w[40 + m - 1]);
  }
}

TEST(Response, UpAndDownDefaultToPulsesAndW0ToTheLowerBound) {
  Dir dir;
  ASSERT_FALSE(dir.path.empty());
  std::string config = write_config(dir), csv = dir.path + "/r.csv", out;
  ASSERT_EQ(response(config + " --pulses 6 --up 2 --points 2 -o " + csv, &out), 0) << out;
  std::vector<double> w = pulse_weights(csv);
  ASSERT_EQ(w.size(), 1u + 2 + 6);
  EXPECT_EQ(w[0], -1.0);
  EXPECT_GT(w[2], w[1]);
  EXPECT_LT(w[3], w[2]);
  ASSERT_EQ(response(config + " --pulses 3 --down 0 --w0 0 --points 2 -o " + csv, &out), 0) << out;
  w = pulse_weights(csv);
  ASSERT_EQ(w.size(), 1u + 3);
  EXPECT_EQ(w[0], 0.0);
  EXPECT_NEAR(w[1], 0.01, 1e-9);
}

TEST(Response, RefusesW0OutsideTheBoundsAndBadCountsWithExit2WritingNothing) {
  Dir dir;
  ASSERT_FALSE(dir.path.empty());
  std::string config = write_config(dir), csv = dir.path + "/r.csv";
  struct Case {
    std::string args, message;
  };
  const Case cases[] = {
      {"--w0 1.5", "aimcsim response: --w0 1.5 is outside the device's bounds [-1, 1]"},
      {"--w0 -1.0001", "aimcsim response: --w0 -1.0001 is outside the device's bounds [-1, 1]"},
      {"--w0 abc", "aimcsim response: --w0 needs a number, got 'abc'"},
      {"--w0 nan", "aimcsim response: --w0 needs a number, got 'nan'"},
      {"--w0 0.5x", "aimcsim response: --w0 needs a number, got '0.5x'"},
      {"--up -3", "aimcsim response: --up needs an integer in [0, 10000000], got '-3'"},
      {"--down -1", "aimcsim response: --down needs an integer in [0, 10000000], got '-1'"},
      {"--down 2.5", "aimcsim response: --down needs an integer in [0, 10000000], got '2.5'"},
      {"--up 10000001", "aimcsim response: --up needs an integer in [0, 10000000], got '10000001'"},
  };
  for (const Case &c : cases) {
    std::string out;
    EXPECT_EQ(response(config + " " + c.args + " -o " + csv, &out), 2) << c.args << "\n" << out;
    EXPECT_NE(out.find(c.message), std::string::npos) << c.args << "\n" << out;
    EXPECT_NE(access(csv.c_str(), F_OK), 0) << c.args << " wrote " << csv;
  }
}

TEST(Response, HelpNamesTheStartingPointOptions) {
  std::string out;
  ASSERT_EQ(response("--help", &out), 0);
  for (const char *option : {"--w0 W", "--up N", "--down M"}) EXPECT_NE(out.find(option), std::string::npos) << out;
}
