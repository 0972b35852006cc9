// The mapping of a network's weights onto devices, run through `aimcsim run`:
// AIHWKIT 0.9.0's semantics under mapping.scheme aihwkit (omega 0 = the initial
// draw on the devices; omega > 0 = fixed scales max|w|/omega per tile or column,
// the gradient divided by them before the update; the split of a 784-input layer
// into two tiles of 392), and aimcsim_rowwise refusing the keys it does not read.
// The closed forms compare the device weights in OUTDIR/weights/ with the
// initial draw (aimc_nn_init_pytorch, as the network draws it).
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <string>
#include <vector>

#include "aimc_sim/idx.h"
#include "aimc_sim/nn.h"
#include "exe_support.h"

namespace {

using exe::run;
using exe::TempDir;
const std::string kConfigs = std::string(AIMC_SOURCE_DIR) + "/configs/experiments/";
const std::string kFm = "/usr/share/datasets/fashion-mnist/";
// One mini-batch of ten images; the FCN of the paper (784-256-128-10).
const std::string kFcn = "run " + kConfigs + "fcn.yaml -p data.train_images=" + kFm +
                         "train-images-idx3-ubyte.gz -p data.train_labels=" + kFm +
                         "train-labels-idx1-ubyte.gz -p data.test_images=" + kFm +
                         "t10k-images-idx3-ubyte.gz -p data.test_labels=" + kFm +
                         "t10k-labels-idx1-ubyte.gz -p data.train_limit=10 -p data.test_limit=10"
                         " -p experiment.epochs=1 -p experiment.batch=10 -p experiment.seed=3"
                         " -p mapping.scheme=aihwkit -p mapping.learn_out_scaling=false --quiet --no-timing"
                         // No device-to-device spread of the bounds, which would clip a few weights.
                         " -p device.w_max_dtod=0 -p device.w_min_dtod=0";
// Exact floating-point MVMs and updates (W -= lr d x^T), so that only the mapping differs.
const std::string kIdeal = " -p update.pulse_type=none -p forward.is_perfect=true -p backward.is_perfect=true";
// An update too small to change any weight: the devices keep what was mapped onto them.
const std::string kNoUpdate = " -p update.pulse_type=none -p experiment.lr=1e-30";
const size_t kIn[3] = {784, 256, 128}, kOut[3] = {256, 128, 10};

struct Matrix {
  size_t rows = 0, cols = 0;
  std::vector<float> v;
  float at(size_t i, size_t j) const { return v[i * cols + j]; }
};

// The initial weights of FCN layer k with experiment.seed 3.
Matrix initial(int k) {
  Matrix m{kOut[k], kIn[k], std::vector<float>(kOut[k] * kIn[k])};
  std::vector<float> bias(kOut[k]);
  EXPECT_EQ(aimc_nn_init_pytorch(m.v.data(), bias.data(), kOut[k], kIn[k], 3, (uint32_t)k), AIMC_OK);
  return m;
}

// The device weights of chip layer `layer` of a run.
Matrix device(const std::string &dir, int layer) {
  aimc_idx idx;
  Matrix m;
  std::string path = dir + "/weights/layer" + std::to_string(layer) + ".idx";
  if (aimc_idx_read(path.c_str(), &idx) != AIMC_OK) {
    ADD_FAILURE() << "cannot read " << path;
    return m;
  }
  EXPECT_EQ(idx.type, AIMC_IDX_FLOAT);
  EXPECT_EQ(idx.ndims, 2u);
  m.rows = idx.dims[0];
  m.cols = idx.dims[1];
  const float *data = static_cast<const float *>(idx.data);
  m.v.assign(data, data + idx.count);
  aimc_idx_free(&idx);
  return m;
}

int layer_count(const std::string &dir) {
  int n = 0;
  while (std::ifstream(dir + "/weights/layer" + std::to_string(n) + ".idx").good()) ++n;
  return n;
}

// AIHWKIT's apply_weight_scaling in float: alpha = max|w| / omega over the block
// (or over each output row when columnwise), 1 where the max is 0.
std::vector<float> fixed_scales(const Matrix &w, size_t c0, size_t c1, float omega, bool columnwise) {
  std::vector<float> alpha(columnwise ? w.rows : 1, 0.0f);
  for (size_t i = 0; i < w.rows; ++i)
    for (size_t j = c0; j < c1; ++j) {
      float &a = alpha[columnwise ? i : 0];
      a = std::max(a, std::fabs(w.at(i, j)));
    }
  for (float &a : alpha) a = a == 0.0f ? 1.0f : a / omega;
  return alpha;
}

void require_data() {
  ASSERT_TRUE(std::ifstream(kFm + "train-images-idx3-ubyte.gz").good())
      << "dataset-fashion-mnist is installed by scripts/setup.sh";
}

TEST(MappingAihwkit, OmegaZeroLeavesTheInitialDrawOnTheDevicesInTwoTilesOf392) {
  require_data();
  TempDir dir;
  std::string out, path = dir.path() + "/run";
  ASSERT_EQ(run(kFcn + kNoUpdate + " -p mapping.weight_scaling_omega=0 -o " + path, &out), 0) << out;
  // AIHWKIT's TileModuleArray: ceil(784 / 512) = 2 tiles of 784 / 2 = 392 inputs each.
  ASSERT_EQ(layer_count(path), 4);
  const size_t rows[4] = {256, 256, 128, 10}, cols[4] = {392, 392, 256, 128};
  for (int l = 0; l < 4; ++l) {
    Matrix d = device(path, l);
    EXPECT_EQ(d.rows, rows[l]) << "layer " << l;
    EXPECT_EQ(d.cols, cols[l]) << "layer " << l;
  }
  // Chip layer 2 is network layer 1 (128 x 256).
  Matrix w0 = initial(0), w1 = initial(1);
  Matrix a = device(path, 0), b = device(path, 1), c = device(path, 2);
  for (size_t i = 0; i < 256; ++i)
    for (size_t j = 0; j < 392; ++j) {
      ASSERT_NEAR(a.at(i, j), w0.at(i, j), 1e-12) << i << "," << j;
      ASSERT_NEAR(b.at(i, j), w0.at(i, 392 + j), 1e-12) << i << "," << j;
    }
  for (size_t k = 0; k < c.v.size(); ++k) ASSERT_NEAR(c.v[k], w1.v[k], 1e-12) << k;
}

TEST(MappingAihwkit, FixedScaleMapsTheLargestWeightOfEachTileOrColumnToOmega) {
  require_data();
  for (bool columnwise : {false, true}) {
    TempDir dir;
    std::string out, path = dir.path() + "/run";
    ASSERT_EQ(run(kFcn + kNoUpdate + " -p mapping.weight_scaling_omega=0.5 -p mapping.weight_scaling_columnwise=" +
                      (columnwise ? "true" : "false") + " -o " + path,
                  &out),
              0)
        << out;
    Matrix w0 = initial(0), w1 = initial(1);
    // Tile 1 of layer 0 holds inputs 392..783, chip layer 2 is the 128 x 256 layer.
    struct Case {
      int layer;
      const Matrix *w;
      size_t c0, c1;
    } cases[3] = {{0, &w0, 0, 392}, {1, &w0, 392, 784}, {2, &w1, 0, 256}};
    for (const Case &cs : cases) {
      std::vector<float> alpha = fixed_scales(*cs.w, cs.c0, cs.c1, 0.5f, columnwise);
      Matrix d = device(path, cs.layer);
      float largest = 0.0f;
      for (size_t i = 0; i < d.rows; ++i) {
        float row_largest = 0.0f;
        for (size_t j = 0; j < d.cols; ++j) {
          float want = cs.w->at(i, cs.c0 + j) / alpha[columnwise ? i : 0];
          ASSERT_NEAR(d.at(i, j), want, 1e-12) << "layer " << cs.layer << " (" << i << "," << j << ")";
          row_largest = std::max(row_largest, std::fabs(d.at(i, j)));
        }
        if (columnwise) {
          EXPECT_NEAR(row_largest, 0.5f, 1e-6) << "layer " << cs.layer << " row " << i;
        }
        largest = std::max(largest, row_largest);
      }
      EXPECT_NEAR(largest, 0.5f, 1e-6) << "layer " << cs.layer;
    }
  }
}

// With exact MVMs and updates, a fixed scale alpha changes nothing but the
// devices' units: forward alpha * (W / alpha) x = W x, and the update
// W/alpha -= lr (d / alpha) x^T gives alpha * W_device = W - lr d x^T, the
// unscaled run's weights. Without the division the step would be alpha^2 times
// as large in effective weight.
TEST(MappingAihwkit, UpdateDividesTheGradientByTheFixedScale) {
  require_data();
  TempDir dir;
  std::string out, plain = dir.path() + "/plain", scaled = dir.path() + "/scaled";
  ASSERT_EQ(run(kFcn + kIdeal + " -p mapping.weight_scaling_omega=0 -o " + plain, &out), 0) << out;
  ASSERT_EQ(run(kFcn + kIdeal + " -p mapping.weight_scaling_omega=0.5 -o " + scaled, &out), 0) << out;
  Matrix w0 = initial(0), w1 = initial(1);
  struct Case {
    int layer;
    const Matrix *w;
    size_t c0, c1;
  } cases[3] = {{0, &w0, 0, 392}, {1, &w0, 392, 784}, {2, &w1, 0, 256}};
  for (const Case &cs : cases) {
    float alpha = fixed_scales(*cs.w, cs.c0, cs.c1, 0.5f, false)[0];
    Matrix p = device(plain, cs.layer), s = device(scaled, cs.layer);
    ASSERT_EQ(p.v.size(), s.v.size());
    double moved = 0.0, worst = 0.0;
    for (size_t k = 0; k < p.v.size(); ++k) {
      size_t i = k / p.cols, j = k % p.cols;
      moved = std::max(moved, (double)std::fabs(p.v[k] - cs.w->at(i, cs.c0 + j)));
      worst = std::max(worst, std::fabs((double)alpha * s.v[k] - (double)p.v[k]));
    }
    EXPECT_GT(moved, 1e-5) << "layer " << cs.layer << ": the mini-batch did not move the weights";
    EXPECT_LT(worst, 1e-3 * moved) << "layer " << cs.layer << " alpha " << alpha;
  }
}

// The split layer's partial outputs add up to the unsplit MVM, and each tile's
// update is its block of the unsplit update.
TEST(MappingAihwkit, SplitLayerTrainsAsTheUnsplitOneOnExactDevices) {
  require_data();
  TempDir dir;
  std::string out, split = dir.path() + "/split", whole = dir.path() + "/whole";
  ASSERT_EQ(run(kFcn + kIdeal + " -p mapping.weight_scaling_omega=0 -o " + split, &out), 0) << out;
  ASSERT_EQ(run(kFcn + kIdeal + " -p mapping.weight_scaling_omega=0 -p mapping.max_input_size=0 -o " + whole, &out),
            0)
      << out;
  ASSERT_EQ(layer_count(split), 4);
  ASSERT_EQ(layer_count(whole), 3);
  Matrix w = device(whole, 0), a = device(split, 0), b = device(split, 1), w0 = initial(0);
  ASSERT_EQ(w.cols, 784u);
  double moved = 0.0, worst = 0.0;
  for (size_t i = 0; i < 256; ++i)
    for (size_t j = 0; j < 784; ++j) {
      float part = j < 392 ? a.at(i, j) : b.at(i, j - 392);
      moved = std::max(moved, (double)std::fabs(w.at(i, j) - w0.at(i, j)));
      worst = std::max(worst, (double)std::fabs(part - w.at(i, j)));
    }
  EXPECT_GT(moved, 1e-5);
  EXPECT_LT(worst, 1e-4 * moved);
  Matrix ws = device(whole, 2), ss = device(split, 3);
  for (size_t k = 0; k < ws.v.size(); ++k) ASSERT_NEAR(ss.v[k], ws.v[k], 1e-6) << k;
}

TEST(MappingConfig, RowwiseSchemeRefusesOmegaZeroAndTheAihwkitOnlyKeys) {
  TempDir dir;
  const std::string base = "run " + kConfigs + "fcn.yaml --quiet -o " + dir.path() + "/run";
  const std::pair<std::string, std::string> cases[] = {
      {"-p mapping.weight_scaling_omega=0", "weight_scaling_omega = 0 (no remapping) needs scheme: aihwkit"},
      {"-p mapping.weight_scaling_columnwise=true", "weight_scaling_columnwise applies to scheme: aihwkit only"},
      {"-p mapping.out_scaling_columnwise=true", "out_scaling_columnwise applies to scheme: aihwkit only"},
      {"-p mapping.max_input_size=256", "max_input_size applies to scheme: aihwkit only"},
  };
  for (const auto &[option, message] : cases) {
    std::string out;
    EXPECT_EQ(run(base + " " + option, &out), 2) << option << "\n" << out;
    EXPECT_NE(out.find("invalid section 'mapping': " + message), std::string::npos) << option << "\n" << out;
  }
}

}  // namespace
