// Training on the simulated chip, run through `aimcsim run` exactly as a user
// runs it: the paper's least-squares claims (Analog SGD's floor, Tiki-Taka
// without one, Analog GD's convergence, the expected model against the pulse
// level), a short FCN run per algorithm, the timed and untimed runs being bit
// identical, and the run directory's contract.
#include <gtest/gtest.h>

#include "exe_support.h"

#include <array>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <sys/wait.h>
#include <vector>

namespace {

using exe::kExe;
using exe::read_file;
using exe::run;
using exe::TempDir;
const std::string kConfigs = std::string(AIMC_SOURCE_DIR) + "/configs/experiments/";

// A value from summary.txt ("asymptotic |grad|^2 1.2e-3 ...").
double summary_value(const std::string &dir, const std::string &label) {
  std::string text = read_file(dir + "/summary.txt");
  size_t at = text.find(label);
  if (at == std::string::npos) return NAN;
  return std::stod(text.substr(at + label.size()));
}

// metrics.csv as rows of named columns.
std::vector<std::map<std::string, std::string>> read_metrics(const std::string &dir) {
  return exe::read_csv_rows(dir + "/metrics.csv");
}

// The test problem: ls-fig4 with D = 20, m = 60, sigma^2 = 0.1, tau = 2.
const std::string kLs = kConfigs + "ls-fig4.yaml -p least_squares.dim=20 -p least_squares.rows=60 --quiet --no-timing";

double ls_grad(const TempDir &dir, const std::string &name, const std::string &args) {
  std::string out, path = dir.path() + "/" + name;
  int status = run("run " + kLs + " " + args + " -o " + path, &out);
  EXPECT_EQ(status, 0) << out;
  return summary_value(path, "asymptotic |grad|^2");
}

const std::string kTikiTaka =
    "-p experiment.algorithm=tiki_taka -p tiki_taka.fast_lr=0.1 -p tiki_taka.n_reads_per_transfer=20 "
    "-p fast_device.preset=ald -p fast_device.w_max=2 -p fast_device.w_min=-2 -p fast_device.dw_min=0.0001 "
    "-p fast_update.desired_bl=5000 -p transfer_forward.preset=perfect";

}  // namespace

TEST(TrainLeastSquares, AnalogSgdKeepsAFloorThatHalvingAlphaDoesNotHalve) {
  TempDir dir;
  // Steps scale as 1/alpha so that both runs reach their asymptote.
  double digital = ls_grad(dir, "d1", "-p experiment.algorithm=digital_sgd -p experiment.lr=0.005 -p experiment.steps=6000");
  double digital_half = ls_grad(dir, "d2", "-p experiment.algorithm=digital_sgd -p experiment.lr=0.0025 -p experiment.steps=12000");
  double analog = ls_grad(dir, "a1", "-p experiment.algorithm=analog_sgd -p experiment.lr=0.005 -p experiment.steps=6000");
  double analog_half = ls_grad(dir, "a2", "-p experiment.algorithm=analog_sgd -p experiment.lr=0.0025 -p experiment.steps=12000");
  // Digital SGD's error is O(alpha): halving alpha about halves it.
  EXPECT_LT(digital_half, 0.65 * digital);
  // Analog SGD sits on its floor 4 sigma^2 S_K (Theorem 2), well above digital
  // SGD's, and halving alpha leaves it there.
  EXPECT_GT(analog, 3.0 * digital) << analog << " vs " << digital;
  EXPECT_GT(analog_half, 0.75 * analog) << analog_half << " vs " << analog;
  EXPECT_GT(analog_half, 5.0 * digital_half);
}

