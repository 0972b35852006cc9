// Waveforms: the pulses in a traced VCD are the coincidences the C core applied
// (counted by parsing the VCD), the VCD loads in GTKWave's tools (vcd2fst), and
// a tiny run's stats.json and VCD match the golden files in testbench/golden.
#include <sys/stat.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include <cmath>
#include <cstdlib>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "hw_golden_run.h"
#include "hw_vcd.h"

namespace {

using golden::tiny_program;
using golden::trace_all;
using golden::trace_chip;
using golden::trace_layer;
using hw_vcd::integer_value;
using hw_vcd::Vcd;

std::string read_file(const std::string &path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// Numbers equal within rel; strings, booleans and structure exactly.
void compare_json(const cJSON *a, const cJSON *b, const std::string &where, double rel) {
  ASSERT_EQ(a->type & 0xff, b->type & 0xff) << where;
  if (cJSON_IsNumber(a)) {
    EXPECT_TRUE(RelativelyNear(a->valuedouble, b->valuedouble, rel)) << where;
  } else if (cJSON_IsString(a)) {
    EXPECT_STREQ(a->valuestring, b->valuestring) << where;
  } else if (cJSON_IsObject(a) || cJSON_IsArray(a)) {
    EXPECT_EQ(cJSON_GetArraySize(a), cJSON_GetArraySize(b)) << where;
    const cJSON *x = a->child, *y = b->child;
    for (; x && y; x = x->next, y = y->next) {
      if (cJSON_IsObject(a)) {
        ASSERT_STREQ(x->string, y->string) << where;
      }
      compare_json(x, y, where + "." + (x->string ? x->string : "[]"), rel);
    }
  }
}

std::string find_vcd2fst() {
  std::string compiled = AIMC_VCD2FST;
  if (access(compiled.c_str(), X_OK) == 0) return compiled;
  const char *path = std::getenv("PATH");
  std::stringstream dirs(path ? path : "");
  for (std::string dir; std::getline(dirs, dir, ':');) {
    std::string candidate = dir + "/vcd2fst";
    if (access(candidate.c_str(), X_OK) == 0) return candidate;
  }
  return "";
}

}  // namespace

class HwTrace : public HwTest {};

TEST_F(HwTrace, PulsesInTheVcdAreTheAppliedCoincidences) {
  const aimc_hw_chip_params chip = trace_chip();
  ChipHandle hw(chip, true);
  hw.add(trace_layer(chip));
  const std::string path = ::testing::TempDir() + "hw_trace_pulses.vcd";
  aimc_hw_trace_params trace = trace_all(path);
  ok(aimc_hw_chip_trace_start(hw.chip, &trace));
  std::vector<float> y;
  ASSERT_EQ(hw.run([&] { return tiny_program(hw, &y); }), 0) << aimc_error_message();
  ok(aimc_hw_chip_trace_finish(hw.chip));
  aimc_hw_layer_stats stats;
  ok(aimc_hw_chip_layer_stats(hw.chip, 0, AIMC_HW_ARRAY_MAIN, &stats));
  ASSERT_GT(stats.update.pulses_up, 0u);
  ASSERT_GT(stats.update.pulses_down, 0u);

  const Vcd vcd(path);
  EXPECT_EQ(vcd.timescale, "100 fs");
  const std::string scope = "chip.layer0.main_r0c0";
  std::map<std::string, int> row_of, col_of, row_sign_of, col_sign_of;
  for (int i = 0; i < 4; ++i) {
    row_of[vcd.id_of(scope, "row" + std::to_string(i))] = i;
    row_sign_of[vcd.id_of(scope, "row" + std::to_string(i) + "_positive")] = i;
  }
  for (int j = 0; j < 5; ++j) {
    col_of[vcd.id_of(scope, "col" + std::to_string(j))] = j;
    col_sign_of[vcd.id_of(scope, "col" + std::to_string(j) + "_positive")] = j;
  }
  std::vector<int> row(4, 0), col(5, 0), row_positive(4, 0), col_positive(5, 0);
  uint64_t up = 0, down = 0, row_rises = 0, col_rises = 0;
  for (const auto &[time, changes] : vcd.blocks) {
    bool rose = false;
    for (const auto &[id, value] : changes) {
      int bit = value == "1";
      if (row_of.count(id)) {
        int &r = row[row_of.at(id)];
        if (bit && !r) ++row_rises, rose = true;
        r = bit;
      } else if (col_of.count(id)) {
        int &c = col[col_of.at(id)];
        if (bit && !c) ++col_rises, rose = true;
        c = bit;
      } else if (row_sign_of.count(id)) {
        row_positive[row_sign_of.at(id)] = bit;
      } else if (col_sign_of.count(id)) {
        col_positive[col_sign_of.at(id)] = bit;
      }
    }
    if (!rose) continue;
    // A slot starts: every pair of pulsed row and column lines is one device pulse,
    // raising the weight when the two polarities agree.
    for (int i = 0; i < 4; ++i) {
      for (int j = 0; j < 5; ++j) {
        if (!row[i] || !col[j]) continue;
        (row_positive[i] == col_positive[j] ? up : down)++;
      }
    }
  }
  EXPECT_EQ(up, stats.update.pulses_up);
  EXPECT_EQ(down, stats.update.pulses_down);
  EXPECT_EQ(row_rises, stats.update.row_pulses);
  EXPECT_EQ(col_rises, stats.update.col_pulses);

  // The ADC codes of the forward read are the outputs in ADC steps (24/254).
  std::map<std::string, int64_t> last;
  for (const auto &[time, changes] : vcd.blocks)
    for (const auto &[id, value] : changes)
      if (value[0] == 'b') last[id] = integer_value(value);
  for (int i = 0; i < 4; ++i) {
    std::string id = vcd.id_of(scope, "row" + std::to_string(i) + "_adc");
    int64_t code = last.count(id) ? last.at(id) : 0;
    EXPECT_EQ(code, std::lround(y[static_cast<size_t>(i)] / (24.0f / 254.0f))) << "row " << i;
  }
  // The traced device ends at the conductance of its final weight (differential pair).
  std::vector<float> w = hw.weights(0, AIMC_HW_ARRAY_MAIN, 4, 5);
  std::string plus = vcd.id_of(scope, "g3_4_plus"), minus = vcd.id_of(scope, "g3_4_minus");
  double g_plus = 0, g_minus = 0;
  for (const auto &[time, changes] : vcd.blocks) {
    for (const auto &[id, value] : changes) {
      if (id == plus) g_plus = std::stod(value.substr(1));
      if (id == minus) g_minus = std::stod(value.substr(1));
    }
  }
  const double w_span = std::max(trace_layer(chip).device.w_max, -trace_layer(chip).device.w_min);
  const double g = chip.conductance.g_min +
                   (chip.conductance.g_max - chip.conductance.g_min) * std::min(std::fabs(w[19]) / w_span, 1.0);
  EXPECT_TRUE(RelativelyNear(w[19] >= 0 ? g_plus : g_minus, g, 1e-12));
  EXPECT_EQ(w[19] >= 0 ? g_minus : g_plus, chip.conductance.g_min);
}

TEST_F(HwTrace, VcdLoadsInGtkwaveTools) {
  const std::string vcd2fst = find_vcd2fst();
  if (vcd2fst.empty()) GTEST_SKIP() << "vcd2fst not found: install the Debian package 'gtkwave' to check the VCD";
  const aimc_hw_chip_params chip = trace_chip();
  ChipHandle hw(chip, true);
  hw.add(trace_layer(chip));
  const std::string path = ::testing::TempDir() + "hw_trace_load.vcd", fst = ::testing::TempDir() + "hw_trace_load.fst";
  aimc_hw_trace_params trace = trace_all(path);
  ok(aimc_hw_chip_trace_start(hw.chip, &trace));
  ASSERT_EQ(hw.run([&] { return tiny_program(hw, nullptr); }), 0) << aimc_error_message();
  ok(aimc_hw_chip_trace_finish(hw.chip));
  std::remove(fst.c_str());
  std::string command = "'" + vcd2fst + "' '" + path + "' '" + fst + "' > /dev/null 2>&1";
  ASSERT_EQ(std::system(command.c_str()), 0) << command;
  struct stat info;
  ASSERT_EQ(stat(fst.c_str(), &info), 0);
  EXPECT_GT(info.st_size, 0);
  // The GTKWave save file opens that VCD and lists the traced signals.
  std::string gtkw = read_file(::testing::TempDir() + "hw_trace_load.gtkw");
  EXPECT_NE(gtkw.find("[dumpfile]"), std::string::npos);
  EXPECT_NE(gtkw.find("hw_trace_load.vcd"), std::string::npos);
  EXPECT_NE(gtkw.find("chip.layer0.main_r0c0.row0"), std::string::npos);
  EXPECT_NE(gtkw.find("chip.operation[31:0]"), std::string::npos);
}

// Golden regression of a tiny run. Set AIMC_UPDATE_GOLDEN=1 to rewrite the files
// after an intended change (and review the diff).
TEST_F(HwTrace, TinyRunMatchesGoldenStatsAndVcd) {
  const aimc_hw_chip_params chip = trace_chip();
  ChipHandle hw(chip, true);
  hw.add(trace_layer(chip));
  const std::string vcd_path = ::testing::TempDir() + "hw_golden.vcd";
  aimc_hw_trace_params trace = trace_all(vcd_path);
  trace.first_operation = 1;  // the second update and the reads
  ok(aimc_hw_chip_trace_start(hw.chip, &trace));
  ASSERT_EQ(hw.run([&] { return tiny_program(hw, nullptr); }), 0) << aimc_error_message();
  ok(aimc_hw_chip_trace_finish(hw.chip));
  const std::string stats_path = ::testing::TempDir() + "hw_golden.stats.json";
  FILE *f = std::fopen(stats_path.c_str(), "w");
  ASSERT_NE(f, nullptr);
  ok(aimc_hw_chip_write_stats_json(hw.chip, f));
  std::fclose(f);
  const std::string golden_stats = std::string(AIMC_GOLDEN_DIR) + "/hw_tiny.stats.json";
  const std::string golden_vcd = std::string(AIMC_GOLDEN_DIR) + "/hw_tiny.vcd";
  const char *update = std::getenv("AIMC_UPDATE_GOLDEN");
  if (update && std::string(update) == "1") {
    std::ofstream(golden_stats) << read_file(stats_path);
    std::ofstream(golden_vcd) << read_file(vcd_path);
    GTEST_SKIP() << "golden files rewritten";
  }
  // stats.json: same tree, numbers within 1e-9 relative.
  cJSON *got = cJSON_Parse(read_file(stats_path).c_str()), *want = cJSON_Parse(read_file(golden_stats).c_str());
  ASSERT_NE(got, nullptr);
  ASSERT_NE(want, nullptr) << "missing or broken " << golden_stats;
  compare_json(got, want, "stats", 1e-9);
  cJSON_Delete(got);
  cJSON_Delete(want);
  // VCD: identical line by line except real values, which may differ by rounding.
  std::stringstream a(read_file(vcd_path)), b(read_file(golden_vcd));
  std::string la, lb;
  int line = 0;
  while (std::getline(b, lb)) {
    ++line;
    ASSERT_TRUE(static_cast<bool>(std::getline(a, la))) << "VCD shorter than the golden file at line " << line;
    if (!la.empty() && la[0] == 'r' && !lb.empty() && lb[0] == 'r') {
      std::stringstream sa(la.substr(1)), sb(lb.substr(1));
      double va, vb;
      std::string ia, ib;
      sa >> va >> ia;
      sb >> vb >> ib;
      EXPECT_EQ(ia, ib) << "line " << line;
      EXPECT_TRUE(RelativelyNear(va, vb, 1e-9)) << "line " << line;
    } else {
      EXPECT_EQ(la, lb) << "line " << line;
    }
  }
  EXPECT_FALSE(static_cast<bool>(std::getline(a, la))) << "VCD longer than the golden file";
}

TEST_F(HwTrace, TracingNeedsATimedChipAndExistingTiles) {
  const aimc_hw_chip_params chip = trace_chip();
  ChipHandle untimed(chip, false);
  untimed.add(trace_layer(chip));
  aimc_hw_trace_params trace = trace_all(::testing::TempDir() + "never.vcd");
  EXPECT_EQ(aimc_hw_chip_trace_start(untimed.chip, &trace), AIMC_EINVAL);
  EXPECT_NE(std::string(aimc_error_message()).find("timed"), std::string::npos);
  ChipHandle timed(chip, true);
  timed.add(trace_layer(chip));
  trace.tiles[0].n_rows = 1;
  trace.tiles[0].rows[0] = 4;  // the tile has rows 0..3
  EXPECT_EQ(aimc_hw_chip_trace_start(timed.chip, &trace), AIMC_EINVAL);
  EXPECT_NE(std::string(aimc_error_message()).find("trace.tiles[0].rows[0] = 4"), std::string::npos)
      << aimc_error_message();
  trace.tiles[0].n_rows = -1;
  trace.tiles[0].col_block = 1;
  EXPECT_EQ(aimc_hw_chip_trace_start(timed.chip, &trace), AIMC_EINVAL);
  EXPECT_NE(std::string(aimc_error_message()).find("outside layer 0"), std::string::npos) << aimc_error_message();
}
