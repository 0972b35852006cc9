// Digital building blocks of the training workloads (sim/src/nn). Every
// gradient is checked against central finite differences of a double-precision
// forward pass written here, independently of the code under test; exact cases
// are worked out by hand in the comments; the random draws are checked for
// their keying and, with fixed seeds, against k-sigma bounds.
#include <gtest/gtest.h>
#include <omp.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <functional>
#include <map>
#include <numeric>
#include <random>
#include <string>
#include <vector>

#include "aimc/rng.h"
#include "aimc_sim/nn.h"

namespace {

using Vector = std::vector<float>;

Vector RandomVector(std::mt19937 &rng, size_t n, float low, float high) {
  std::uniform_real_distribution<float> dist(low, high);
  Vector v(n);
  for (float &x : v) x = dist(rng);
  return v;
}

// Central difference of a double-precision objective w.r.t. parameter p[i].
double CentralDifference(const std::function<double()> &objective, float &parameter, double step) {
  const float saved = parameter;
  parameter = static_cast<float>(saved + step);
  const double up_step = static_cast<double>(parameter) - saved;
  const double up = objective();
  parameter = static_cast<float>(saved - step);
  const double down_step = saved - static_cast<double>(parameter);
  const double down = objective();
  parameter = saved;
  return (up - down) / (up_step + down_step);
}

// Checks analytic[i] against the finite difference of objective w.r.t. values[i].
void ExpectGradient(const char *what, const std::function<double()> &objective, Vector &values,
                    const Vector &analytic, double step = 1e-3, double tolerance = 2e-4) {
  ASSERT_EQ(values.size(), analytic.size());
  for (size_t i = 0; i < values.size(); ++i) {
    double numeric = CentralDifference(objective, values[i], step);
    EXPECT_NEAR(analytic[i], numeric, tolerance * std::max(1.0, std::fabs(numeric))) << what << "[" << i << "]";
  }
}

double Dot(const Vector &a, const Vector &b) {
  double sum = 0;
  for (size_t i = 0; i < a.size(); ++i) sum += static_cast<double>(a[i]) * b[i];
  return sum;
}

bool MessageContains(const char *text) { return std::strstr(aimc_error_message(), text) != nullptr; }

// ---- Activations ---------------------------------------------------------

double ReferenceActivation(aimc_nn_activation activation, double x) {
  switch (activation) {
    case AIMC_NN_SIGMOID: return 1.0 / (1.0 + std::exp(-x));
    case AIMC_NN_TANH: return std::tanh(x);
    case AIMC_NN_IDENTITY: return x;
  }
  return NAN;
}

TEST(Activation, ForwardMatchesDoubleReference) {
  std::mt19937 rng(1);
  Vector x = RandomVector(rng, 200, -8, 8);
  for (aimc_nn_activation a : {AIMC_NN_IDENTITY, AIMC_NN_SIGMOID, AIMC_NN_TANH}) {
    Vector y(x.size());
    ASSERT_EQ(aimc_nn_activation_forward(a, x.size(), x.data(), y.data()), AIMC_OK);
    for (size_t i = 0; i < x.size(); ++i)
      EXPECT_NEAR(y[i], ReferenceActivation(a, x[i]), 2e-7) << aimc_nn_activation_name(a) << " x=" << x[i];
  }
}

TEST(Activation, SigmoidIsSafeForLargeMagnitudes) {
  Vector x = {-INFINITY, -1000.0f, -100.0f, -30.0f, 30.0f, 100.0f, 1000.0f, INFINITY};
  Vector y(x.size());
  ASSERT_EQ(aimc_nn_activation_forward(AIMC_NN_SIGMOID, x.size(), x.data(), y.data()), AIMC_OK);
  for (float v : y) EXPECT_TRUE(std::isfinite(v));
  EXPECT_EQ(y[0], 0.0f);
  EXPECT_EQ(y[1], 0.0f);  // exp(-1000) underflows; the result must not be NaN
  // sigmoid(-100) = 3.72e-44, a float denormal; the tail keeps its relative accuracy
  // where 1 - sigmoid(100) would be 0.
  EXPECT_NEAR(y[2], 3.7200759760208361e-44, 2e-45);
  EXPECT_NEAR(y[3] / 9.357622968840175e-14, 1.0, 1e-6);
  EXPECT_EQ(y[6], 1.0f);
  EXPECT_EQ(y[7], 1.0f);
}

TEST(Activation, BackwardMatchesFiniteDifferences) {
  std::mt19937 rng(2);
  for (aimc_nn_activation a : {AIMC_NN_IDENTITY, AIMC_NN_SIGMOID, AIMC_NN_TANH}) {
    Vector x = RandomVector(rng, 40, -4, 4), r = RandomVector(rng, 40, -1, 1);
    Vector y(x.size()), dx(x.size());
    ASSERT_EQ(aimc_nn_activation_forward(a, x.size(), x.data(), y.data()), AIMC_OK);
    ASSERT_EQ(aimc_nn_activation_backward(a, x.size(), y.data(), r.data(), dx.data()), AIMC_OK);
    auto objective = [&] {
      double sum = 0;
      for (size_t i = 0; i < x.size(); ++i) sum += r[i] * ReferenceActivation(a, x[i]);
      return sum;
    };
    // f(x)-only terms vanish in the difference; float y costs ~1e-7 relative.
    ExpectGradient(aimc_nn_activation_name(a), objective, x, dx, 1e-3, 1e-5);
  }
}

TEST(Activation, InPlaceBackwardEqualsOutOfPlace) {
  std::mt19937 rng(3);
  Vector x = RandomVector(rng, 30, -3, 3), dy = RandomVector(rng, 30, -1, 1);
  Vector y(30), dx(30);
  ASSERT_EQ(aimc_nn_activation_forward(AIMC_NN_TANH, 30, x.data(), y.data()), AIMC_OK);
  ASSERT_EQ(aimc_nn_activation_backward(AIMC_NN_TANH, 30, y.data(), dy.data(), dx.data()), AIMC_OK);
  ASSERT_EQ(aimc_nn_activation_backward(AIMC_NN_TANH, 30, y.data(), dy.data(), dy.data()), AIMC_OK);
  EXPECT_EQ(dx, dy);
}

TEST(Activation, NamesRoundTrip) {
  for (aimc_nn_activation a : {AIMC_NN_IDENTITY, AIMC_NN_SIGMOID, AIMC_NN_TANH}) {
    aimc_nn_activation parsed;
    ASSERT_EQ(aimc_nn_activation_parse(aimc_nn_activation_name(a), &parsed), AIMC_OK);
    EXPECT_EQ(parsed, a);
  }
  aimc_nn_activation parsed;
  EXPECT_EQ(aimc_nn_activation_parse("relu", &parsed), AIMC_EINVAL);
  EXPECT_TRUE(MessageContains("'relu'"));
}

// ---- Loss ----------------------------------------------------------------

TEST(Loss, KnownLogitsGiveHandComputedValues) {
  // Sample 0: equal logits, softmax 1/4 each, loss ln 4; argmax is the first
  // class (0) but the label is 2, so it is wrong.
  // Sample 1: logits ln(1..4), softmax (.1, .2, .3, .4), label 3: loss -ln .4 =
  // ln 2.5, argmax 3, right. Mean loss (ln 4 + ln 2.5) / 2 = ln(10) / 2.
  const Vector logits = {0, 0, 0, 0, std::log(1.0f), std::log(2.0f), std::log(3.0f), std::log(4.0f)};
  const uint8_t labels[2] = {2, 3};
  double loss = 0;
  size_t correct = 99;
  Vector grad(8);
  ASSERT_EQ(aimc_nn_log_softmax_nll(2, 4, logits.data(), labels, &loss, grad.data(), &correct), AIMC_OK);
  EXPECT_NEAR(loss, std::log(10.0) / 2, 1e-7);
  EXPECT_EQ(correct, 1u);
  const double expected[8] = {0.125, 0.125, -0.375, 0.125, 0.05, 0.1, 0.15, -0.3};  // (p - onehot) / 2
  for (int i = 0; i < 8; ++i) EXPECT_NEAR(grad[i], expected[i], 1e-7) << i;
}

TEST(Loss, HugeLogitsStayFinite) {
  // log(e^1000 + e^0) = 1000 + log(1 + e^-1000) = 1000 in double: loss 1000 for
  // label 1, 0 for label 0; the gradient is (0, 0) and (1, -1) halved.
  const Vector logits = {1000.0f, 0.0f, 1000.0f, 0.0f};
  const uint8_t labels[2] = {0, 1};
  double loss = 0;
  Vector grad(4);
  ASSERT_EQ(aimc_nn_log_softmax_nll(2, 2, logits.data(), labels, &loss, grad.data(), nullptr), AIMC_OK);
  EXPECT_DOUBLE_EQ(loss, 500.0);
  EXPECT_EQ(grad, (Vector{0.0f, 0.0f, 0.5f, -0.5f}));
}

TEST(Loss, AccuracyCountsFirstArgmax) {
  // Ten classes; each row's winning class is set by hand.
  const size_t batch = 6, classes = 10;
  Vector logits(batch * classes, 0.0f);
  const int winner[batch] = {3, 7, 0, 9, 5, 5};
  for (size_t b = 0; b < batch; ++b) logits[b * classes + winner[b]] = 2.0f;
  logits[5 * classes + 8] = 2.0f;  // a tie in row 5: class 5 comes first and wins
  const uint8_t labels[batch] = {3, 1, 0, 9, 4, 5};  // right: rows 0, 2, 3, 5
  size_t correct = 0;
  ASSERT_EQ(aimc_nn_log_softmax_nll(batch, classes, logits.data(), labels, nullptr, nullptr, &correct), AIMC_OK);
  EXPECT_EQ(correct, 4u);
}

double ReferenceNll(const Vector &logits, const uint8_t *labels, size_t batch, size_t classes) {
  double total = 0;
  for (size_t b = 0; b < batch; ++b) {
    double sum = 0;
    for (size_t j = 0; j < classes; ++j) sum += std::exp(static_cast<double>(logits[b * classes + j]));
    total += std::log(sum) - logits[b * classes + labels[b]];
  }
  return total / static_cast<double>(batch);
}

TEST(Loss, GradientMatchesFiniteDifferences) {
  std::mt19937 rng(4);
  const size_t batch = 5, classes = 10;
  Vector logits = RandomVector(rng, batch * classes, -3, 3);
  const uint8_t labels[batch] = {0, 9, 4, 4, 7};
  double loss = 0;
  Vector grad(batch * classes);
  ASSERT_EQ(aimc_nn_log_softmax_nll(batch, classes, logits.data(), labels, &loss, grad.data(), nullptr), AIMC_OK);
  EXPECT_NEAR(loss, ReferenceNll(logits, labels, batch, classes), 1e-12);
  ExpectGradient("dlogits", [&] { return ReferenceNll(logits, labels, batch, classes); }, logits, grad, 1e-3, 1e-5);
}

TEST(Loss, RejectsNonFiniteLogitsAndBadLabels) {
  Vector logits = {0.0f, NAN};
  uint8_t label = 0;
  double loss;
  EXPECT_EQ(aimc_nn_log_softmax_nll(1, 2, logits.data(), &label, &loss, nullptr, nullptr), AIMC_ENUMERIC);
  logits[1] = 0.0f;
  label = 2;
  EXPECT_EQ(aimc_nn_log_softmax_nll(1, 2, logits.data(), &label, &loss, nullptr, nullptr), AIMC_EINVAL);
  EXPECT_TRUE(MessageContains("label 2 of sample 0"));
}

// ---- Digital fully connected layer ---------------------------------------

struct Linear {
  aimc_nn_linear layer;
  Linear(size_t in, size_t out, uint64_t seed, uint32_t id) {
    EXPECT_EQ(aimc_nn_linear_create(&layer, in, out, seed, id), AIMC_OK);
  }
  ~Linear() { aimc_nn_linear_destroy(&layer); }
  Linear(const Linear &) = delete;
  Linear &operator=(const Linear &) = delete;
  float *w() { return layer.weight; }
  size_t weights() const { return layer.in_features * layer.out_features; }
};

// y = x W^T + b in double.
std::vector<double> ReferenceLinear(const float *w, const float *b, const float *x, size_t batch, size_t in,
                                    size_t out) {
  std::vector<double> y(batch * out);
  for (size_t s = 0; s < batch; ++s)
    for (size_t o = 0; o < out; ++o) {
      double sum = b[o];
      for (size_t i = 0; i < in; ++i) sum += static_cast<double>(w[o * in + i]) * x[s * in + i];
      y[s * out + o] = sum;
    }
  return y;
}

TEST(Linear, ForwardAndBackwardMatchReferenceAndFiniteDifferences) {
  const size_t batch = 3, in = 7, out = 4;
  Linear fc(in, out, 11, 0);
  std::mt19937 rng(5);
  Vector x = RandomVector(rng, batch * in, -1, 1), r = RandomVector(rng, batch * out, -1, 1);
  Vector y(batch * out), dx(batch * in);
  ASSERT_EQ(aimc_nn_linear_forward(&fc.layer, batch, x.data(), y.data()), AIMC_OK);
  std::vector<double> expected = ReferenceLinear(fc.w(), fc.layer.bias, x.data(), batch, in, out);
  for (size_t k = 0; k < y.size(); ++k) EXPECT_NEAR(y[k], expected[k], 1e-6);

  ASSERT_EQ(aimc_nn_linear_backward(&fc.layer, batch, x.data(), r.data(), dx.data()), AIMC_OK);
  Vector weights(fc.w(), fc.w() + fc.weights()), biases(fc.layer.bias, fc.layer.bias + out);
  // L = sum r .* y; every parameter enters linearly, so the differences are exact up to rounding.
  auto objective = [&] {
    std::vector<double> z = ReferenceLinear(weights.data(), biases.data(), x.data(), batch, in, out);
    double sum = 0;
    for (size_t k = 0; k < z.size(); ++k) sum += r[k] * z[k];
    return sum;
  };
  ExpectGradient("dW", objective, weights, Vector(fc.layer.grad_weight, fc.layer.grad_weight + fc.weights()));
  ExpectGradient("db", objective, biases, Vector(fc.layer.grad_bias, fc.layer.grad_bias + out));
  ExpectGradient("dx", objective, x, dx);
}

TEST(Linear, BackwardWithoutInputGradientStillFillsParameterGradients) {
  const size_t batch = 2, in = 3, out = 2;
  Linear fc(in, out, 1, 1);
  const Vector x = {1, 2, 3, -1, 0, 2}, dy = {1, 0, 0.5f, -1};
  ASSERT_EQ(aimc_nn_linear_backward(&fc.layer, batch, x.data(), dy.data(), nullptr), AIMC_OK);
  // dW = dy^T x: row 0 = 1*(1,2,3) + 0.5*(-1,0,2); row 1 = 0*(1,2,3) - 1*(-1,0,2).
  EXPECT_EQ(Vector(fc.layer.grad_weight, fc.layer.grad_weight + 6), (Vector{0.5f, 2, 4, 1, 0, -2}));
  EXPECT_EQ(Vector(fc.layer.grad_bias, fc.layer.grad_bias + 2), (Vector{1.5f, -1}));
}

TEST(Linear, SgdStepSubtractsTheScaledGradient) {
  Linear fc(5, 3, 2, 2);
  std::mt19937 rng(6);
  Vector x = RandomVector(rng, 10, -1, 1), dy = RandomVector(rng, 6, -1, 1);
  ASSERT_EQ(aimc_nn_linear_backward(&fc.layer, 2, x.data(), dy.data(), nullptr), AIMC_OK);
  Vector w(fc.w(), fc.w() + 15), b(fc.layer.bias, fc.layer.bias + 3);
  const float lr = 0.05f;
  ASSERT_EQ(aimc_nn_linear_sgd_step(&fc.layer, lr), AIMC_OK);
  for (int k = 0; k < 15; ++k) EXPECT_EQ(fc.w()[k], w[k] - lr * fc.layer.grad_weight[k]);
  for (int k = 0; k < 3; ++k) EXPECT_EQ(fc.layer.bias[k], b[k] - lr * fc.layer.grad_bias[k]);
  EXPECT_EQ(aimc_nn_sgd_step(3, NAN, fc.layer.grad_bias, fc.layer.bias), AIMC_EINVAL);
}

// The pieces compose into the gradient of the mean loss of a sigmoid MLP
// (the FCN's structure at toy size): linear - sigmoid - linear - log-softmax NLL.
TEST(Linear, TwoLayerNetworkGradientMatchesFiniteDifferences) {
  const size_t batch = 4, in = 6, hidden = 5, classes = 3;
  Linear first(in, hidden, 7, 0), second(hidden, classes, 7, 1);
  std::mt19937 rng(8);
  Vector x = RandomVector(rng, batch * in, 0, 1);
  const uint8_t labels[batch] = {0, 2, 1, 2};
  Vector h(batch * hidden), logits(batch * classes), dlogits(batch * classes), dh(batch * hidden);
  ASSERT_EQ(aimc_nn_linear_forward(&first.layer, batch, x.data(), h.data()), AIMC_OK);
  ASSERT_EQ(aimc_nn_activation_forward(AIMC_NN_SIGMOID, h.size(), h.data(), h.data()), AIMC_OK);
  ASSERT_EQ(aimc_nn_linear_forward(&second.layer, batch, h.data(), logits.data()), AIMC_OK);
  double loss;
  ASSERT_EQ(aimc_nn_log_softmax_nll(batch, classes, logits.data(), labels, &loss, dlogits.data(), nullptr), AIMC_OK);
  ASSERT_EQ(aimc_nn_linear_backward(&second.layer, batch, h.data(), dlogits.data(), dh.data()), AIMC_OK);
  ASSERT_EQ(aimc_nn_activation_backward(AIMC_NN_SIGMOID, h.size(), h.data(), dh.data(), dh.data()), AIMC_OK);
  ASSERT_EQ(aimc_nn_linear_backward(&first.layer, batch, x.data(), dh.data(), nullptr), AIMC_OK);

  Vector w1(first.w(), first.w() + first.weights()), b1(first.layer.bias, first.layer.bias + hidden);
  Vector w2(second.w(), second.w() + second.weights()), b2(second.layer.bias, second.layer.bias + classes);
  auto objective = [&] {
    std::vector<double> z = ReferenceLinear(w1.data(), b1.data(), x.data(), batch, in, hidden);
    Vector hidden_out(z.size());
    for (size_t k = 0; k < z.size(); ++k) hidden_out[k] = static_cast<float>(1.0 / (1.0 + std::exp(-z[k])));
    std::vector<double> out = ReferenceLinear(w2.data(), b2.data(), hidden_out.data(), batch, hidden, classes);
    double total = 0;
    for (size_t b = 0; b < batch; ++b) {
      double sum = 0;
      for (size_t j = 0; j < classes; ++j) sum += std::exp(out[b * classes + j]);
      total += std::log(sum) - out[b * classes + labels[b]];
    }
    return total / batch;
  };
  EXPECT_NEAR(loss, objective(), 1e-6);
  // The hidden layer is rounded to float inside the objective, so the
  // differences carry ~1e-7 / step noise: the step is larger here.
  ExpectGradient("dW1", objective, w1, Vector(first.layer.grad_weight, first.layer.grad_weight + w1.size()), 1e-2,
                 1e-3);
  ExpectGradient("db1", objective, b1, Vector(first.layer.grad_bias, first.layer.grad_bias + hidden), 1e-2, 1e-3);
  ExpectGradient("dW2", objective, w2, Vector(second.layer.grad_weight, second.layer.grad_weight + w2.size()), 1e-2,
                 1e-3);
  ExpectGradient("db2", objective, b2, Vector(second.layer.grad_bias, second.layer.grad_bias + classes), 1e-2, 1e-3);
}

// ---- Initialisation ------------------------------------------------------

TEST(Init, PyTorchDefaultBoundsMeanAndVariance) {
  // The FCN's 512 -> 128 layer: U(-b, b) with b = 1/sqrt(512). Mean 0 with
  // standard error b/sqrt(3n); E[w^2] = b^2/3 with standard error
  // sqrt(E[w^4] - E[w^2]^2)/sqrt(n) = sqrt(1/5 - 1/9) b^2 / sqrt(n).
  Linear fc(512, 128, 2024, 3);
  const double n = static_cast<double>(fc.weights()), b = 1.0 / std::sqrt(512.0);
  double sum = 0, sum_squares = 0;
  for (size_t k = 0; k < fc.weights(); ++k) {
    ASSERT_GE(fc.w()[k], -b);
    ASSERT_LT(fc.w()[k], b);
    sum += fc.w()[k];
    sum_squares += static_cast<double>(fc.w()[k]) * fc.w()[k];
  }
  EXPECT_LT(std::fabs(sum / n), 4 * b / std::sqrt(3 * n));
  EXPECT_LT(std::fabs(sum_squares / n - b * b / 3), 4 * std::sqrt(1.0 / 5 - 1.0 / 9) * b * b / std::sqrt(n));
  for (size_t k = 0; k < 128; ++k) {
    EXPECT_GE(fc.layer.bias[k], -b);
    EXPECT_LT(fc.layer.bias[k], b);
  }
}

TEST(Init, EachElementIsKeyedBySeedLayerTensorAndIndex) {
  const uint64_t seed = 99;
  const uint32_t layer = 5;
  Linear fc(10, 7, seed, layer);
  const float bound = static_cast<float>(1.0 / std::sqrt(10.0));
  aimc_rng_key key = aimc_rng_key_make(seed, AIMC_NN_RNG_STREAM_INIT);
  uint32_t words[4];
  for (size_t index : {size_t{0}, size_t{37}, size_t{69}}) {
    aimc_rng_words(key, index / 4, 0, AIMC_RNG_USER, layer, 0, words);
    EXPECT_EQ(fc.w()[index], bound * (2.0f * aimc_rng_uniform(words[index % 4]) - 1.0f)) << index;
  }
  aimc_rng_words(key, 1, 0, AIMC_RNG_USER, layer, 1, words);
  EXPECT_EQ(fc.layer.bias[5], bound * (2.0f * aimc_rng_uniform(words[1]) - 1.0f));
  // Another layer id draws other numbers.
  Linear other(10, 7, seed, layer + 1);
  EXPECT_NE(Vector(fc.w(), fc.w() + 70), Vector(other.w(), other.w() + 70));
}

// ---- Convolution ---------------------------------------------------------

TEST(Conv, Im2colOfKnownImage) {
  // 1 x 3 x 3 image 1..9, k = 2: four patches, row-major over (oy, ox), each
  // (top-left, top-right, bottom-left, bottom-right).
  const aimc_nn_conv_shape shape = {1, 3, 3, 2};
  const Vector image = {1, 2, 3, 4, 5, 6, 7, 8, 9};
  Vector columns(16);
  ASSERT_EQ(aimc_nn_im2col(&shape, 1, image.data(), columns.data()), AIMC_OK);
  EXPECT_EQ(columns, (Vector{1, 2, 4, 5, 2, 3, 5, 6, 4, 5, 7, 8, 5, 6, 8, 9}));
}

TEST(Conv, Im2colColumnOrderIsChannelThenKernelRowThenColumn) {
  // Pixel value encodes its position: 100 c + 10 y + x.
  const aimc_nn_conv_shape shape = {2, 4, 3, 2};
  Vector image(2 * 4 * 3);
  for (int c = 0; c < 2; ++c)
    for (int y = 0; y < 4; ++y)
      for (int x = 0; x < 3; ++x) image[(c * 4 + y) * 3 + x] = static_cast<float>(100 * c + 10 * y + x);
  ASSERT_EQ(aimc_nn_conv_patches(&shape), 6u);  // 3 x 2 outputs
  ASSERT_EQ(aimc_nn_conv_patch_size(&shape), 8u);
  Vector columns(6 * 8);
  ASSERT_EQ(aimc_nn_im2col(&shape, 1, image.data(), columns.data()), AIMC_OK);
  // Patch (oy, ox) = (2, 1) is row 2*2 + 1 = 5: channel 0 rows 2-3 columns 1-2, then channel 1.
  EXPECT_EQ(Vector(columns.begin() + 40, columns.end()), (Vector{21, 22, 31, 32, 121, 122, 131, 132}));
}

// Direct convolution in double: out[b][o][y][x] = bias[o] + sum W[o][c][ky][kx] in[b][c][y+ky][x+kx].
std::vector<double> DirectConvolution(const aimc_nn_conv_shape &s, size_t batch, size_t out_channels,
                                      const float *weight, const float *bias, const float *images) {
  const size_t k = s.kernel, oh = s.height - k + 1, ow = s.width - k + 1;
  std::vector<double> out(batch * out_channels * oh * ow);
  for (size_t b = 0; b < batch; ++b)
    for (size_t o = 0; o < out_channels; ++o)
      for (size_t y = 0; y < oh; ++y)
        for (size_t x = 0; x < ow; ++x) {
          double sum = bias[o];
          for (size_t c = 0; c < s.channels; ++c)
            for (size_t ky = 0; ky < k; ++ky)
              for (size_t kx = 0; kx < k; ++kx)
                sum += static_cast<double>(weight[((o * s.channels + c) * k + ky) * k + kx]) *
                       images[((b * s.channels + c) * s.height + y + ky) * s.width + x + kx];
          out[((b * out_channels + o) * oh + y) * ow + x] = sum;
        }
  return out;
}

TEST(Conv, Im2colGemmMatchesDirectConvolutionForwardAndBackward) {
  const aimc_nn_conv_shape shape = {3, 7, 6, 3};
  const size_t batch = 2, out_channels = 4;
  const size_t patches = aimc_nn_conv_patches(&shape), patch_size = aimc_nn_conv_patch_size(&shape);
  const size_t image_size = 3 * 7 * 6;
  Linear conv(patch_size, out_channels, 31, 0);
  std::mt19937 rng(9);
  Vector images = RandomVector(rng, batch * image_size, 0, 1);

  // Forward: patches through the layer, then patch-major -> channels-first.
  Vector columns(batch * patches * patch_size), mvm(batch * patches * out_channels), out(mvm.size());
  ASSERT_EQ(aimc_nn_im2col(&shape, batch, images.data(), columns.data()), AIMC_OK);
  ASSERT_EQ(aimc_nn_linear_forward(&conv.layer, batch * patches, columns.data(), mvm.data()), AIMC_OK);
  ASSERT_EQ(aimc_nn_transpose(batch, patches, out_channels, mvm.data(), out.data()), AIMC_OK);
  std::vector<double> expected =
      DirectConvolution(shape, batch, out_channels, conv.w(), conv.layer.bias, images.data());
  ASSERT_EQ(expected.size(), out.size());
  for (size_t k = 0; k < out.size(); ++k) EXPECT_NEAR(out[k], expected[k], 1e-5) << k;

  // Backward of L = sum r .* out: channels-first -> patch-major, layer backward, col2im.
  Vector r = RandomVector(rng, out.size(), -1, 1), r_patches(r.size());
  Vector dcolumns(columns.size()), dimages(images.size(), 0.0f);
  ASSERT_EQ(aimc_nn_transpose(batch, out_channels, patches, r.data(), r_patches.data()), AIMC_OK);
  ASSERT_EQ(aimc_nn_linear_backward(&conv.layer, batch * patches, columns.data(), r_patches.data(), dcolumns.data()),
            AIMC_OK);
  ASSERT_EQ(aimc_nn_col2im(&shape, batch, dcolumns.data(), dimages.data()), AIMC_OK);
  Vector weights(conv.w(), conv.w() + conv.weights()), biases(conv.layer.bias, conv.layer.bias + out_channels);
  auto objective = [&] {
    std::vector<double> z = DirectConvolution(shape, batch, out_channels, weights.data(), biases.data(), images.data());
    double sum = 0;
    for (size_t k = 0; k < z.size(); ++k) sum += r[k] * z[k];
    return sum;
  };
  ExpectGradient("dW", objective, weights, Vector(conv.layer.grad_weight, conv.layer.grad_weight + conv.weights()));
  ExpectGradient("db", objective, biases, Vector(conv.layer.grad_bias, conv.layer.grad_bias + out_channels));
  ExpectGradient("dimages", objective, images, dimages);
}

TEST(Conv, Col2imIsTheAdjointOfIm2col) {
  // Small integers keep every product and sum exact in float, so <im2col(x), y>
  // and <x, col2im(y)> must agree exactly.
  const aimc_nn_conv_shape shape = {2, 6, 5, 3};
  const size_t batch = 3, image_size = 2 * 6 * 5;
  const size_t matrix = aimc_nn_conv_patches(&shape) * aimc_nn_conv_patch_size(&shape);
  std::mt19937 rng(10);
  std::uniform_int_distribution<int> small(-8, 8);
  Vector x(batch * image_size), y(batch * matrix);
  for (float &v : x) v = static_cast<float>(small(rng));
  for (float &v : y) v = static_cast<float>(small(rng));
  Vector columns(y.size()), image(x.size(), 0.0f);
  ASSERT_EQ(aimc_nn_im2col(&shape, batch, x.data(), columns.data()), AIMC_OK);
  ASSERT_EQ(aimc_nn_col2im(&shape, batch, y.data(), image.data()), AIMC_OK);
  EXPECT_EQ(Dot(columns, y), Dot(x, image));
  // col2im accumulates: a second call doubles the result.
  Vector twice = image;
  ASSERT_EQ(aimc_nn_col2im(&shape, batch, y.data(), twice.data()), AIMC_OK);
  for (size_t k = 0; k < image.size(); ++k) EXPECT_EQ(twice[k], 2 * image[k]);
}

TEST(Conv, TransposeSwapsRowsAndColumnsPerSample) {
  const Vector in = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12};  // two 2 x 3 matrices
  Vector out(12);
  ASSERT_EQ(aimc_nn_transpose(2, 2, 3, in.data(), out.data()), AIMC_OK);
  EXPECT_EQ(out, (Vector{1, 4, 2, 5, 3, 6, 7, 10, 8, 11, 9, 12}));
}

