// Numbers of the training layer that a wrong implementation would still print
// plausibly, each checked against where it comes from, through `aimcsim run`:
// the columns each Tiki-Taka transfer writes (the pointer cycles through A),
// least squares converging with fewer columns per transfer than the dimension,
// the learning rate of every metrics.csv row against the config's step schedule
// (least squares and FCN), and the asymptotic error against the last 20 rows of
// metrics.csv.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "exe_support.h"

namespace {

using exe::read_file;
using exe::run;
using exe::TempDir;
const std::string kConfigs = std::string(AIMC_SOURCE_DIR) + "/configs/experiments/";

std::vector<std::map<std::string, std::string>> read_metrics(const std::string &dir) {
  return exe::read_csv_rows(dir + "/metrics.csv");
}

// weights/layer0.idx: an IDX float file (big endian), rows x cols.
std::vector<float> read_idx_floats(const std::string &path, int *rows, int *cols) {
  std::string bytes = read_file(path);
  auto u32 = [&](size_t at) {
    return (uint32_t)(unsigned char)bytes[at] << 24 | (uint32_t)(unsigned char)bytes[at + 1] << 16 |
           (uint32_t)(unsigned char)bytes[at + 2] << 8 | (uint32_t)(unsigned char)bytes[at + 3];
  };
  if (bytes.size() < 12 || bytes[2] != 0x0D || bytes[3] != 2) return {};
  *rows = (int)u32(4);
  *cols = (int)u32(8);
  size_t n = (size_t)*rows * (size_t)*cols;
  if (bytes.size() != 12 + 4 * n) return {};
  std::vector<float> w(n);
  for (size_t k = 0; k < n; ++k) {
    uint32_t bits = u32(12 + 4 * k);
    std::memcpy(&w[k], &bits, sizeof bits);
  }
  return w;
}

// The run's C (the main array of Tiki-Taka), one weight per column of A.
std::vector<float> slow_weights(const std::string &dir) {
  int rows = 0, cols = 0;
  std::vector<float> w = read_idx_floats(dir + "/weights/layer0.idx", &rows, &cols);
  EXPECT_EQ(rows, 1) << dir;
  return w;
}

// Tiki-Taka on a small least-squares problem; transfer after every step.
std::string tiki_taka_ls(int dim, int columns_per_transfer) {
  return "run " + kConfigs + "ls-tiki-taka.yaml --quiet --no-timing -p least_squares.dim=" + std::to_string(dim) +
         " -p least_squares.rows=" + std::to_string(3 * dim) +
         " -p tiki_taka.transfer_every=1 -p tiki_taka.n_reads_per_transfer=" + std::to_string(columns_per_transfer);
}

double number(const std::map<std::string, std::string> &row, const std::string &column) {
  auto at = row.find(column);
  if (at == row.end() || at->second.empty()) return NAN;
  return std::stod(at->second);
}

// A number field of result.json ("asymptotic_error": 1.25e-3,).
double result_value(const std::string &dir, const std::string &key) {
  std::string text = read_file(dir + "/result.json"), quoted = "\"" + key + "\":";
  size_t at = text.find(quoted);
  if (at == std::string::npos) return NAN;
  return std::stod(text.substr(at + quoted.size()));
}

double summary_value(const std::string &dir, const std::string &label) {
  std::string text = read_file(dir + "/summary.txt");
  size_t at = text.find(label);
  if (at == std::string::npos) return NAN;
  return std::stod(text.substr(at + label.size()));
}

// |a - b| <= rel * max(|a|, |b|).
::testing::AssertionResult RelativelyNear(double a, double b, double rel) {
  double scale = std::max(std::fabs(a), std::fabs(b));
  if (std::fabs(a - b) <= rel * scale) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << a << " vs " << b << " (relative difference "
                                       << (scale > 0 ? std::fabs(a - b) / scale : 0.0) << " > " << rel << ")";
}

}  // namespace