TEST(TrainLeastSquares, TikiTakaBehavesLikeDigitalSgdAtItsEffectiveRate) {
  TempDir dir;
  // Lemma 5: A tracks (tau / E|eps_i|) grad f, so Tiki-Taka at alpha steps like SGD
  // at alpha * tau / E|eps_i|; with sigma_i^2 = 0.1, E|eps_i| = sqrt(0.2 / pi) and
  // tau = 2 that is alpha * 7.93. No floor: its error follows digital SGD's there.
  double alpha = 0.0025, effective = alpha * 2.0 / std::sqrt(0.2 / M_PI);
  double tiki_taka = ls_grad(dir, "tt", kTikiTaka + " -p experiment.lr=0.0025 -p experiment.steps=12000");
  std::ostringstream args;
  args << "-p experiment.algorithm=digital_sgd -p experiment.lr=" << effective << " -p experiment.steps=3000";
  double digital = ls_grad(dir, "d", args.str());
  EXPECT_LT(tiki_taka, 2.5 * digital) << tiki_taka << " vs " << digital;
  EXPECT_GT(tiki_taka, digital / 4.0) << tiki_taka << " vs " << digital;
}

TEST(TrainLeastSquares, AnalogGradientDescentConvergesWithoutNoise) {
  TempDir dir;
  std::string path = dir.path() + "/gd";
  std::string out;
  ASSERT_EQ(run("run " + kLs + " -p least_squares.sigma_g=0 -p experiment.lr=0.05 -p experiment.steps=2000 -o " + path, &out), 0)
      << out;
  auto rows = read_metrics(path);
  ASSERT_FALSE(rows.empty());
  double first = std::stod(rows.front()["grad_norm_sq"]), last = summary_value(path, "asymptotic |grad|^2");
  // Theorem 9: no asymptotic error without noise (down to the device's granularity).
  EXPECT_LT(last, 1e-7 * first) << first << " -> " << last;
}

TEST(TrainLeastSquares, PulseLevelAgreesWithTheExpectedModel) {
  TempDir dir;
  for (const char *tau : {"1", "2.5"}) {
    std::string base = "run " + kConfigs + "ls-fig3.yaml --quiet --no-timing -p device.dw_min=0.0001 -p device.w_max=" + tau +
                       " -p device.w_min=-" + tau;
    std::string pulse = dir.path() + "/pulse" + tau, expected = dir.path() + "/expected" + tau;
    ASSERT_EQ(run(base + " -o " + pulse), 0);
    ASSERT_EQ(run(base + " -p update.pulse_type=expected -o " + expected), 0);
    double a = summary_value(pulse, "asymptotic error"), b = summary_value(expected, "asymptotic error");
    // With 20000 states the pulse quantisation noise (variance O(alpha dw_min)) is
    // negligible: the two dynamics agree to a few percent (eq. 19-20).
    EXPECT_NEAR(a / b, 1.0, 0.05) << "tau " << tau << ": pulse " << a << " expected " << b;
  }
}

// A short FCN run per algorithm (one test each, so ctest runs them side by side).
class TrainFcn : public ::testing::TestWithParam<std::pair<const char *, double>> {};

TEST_P(TrainFcn, ShortRunOnFashionMnistLearns) {
  const std::string fm = "/usr/share/datasets/fashion-mnist/";
  std::ifstream probe(fm + "train-images-idx3-ubyte.gz");
  ASSERT_TRUE(probe.good()) << "dataset-fashion-mnist is installed by scripts/setup.sh";
  TempDir dir;
  const std::string data = " -p data.train_images=" + fm + "train-images-idx3-ubyte.gz -p data.train_labels=" + fm +
                           "train-labels-idx1-ubyte.gz -p data.test_images=" + fm +
                           "t10k-images-idx3-ubyte.gz -p data.test_labels=" + fm +
                           "t10k-labels-idx1-ubyte.gz -p data.train_limit=3000 -p data.test_limit=500"
                           " -p experiment.epochs=3 -p experiment.lr=0.2 --quiet --no-timing";
  const auto &[algorithm, accuracy] = GetParam();
  std::string path = dir.path() + "/" + algorithm, out;
  ASSERT_EQ(run("run " + kConfigs + "fcn-aimcsim.yaml -p experiment.algorithm=" + algorithm + data + " -o " + path, &out), 0)
      << out;
  auto rows = read_metrics(path);
  ASSERT_EQ(rows.size(), 3u);
  // Ten classes: chance is 10%. Three epochs over 3000 images, fixed seed.
  EXPECT_GT(std::stod(rows.back()["test_accuracy"]), accuracy) << algorithm;
  EXPECT_LT(std::stod(rows.back()["loss"]), std::stod(rows.front()["loss"])) << algorithm;
}

