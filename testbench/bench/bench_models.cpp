// Benchmarks of the C core's hot kernels against BLAS yardsticks of the same size,
// measured in one binary so that ratios are taken in one run (docs/performance.md).
//   update/512 (threads 1, 2): per-sample pulsed update of a 512x512 SoftBounds
//     array, dw_min 0.001, dw_min_std 0.3, default dtod, desired_bl 31, UM + UBLM,
//     x ~ U[-1, 1], d ~ N(0, 0.1), lr 0.01; yardstick cblas_sger.
//   update_noiseless/512: the same with dw_min_std 0.
//   update_memory_floor: no arithmetic, only the memory traffic the noise-free
//     update cannot avoid: for the rows whose train fires (recorded per sample), w
//     read and written and the six planes a SoftBounds pulse reads (slope, offset
//     up/down, bounds). The array (9 MiB) does not fit in L2, sger's w (1 MiB) does.
//   forward/512: forward MVM with default periphery; yardstick cblas_sgemv.
#include <benchmark/benchmark.h>
#include <cblas.h>
#include <omp.h>

#include <algorithm>
#include <cstdlib>
#include <new>
#include <memory>
#include <random>
#include <vector>

extern "C" {
#include "aimc/aimc.h"
}

namespace {

constexpr int kSize = 512;
constexpr int kSamples = 64;  // distinct (x, d) pairs cycled through

struct Inputs {
  std::vector<float> x, d;
  Inputs() : x(kSamples * kSize), d(kSamples * kSize) {
    std::mt19937 rng(1);
    std::uniform_real_distribution<float> uni(-1.0f, 1.0f);
    std::normal_distribution<float> normal(0.0f, 0.1f);
    for (float &v : x) v = uni(rng);
    for (float &v : d) v = normal(rng);
  }
};

const Inputs &inputs() {
  static Inputs in;
  return in;
}

// A matrix on a cache-line boundary, like the array's weights: BLAS runs 20 to
// 30 % slower on a matrix 8 or 16 bytes off a line (where malloc puts it), so an
// unaligned yardstick would flatter the kernels.
struct Matrix {
  std::unique_ptr<float, decltype(&std::free)> data;
  explicit Matrix(float value)
      : data(static_cast<float *>(std::aligned_alloc(64, sizeof(float) * kSize * kSize)), &std::free) {
    if (!data) throw std::bad_alloc();
    std::fill(data.get(), data.get() + (size_t)kSize * kSize, value);
  }
  float *get() const { return data.get(); }
};

void run_update(benchmark::State &state, double dw_min_std) {
  int threads = (int)state.range(0);
  int size = state.range(1) > 0 ? (int)state.range(1) : kSize;
  int saved = omp_get_max_threads();
  omp_set_num_threads(threads);
  aimc_device_params p;
  aimc_device_params_default(&p, AIMC_DEVICE_SOFT_BOUNDS);
  p.dw_min_std = dw_min_std;
  aimc_array a;
  if (aimc_array_create(&a, size, size, &p, 1, 0) != AIMC_OK) state.SkipWithError(aimc_error_message());
  aimc_update_params u;
  aimc_update_params_default(&u);
  aimc_update_stats stats = {};
  const Inputs &in = inputs();
  int k = 0;
  for (auto _ : state) {
    aimc_array_update(&a, &in.x[(size_t)k * kSize], &in.d[(size_t)k * kSize], 1, 0.01f, &u, &stats, nullptr);
    k = (k + 1) % kSamples;
  }
  double pulses = (double)(stats.pulses_up + stats.pulses_down);
  state.counters["pulses_per_update"] = pulses / (double)state.iterations();
  state.counters["ns_per_pulse"] = benchmark::Counter(pulses, benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
  aimc_array_destroy(&a);
  omp_set_num_threads(saved);
}

void BM_update(benchmark::State &state) { run_update(state, 0.3); }
void BM_update_noiseless(benchmark::State &state) { run_update(state, 0.0); }

// Train sink: the rows whose train fires, per sample.
void record_active_rows(void *context, uint64_t, int, int words, int rows, const uint64_t *row_bits, const int8_t *, int,
                        const uint64_t *, const int8_t *, int) {
  auto *active = static_cast<std::vector<std::vector<int>> *>(context);
  active->emplace_back();
  for (int i = 0; i < rows; ++i) {
    uint64_t any = 0;
    for (int k = 0; k < words; ++k) any |= row_bits[(size_t)i * words + k];
    if (any) active->back().push_back(i);
  }
}

void BM_update_memory_floor(benchmark::State &state) {
  aimc_device_params p;
  aimc_device_params_default(&p, AIMC_DEVICE_SOFT_BOUNDS);
  aimc_array a;
  if (aimc_array_create(&a, kSize, kSize, &p, 1, 0) != AIMC_OK) state.SkipWithError(aimc_error_message());
  aimc_update_params u;
  aimc_update_params_default(&u);
  std::vector<std::vector<int>> active;
  aimc_train_sink sink = {&active, record_active_rows};
  const Inputs &in = inputs();
  for (int k = 0; k < kSamples; ++k)
    aimc_array_update(&a, &in.x[(size_t)k * kSize], &in.d[(size_t)k * kSize], 1, 0.01f, &u, nullptr, &sink);
  const size_t n = (size_t)kSize * kSize;
  const int read_planes[] = {AIMC_PLANE_SLOPE_UP, AIMC_PLANE_SLOPE_DOWN, AIMC_PLANE_OFFSET_UP,
                             AIMC_PLANE_OFFSET_DOWN, AIMC_PLANE_B_MIN,    AIMC_PLANE_B_MAX};
  int k = 0;
  for (auto _ : state) {
    for (int i : active[k]) {
      float *w = a.w + (size_t)i * kSize;
      const float *q[6];
      for (int m = 0; m < 6; ++m) q[m] = a.planes + read_planes[m] * n + (size_t)i * kSize;
      for (int j = 0; j < kSize; ++j) w[j] += 0.0f * (q[0][j] + q[1][j] + q[2][j] + q[3][j] + q[4][j] + q[5][j]);
    }
    benchmark::DoNotOptimize(a.w);
    k = (k + 1) % kSamples;
  }
  aimc_array_destroy(&a);
}

void BM_sger(benchmark::State &state) {
  Matrix w(0.0f);
  const Inputs &in = inputs();
  int k = 0;
  for (auto _ : state) {
    cblas_sger(CblasRowMajor, kSize, kSize, -0.01f, &in.d[(size_t)k * kSize], 1, &in.x[(size_t)k * kSize], 1, w.get(),
               kSize);
    benchmark::DoNotOptimize(w.get());
    k = (k + 1) % kSamples;
  }
}

// The forward MVM; with `perfect` set (is_perfect), only the BLAS product and the
// output scale: the difference to BM_forward is what the periphery costs.
void forward(benchmark::State &state, bool perfect) {
  aimc_device_params p;
  aimc_device_params_default(&p, AIMC_DEVICE_SOFT_BOUNDS);
  aimc_array a;
  if (aimc_array_create(&a, kSize, kSize, &p, 1, 0) != AIMC_OK) state.SkipWithError(aimc_error_message());
  std::vector<float> w((size_t)kSize * kSize);
  std::mt19937 rng(2);
  std::uniform_real_distribution<float> uni(-0.3f, 0.3f);
  for (float &v : w) v = uni(rng);
  aimc_array_set_weights(&a, w.data());
  aimc_io_params io;
  aimc_io_params_default(&io);
  io.is_perfect = perfect;
  std::vector<float> y(kSize);
  const Inputs &in = inputs();
  int k = 0;
  for (auto _ : state) {
    aimc_array_forward(&a, &io, &in.x[(size_t)k * kSize], y.data(), 1, nullptr);
    benchmark::DoNotOptimize(y.data());
    k = (k + 1) % kSamples;
  }
  aimc_array_destroy(&a);
}

void BM_forward(benchmark::State &state) { forward(state, false); }
void BM_forward_perfect(benchmark::State &state) { forward(state, true); }

void BM_sgemv(benchmark::State &state) {
  Matrix w(0.1f);
  std::vector<float> y(kSize);
  const Inputs &in = inputs();
  int k = 0;
  for (auto _ : state) {
    cblas_sgemv(CblasRowMajor, CblasNoTrans, kSize, kSize, 1.0f, w.get(), kSize, &in.x[(size_t)k * kSize], 1, 0.0f,
                y.data(), 1);
    benchmark::DoNotOptimize(y.data());
    k = (k + 1) % kSamples;
  }
}

}  // namespace

BENCHMARK(BM_sger);
// Arguments: threads, array size (rows = cols; inputs are the first `size` entries).
BENCHMARK(BM_update)->Args({1, kSize})->Args({2, kSize})->Args({1, 128})->UseRealTime();
BENCHMARK(BM_update_noiseless)->Args({1, kSize})->Args({1, 128})->UseRealTime();
BENCHMARK(BM_update_memory_floor);
BENCHMARK(BM_sgemv);
BENCHMARK(BM_forward);
BENCHMARK(BM_forward_perfect);
BENCHMARK_MAIN();
