// The mapping of a network's weights onto devices, run through `aimcsim run`:
// AIHWKIT 0.9.0's semantics under mapping.scheme aihwkit (omega 0 = the initial
// draw on the devices; omega > 0 = fixed scales max|w|/omega per tile or column,
// the gradient divided by them before the update; the split of a 784-input layer
// into two tiles of 392), and aimcsim_rowwise refusing the keys it does not read.
// The closed forms compare the device weights in OUTDIR/weights/ with the
// initial draw (aimc_nn_init_pytorch, as the network draws it). In process: a
// hand-computed 2 x 3 tile through the scheme's scale functions and the array
// kernels, and the mapping section's per-scheme defaults. Also: PyTorch's
// default initialisation on the devices, and one chip per construction seed.
#include <gtest/gtest.h>

#include <csignal>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <string>
#include <vector>

#include "aimc_sim/checkpoint.h"
#include "aimc_sim/config.h"
#include "aimc_sim/idx.h"
#include "aimc_sim/nn.h"
#include "aimc/aimc.h"
#include "aimc/serial.h"
#include "exe_support.h"

namespace {

using exe::run;
using exe::TempDir;
const std::string kConfigs = std::string(AIMC_SOURCE_DIR) + "/configs/experiments/";
const std::string kFm = "/usr/share/datasets/fashion-mnist/";
// One mini-batch of ten images; the FCN of the paper (784-256-128-10).
const std::string kFcn = "run " + kConfigs + "fcn-aimcsim.yaml -p data.train_images=" + kFm +
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

// The learned out scales of the tiles, in the order the network saves them
// (each tile: its Tiki-Taka column, then its n learned scales), from the end
// of the checkpoint's network section; n per tile as given.
std::vector<std::vector<float>> learned_scales(const std::string &dir, const std::vector<size_t> &n) {
  std::vector<std::vector<float>> scales;
  aimc_checkpoint ck;
  std::string path = dir + "/checkpoint.bin";
  if (aimc_checkpoint_read_file(path.c_str(), size_t{1} << 30, &ck) != AIMC_OK) {
    ADD_FAILURE() << "cannot read " << path << ": " << aimc_error_message();
    return scales;
  }
  const aimc_checkpoint_section *work = aimc_checkpoint_find(&ck, AIMC_CKPT_WORKLOAD);
  size_t tail = 0;
  for (size_t k : n) tail += 4 + 4 * k;
  if (!work || work->size < tail) {
    ADD_FAILURE() << "no network section of at least " << tail << " bytes in " << path;
  } else {
    aimc_reader in;
    aimc_reader_init(&in, static_cast<const unsigned char *>(work->data) + work->size - tail, tail);
    for (size_t k : n) {
      (void)aimc_read_u32(&in);
      std::vector<float> v(k);
      aimc_read_f32s(&in, v.data(), k);
      scales.push_back(v);
    }
    EXPECT_EQ(aimc_reader_status(&in, "scales"), AIMC_OK);
  }
  aimc_checkpoint_free(&ck);
  return scales;
}

// The learned out scale alpha of a tile multiplies its MVM output z = W x, so
// its digital SGD step is alpha' = alpha - lr sum_b dy_b . z_b, while the tile
// receives d = alpha dy: with exact devices and alpha = 1, W' = W - lr dy x^T
// and so lr sum_b dy_b . (W x_b) = sum_ij W_ij (W_ij - W'_ij). After one
// mini-batch: alpha' = 1 - sum over the tile (or the row, per column) of
// W (W - W'), from the initial draw and the device weights alone. A wrong sign,
// a missing step, the summed instead of the tile's own output or a step taken
// before the tile's update all break it.
TEST(MappingAihwkit, LearnedOutScalesStartAtOneAndTakeTheirDigitalSgdStep) {
  require_data();
  for (bool columnwise : {false, true}) {
    SCOPED_TRACE(columnwise ? "per column" : "per tile");
    const std::string learned = std::string(" -p mapping.learn_out_scaling=true -p mapping.out_scaling_columnwise=") +
                                (columnwise ? "true" : "false") + " -p mapping.weight_scaling_omega=0 --checkpoint-every 1";
    const std::vector<size_t> n = columnwise ? std::vector<size_t>{256, 256, 128, 10} : std::vector<size_t>{1, 1, 1, 1};
    TempDir dir;
    std::string out, still = dir.path() + "/still", step = dir.path() + "/step";
    ASSERT_EQ(run(kFcn + kNoUpdate + learned + " -o " + still, &out), 0) << out;
    for (const auto &tile : learned_scales(still, n))
      for (float a : tile) ASSERT_EQ(a, 1.0f);
    ASSERT_EQ(run(kFcn + kIdeal + " -p experiment.lr=0.5" + learned + " -o " + step, &out), 0) << out;
    std::vector<std::vector<float>> alpha = learned_scales(step, n);
    ASSERT_EQ(alpha.size(), 4u);
    Matrix w0 = initial(0), w1 = initial(1), w2 = initial(2);
    struct Case {
      int layer;
      const Matrix *w;
      size_t c0;
    } cases[4] = {{0, &w0, 0}, {1, &w0, 392}, {2, &w1, 0}, {3, &w2, 0}};
    for (const Case &cs : cases) {
      Matrix d = device(step, cs.layer);
      std::vector<double> want(n[cs.layer], 0.0);
      for (size_t i = 0; i < d.rows; ++i)
        for (size_t j = 0; j < d.cols; ++j) {
          double w = cs.w->at(i, cs.c0 + j);
          want[columnwise ? i : 0] += w * (w - d.at(i, j));
        }
      double moved = 0.0;
      for (size_t q = 0; q < want.size(); ++q) {
        moved = std::max(moved, std::fabs(want[q]));
        EXPECT_NEAR(alpha[cs.layer][q], 1.0 - want[q], 1e-6 + 1e-3 * std::fabs(want[q]))
            << "chip layer " << cs.layer << " scale " << q;
      }
      EXPECT_GT(moved, 1e-4) << "chip layer " << cs.layer << ": the scales did not move";
    }
  }
}

// Without learned scales and with exact devices, the aihwkit scheme (omega 0,
// the 784-input layer split into two tiles) is Digital SGD on the same initial
// draw: the same loss and accuracies, epoch by epoch. (With a learned scalar
// per tile it is another model: the last layer's scale can shrink towards 0,
// docs/training.md, Mapping.)
TEST(MappingAihwkit, TrainsLikeDigitalSgdOnExactDevices) {
  require_data();
  TempDir dir;
  std::string out, digital = dir.path() + "/digital", mapped = dir.path() + "/mapped";
  const std::string data = " -p data.train_limit=1000 -p data.test_limit=500 -p experiment.epochs=2"
                           " -p experiment.lr=0.2 -p mapping.weight_scaling_omega=0";
  ASSERT_EQ(run(kFcn + data + " -p experiment.algorithm=digital_sgd -o " + digital, &out), 0) << out;
  ASSERT_EQ(run(kFcn + kIdeal + data + " -o " + mapped, &out), 0) << out;
  auto a = exe::read_csv_rows(digital + "/metrics.csv"), b = exe::read_csv_rows(mapped + "/metrics.csv");
  ASSERT_EQ(a.size(), 2u);
  ASSERT_EQ(b.size(), 2u);
  for (size_t e = 0; e < 2; ++e) {
    double loss = std::stod(a[e]["loss"]);
    EXPECT_NEAR(std::stod(b[e]["loss"]), loss, 1e-5 * loss) << "epoch " << e + 1;
    for (const char *key : {"train_accuracy", "test_accuracy"})
      EXPECT_NEAR(std::stod(b[e][key]), std::stod(a[e][key]), 0.002) << key << ", epoch " << e + 1;
  }
  // It learned something: above chance (0.1) after two epochs.
  EXPECT_GT(std::stod(a[1]["test_accuracy"]), 0.15);
}

// Killed mid-epoch and resumed, a Tiki-Taka run under the aihwkit scheme (the
// split first layer, learned scales per column, fixed scales per tile) ends
// bit-identical to the run never interrupted: each tile's transfer column and
// learned scales come back from the checkpoint.
TEST(MappingAihwkit, TikiTakaKilledMidEpochResumesBitIdentical) {
  require_data();
  TempDir dir;
  std::string whole = dir.path() + "/whole", killed = dir.path() + "/killed", out;
  const std::string args = kFcn +
                           " -p data.train_limit=80 -p data.test_limit=40 -p experiment.epochs=3"
                           " -p experiment.algorithm=tiki_taka -p tiki_taka.n_reads_per_transfer=3"
                           " -p mapping.learn_out_scaling=true -p mapping.out_scaling_columnwise=true"
                           " -p mapping.weight_scaling_omega=0.8 --checkpoint-every 5";
  ASSERT_EQ(run(args + " -o " + whole, &out), 0) << out;
  ASSERT_EQ(exe::shell("AIMCSIM_FAULT=kill-at-step=13 " + exe::kExe + " " + args + " --threads 1 -o " + killed, &out),
            128 + SIGKILL)
      << out;
  ASSERT_EQ(exe::shell(exe::kExe + " run --resume " + killed + " --quiet --threads 2", &out), 0) << out;
  EXPECT_FALSE(exe::read_file(whole + "/metrics.csv").empty());
  auto without_wall = [](const std::string &csv) {
    std::istringstream in(csv);
    std::string line, kept;
    while (std::getline(in, line)) kept += line.substr(0, line.rfind(',')) + "\n";
    return kept;
  };
  EXPECT_EQ(without_wall(exe::read_file(whole + "/metrics.csv")), without_wall(exe::read_file(killed + "/metrics.csv")));
  ASSERT_EQ(layer_count(whole), 4);
  for (const char *name : {"stats.json", "histograms.csv", "weights/layer0.idx", "weights/layer1.idx",
                           "weights/layer2.idx", "weights/layer3.idx"})
    EXPECT_EQ(exe::read_file(whole + "/" + name), exe::read_file(killed + "/" + name)) << name;
}

// A hand-computed 2 x 3 tile of the aihwkit scheme on an ideal ConstantStep
// device (dw_min g = 0.001, no noise, no spread), with AIHWKIT's default update
// (desired_bl 31, update management and BL management):
//   W = [[0.2, -0.4, 0.1], [0.05, 0.3, -0.25]], x = [1, -0.5, 0.25],
//   dy = [0.3, -0.6] (the output gradient), lr = 0.01.
// Forward: y = W x = [0.425, -0.1625] whatever the mapping. Update: the tile
// receives d = dy / alpha; with x_max = 1, k = lr x_max d_max / g, BL = ceil(k),
// A = sqrt(lr / (g BL)) sqrt(x_max / d_max), B = sqrt(lr / (g BL)) sqrt(d_max /
// x_max), and each of the BL slots of cell (i, j) is a coincidence with
// probability A|d_i| B|x_j|: E[n_ij] = lr |d_i| |x_j| / g pulses of sign
// -sign(d_i x_j), so E[alpha dW_device] = -lr dy x^T.
//   omega 0: no scales, d = dy, k = 6, BL = 6, A = 5/3, B = 1,
//            E[n] = [[3, 1.5, 0.75], [6, 3, 1.5]].
//   omega 0.5 per tile: alpha = 0.4 / 0.5 = 0.8, d = [0.375, -0.75], k = 7.5,
//            BL = 8, A = sqrt(5/3), B = sqrt(15/16), E[n] = [[3.75, 1.875, 0.9375],
//            [7.5, 3.75, 1.875]].
//   omega 0.5 per column: alpha = [0.8, 0.6], d = [0.375, -1], k = 10, BL = 10,
//            A = B = 1, E[n] = [[3.75, 1.875, 0.9375], [10, 5, 2.5]].
// The pulse counts are binomial (BL slots, probability E[n]/BL): their mean over
// 4000 trials lies within 5 standard errors; cells with probability 1 are exact.
TEST(MappingAihwkit, HandComputedTwoByThreeTileForwardAndExpectedPulsedStep) {
  const float w[6] = {0.2f, -0.4f, 0.1f, 0.05f, 0.3f, -0.25f}, x[3] = {1.0f, -0.5f, 0.25f}, dy[2] = {0.3f, -0.6f};
  const float lr = 0.01f, g = 0.001f;
  struct Case {
    const char *name;
    float omega;
    int columnwise;
    std::vector<float> alpha;  // empty: no scales
    std::vector<float> device;  // W / alpha
    std::vector<float> d;       // dy / alpha
    int bl;
    double a, b;
    std::vector<double> pulses;  // E[n_ij]
  } cases[] = {
      {"omega 0", 0.0f, 0, {}, {0.2f, -0.4f, 0.1f, 0.05f, 0.3f, -0.25f}, {0.3f, -0.6f}, 6, 5.0 / 3.0, 1.0,
       {3, 1.5, 0.75, 6, 3, 1.5}},
      {"omega 0.5 per tile", 0.5f, 0, {0.8f}, {0.25f, -0.5f, 0.125f, 0.0625f, 0.375f, -0.3125f}, {0.375f, -0.75f}, 8,
       std::sqrt(5.0 / 3.0), std::sqrt(15.0 / 16.0), {3.75, 1.875, 0.9375, 7.5, 3.75, 1.875}},
      {"omega 0.5 per column", 0.5f, 1, {0.8f, 0.6f}, {0.25f, -0.5f, 0.125f, 0.05f / 0.6f, 0.5f, -0.25f / 0.6f},
       {0.375f, -1.0f}, 10, 1.0, 1.0, {3.75, 1.875, 0.9375, 10, 5, 2.5}},
  };
  aimc_device_params p;
  aimc_device_params_default(&p, AIMC_DEVICE_CONSTANT_STEP);
  p.dw_min = g;
  p.dw_min_dtod = p.up_down_dtod = p.w_max_dtod = p.w_min_dtod = p.dw_min_std = 0.0;
  p.w_max = 1.0;
  p.w_min = -1.0;
  aimc_update_params u;
  aimc_update_params_default(&u);
  aimc_io_params io;
  aimc_io_params_perfect(&io);
  for (const Case &c : cases) {
    SCOPED_TRACE(c.name);
    std::vector<float> device(w, w + 6), alpha(c.columnwise ? 2 : 1);
    if (c.omega > 0.0f) {
      ASSERT_EQ(aimc_nn_fixed_scales(2, 3, w, c.omega, c.columnwise, alpha.data(), device.data()), AIMC_OK);
      for (size_t k = 0; k < alpha.size(); ++k) EXPECT_FLOAT_EQ(alpha[k], c.alpha[k]) << k;
    }
    for (size_t k = 0; k < 6; ++k) EXPECT_FLOAT_EQ(device[k], c.device[k]) << k;
    aimc_array array;
    ASSERT_EQ(aimc_array_create(&array, 2, 3, &p, 5, 0), AIMC_OK);
    ASSERT_EQ(aimc_array_set_weights(&array, device.data()), AIMC_OK);
    EXPECT_EQ(array.device.granularity, g);
    // Forward: the MVM on the devices times the scales.
    float y[2];
    aimc_io_stats io_stats = {};
    ASSERT_EQ(aimc_array_forward(&array, &io, x, y, 1, &io_stats), AIMC_OK);
    if (c.omega > 0.0f) aimc_nn_tile_scale(1, 2, alpha.data(), alpha.size(), 0, y, y);
    EXPECT_NEAR(y[0], 0.425, 1e-6);
    EXPECT_NEAR(y[1], -0.1625, 1e-6);
    // Update: the gradient divided by the scales, then BL and the probability scales.
    float d[2] = {dy[0], dy[1]};
    if (c.omega > 0.0f) aimc_nn_tile_scale(1, 2, alpha.data(), alpha.size(), 1, dy, d);
    EXPECT_FLOAT_EQ(d[0], c.d[0]);
    EXPECT_FLOAT_EQ(d[1], c.d[1]);
    aimc_bl_scales bl = aimc_update_bl_scales(&u, lr, array.device.granularity, 1.0f, std::fabs(d[1]), g);
    EXPECT_EQ(bl.bl, c.bl);
    EXPECT_NEAR(bl.a, c.a, 1e-6);
    EXPECT_NEAR(bl.b, c.b, 1e-6);
    // The pulses: mean count per cell over many trials from the mapped weights.
    const int trials = 4000;
    std::vector<double> sum(6, 0.0), effective(6, 0.0);
    for (int t = 0; t < trials; ++t) {
      ASSERT_EQ(aimc_array_set_weights(&array, device.data()), AIMC_OK);
      ASSERT_EQ(aimc_array_update(&array, x, d, 1, lr, &u, nullptr, nullptr), AIMC_OK);
      for (int k = 0; k < 6; ++k) {
        double step = (double)array.w[k] - (double)device[k];
        double sign = -(d[k / 3] > 0 ? 1.0 : -1.0) * (x[k % 3] > 0 ? 1.0 : -1.0);
        double n = std::round(step / g);
        ASSERT_NEAR(step, n * g, 1e-6) << "cell " << k << " moved by a non-integer number of steps";
        ASSERT_GE(sign * n, 0.0) << "cell " << k << " moved against -sign(d x)";
        sum[k] += sign * n;
        effective[k] += step * (c.omega > 0.0f ? alpha[alpha.size() > 1 ? k / 3 : 0] : 1.0f);
      }
    }
    for (int k = 0; k < 6; ++k) {
      const double mean = sum[k] / trials, prob = c.pulses[k] / c.bl;
      const double error = std::sqrt(c.bl * prob * (1.0 - prob) / trials);
      EXPECT_NEAR(mean, c.pulses[k], 5.0 * error + 1e-12) << "cell " << k;
      // In effective weight: E[alpha dW_device] = -lr dy x^T (alpha <= 1 here; 1e-7 for the float sums of steps).
      EXPECT_NEAR(effective[k] / trials, -(double)lr * dy[k / 3] * x[k % 3], 5.0 * error * g + 1e-7)
          << "cell " << k;
    }
    aimc_array_destroy(&array);
  }
}

// PyTorch's default initialisation (Linear and Conv2d reset_parameters:
// kaiming_uniform_ with a = sqrt(5), bound 1/sqrt(fan_in)), as the devices hold
// it under omega 0: the CNN's convolutions have fan_in = in_channels x 5 x 5
// (25 and 400), its dense layers 512 and 128. Each layer's weights lie in
// [-b, b), reach beyond 0.9 b, and their mean square is b^2/3 within 4
// standard errors (sqrt(1/5 - 1/9) b^2 / sqrt(n)).
TEST(MappingAihwkit, CnnDevicesHoldPyTorchsDefaultInitialisation) {
  require_data();
  TempDir dir;
  std::string out, path = dir.path() + "/cnn";
  ASSERT_EQ(run(kFcn + kNoUpdate + " -p experiment.workload=cnn -p experiment.batch=8 -p mapping.weight_scaling_omega=0"
                    " -o " + path,
                &out),
            0)
      << out;
  ASSERT_EQ(layer_count(path), 4);
  const size_t fan_in[4] = {25, 400, 512, 128}, outputs[4] = {16, 32, 128, 10};
  for (int l = 0; l < 4; ++l) {
    Matrix d = device(path, l);
    ASSERT_EQ(d.rows, outputs[l]) << "layer " << l;
    ASSERT_EQ(d.cols, fan_in[l]) << "layer " << l;
    const double b = 1.0 / std::sqrt(static_cast<double>(fan_in[l])), n = static_cast<double>(d.v.size());
    double squares = 0.0, largest = 0.0;
    for (float w : d.v) {
      ASSERT_GE(w, -b) << "layer " << l;
      ASSERT_LT(w, b) << "layer " << l;
      squares += static_cast<double>(w) * w;
      largest = std::max(largest, std::fabs(static_cast<double>(w)));
    }
    EXPECT_GT(largest, 0.9 * b) << "layer " << l;
    EXPECT_NEAR(squares / n, b * b / 3, 4 * std::sqrt(1.0 / 5 - 1.0 / 9) * b * b / std::sqrt(n)) << "layer " << l;
  }
}

// device.construction_seed alone keys the device-to-device draws: training
// seeds (initial weights, data order, run-time noise) vary the training, not
// the chip, as the authors' fixed construction_seed does. Observed through the
// bounds: with bounds of +-1e-4 spread by w_max_dtod / w_min_dtod, almost
// every initial weight is clipped to its cell's own bound, so wherever two runs'
// device weights have the same sign they hold the same cell's bound if and only
// if the cells are the same (the draws are continuous).
TEST(MappingAihwkit, TrainingSeedsShareTheChipOfOneConstructionSeed) {
  require_data();
  TempDir dir;
  auto chip = [&](int seed, int construction_seed, const std::string &name) {
    std::string out, path = dir.path() + "/" + name;
    EXPECT_EQ(run(kFcn + kNoUpdate + " -p mapping.weight_scaling_omega=0 -p device.w_max=1e-4 -p device.w_min=-1e-4"
                      " -p device.w_max_dtod=0.3 -p device.w_min_dtod=0.3 -p experiment.seed=" +
                      std::to_string(seed) + " -p device.construction_seed=" + std::to_string(construction_seed) +
                      " -o " + path,
                  &out),
              0)
        << out;
    return path;
  };
  const std::string a = chip(1, 10, "a"), b = chip(2, 10, "b"), c = chip(1, 11, "c");
  // The fraction of same-sign cells of chip layer `layer` that hold the same value.
  auto same = [](const std::string &x, const std::string &y, int layer) {
    Matrix p = device(x, layer), q = device(y, layer);
    EXPECT_EQ(p.v.size(), q.v.size());
    size_t same_sign = 0, equal = 0;
    for (size_t k = 0; k < p.v.size() && k < q.v.size(); ++k) {
      if ((p.v[k] > 0) != (q.v[k] > 0)) continue;
      ++same_sign;
      equal += p.v[k] == q.v[k];
    }
    EXPECT_GT(same_sign, p.v.size() / 4) << "layer " << layer;
    return same_sign ? static_cast<double>(equal) / static_cast<double>(same_sign) : 0.0;
  };
  for (int layer = 0; layer < 4; ++layer) {
    // The training seeds drew other initial weights (signs), on the same cells.
    EXPECT_NE(device(a, layer).v, device(b, layer).v) << "layer " << layer;
    EXPECT_GT(same(a, b, layer), 0.97) << "layer " << layer << ": seeds 1 and 2 with construction seed 10";
    // Another construction seed: other cells under the same initial weights.
    EXPECT_LT(same(a, c, layer), 0.03) << "layer " << layer << ": construction seeds 10 and 11";
  }
  EXPECT_NE(exe::read_file(a + "/metrics.csv"), exe::read_file(b + "/metrics.csv"));
}

TEST(MappingConfig, RowwiseSchemeRefusesOmegaZeroAndTheAihwkitOnlyKeys) {
  TempDir dir;
  const std::string base = "run " + kConfigs + "fcn-aimcsim.yaml --quiet -o " + dir.path() + "/run";
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

// mapping.scheme is the section's discriminator: aihwkit starts from AIHWKIT's
// MappingParameter defaults (0.9.0 and 1.1.0: omega 0, learn_out_scaling
// false), aimcsim_rowwise from its own (omega 1, learned scales); keys given
// in the file or with -p win, wherever they stand.
TEST(MappingConfig, AihwkitSchemeTakesAihwkitsDefaultsOmegaZeroAndNoLearnedScales) {
  auto load = [](const std::string &text, std::vector<const char *> overrides) {
    aimc_config config;
    aimc_cfg_error error;
    EXPECT_EQ(aimc_cfg_load_string(&aimc_config_schema, &config, "test.yaml", text.data(), text.size(),
                                   overrides.empty() ? nullptr : overrides.data(), overrides.size(), &error),
              AIMC_OK)
        << error.text;
    return config.mapping;
  };
  const std::string fcn = "experiment: {workload: fcn}\n";
  aimc_mapping_params m = load(fcn + "mapping: {scheme: aihwkit}\n", {});
  EXPECT_EQ(m.weight_scaling_omega, 0.0);
  EXPECT_EQ(m.learn_out_scaling, 0);
  EXPECT_EQ(m.weight_scaling_columnwise, 0);
  EXPECT_EQ(m.out_scaling_columnwise, 0);
  EXPECT_EQ(m.max_input_size, 512);
  EXPECT_EQ(m.max_output_size, 512);
  m = load(fcn, {"mapping.scheme=aihwkit"});
  EXPECT_EQ(m.weight_scaling_omega, 0.0);
  EXPECT_EQ(m.learn_out_scaling, 0);
  m = load(fcn, {});
  EXPECT_EQ(m.scheme, AIMC_MAPPING_AIMCSIM_ROWWISE);
  EXPECT_EQ(m.weight_scaling_omega, 1.0);
  EXPECT_EQ(m.learn_out_scaling, 1);
  // Explicit keys before the scheme, and a scheme given with -p over a file's keys.
  m = load(fcn + "mapping: {weight_scaling_omega: 0.6, learn_out_scaling: true, scheme: aihwkit}\n", {});
  EXPECT_EQ(m.weight_scaling_omega, 0.6);
  EXPECT_EQ(m.learn_out_scaling, 1);
  m = load(fcn + "mapping: {weight_scaling_omega: 0.3}\n", {"mapping.scheme=aihwkit"});
  EXPECT_EQ(m.scheme, AIMC_MAPPING_AIHWKIT);
  EXPECT_EQ(m.weight_scaling_omega, 0.3);
  EXPECT_EQ(m.learn_out_scaling, 0);
}

// A split the chip cannot hold (at most 8 tiles along a layer's side, 16 chip
// layers in all) is refused when the config is read: exit 2 naming the key,
// and no run directory.
TEST(MappingConfig, AihwkitSplitBeyondTheChipIsRefusedBeforeAnyOutput) {
  TempDir dir;
  const std::string base = "run " + kConfigs + "fcn.yaml --quiet -o " + dir.path() + "/run ";
  const std::pair<std::string, std::string> cases[] = {
      {"-p mapping.max_input_size=50",
       "-p mapping.max_input_size=50: invalid configuration: mapping.max_input_size 50 splits the fcn's layer 0 "
       "(256 x 784) into 16 tiles along its inputs; the chip takes at most 8 per side"},
      {"-p mapping.max_output_size=20",
       "invalid configuration: mapping.max_output_size 20 splits the fcn's layer 0 (256 x 784) into 13 tiles along "
       "its outputs; the chip takes at most 8 per side"},
      {"-p mapping.max_input_size=100 -p mapping.max_output_size=100",
       "invalid configuration: mapping.max_input_size 100 and mapping.max_output_size 100 split the fcn into 32 "
       "tiles; the chip holds at most 16 layers"},
      {"-p experiment.workload=cnn -p mapping.max_input_size=60",
       "mapping.max_input_size 60 splits the cnn's layer 2 (128 x 512) into 9 tiles along its inputs"},
  };
  for (const auto &[option, message] : cases) {
    std::string out;
    EXPECT_EQ(run(base + option, &out), 2) << option << "\n" << out;
    EXPECT_NE(out.find(message), std::string::npos) << option << "\n" << out;
    EXPECT_FALSE(exe::exists(dir.path() + "/run")) << option;
  }
  // In a file: the key's line and column.
  exe::write_file(dir.path() + "/split.yaml", "experiment:\n  workload: fcn\nmapping:\n  scheme: aihwkit\n"
                                              "  max_input_size: 50\n");
  std::string out;
  EXPECT_EQ(run("run " + dir.path() + "/split.yaml --quiet -o " + dir.path() + "/run", &out), 2) << out;
  EXPECT_NE(out.find("split.yaml:5:19: invalid configuration: mapping.max_input_size 50"), std::string::npos) << out;
  // At the limits (8 tiles of 98 inputs and 13 chip layers), or with nothing split onto the chip, it is accepted.
  const std::string dump = exe::kExe + " config --dump " + kConfigs + "fcn.yaml ";
  EXPECT_EQ(exe::shell(dump + "-p mapping.max_input_size=98 -p mapping.max_output_size=0", &out), 0) << out;
  EXPECT_EQ(exe::shell(dump + "-p mapping.max_input_size=97 -p mapping.max_output_size=0", &out), 2) << out;
  EXPECT_NE(out.find("into 9 tiles along its inputs"), std::string::npos) << out;
  EXPECT_EQ(exe::shell(dump + "-p mapping.max_input_size=50 -p experiment.algorithm=digital_sgd", &out), 0) << out;
}

// The run's checks before its directory exists (chip.tiles, trace.layer) count
// the chip layers the split programs, not the network's layers: on 256 x 300
// tiles the split FCN needs 2 + 2 + 1 + 1 tiles where the unsplit one needs
// 3 + 1 + 1, and it has four chip layers, not three.
TEST(MappingConfig, TheRunsChecksCountTheSplitTilesBeforeAnyOutput) {
  TempDir dir;
  const std::string data = " -p data.train_images=" + kFm + "train-images-idx3-ubyte.gz -p data.train_labels=" + kFm +
                           "train-labels-idx1-ubyte.gz -p data.test_images=" + kFm +
                           "t10k-images-idx3-ubyte.gz -p data.test_labels=" + kFm + "t10k-labels-idx1-ubyte.gz";
  const std::string base = "run " + kConfigs + "fcn.yaml" + data +
                           " -p experiment.algorithm=analog_sgd -p chip.tile.rows=256 -p chip.tile.cols=300 --quiet"
                           " -o " + dir.path() + "/run ";
  std::string out;
  EXPECT_EQ(run(base + "-p chip.tiles=5", &out), 2) << out;
  EXPECT_NE(out.find("chip.tiles = 5 is too few: layer 3 (10 x 128) needs 1 tiles of 256 x 300 (chip.tile) after the "
                     "5 of the layers before it"),
            std::string::npos)
      << out;
  EXPECT_FALSE(exe::exists(dir.path() + "/run"));
  EXPECT_EQ(run(base + "-p trace.enabled=true -p trace.layer=4", &out), 2) << out;
  EXPECT_NE(out.find("trace.layer = 4: there is no such layer"), std::string::npos) << out;
  EXPECT_FALSE(exe::exists(dir.path() + "/run"));
}

}  // namespace