INSTANTIATE_TEST_SUITE_P(Algorithms, TrainFcn,
                         ::testing::Values(std::make_pair("digital_sgd", 0.5), std::make_pair("analog_sgd", 0.3),
                                           std::make_pair("tiki_taka", 0.5)),
                         [](const auto &info) { return std::string(info.param.first); });

TEST(TrainRun, TimedAndUntimedRunsAreBitIdentical) {
  TempDir dir;
  std::string timed = dir.path() + "/timed", untimed = dir.path() + "/untimed";
  const std::string args = "run " + kConfigs + "ls-tiki-taka.yaml -p experiment.steps=150 -p experiment.log_every=5 --quiet";
  ASSERT_EQ(run(args + " -o " + timed), 0);
  ASSERT_EQ(run(args + " --no-timing -o " + untimed), 0);
  EXPECT_EQ(read_file(timed + "/weights/layer0.idx"), read_file(untimed + "/weights/layer0.idx"));
  auto a = read_metrics(timed), b = read_metrics(untimed);
  ASSERT_EQ(a.size(), 30u);
  ASSERT_EQ(a.size(), b.size());
  for (size_t r = 0; r < a.size(); ++r) {
    for (const auto &[column, value] : a[r]) {
      // energy_j holds the leakage, which needs simulated time; the dynamic
      // energy of every phase must agree.
      if (column == "sim_time_s" || column == "wall_s" || column == "energy_j") continue;
      EXPECT_EQ(value, b[r][column]) << "row " << r << " column " << column;
    }
    EXPECT_NE(a[r]["sim_time_s"], "");  // timed: simulated time advances
    EXPECT_EQ(b[r]["sim_time_s"], "");  // untimed: no simulated time
  }
  EXPECT_GT(std::stod(a.back()["sim_time_s"]), std::stod(a.front()["sim_time_s"]));
}

TEST(TrainRun, RunDirectoryHoldsEveryResultAndIsNotOverwritten) {
  TempDir dir;
  std::string path = dir.path() + "/run", out;
  ASSERT_EQ(run("run -p experiment.steps=30 --quiet -o " + path, &out), 0) << out;
  for (const char *name : {"config.yaml", "metrics.csv", "stats.json", "summary.txt", "result.json", "weights/layer0.idx",
                           "histograms.csv"})
    EXPECT_FALSE(read_file(path + "/" + name).empty()) << name;
  // Fig. 7 histograms: 400 weight bins and 400 saturation bins, each holding all D = 40 weights.
  std::istringstream histograms(read_file(path + "/histograms.csv"));
  std::string line;
  std::getline(histograms, line);
  EXPECT_EQ(line, "layer,array,quantity,bin_low,bin_high,count");
  std::map<std::string, long> total, rows;
  while (std::getline(histograms, line)) {
    std::vector<std::string> f;
    std::stringstream ls(line);
    for (std::string x; std::getline(ls, x, ',');) f.push_back(x);
    ASSERT_EQ(f.size(), 6u) << line;
    total[f[2]] += std::stol(f[5]);
    rows[f[2]]++;
  }
  EXPECT_EQ(total["weight"], 40);
  EXPECT_EQ(total["saturation"], 40);
  EXPECT_EQ(rows["weight"], 400);
  EXPECT_EQ(rows["saturation"], 400);
  EXPECT_NE(read_file(path + "/config.yaml").find("steps: 30"), std::string::npos);
  // result.json: the outcome, with per-step figures = totals / 30 (least squares has no test-set reads).
  std::string result = read_file(path + "/result.json");
  EXPECT_NE(result.find("\"status\": \"completed\""), std::string::npos) << result;
  EXPECT_NE(result.find("\"samples_trained\": 30,"), std::string::npos) << result;
  auto number = [&](const std::string &key) {
    size_t at = result.find("\"" + key + "\": ");
    return at == std::string::npos ? NAN : std::strtod(result.c_str() + at + key.size() + 4, nullptr);
  };
  EXPECT_DOUBLE_EQ(number("energy_per_sample_j"), number("energy_total_j") / 30.0);
  EXPECT_DOUBLE_EQ(number("latency_per_sample_s"), number("simulated_time_s") / 30.0);
  EXPECT_GT(number("energy_total_j"), 0.0);
  // The chip's area, as stats.json gives it.
  std::string stats = read_file(path + "/stats.json");
  size_t area_at = stats.find("\"area_mm2\":");
  ASSERT_NE(area_at, std::string::npos);
  EXPECT_DOUBLE_EQ(number("area_mm2"), std::strtod(stats.c_str() + area_at + 11, nullptr));
  EXPECT_GT(number("area_mm2"), 0.0);
  EXPECT_EQ(run("run -p experiment.steps=30 --quiet -o " + path, &out), 2);
  EXPECT_NE(out.find("not empty"), std::string::npos) << out;
  EXPECT_EQ(run("run -p experiment.steps=30 --quiet --force -o " + path, &out), 0) << out;
  // The resolved config reproduces the run.
  std::string again = dir.path() + "/again";
  ASSERT_EQ(run("run " + path + "/config.yaml --quiet -o " + again, &out), 0) << out;
  EXPECT_EQ(read_file(path + "/weights/layer0.idx"), read_file(again + "/weights/layer0.idx"));
}