// ---- Max-pooling ---------------------------------------------------------

TEST(MaxPool, KnownFourByFour) {
  // Windows: {1,5,3,4} -> 5 at (0,1); {2,0,8,8} -> first 8 at (1,2);
  // {9,0,2,2} -> 9 at (2,0); {1,1,1,7} -> 7 at (3,3).
  const Vector x = {1, 5, 2, 0, 3, 4, 8, 8, 9, 0, 1, 1, 2, 2, 1, 7};
  Vector y(4);
  std::vector<uint32_t> argmax(4);
  ASSERT_EQ(aimc_nn_maxpool2_forward(1, 1, 4, 4, x.data(), y.data(), argmax.data()), AIMC_OK);
  EXPECT_EQ(y, (Vector{5, 8, 9, 7}));
  EXPECT_EQ(argmax, (std::vector<uint32_t>{1, 6, 8, 15}));
  const Vector dy = {10, 20, 30, 40};
  Vector dx(16, -1.0f);
  ASSERT_EQ(aimc_nn_maxpool2_backward(1, 1, 4, 4, dy.data(), argmax.data(), dx.data()), AIMC_OK);
  EXPECT_EQ(dx, (Vector{0, 10, 0, 0, 0, 0, 20, 0, 30, 0, 0, 0, 0, 0, 0, 40}));
}

