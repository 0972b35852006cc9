// The cost of timing: a training workload on the hardware model, timed
// (SystemC, every operation advancing simulated time) against untimed (the same
// C-core calls, energy counted, no kernel), with the bare C core as a floor.
//   workload: a 256 x 256 layer on the reference chip (four 128 x 128 tiles),
//     SoftBounds devices with default variation, default periphery matched to the
//     converters, default pulsed update (BL <= 31, UM + UBLM); per step one
//     forward, one backward and one update of batch 1, x ~ U[-1, 1],
//     d ~ N(0, 0.1), lr 0.01; one benchmark iteration = 100 steps.
// Target: timed <= 1.15 x untimed. Both chips are built before the first
// simulation (SystemC elaborates once per process).
#include <benchmark/benchmark.h>

#include <cstdio>
#include <random>
#include <vector>

#include "aimc/aimc.h"
#include "aimc_hw/chip.h"

namespace {

constexpr int kSize = 256;
constexpr int kSteps = 100;
constexpr int kSamples = 64;  // distinct (x, d) pairs cycled through

struct Workload {
  std::vector<float> x, d, y, back;
  int next = 0;
  Workload() : x(kSamples * kSize), d(kSamples * kSize), y(kSize), back(kSize) {
    std::mt19937 rng(1);
    std::uniform_real_distribution<float> uni(-1.0f, 1.0f);
    std::normal_distribution<float> normal(0.0f, 0.1f);
    for (float &v : x) v = uni(rng);
    for (float &v : d) v = normal(rng);
  }
  const float *xs() const { return x.data() + static_cast<size_t>(next) * kSize; }
  const float *ds() const { return d.data() + static_cast<size_t>(next) * kSize; }
  void advance() { next = (next + 1) % kSamples; }
};

aimc_hw_chip_params chip_params() {
  aimc_hw_chip_params p;
  aimc_hw_chip_params_default(&p);
  return p;
}

aimc_hw_layer_params layer_params(const aimc_hw_chip_params &chip) {
  aimc_hw_layer_params layer;
  aimc_hw_layer_params_default(&layer, kSize, kSize, &chip);
  aimc_device_params_default(&layer.device, AIMC_DEVICE_SOFT_BOUNDS);
  layer.seed = 1;
  return layer;
}

struct Bench {
  aimc_hw_chip *chip = nullptr;
  Workload work;
};

int steps(void *context) {
  Bench &b = *static_cast<Bench *>(context);
  for (int s = 0; s < kSteps; ++s) {
    if (aimc_hw_chip_forward(b.chip, 0, AIMC_HW_ARRAY_MAIN, b.work.xs(), b.work.y.data(), 1) ||
        aimc_hw_chip_backward(b.chip, 0, AIMC_HW_ARRAY_MAIN, b.work.ds(), b.work.back.data(), 1) ||
        aimc_hw_chip_update(b.chip, 0, AIMC_HW_ARRAY_MAIN, b.work.xs(), b.work.ds(), 1, 0.01f))
      return 1;
    b.work.advance();
  }
  return 0;
}

Bench *untimed_bench = nullptr;
Bench *timed_bench = nullptr;

void BM_untimed(benchmark::State &state) {
  for (auto _ : state) {
    if (aimc_hw_chip_run(untimed_bench->chip, steps, untimed_bench) != 0) state.SkipWithError(aimc_error_message());
  }
  state.SetItemsProcessed(state.iterations() * kSteps);
}

void BM_timed(benchmark::State &state) {
  aimc_hw_totals before, after;
  aimc_hw_chip_totals(timed_bench->chip, &before);
  for (auto _ : state) {
    if (aimc_hw_chip_run(timed_bench->chip, steps, timed_bench) != 0) state.SkipWithError(aimc_error_message());
  }
  state.SetItemsProcessed(state.iterations() * kSteps);
  aimc_hw_chip_totals(timed_bench->chip, &after);
  const double steps_run = static_cast<double>(state.iterations() * kSteps);
  state.counters["sim_ns_per_step"] = (after.simulated_time - before.simulated_time) * 1e9 / steps_run;
  state.counters["nJ_per_step"] = (after.energy_total - before.energy_total) * 1e9 / steps_run;
}

// The same calls on one bare 256 x 256 C-core array (no tiles, no accounting).
void BM_core_only(benchmark::State &state) {
  aimc_hw_chip_params chip = chip_params();
  aimc_hw_layer_params layer = layer_params(chip);
  aimc_array array;
  if (aimc_array_create(&array, kSize, kSize, &layer.device, 1, 0) != AIMC_OK) {
    state.SkipWithError(aimc_error_message());
    return;
  }
  Workload work;
  for (auto _ : state) {
    for (int s = 0; s < kSteps; ++s) {
      aimc_array_forward(&array, &layer.forward_io, work.xs(), work.y.data(), 1, nullptr);
      aimc_array_backward(&array, &layer.backward_io, work.ds(), work.back.data(), 1, nullptr);
      aimc_array_update(&array, work.xs(), work.ds(), 1, 0.01f, &layer.update, nullptr, nullptr);
      work.advance();
    }
  }
  state.SetItemsProcessed(state.iterations() * kSteps);
  aimc_array_destroy(&array);
}

}  // namespace

BENCHMARK(BM_core_only)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_untimed)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_timed)->Unit(benchmark::kMillisecond)->UseRealTime();

int main(int argc, char **argv) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  const aimc_hw_chip_params chip = chip_params();
  const aimc_hw_layer_params layer = layer_params(chip);
  static Bench untimed, timed;
  if (aimc_hw_chip_create(&untimed.chip, &chip, 0) != AIMC_OK || aimc_hw_chip_create(&timed.chip, &chip, 1) != AIMC_OK ||
      aimc_hw_chip_add_layer(untimed.chip, &layer, nullptr) != AIMC_OK ||
      aimc_hw_chip_add_layer(timed.chip, &layer, nullptr) != AIMC_OK) {
    std::fprintf(stderr, "bench_hw: %s\n", aimc_error_message());
    return 1;
  }
  untimed_bench = &untimed;
  timed_bench = &timed;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  aimc_hw_chip_destroy(untimed.chip);
  aimc_hw_chip_destroy(timed.chip);
  return 0;
}