TEST(TrainRun, TracedRunWritesAWaveformOfThePulses) {
  TempDir dir;
  std::string path = dir.path() + "/traced", out;
  ASSERT_EQ(run("run " + kConfigs +
                    "ls-tiki-taka.yaml -p experiment.steps=10 -p trace.enabled=true -p trace.first_step=2 "
                    "-p trace.last_step=3 -p trace.rows=[0] -p trace.cols=[0,1,2,3] --quiet -o " + path,
                &out),
            0)
      << out;
  std::string vcd = read_file(path + "/waveforms/trace.vcd");
  EXPECT_EQ(vcd.rfind("$version aimcsim $end", 0), 0u);
  EXPECT_NE(vcd.find("$var wire 1 $ row0 $end"), std::string::npos);
  EXPECT_NE(vcd.find("$enddefinitions"), std::string::npos);
  EXPECT_FALSE(read_file(path + "/waveforms/trace.gtkw").empty());
  // A trace needs the timed chip: refused before the run directory exists (test_run_safety.cpp).
  EXPECT_EQ(run("run " + kConfigs + "ls-tiki-taka.yaml -p experiment.steps=10 -p trace.enabled=true --no-timing --quiet -o " +
                    dir.path() + "/untimed",
                &out),
            2);
  EXPECT_NE(out.find("timed chip"), std::string::npos) << out;
}

TEST(TrainRun, PlotWritesPngAndSvgOfARun) {
  TempDir dir;
  std::string path = dir.path() + "/run", out;
  ASSERT_EQ(run("run -p experiment.steps=60 --quiet -o " + path, &out), 0) << out;
  std::string command = kExe + " plot " + path + " 2>&1";
  ASSERT_EQ(std::system(command.c_str()), 0);
  for (const char *name : {"training", "energy", "histograms"}) {
    std::string png = read_file(path + "/plots/" + name + ".png"), svg = read_file(path + "/plots/" + name + ".svg");
    EXPECT_EQ(png.substr(0, 8), std::string("\x89PNG\r\n\x1a\n", 8)) << name;
    EXPECT_NE(svg.find("<svg"), std::string::npos) << name;
  }
  // No temporary file is left behind.
  EXPECT_EQ(std::system(("ls " + path + "/plots | grep -q tmp").c_str()) == 0, false);
  // A Digital SGD run has no chip: no energy plot, weights without saturation.
  std::string digital = dir.path() + "/digital";
  ASSERT_EQ(run("run -p experiment.algorithm=digital_sgd -p experiment.steps=60 --quiet -o " + digital, &out), 0) << out;
  ASSERT_EQ(std::system((kExe + " plot " + digital + " > /dev/null 2>&1").c_str()), 0);
  EXPECT_FALSE(read_file(digital + "/plots/training.png").empty());
  EXPECT_FALSE(read_file(digital + "/plots/histograms.svg").empty());
  EXPECT_TRUE(read_file(digital + "/plots/energy.png").empty());
  EXPECT_NE(std::system((kExe + " plot " + dir.path() + "/missing 2>/dev/null").c_str()), 0);
}