TEST(MaxPool, OddSizeDropsTheLastRowAndColumn) {
  // 3 x 5: one row of two windows; row 2 and column 4 are never read.
  const Vector x = {0, 1, 2, 3, 99, 4, 5, 6, 7, 99, 99, 99, 99, 99, 99};
  Vector y(2);
  std::vector<uint32_t> argmax(2);
  ASSERT_EQ(aimc_nn_maxpool2_forward(1, 1, 3, 5, x.data(), y.data(), argmax.data()), AIMC_OK);
  EXPECT_EQ(y, (Vector{5, 7}));
  EXPECT_EQ(argmax, (std::vector<uint32_t>{6, 8}));
}

TEST(MaxPool, BackwardMatchesFiniteDifferences) {
  // Distinct values at least 0.01 apart: a step of 1e-3 never changes a winner.
  const size_t batch = 2, channels = 3, height = 6, width = 4, n = batch * channels * height * width;
  std::mt19937 rng(11);
  Vector x(n);
  for (size_t k = 0; k < n; ++k) x[k] = 0.01f * static_cast<float>(k);
  std::shuffle(x.begin(), x.end(), rng);
  const size_t outputs = batch * channels * 3 * 2;
  Vector y(outputs), r = RandomVector(rng, outputs, -1, 1), dx(n);
  std::vector<uint32_t> argmax(outputs);
  ASSERT_EQ(aimc_nn_maxpool2_forward(batch, channels, height, width, x.data(), y.data(), argmax.data()), AIMC_OK);
  ASSERT_EQ(aimc_nn_maxpool2_backward(batch, channels, height, width, r.data(), argmax.data(), dx.data()), AIMC_OK);
  auto objective = [&] {
    double sum = 0;
    for (size_t p = 0; p < batch * channels; ++p)
      for (size_t oy = 0; oy < 3; ++oy)
        for (size_t ox = 0; ox < 2; ++ox) {
          const float *plane = x.data() + p * height * width;
          double best = -INFINITY;
          for (size_t dy = 0; dy < 2; ++dy)
            for (size_t dx2 = 0; dx2 < 2; ++dx2) best = std::max<double>(best, plane[(2 * oy + dy) * width + 2 * ox + dx2]);
          sum += r[(p * 3 + oy) * 2 + ox] * best;
        }
    return sum;
  };
  ExpectGradient("dx", objective, x, dx, 1e-3, 1e-5);
}