// The k-th transfer (k = 1, 2, ...) writes columns n (k - 1) .. n k - 1 of A into
// C, modulo the dimension: the pointer advances by n_reads_per_transfer and wraps.
// Runs are prefixes of each other (fixed seed, counter-based random numbers), so
// C after k steps minus C after k - 1 steps shows the columns of transfer k: those
// change (at this seed each transferred column of A moves C by at least one pulse)
// and no other does.
TEST(TrainTikiTaka, EachTransferWritesTheNextColumnsOfA) {
  TempDir dir;
  const int dim = 5;
  for (int per_transfer : {1, 2}) {
    std::vector<float> before(dim, 0.0f);  // least_squares.w0 = 0
    for (int k = 1; k <= 2 * dim / per_transfer + 1; ++k) {
      std::string path = dir.path() + "/n" + std::to_string(per_transfer) + "_k" + std::to_string(k), out;
      ASSERT_EQ(
          run(tiki_taka_ls(dim, per_transfer) + " -p experiment.steps=" + std::to_string(k) + " -o " + path, &out), 0)
          << out;
      std::vector<float> after = slow_weights(path);
      ASSERT_EQ(after.size(), (size_t)dim);
      std::set<int> expected, changed;
      for (int i = 0; i < per_transfer; ++i) expected.insert((per_transfer * (k - 1) + i) % dim);
      for (int j = 0; j < dim; ++j)
        if (after[j] != before[j]) changed.insert(j);
      std::ostringstream got, want;
      for (int j : changed) got << j << " ";
      for (int j : expected) want << j << " ";
      EXPECT_EQ(changed, expected) << "transfer " << k << " of " << per_transfer
                                   << " column(s): columns of C changed: " << got.str() << "; expected: " << want.str();
      before = after;
    }
  }
}

// One column per transfer on a 10-dimensional problem: each column of C is
// written every 10th step, and C (the weights, gamma = 0) still reaches W*: f - f*
// falls by more than a factor 100 from the first logged step (to about 1/1000 of
// it). A pointer that did not advance would leave nine columns at W0 = 0 and
// f - f* near its start.
TEST(TrainTikiTaka, LeastSquaresConvergesWithFewerColumnsPerTransferThanTheDimension) {
  TempDir dir;
  std::string path = dir.path() + "/tt", out;
  ASSERT_EQ(run(tiki_taka_ls(10, 1) + " -p experiment.steps=3000 -p experiment.log_every=10 -o " + path, &out), 0)
      << out;
  auto rows = read_metrics(path);
  ASSERT_EQ(rows.size(), 300u);
  double first = number(rows.front(), "f_minus_fstar"), asymptotic = result_value(path, "asymptotic_error");
  ASSERT_GT(first, 0.0);
  EXPECT_LT(asymptotic, 1e-2 * first) << "f - f*: first logged " << first << ", asymptotic " << asymptotic;
  // Every column moved from W0 = 0 towards W*.
  std::vector<float> w = slow_weights(path);
  ASSERT_EQ(w.size(), 10u);
  for (int j = 0; j < 10; ++j) EXPECT_NE(w[j], 0.0f) << "column " << j << " of C never written";
}

// lr_step = 3 steps on least squares: step s (0-based, metrics row step = s + 1)
// trains at lr * lr_gamma^floor(s / 3). Logging every step crosses four boundaries.
TEST(TrainSchedule, LeastSquaresLearningRateDecaysEveryLrStepSteps) {
  TempDir dir;
  const double lr = 0.05, gamma = 0.5;
  const int lr_step = 3, steps = 14;
  std::string path = dir.path() + "/ls", out;
  std::ostringstream args;
  args << "run " << kConfigs << "ls-fig4.yaml --quiet --no-timing -p least_squares.dim=8 -p least_squares.rows=24"
       << " -p experiment.algorithm=analog_sgd -p experiment.lr=" << lr << " -p experiment.lr_gamma=" << gamma
       << " -p experiment.lr_step=" << lr_step << " -p experiment.steps=" << steps << " -p experiment.log_every=1";
  ASSERT_EQ(run(args.str() + " -o " + path, &out), 0) << out;
  auto rows = read_metrics(path);
  ASSERT_EQ(rows.size(), (size_t)steps);
  for (const auto &row : rows) {
    int step = (int)number(row, "step");
    double expected = lr * std::pow(gamma, (step - 1) / lr_step);
    EXPECT_TRUE(RelativelyNear(number(row, "lr"), expected, 1e-7)) << "metrics.csv row of step " << step;
  }
}