TEST(TrainRun, SigintStopsAtAStepBoundaryWithResultsWritten) {
  TempDir dir;
  std::string path = dir.path() + "/long";
  // A run far too long to finish; SIGINT once it is training (config.yaml is written
  // first), then its exit status and files.
  std::string script = "(" + kExe + " run -p experiment.steps=100000000 --quiet --threads 1 -o " + path +
                       " & pid=$!; for i in $(seq 100); do [ -f " + path +
                       "/config.yaml ] && break; sleep 0.1; done; sleep 1; kill -INT $pid; wait $pid; echo status=$?) 2>&1";
  FILE *pipe = popen(script.c_str(), "r");
  ASSERT_NE(pipe, nullptr);
  std::string out;
  std::array<char, 4096> buffer;
  size_t n;
  while ((n = fread(buffer.data(), 1, buffer.size(), pipe)) > 0) out.append(buffer.data(), n);
  pclose(pipe);
  EXPECT_NE(out.find("status=3"), std::string::npos) << out;
  EXPECT_NE(out.find("stopped by a signal"), std::string::npos) << out;
  EXPECT_NE(read_file(path + "/summary.txt").find("interrupted"), std::string::npos);
  auto rows = read_metrics(path);
  ASSERT_FALSE(rows.empty());
  EXPECT_FALSE(read_file(path + "/weights/layer0.idx").empty());
}

// A section the run's algorithm or workload never reads is not silently
// accepted: when it differs from its defaults the run says so on stderr, and
// says nothing when every section it was given acts.
TEST(TrainRun, ARunNamesTheSectionsItsAlgorithmDoesNotUse) {
  TempDir dir;
  std::string out;
  const std::string steps = " -p experiment.steps=5 --quiet -o ";
  ASSERT_EQ(run("run -p tiki_taka.fast_lr=0.5 -p fast_device.dw_min=0.01" + steps + (dir / "a"), &out), 0) << out;
  EXPECT_NE(out.find("note: experiment.algorithm analog_sgd on the least_squares workload does not use the sections "
                     "tiki_taka, fast_device; their settings have no effect on this run"),
            std::string::npos)
      << out;
  ASSERT_EQ(run("run -p experiment.algorithm=tiki_taka -p tiki_taka.fast_lr=0.5" + steps + (dir / "b"), &out), 0)
      << out;
  EXPECT_EQ(out.find("note:"), std::string::npos) << out;
  ASSERT_EQ(run("run" + steps + (dir / "c"), &out), 0) << out;
  EXPECT_EQ(out.find("note:"), std::string::npos) << out;
  // Resolutions that follow the ADC's bits are not settings the document gave.
  ASSERT_EQ(run("run -p chip.adc.bits=4" + steps + (dir / "e"), &out), 0) << out;
  EXPECT_EQ(out.find("note:"), std::string::npos) << out;
  // Digital SGD does not use the chip: the embedded default's device and update.
  ASSERT_EQ(run("run -p experiment.algorithm=digital_sgd" + steps + (dir / "d"), &out), 0) << out;
  EXPECT_NE(out.find("note: experiment.algorithm digital_sgd on the least_squares workload does not use the sections "
                     "device, update; their settings"),
            std::string::npos)
      << out;
}