// ---- Learned output scale ------------------------------------------------

TEST(OutScale, ForwardAndBackwardMatchFiniteDifferences) {
  const size_t batch = 4, features = 5;
  std::mt19937 rng(12);
  Vector scale = RandomVector(rng, features, 0.5f, 2), z = RandomVector(rng, batch * features, -1, 1);
  Vector r = RandomVector(rng, batch * features, -1, 1), y(z.size()), dz(z.size()), grad_scale(features);
  ASSERT_EQ(aimc_nn_out_scale_forward(batch, features, scale.data(), z.data(), y.data()), AIMC_OK);
  for (size_t k = 0; k < y.size(); ++k) EXPECT_EQ(y[k], scale[k % features] * z[k]);
  ASSERT_EQ(aimc_nn_out_scale_backward(batch, features, scale.data(), z.data(), r.data(), dz.data(), grad_scale.data()),
            AIMC_OK);
  auto objective = [&] {
    double sum = 0;
    for (size_t k = 0; k < z.size(); ++k) sum += r[k] * static_cast<double>(scale[k % features]) * z[k];
    return sum;
  };
  ExpectGradient("dscale", objective, scale, grad_scale);
  ExpectGradient("dz", objective, z, dz);
  // In place (dz over dy) gives the same numbers.
  Vector in_place = r, grad_again(features);
  ASSERT_EQ(aimc_nn_out_scale_backward(batch, features, scale.data(), z.data(), in_place.data(), in_place.data(),
                                       grad_again.data()),
            AIMC_OK);
  EXPECT_EQ(in_place, dz);
  EXPECT_EQ(grad_again, grad_scale);
}