// lr_step = 2 epochs on the FCN: epoch e (1-based, the metrics row's epoch) trains
// at lr * lr_gamma^floor((e - 1) / 2); five epochs cross two boundaries.
TEST(TrainSchedule, FcnLearningRateDecaysEveryLrStepEpochs) {
  const std::string fm = "/usr/share/datasets/fashion-mnist/";
  std::ifstream probe(fm + "train-images-idx3-ubyte.gz");
  ASSERT_TRUE(probe.good()) << "dataset-fashion-mnist is installed by scripts/setup.sh";
  TempDir dir;
  const double lr = 0.2, gamma = 0.1;
  const int lr_step = 2, epochs = 5;
  std::ostringstream args;
  args << "run " << kConfigs << "fcn-aimcsim.yaml --quiet --no-timing -p experiment.algorithm=analog_sgd"
       << " -p data.train_images=" << fm << "train-images-idx3-ubyte.gz -p data.train_labels=" << fm
       << "train-labels-idx1-ubyte.gz -p data.test_images=" << fm
       << "t10k-images-idx3-ubyte.gz -p data.test_labels=" << fm
       << "t10k-labels-idx1-ubyte.gz -p data.train_limit=100 -p data.test_limit=50 -p experiment.epochs=" << epochs
       << " -p experiment.lr=" << lr << " -p experiment.lr_gamma=" << gamma << " -p experiment.lr_step=" << lr_step;
  std::string path = dir.path() + "/fcn", out;
  ASSERT_EQ(run(args.str() + " -o " + path, &out), 0) << out;
  auto rows = read_metrics(path);
  ASSERT_EQ(rows.size(), (size_t)epochs);
  for (const auto &row : rows) {
    int epoch = (int)number(row, "epoch");
    double expected = lr * std::pow(gamma, (epoch - 1) / lr_step);
    EXPECT_TRUE(RelativelyNear(number(row, "lr"), expected, 1e-6)) << "metrics.csv row of epoch " << epoch;
  }
}

// The asymptotic error is the mean of f - f* over the last 20 steps (the authors'
// scripts): with a row per step, the mean of the last 20 rows of metrics.csv. Its
// value in result.json and summary.txt must be that mean (the rows carry 9
// digits), for a run longer than 20 steps (not a multiple of 20, so the tail wraps)
// and for one shorter (the mean of all its steps).
TEST(TrainLeastSquares, AsymptoticErrorIsTheMeanOfTheLast20Steps) {
  TempDir dir;
  for (int steps : {47, 12}) {
    std::string path = dir.path() + "/ls" + std::to_string(steps), out;
    ASSERT_EQ(run("run " + kConfigs +
                      "ls-fig4.yaml --quiet --no-timing -p least_squares.dim=8 -p least_squares.rows=24"
                      " -p experiment.algorithm=analog_sgd -p experiment.log_every=1 -p experiment.steps=" +
                      std::to_string(steps) + " -o " + path,
                  &out),
              0)
        << out;
    auto rows = read_metrics(path);
    ASSERT_EQ(rows.size(), (size_t)steps);
    size_t tail = std::min<size_t>(20, rows.size());
    double sum = 0;
    for (size_t r = rows.size() - tail; r < rows.size(); ++r) sum += number(rows[r], "f_minus_fstar");
    double mean = sum / (double)tail;
    EXPECT_TRUE(RelativelyNear(result_value(path, "asymptotic_error"), mean, 1e-7))
        << steps << " steps: result.json against the mean of the last " << tail << " rows of metrics.csv";
    EXPECT_TRUE(RelativelyNear(summary_value(path, "asymptotic error"), mean, 1e-7))
        << steps << " steps: summary.txt against the mean of the last " << tail << " rows of metrics.csv";
  }
}
