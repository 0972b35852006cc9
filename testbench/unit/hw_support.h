// Helpers shared by the hardware test suites (testbench/unit/hw_*.cpp).
//
// SystemC elaborates once per process; ctest runs every TEST in its own process
// (gtest_discover_tests), so a TEST may build modules and simulate. Running the
// executable directly needs --gtest_filter to pick one timed TEST at a time.
#ifndef AIMC_HW_SUPPORT_H
#define AIMC_HW_SUPPORT_H

#include <gtest/gtest.h>

#include <cjson/cJSON.h>

#include <cstdio>
#include <functional>
#include <initializer_list>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include <systemc>

#include "aimc/aimc.h"
#include "aimc_hw/chip.h"
#include "aimc_hw/params.h"

// Every hardware test fails on any SystemC warning or error.
class HwTest : public ::testing::Test {
 protected:
  void TearDown() override {
    EXPECT_EQ(sc_core::sc_report_handler::get_count(sc_core::SC_WARNING), 0) << "SystemC reported warnings";
    EXPECT_EQ(sc_core::sc_report_handler::get_count(sc_core::SC_ERROR), 0) << "SystemC reported errors";
    EXPECT_EQ(sc_core::sc_report_handler::get_count(sc_core::SC_FATAL), 0) << "SystemC reported fatal errors";
  }
};

// Throws with the C core's message unless status is AIMC_OK.
inline void ok(aimc_status status) {
  if (status != AIMC_OK) throw std::runtime_error(aimc_error_message());
}

// A device without variation or cycle noise, wide bounds.
inline aimc_device_params quiet_constant_step(double bound = 1.0, double dw_min = 0.001) {
  aimc_device_params p;
  aimc_device_params_default(&p, AIMC_DEVICE_CONSTANT_STEP);
  p.dw_min = dw_min;
  p.dw_min_dtod = 0;
  p.dw_min_std = 0;
  p.up_down = 0;
  p.up_down_dtod = 0;
  p.w_max = bound;
  p.w_min = -bound;
  p.w_max_dtod = 0;
  p.w_min_dtod = 0;
  return p;
}

// Deterministic periphery: no noise, no noise or bound management, the chip's resolutions.
inline aimc_io_params quiet_io(const aimc_hw_chip_params &chip) {
  aimc_io_params io;
  aimc_io_params_default(&io);
  io.out_noise = 0;
  io.noise_management = AIMC_NM_NONE;
  io.bound_management = AIMC_BM_NONE;
  aimc_hw_io_match_converters(&chip, &io);
  return io;
}

// A chip owned by the test.
struct ChipHandle {
  aimc_hw_chip *chip = nullptr;
  ChipHandle(const aimc_hw_chip_params &params, bool timed) { ok(aimc_hw_chip_create(&chip, &params, timed)); }
  ~ChipHandle() { aimc_hw_chip_destroy(chip); }
  ChipHandle(const ChipHandle &) = delete;
  ChipHandle &operator=(const ChipHandle &) = delete;
  int add(const aimc_hw_layer_params &layer) {
    int index = -1;
    ok(aimc_hw_chip_add_layer(chip, &layer, &index));
    return index;
  }
  std::vector<float> weights(int layer, aimc_hw_array which, int out, int in) const {
    std::vector<float> w(static_cast<size_t>(out) * in);
    ok(aimc_hw_chip_get_weights(chip, layer, which, w.data()));
    return w;
  }
  double counter(const std::string &path) const {
    double v = 0;
    ok(aimc_hw_chip_counter(chip, path.c_str(), &v));
    return v;
  }
  double energy(const std::string &component, aimc_hw_phase phase = AIMC_HW_PHASE_COUNT) const {
    double e = 0;
    ok(aimc_hw_chip_energy(chip, component.c_str(), phase, &e));
    return e;
  }
  // Runs `body` as the chip's program (inside SystemC when timed); returns its value.
  int run(const std::function<int()> &body) {
    auto call = [](void *context) { return (*static_cast<const std::function<int()> *>(context))(); };
    return aimc_hw_chip_run(chip, call, const_cast<std::function<int()> *>(&body));
  }
};

// What a report writer (stats.json, the summary) writes.
inline std::string capture(const std::function<aimc_status(FILE *)> &write) {
  FILE *f = std::tmpfile();
  if (!f) throw std::runtime_error("tmpfile");
  ok(write(f));
  std::rewind(f);
  std::string text;
  char buffer[4096];
  size_t n;
  while ((n = std::fread(buffer, 1, sizeof buffer, f)) > 0) text.append(buffer, n);
  std::fclose(f);
  return text;
}

// The node at a path of keys below a parsed stats.json (throws if one is missing).
inline const cJSON *at(const cJSON *node, std::initializer_list<const char *> path) {
  for (const char *key : path) {
    node = cJSON_GetObjectItemCaseSensitive(node, key);
    if (!node) throw std::runtime_error(std::string("stats.json lacks ") + key);
  }
  return node;
}

// |a - b| <= rel * max(|a|, |b|).
inline ::testing::AssertionResult RelativelyNear(double a, double b, double rel) {
  double scale = std::max(std::fabs(a), std::fabs(b));
  if (std::fabs(a - b) <= rel * scale) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << a << " vs " << b << " differ by " << (a - b) << " (relative "
                                       << (scale > 0 ? std::fabs(a - b) / scale : 0.0) << " > " << rel << ")";
}

#endif