// Distance in units in the last place between two floats of equal sign.
int64_t UlpDistance(float a, float b) {
  int32_t ia, ib;
  std::memcpy(&ia, &a, 4);
  std::memcpy(&ib, &b, 4);
  return std::llabs(static_cast<int64_t>(ia) - ib);
}

TEST(OutScale, ColumnwiseMappingReproducesWeightsAndPutsRowMaximaAtOmega) {
  const size_t out = 6, in = 9;
  const float omega = 0.6f;
  std::mt19937 rng(13);
  Vector w = RandomVector(rng, out * in, -0.3f, 0.3f);
  for (size_t j = 0; j < in; ++j) w[3 * in + j] = 0.0f;  // an all-zero row
  w[1 * in + 4] = -2.5f;                                 // a negative row maximum
  Vector analog(w.size()), scale(out);
  ASSERT_EQ(aimc_nn_columnwise_scaling(out, in, w.data(), omega, analog.data(), scale.data()), AIMC_OK);
  for (size_t i = 0; i < out; ++i) {
    float largest = 0, analog_largest = 0;
    for (size_t j = 0; j < in; ++j) {
      largest = std::max(largest, std::fabs(w[i * in + j]));
      analog_largest = std::max(analog_largest, std::fabs(analog[i * in + j]));
      const float restored = scale[i] * analog[i * in + j];
      if (w[i * in + j] == 0.0f) EXPECT_EQ(restored, 0.0f);
      else EXPECT_LE(UlpDistance(restored, w[i * in + j]), 1) << i << "," << j;
    }
    if (i == 3) {
      EXPECT_EQ(scale[i], 1.0f);
      EXPECT_EQ(analog_largest, 0.0f);
    } else {
      EXPECT_LE(UlpDistance(scale[i], largest / omega), 1) << i;
      EXPECT_LE(UlpDistance(analog_largest, omega), 1) << i;
    }
  }
  EXPECT_EQ(analog[1 * in + 4], -omega);
  // In place over the digital weights gives the same result.
  Vector in_place = w, scale_again(out);
  ASSERT_EQ(aimc_nn_columnwise_scaling(out, in, in_place.data(), omega, in_place.data(), scale_again.data()), AIMC_OK);
  EXPECT_EQ(in_place, analog);
  EXPECT_EQ(scale_again, scale);
}

