// One training epoch of the paper's networks per algorithm, through the
// aimcsim executable as users run it (one process per epoch: SystemC elaborates
// once per process), on a synthetic MNIST-shaped set written once (so data
// loading does not dominate). The yardstick is the Digital SGD epoch of the same
// network in the same binary (docs/performance.md): targets Analog SGD <= 2.5x and
// Tiki-Taka <= 4x for the FCN, pulse level, timed simulation.
#include <benchmark/benchmark.h>

#include <spawn.h>
#include <sys/wait.h>

#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

extern char **environ;

extern "C" {
#include "aimc/rng.h"
#include "aimc_sim/idx.h"
}

namespace {

constexpr int kTrain = 8000;  // samples per epoch (the size of the 10,000-digit MNIST set's training split)
constexpr int kTest = 100;

std::string data_dir() {
  static std::string dir = [] {
    char pattern[] = "/tmp/aimcsim-bench-XXXXXX";
    std::string d = mkdtemp(pattern);
    aimc_rng_key key = aimc_rng_key_make(7, 7);
    auto write = [&](const std::string &name, int n, bool labels) {
      std::vector<uint8_t> bytes((size_t)n * (labels ? 1 : 784));
      for (size_t k = 0; k < bytes.size(); ++k) {
        uint32_t w[4];
        aimc_rng_words(key, k, labels, AIMC_RNG_USER, 0, 0, w);
        bytes[k] = labels ? (uint8_t)(w[0] % 10) : (uint8_t)(w[0] >> 24);
      }
      aimc_idx idx = {};
      idx.type = AIMC_IDX_UBYTE;
      idx.ndims = labels ? 1 : 3;
      idx.dims[0] = (uint32_t)n;
      if (!labels) idx.dims[1] = idx.dims[2] = 28;
      idx.count = bytes.size();
      idx.data = bytes.data();
      if (aimc_idx_write((d + "/" + name).c_str(), &idx) != AIMC_OK) std::abort();
    };
    write("train-images", kTrain, false);
    write("train-labels", kTrain, true);
    write("test-images", kTest, false);
    write("test-labels", kTest, true);
    return d;
  }();
  return dir;
}

// AIMCSIM_BENCH_EXE=PATH times another aimcsim binary (A/B runs of two builds).
const char *exe() {
  const char *other = std::getenv("AIMCSIM_BENCH_EXE");
  return other && *other ? other : AIMCSIM_EXE;
}

void run_epoch(benchmark::State &state, const char *workload, const char *algorithm) {
  std::string d = data_dir(), out = d + "/run";
  std::string config = std::string(AIMC_SOURCE_DIR) + "/configs/experiments/" + workload + ".yaml";
  std::vector<std::string> args = {exe(), "run", config, "-o", out, "--force", "--quiet", "--threads", "1",
                                   "-p", std::string("experiment.algorithm=") + algorithm,
                                   "-p", "experiment.epochs=1",
                                   "-p", "data.train_images=" + d + "/train-images",
                                   "-p", "data.train_labels=" + d + "/train-labels",
                                   "-p", "data.test_images=" + d + "/test-images",
                                   "-p", "data.test_labels=" + d + "/test-labels"};
  std::vector<char *> argv;
  for (std::string &a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  for (auto _ : state) {
    pid_t pid;
    int status = 0;
    if (posix_spawn(&pid, exe(), nullptr, nullptr, argv.data(), environ) != 0 || waitpid(pid, &status, 0) != pid ||
        !WIFEXITED(status) || WEXITSTATUS(status) != 0)
      state.SkipWithError("aimcsim run failed");
  }
  state.counters["samples_per_s"] = benchmark::Counter((double)kTrain * state.iterations(), benchmark::Counter::kIsRate);
}

}  // namespace

BENCHMARK_CAPTURE(run_epoch, fcn_digital_sgd, "fcn", "digital_sgd")->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK_CAPTURE(run_epoch, fcn_analog_sgd, "fcn", "analog_sgd")->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK_CAPTURE(run_epoch, fcn_tiki_taka, "fcn", "tiki_taka")->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK_CAPTURE(run_epoch, cnn_digital_sgd, "cnn", "digital_sgd")->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK_CAPTURE(run_epoch, cnn_analog_sgd, "cnn", "analog_sgd")->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK_CAPTURE(run_epoch, cnn_tiki_taka, "cnn", "tiki_taka")->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK_MAIN();