TEST(OutScale, ColumnwiseMappingRejectsBadOmegaAndNonFiniteWeights) {
  Vector w = {1, 2, 3, 4}, analog(4), scale(2);
  EXPECT_EQ(aimc_nn_columnwise_scaling(2, 2, w.data(), 0.0f, analog.data(), scale.data()), AIMC_EINVAL);
  EXPECT_TRUE(MessageContains("omega 0"));
  w[3] = INFINITY;
  EXPECT_EQ(aimc_nn_columnwise_scaling(2, 2, w.data(), 1.0f, analog.data(), scale.data()), AIMC_ENUMERIC);
  EXPECT_TRUE(MessageContains("(1, 1)"));
}

// ---- Shuffle and gather --------------------------------------------------

std::vector<size_t> Shuffle(size_t n, uint64_t seed, uint64_t epoch) {
  std::vector<size_t> p(n);
  EXPECT_EQ(aimc_nn_shuffle(n, seed, epoch, p.data()), AIMC_OK);
  return p;
}

TEST(Shuffle, IsAPermutationAndAPureFunctionOfSeedAndEpoch) {
  const size_t n = 1000;
  std::vector<size_t> p = Shuffle(n, 42, 3), sorted = p, identity(n);
  std::sort(sorted.begin(), sorted.end());
  std::iota(identity.begin(), identity.end(), size_t{0});
  EXPECT_EQ(sorted, identity);
  EXPECT_NE(p, identity);
  EXPECT_EQ(Shuffle(n, 42, 3), p);
  EXPECT_NE(Shuffle(n, 42, 4), p);
  EXPECT_NE(Shuffle(n, 43, 3), p);
  EXPECT_EQ(Shuffle(1, 42, 3), std::vector<size_t>{0});
}

TEST(Shuffle, AllOrdersOfFourAreEquallyLikely) {
  // 24 orders over 24000 epochs: each count ~ Binomial(24000, 1/24), mean 1000,
  // sd sqrt(24000 * 1/24 * 23/24) = 30.96; every count within 4 sd.
  const int epochs = 24000;
  std::map<std::vector<size_t>, int> counts;
  for (int e = 0; e < epochs; ++e) ++counts[Shuffle(4, 7, static_cast<uint64_t>(e))];
  ASSERT_EQ(counts.size(), 24u);
  const double sd = std::sqrt(epochs * (1.0 / 24) * (23.0 / 24));
  for (const auto &entry : counts) EXPECT_LT(std::fabs(entry.second - 1000.0), 4 * sd);
}

TEST(Shuffle, GatherCopiesTheIndexedSamples) {
  // Five 2 x 3 images whose pixels are 10 * sample + pixel.
  Vector pixels(5 * 6);
  for (size_t k = 0; k < pixels.size(); ++k) pixels[k] = static_cast<float>(10 * (k / 6) + k % 6);
  uint8_t labels[5] = {9, 8, 7, 6, 5};
  aimc_dataset data = {5, 2, 3, pixels.data(), labels};
  const size_t indices[3] = {4, 0, 4};
  Vector images(18);
  uint8_t batch_labels[3];
  ASSERT_EQ(aimc_nn_gather_batch(&data, indices, 3, images.data(), batch_labels), AIMC_OK);
  for (size_t k = 0; k < 3; ++k) {
    EXPECT_EQ(batch_labels[k], labels[indices[k]]);
    for (size_t j = 0; j < 6; ++j) EXPECT_EQ(images[k * 6 + j], static_cast<float>(10 * indices[k] + j));
  }
  const size_t outside[2] = {1, 5};
  EXPECT_EQ(aimc_nn_gather_batch(&data, outside, 2, images.data(), nullptr), AIMC_EINVAL);
  EXPECT_TRUE(MessageContains("index 5 (entry 1)"));
}

// ---- Threads and shapes ---------------------------------------------------

TEST(Threads, ResultsDoNotDependOnTheThreadCount) {
  // Sizes above the single-thread cut-off: the CNN's first layer at batch 8.
  const aimc_nn_conv_shape shape = {1, 28, 28, 5};
  const size_t batch = 8, columns_size = batch * 576 * 25, activations = batch * 16 * 24 * 24;
  std::mt19937 rng(14);
  Vector images = RandomVector(rng, batch * 784, 0, 1), planes = RandomVector(rng, activations, -3, 3);
  auto run = [&](int threads) {
    omp_set_num_threads(threads);
    Vector columns(columns_size), back(images.size(), 0.0f), act(activations), pooled(activations / 4);
    std::vector<uint32_t> argmax(activations / 4);
    EXPECT_EQ(aimc_nn_im2col(&shape, batch, images.data(), columns.data()), AIMC_OK);
    EXPECT_EQ(aimc_nn_col2im(&shape, batch, columns.data(), back.data()), AIMC_OK);
    EXPECT_EQ(aimc_nn_activation_forward(AIMC_NN_TANH, activations, planes.data(), act.data()), AIMC_OK);
    EXPECT_EQ(aimc_nn_maxpool2_forward(batch, 16, 24, 24, act.data(), pooled.data(), argmax.data()), AIMC_OK);
    Vector result = columns;
    result.insert(result.end(), back.begin(), back.end());
    result.insert(result.end(), act.begin(), act.end());
    result.insert(result.end(), pooled.begin(), pooled.end());
    for (uint32_t a : argmax) result.push_back(static_cast<float>(a));
    return result;
  };
  const int saved = omp_get_max_threads();
  Vector one = run(1), four = run(4);
  omp_set_num_threads(saved);
  EXPECT_TRUE(one == four);
}

TEST(Shapes, BadShapesAreRejectedWithTheShapeInTheMessage) {
  float buffer[64] = {0};
  uint8_t labels[4] = {0};
  uint32_t argmax[16];
  size_t indices[4];
  double loss;

  EXPECT_EQ(aimc_nn_activation_forward(AIMC_NN_TANH, 0, buffer, buffer), AIMC_EINVAL);
  EXPECT_TRUE(MessageContains("shape of 0 elements"));
  EXPECT_EQ(aimc_nn_log_softmax_nll(0, 10, buffer, labels, &loss, nullptr, nullptr), AIMC_EINVAL);
  EXPECT_TRUE(MessageContains("0 x 10"));
  EXPECT_EQ(aimc_nn_log_softmax_nll(1, 300, buffer, labels, &loss, nullptr, nullptr), AIMC_EINVAL);
  EXPECT_TRUE(MessageContains("1 x 300"));

  const aimc_nn_conv_shape too_small = {1, 4, 4, 5};
  EXPECT_EQ(aimc_nn_im2col(&too_small, 1, buffer, buffer), AIMC_EINVAL);
  EXPECT_TRUE(MessageContains("kernel 5 x 5")) << aimc_error_message();
  EXPECT_TRUE(MessageContains("1 x 4 x 4"));
  const aimc_nn_conv_shape fine = {1, 4, 4, 2};
  EXPECT_EQ(aimc_nn_col2im(&fine, 0, buffer, buffer), AIMC_EINVAL);
  EXPECT_TRUE(MessageContains("batch of 0 images of shape 1 x 4 x 4"));
  EXPECT_EQ(aimc_nn_transpose(2, 0, 3, buffer, buffer + 8), AIMC_EINVAL);
  EXPECT_TRUE(MessageContains("2 x 0 x 3"));

  EXPECT_EQ(aimc_nn_maxpool2_forward(1, 2, 1, 4, buffer, buffer + 8, argmax), AIMC_EINVAL);
  EXPECT_TRUE(MessageContains("1 x 4"));
  EXPECT_EQ(aimc_nn_maxpool2_backward(3, 0, 4, 4, buffer, argmax, buffer), AIMC_EINVAL);
  EXPECT_TRUE(MessageContains("3 x 0 x 4 x 4"));

  aimc_nn_linear layer;
  EXPECT_EQ(aimc_nn_linear_create(&layer, 0, 5, 1, 0), AIMC_EINVAL);
  EXPECT_TRUE(MessageContains("5 x 0"));
  EXPECT_EQ(layer.weight, nullptr);
  ASSERT_EQ(aimc_nn_linear_create(&layer, 3, 2, 1, 0), AIMC_OK);
  EXPECT_EQ(aimc_nn_linear_forward(&layer, 0, buffer, buffer), AIMC_EINVAL);
  EXPECT_TRUE(MessageContains("0 x 3"));
  const size_t too_many = static_cast<size_t>(INT32_MAX) + 1;
  EXPECT_EQ(aimc_nn_linear_backward(&layer, too_many, buffer, buffer, nullptr), AIMC_EINVAL);
  EXPECT_TRUE(MessageContains("2147483648 x 3"));
  aimc_nn_linear_destroy(&layer);
  EXPECT_EQ(aimc_nn_init_uniform(buffer, 4, 0.1f, 1, 1u << 28, 0), AIMC_EINVAL);
  EXPECT_TRUE(MessageContains("layer id 268435456"));

  EXPECT_EQ(aimc_nn_out_scale_forward(4, 0, buffer, buffer, buffer), AIMC_EINVAL);
  EXPECT_TRUE(MessageContains("4 x 0"));
  EXPECT_EQ(aimc_nn_columnwise_scaling(0, 3, buffer, 1.0f, buffer, buffer), AIMC_EINVAL);
  EXPECT_TRUE(MessageContains("0 x 3"));
  EXPECT_EQ(aimc_nn_bias_backward(0, 7, buffer, buffer), AIMC_EINVAL);
  EXPECT_TRUE(MessageContains("0 x 7"));

  EXPECT_EQ(aimc_nn_shuffle(0, 1, 0, indices), AIMC_EINVAL);
  EXPECT_TRUE(MessageContains("0 indices"));
  EXPECT_EQ(aimc_nn_shuffle(4, 1, 1u << 28, indices), AIMC_EINVAL);
  EXPECT_TRUE(MessageContains("epoch 268435456"));
  aimc_dataset empty_images = {4, 0, 28, buffer, labels};
  EXPECT_EQ(aimc_nn_gather_batch(&empty_images, indices, 1, buffer, labels), AIMC_EINVAL);
  EXPECT_TRUE(MessageContains("1 x 0 x 28"));
}

}  // namespace
