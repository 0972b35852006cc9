// `aimcsim sweep`, run exactly as a user runs it: the same results.csv with one
// and two local jobs and under mpirun, resuming without rerunning finished
// points, a broken point failing alone, a stopped sweep, the sweep file's errors
// with file:line:col, how ranges, zips and seeds expand, and the Pareto front
// (against an obviously correct O(n^2) reference) and its plot.
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fcntl.h>
#include <fstream>
#include <random>
#include <set>
#include <signal.h>
#include <spawn.h>
#include <sstream>
#include <string>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <vector>

#include "aimc_sim/sweep.h"
#include "exe_support.h"

extern char **environ;

namespace {

using exe::kExe;
const std::string kBase = std::string(AIMC_SOURCE_DIR) + "/configs/experiments/ls-fig1.yaml";
const std::string kHeaderTail =
    "status,final_loss,final_test_accuracy,asymptotic_error,energy_per_sample_j,latency_per_sample_s,"
    "energy_total_j,simulated_time_s,area_mm2,wall_s,pareto,error";

using exe::exists;
using exe::read_file;
using exe::write_file;
// Runs a shell command; returns its exit status and its stdout + stderr.
int sh(const std::string &command, std::string *output = nullptr) { return exe::shell(command, output); }

long long mtime_ns(const std::string &path) {
  struct stat st;
  if (stat(path.c_str(), &st) != 0) return -1;
  return (long long)st.st_mtim.tv_sec * 1000000000LL + st.st_mtim.tv_nsec;
}

using exe::TempDir;

using Table = std::vector<std::vector<std::string>>;

// results.csv as rows of fields (quoted fields unquoted).
Table read_csv(const std::string &path) {
  Table table;
  std::istringstream in(read_file(path));
  std::string line;
  while (std::getline(in, line)) {
    std::vector<std::string> fields(1);
    bool quoted = false;
    for (size_t i = 0; i < line.size(); ++i) {
      char c = line[i];
      if (quoted && c == '"' && i + 1 < line.size() && line[i + 1] == '"') {
        fields.back() += '"';
        ++i;
      } else if (c == '"') {
        quoted = !quoted;
      } else if (c == ',' && !quoted) {
        fields.emplace_back();
      } else {
        fields.back() += c;
      }
    }
    table.push_back(fields);
  }
  return table;
}

size_t column(const Table &table, const std::string &name) {
  for (size_t k = 0; k < table.at(0).size(); ++k)
    if (table[0][k] == name) return k;
  ADD_FAILURE() << "no column " << name;
  return 0;
}

// The table as text without the wall-time column, the one that may differ.
std::string without_wall(const Table &table) {
  size_t wall = column(table, "wall_s");
  std::string text;
  for (const auto &row : table) {
    for (size_t k = 0; k < row.size(); ++k)
      if (k != wall) text += row[k] + (k + 1 < row.size() ? "," : "");
    text += "\n";
  }
  return text;
}

double number(const std::string &text) { return text.empty() ? NAN : std::stod(text); }

// A number of result.json ("key": value), parsed from its text.
double result_value(const std::string &run_directory, const std::string &key) {
  std::string text = read_file(run_directory + "/result.json");
  size_t at = text.find("\"" + key + "\": ");
  if (at == std::string::npos) return NAN;
  return std::stod(text.substr(at + key.size() + 4));
}

// Four tiny least-squares points: two learning rates x two seeds.
std::string four_point_sweep(const TempDir &dir) {
  std::string path = dir / "four.yaml";
  write_file(path, "base: " + kBase +
                       "\n"
                       "set:\n  experiment.steps: 20\n"
                       "grid:\n  experiment.lr: [0.1, 0.05]\n"
                       "seeds: [1, 2]\n");
  return path;
}

// The front by definition: no eligible point at least as good everywhere and
// better somewhere; NaN is worse than any number and equal to NaN. Each point
// holds as many objectives as the front is over.
std::vector<int> reference_front(const std::vector<std::vector<double>> &points, const std::vector<int> &eligible) {
  auto value = [](double v) { return std::isnan(v) ? INFINITY : v; };
  std::vector<int> front(points.size(), 0);
  for (size_t i = 0; i < points.size(); ++i) {
    if (!eligible[i]) continue;
    bool dominated = false;
    for (size_t j = 0; j < points.size() && !dominated; ++j) {
      if (!eligible[j] || j == i) continue;
      bool no_worse = true, better = false;
      for (size_t k = 0; k < points[i].size(); ++k) {
        no_worse = no_worse && value(points[j][k]) <= value(points[i][k]);
        better = better || value(points[j][k]) < value(points[i][k]);
      }
      dominated = no_worse && better;
    }
    front[i] = !dominated;
  }
  return front;
}

// The pareto column against the front computed from the table's own figures,
// over the default objectives (error, energy, latency, area) or those given.
void expect_pareto_column_is_front(const Table &table,
                                   const std::vector<std::string> &objectives = {"error", "energy", "latency", "area"}) {
  std::vector<std::vector<double>> points;
  std::vector<int> eligible, marked;
  for (size_t r = 1; r < table.size(); ++r) {
    const auto &row = table[r];
    std::vector<double> point;
    for (const auto &name : objectives) {
      if (name == "error")
        point.push_back(aimc_sweep_error_objective(number(row[column(table, "asymptotic_error")]),
                                                   number(row[column(table, "final_test_accuracy")]),
                                                   number(row[column(table, "final_loss")])));
      else if (name == "energy")
        point.push_back(number(row[column(table, "energy_per_sample_j")]));
      else if (name == "latency")
        point.push_back(number(row[column(table, "latency_per_sample_s")]));
      else
        point.push_back(number(row[column(table, "area_mm2")]));
    }
    points.push_back(point);
    eligible.push_back(row[column(table, "status")] == "completed");
    marked.push_back(std::stoi(row[column(table, "pareto")]));
  }
  EXPECT_EQ(marked, reference_front(points, eligible));
}

TEST(Sweep, OneAndTwoJobsGiveTheSameResults) {
  TempDir dir;
  std::string sweep = four_point_sweep(dir), output;
  ASSERT_EQ(sh(kExe + " sweep " + sweep + " -o " + (dir / "j1") + " -j 1", &output), 0) << output;
  ASSERT_EQ(sh(kExe + " sweep " + sweep + " -o " + (dir / "j2") + " -j 2", &output), 0) << output;
  Table one = read_csv(dir / "j1/results.csv"), two = read_csv(dir / "j2/results.csv");
  ASSERT_EQ(one.size(), 5u);
  std::string header;
  for (const auto &f : one[0]) header += f + ",";
  EXPECT_EQ(header, "point,experiment.lr,seed," + kHeaderTail + ",");
  const char *lr[] = {"0.1", "0.1", "0.05", "0.05"}, *seed[] = {"1", "2", "1", "2"};
  for (size_t i = 0; i < 4; ++i) {
    EXPECT_EQ(one[i + 1][0], std::to_string(i));
    EXPECT_EQ(one[i + 1][1], lr[i]);
    EXPECT_EQ(one[i + 1][2], seed[i]);
    EXPECT_EQ(one[i + 1][3], "completed");
  }
  EXPECT_EQ(without_wall(one), without_wall(two));
  expect_pareto_column_is_front(one);
  // A point is exactly the run a user would start by hand.
  ASSERT_EQ(sh(kExe + " run " + kBase + " -p experiment.steps=20 -p experiment.lr=0.05 --seed 2 --threads 1 --quiet -o " +
                   (dir / "by-hand")),
            0);
  EXPECT_EQ(number(one[4][column(one, "final_loss")]), result_value(dir / "by-hand", "final_loss"));
  EXPECT_EQ(number(one[4][column(one, "energy_per_sample_j")]), result_value(dir / "by-hand", "energy_per_sample_j"));
  EXPECT_EQ(number(one[4][column(one, "latency_per_sample_s")]), result_value(dir / "by-hand", "latency_per_sample_s"));
  EXPECT_EQ(read_file(dir / "j1/sweep.yaml"), read_file(sweep));
  EXPECT_TRUE(exists(dir / "j1/points/0003/config.yaml"));
  EXPECT_TRUE(exists(dir / "j1/points/0003.log"));
}

// Points stopped by a signal keep their checkpoints; the rerun resumes them
// instead of starting over, and the results equal those of a sweep never stopped.
TEST(Sweep, InterruptedPointsResumeFromTheirCheckpoints) {
  TempDir dir;
  std::string sweep = dir / "resume.yaml", output;
  write_file(sweep, "base: " + kBase + "\nset:\n  experiment.steps: 120\ngrid:\n  experiment.lr: [0.1, 0.05]\n");
  ASSERT_EQ(sh(kExe + " sweep " + sweep + " -o " + (dir / "whole"), &output), 0) << output;
  // Every point sends itself SIGINT at step 70 (the variable reaches the children):
  // each exits 3 with a checkpoint, and the sweep records them as interrupted.
  ASSERT_EQ(sh("AIMCSIM_FAULT=interrupt-at-step=70 " + kExe + " sweep " + sweep + " -o " + (dir / "stopped"), &output),
            1)
      << output;
  Table stopped = read_csv(dir / "stopped/results.csv");
  ASSERT_EQ(stopped.size(), 3u);
  for (size_t i = 1; i < 3; ++i) EXPECT_EQ(stopped[i][column(stopped, "status")], "interrupted");
  EXPECT_TRUE(exists(dir / "stopped/points/0001/checkpoint.bin"));
  ASSERT_EQ(sh(kExe + " sweep " + sweep + " -o " + (dir / "stopped") + " --dry-run", &output), 0) << output;
  EXPECT_NE(output.find("run --resume " + (dir / "stopped/points/0001") + " --threads 1 --quiet"), std::string::npos)
      << output;
  ASSERT_EQ(sh(kExe + " sweep " + sweep + " -o " + (dir / "stopped"), &output), 0) << output;
  EXPECT_NE(output.find("point 0 was interrupted; it resumes from its checkpoint"), std::string::npos) << output;
  EXPECT_NE(output.find("point 1 was interrupted; it resumes from its checkpoint"), std::string::npos) << output;
  EXPECT_EQ(without_wall(read_csv(dir / "whole/results.csv")), without_wall(read_csv(dir / "stopped/results.csv")));
  EXPECT_EQ(read_file(dir / "whole/points/0001/weights/layer0.idx"), read_file(dir / "stopped/points/0001/weights/layer0.idx"));
}

TEST(Sweep, MpirunGivesTheSameResults) {
#ifndef AIMC_TEST_MPIEXEC
  GTEST_SKIP() << "aimcsim was built without AIMC_WITH_MPI (or no mpiexec was found)";
#else
  std::string mpiexec = AIMC_TEST_MPIEXEC;
  if (access(mpiexec.c_str(), X_OK) != 0) GTEST_SKIP() << mpiexec << " is not executable";
  TempDir dir;
  std::string sweep = four_point_sweep(dir), output;
  ASSERT_EQ(sh(kExe + " sweep " + sweep + " -o " + (dir / "local"), &output), 0) << output;
  // OpenMPI refuses root (CI containers) unless told twice.
  std::string env = "OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 ";
  ASSERT_EQ(sh(env + mpiexec + " -n 2 --oversubscribe " + kExe + " sweep " + sweep + " -o " + (dir / "mpi"), &output), 0)
      << output;
  EXPECT_NE(output.find("sweep: 2 MPI ranks;"), std::string::npos) << output;
  size_t at = output.find("MPI ranks; ");
  ASSERT_NE(at, std::string::npos);
  EXPECT_GT(std::stoi(output.substr(at + 11)), 0) << "rank 1 ran no point:\n" << output;
  EXPECT_EQ(without_wall(read_csv(dir / "local/results.csv")), without_wall(read_csv(dir / "mpi/results.csv")));
#endif
}

TEST(Sweep, RerunRunsOnlyThePointsNotCompleted) {
  TempDir dir;
  std::string sweep = four_point_sweep(dir), out = dir / "out", output;
  ASSERT_EQ(sh(kExe + " sweep " + sweep + " -o " + out, &output), 0) << output;
  Table first = read_csv(out + "/results.csv");
  long long before[4];
  for (int i = 0; i < 4; ++i) before[i] = mtime_ns(out + "/points/000" + std::to_string(i) + "/result.json");
  // As if the sweep had been killed while point 2 ran: no directory, no row.
  std::system(("rm -rf " + out + "/points/0002").c_str());
  Table partial = first;
  partial.erase(partial.begin() + 3);
  std::string text;
  for (const auto &row : partial) {
    for (size_t k = 0; k < row.size(); ++k) text += row[k] + (k + 1 < row.size() ? "," : "");
    text += "\n";
  }
  write_file(out + "/results.csv", text);
  ASSERT_EQ(sh(kExe + " sweep " + sweep + " -o " + out, &output), 0) << output;
  EXPECT_NE(output.find("1 run now, 3 kept from before"), std::string::npos) << output;
  for (int i : {0, 1, 3}) EXPECT_EQ(mtime_ns(out + "/points/000" + std::to_string(i) + "/result.json"), before[i]) << i;
  EXPECT_TRUE(exists(out + "/points/0002/result.json"));
  EXPECT_EQ(without_wall(read_csv(out + "/results.csv")), without_wall(first));
  ASSERT_EQ(sh(kExe + " sweep " + sweep + " -o " + out, &output), 0) << output;
  EXPECT_NE(output.find("0 run now, 4 kept from before"), std::string::npos) << output;
  // Another sweep file into the same directory is refused.
  std::string other = dir / "other.yaml";
  write_file(other, read_file(sweep) + "threads: 2\n");
  EXPECT_EQ(sh(kExe + " sweep " + other + " -o " + out, &output), 2);
  EXPECT_NE(output.find("holds another sweep"), std::string::npos) << output;
}

// A point counts as complete only if its result.json holds every figure of
// the table, typed, and its metrics.csv and weights are there: a one-bit change
// of a key name, a missing field, a string where a number belongs and a missing
// metrics.csv each make the point run again, and the table ends as it was,
// with no blank cell a complete run would fill.
TEST(Sweep, APointWithAnIncompleteResultIsRerun) {
  TempDir dir;
  std::string sweep = four_point_sweep(dir), out = dir / "out", output;
  ASSERT_EQ(sh(kExe + " sweep " + sweep + " -o " + out, &output), 0) << output;
  Table first = read_csv(out + "/results.csv");
  auto point = [&](int i) { return out + "/points/000" + std::to_string(i); };
  auto edit = [&](int i, const std::string &from, const std::string &to) {
    std::string text = read_file(point(i) + "/result.json");
    size_t at = text.find(from);
    ASSERT_NE(at, std::string::npos) << from;
    write_file(point(i) + "/result.json", text.replace(at, from.size(), to));
  };
  edit(0, "\"final_loss\"", "\"final_lost\"");        // 's' (0x73) -> 't' (0x74): one bit
  std::string text = read_file(point(1) + "/result.json");
  size_t line = text.find("  \"energy_total_j\"");
  ASSERT_NE(line, std::string::npos);
  write_file(point(1) + "/result.json", text.erase(line, text.find('\n', line) + 1 - line));
  edit(2, "\"wall_s\": ", "\"wall_s\": \"0.5\", \"was\": ");
  ASSERT_EQ(std::remove((point(3) + "/metrics.csv").c_str()), 0);
  ASSERT_EQ(sh(kExe + " sweep " + sweep + " -o " + out, &output), 0) << output;
  EXPECT_NE(output.find("4 run now, 0 kept from before"), std::string::npos) << output;
  EXPECT_NE(output.find("point 0 is not complete (result.json: no \"final_loss\")"), std::string::npos) << output;
  EXPECT_NE(output.find("point 1 is not complete (result.json: no \"energy_total_j\")"), std::string::npos) << output;
  EXPECT_NE(output.find("point 2 is not complete (result.json: \"wall_s\" is \"0.5\", not a number)"),
            std::string::npos) << output;
  EXPECT_NE(output.find("point 3 is not complete (metrics.csv is missing)"), std::string::npos) << output;
  Table again = read_csv(out + "/results.csv");
  EXPECT_EQ(without_wall(again), without_wall(first));
  ASSERT_EQ(again.size(), 5u);
  for (size_t r = 1; r < again.size(); ++r)
    for (const char *name : {"final_loss", "asymptotic_error", "energy_per_sample_j", "latency_per_sample_s",
                             "energy_total_j", "simulated_time_s", "area_mm2", "wall_s"})
      EXPECT_FALSE(again[r][column(again, name)].empty()) << "row " << r << " " << name;
  for (int i = 0; i < 4; ++i) EXPECT_TRUE(exists(point(i) + "/metrics.csv")) << i;
}

TEST(Sweep, ABrokenOverrideFailsOnlyItsPoint) {
  TempDir dir;
  std::string sweep = dir / "bl.yaml", out = dir / "out", output;
  write_file(sweep, "base: " + kBase + "\nset: {experiment.steps: 20}\ngrid:\n  update.desired_bl: [10, -3, 100]\n");
  EXPECT_EQ(sh(kExe + " sweep " + sweep + " -o " + out + " -j 2", &output), 1) << output;
  EXPECT_NE(output.find("2 completed, 1 failed"), std::string::npos) << output;
  Table table = read_csv(out + "/results.csv");
  ASSERT_EQ(table.size(), 4u);
  size_t status = column(table, "status"), error = column(table, "error"), loss = column(table, "final_loss");
  EXPECT_EQ(table[1][status], "completed");
  EXPECT_EQ(table[2][status], "failed");
  EXPECT_EQ(table[3][status], "completed");
  EXPECT_EQ(table[2][error], "-p update.desired_bl=-3: 'update.desired_bl' = -3 is out of range: must be in [1, 65536]");
  EXPECT_EQ(table[2][column(table, "pareto")], "0");
  EXPECT_TRUE(table[2][loss].empty());
  EXPECT_FALSE(table[1][loss].empty());
  EXPECT_TRUE(table[1][error].empty());
  EXPECT_NE(read_file(out + "/points/0001.log").find("out of range"), std::string::npos);
  expect_pareto_column_is_front(table);
  // The failed point runs again on a rerun (and fails again); the others are kept.
  EXPECT_EQ(sh(kExe + " sweep " + sweep + " -o " + out, &output), 1) << output;
  EXPECT_NE(output.find("1 run now, 2 kept from before"), std::string::npos) << output;
}

TEST(Sweep, SigtermStopsTheSweepWithItsPointsInterrupted) {
  TempDir dir;
  std::string sweep = dir / "long.yaml", out = dir / "out";
  // Far more steps than the test waits for.
  write_file(sweep, "base: " + kBase + "\nset: {experiment.steps: 100000000}\ngrid:\n  experiment.lr: [0.1, 0.05]\n");
  std::string log = dir / "sweep.log";
  std::vector<std::string> args = {kExe, "sweep", sweep, "-o", out};
  std::vector<char *> argv;
  for (auto &a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 1, log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_adddup2(&actions, 1, 2);
  pid_t pid;
  ASSERT_EQ(posix_spawn(&pid, kExe.c_str(), &actions, nullptr, argv.data(), environ), 0);
  posix_spawn_file_actions_destroy(&actions);
  // Wait until point 0 has trained a while (its metrics are written only at the end,
  // so watch for the log, then give the run time to start stepping).
  for (int k = 0; k < 400 && !exists(out + "/points/0000.log"); ++k) usleep(10000);
  usleep(500000);
  kill(pid, SIGTERM);
  int status = 0;
  ASSERT_EQ(waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 3) << read_file(log);
  Table table = read_csv(out + "/results.csv");
  ASSERT_EQ(table.size(), 2u) << read_file(out + "/results.csv");
  EXPECT_EQ(table[1][column(table, "status")], "interrupted");
  EXPECT_EQ(table[1][column(table, "pareto")], "0");
  EXPECT_NE(read_file(log).find("0 completed, 0 failed, 1 interrupted, 1 not run"), std::string::npos) << read_file(log);
}

// --dry-run prints each point's command: the expansion of ranges, zips and seeds.
TEST(Sweep, RangesZipsAndSeedsExpandAsDocumented) {
  TempDir dir;
  std::string sweep = dir / "expand.yaml", output;
  write_file(sweep, "base: " + kBase +
                        "\n"
                        "grid:\n"
                        "  experiment.lr: {start: 0.1, stop: 0.3, step: 0.1}\n"
                        "zip:\n"
                        "  chip.pulse.pulse_width: {logspace: [1ns, 100ns], count: 3}\n"
                        "  chip.adc.bits: {linspace: [4, 8], count: 3}\n"
                        "repeat: 2\n");
  ASSERT_EQ(sh(kExe + " sweep " + sweep + " -o OUT --dry-run", &output), 0) << output;
  EXPECT_NE(output.find(": 18 points"), std::string::npos) << output;
  EXPECT_FALSE(exists("OUT"));
  std::string tail = " --threads 1 --quiet -o OUT/points/";
  EXPECT_NE(output.find("\n0: aimcsim run " + kBase +
                        " -p experiment.lr=0.1 -p chip.pulse.pulse_width=1ns -p chip.adc.bits=4 --seed 1" + tail + "0000\n"),
            std::string::npos)
      << output;
  EXPECT_NE(output.find("\n3: aimcsim run " + kBase +
                        " -p experiment.lr=0.1 -p chip.pulse.pulse_width=10ns -p chip.adc.bits=6 --seed 2" + tail + "0003\n"),
            std::string::npos)
      << output;
  EXPECT_NE(output.find("\n17: aimcsim run " + kBase +
                        " -p experiment.lr=0.3 -p chip.pulse.pulse_width=100ns -p chip.adc.bits=8 --seed 2" + tail +
                        "0017\n"),
            std::string::npos)
      << output;
  // The example sweeps parse and have the points their comments promise.
  const std::vector<std::pair<std::string, std::string>> examples = {{"adc-bits-x-sharing", ": 18 points"},
                                                                      {"adc-bits-x-sharing-fcn", ": 20 points"},
                                                                      {"pulse-width-x-bl", ": 12 points"},
                                                                      {"tau-x-algorithm", ": 12 points"}};
  for (const auto &[example, points] : examples) {
    std::string path = std::string(AIMC_SOURCE_DIR) + "/configs/sweeps/" + example + ".yaml";
    ASSERT_EQ(sh(kExe + " sweep " + path + " --dry-run", &output), 0) << example << "\n" << output;
    EXPECT_NE(output.find(points), std::string::npos) << example << "\n" << output;
  }
  // The ADC sweep no longer sets the forward read's resolution: it follows chip.adc.bits.
  ASSERT_EQ(sh(kExe + " sweep " + std::string(AIMC_SOURCE_DIR) + "/configs/sweeps/adc-bits-x-sharing.yaml --dry-run",
               &output),
            0);
  EXPECT_EQ(output.find("out_res"), std::string::npos) << output;
}

// Each (sweep file, message) case exits 2 with the message first, before the
// sweep directory exists.
static void expect_refused_before_writing(const TempDir &dir, const std::vector<std::pair<std::string, std::string>> &cases) {
  for (const auto &[text, expected] : cases) {
    write_file(dir / "sweep.yaml", text);
    std::string output;
    EXPECT_EQ(sh("cd " + dir.path() + " && " + kExe + " sweep sweep.yaml -o out", &output), 2) << text;
    EXPECT_EQ(output.rfind(expected, 0), 0u) << "expected: " << expected << "\ngot: " << output;
    EXPECT_FALSE(exists(dir / "out")) << text;
  }
}

TEST(Sweep, SweepFileErrorsNameFileLineAndColumn) {
  TempDir dir;
  const std::string base = "base: " + kBase + "\n";
  const std::vector<std::pair<std::string, std::string>> cases = {
      {base + "grdi:\n  experiment.lr: [1]\n", "sweep.yaml:2:1: unknown key 'grdi' in a sweep file; did you mean 'grid'?"},
      {base + "grid:\n  experiment.lr: {start: 0.1, stop: 0.5, step: -0.1}\n",
       "sweep.yaml:3:48: step -0.1 never gets from 0.1 to 0.5"},
      {base + "grid:\n  experiment.lr: {logspace: [0, 1], count: 3}\n",
       "sweep.yaml:3:29: logspace needs positive end values, got 0 and 1"},
      {base + "grid:\n  chip.adc.bits: {linspace: [4, 8], count: 4}\n",
       "sweep.yaml:3:18: 'bits' takes integers, but this range gives 5.33333333333"},
      {base + "grid:\n  device.dw_mni: [1, 2]\n",
       "sweep.yaml:3:3: unknown config key 'device.dw_mni': section 'device' has no key 'dw_mni'; did you mean 'dw_min'?"},
      {base + "zip:\n  experiment.lr: [1, 2]\n  update.desired_bl: [1]\n",
       "sweep.yaml:4:3: zipped keys need the same number of values"},
      {base + "set: {experiment.steps: -2}\n", "sweep.yaml:2:25: 'experiment.steps' = -2 is out of range"},
      {"grid: {experiment.lr: [1]}\n", "sweep.yaml:1:1: a sweep file needs base: CONFIG"},
      {base + "seeds: [1]\nrepeat: 2\n", "sweep.yaml:3:1: give seeds: or repeat:, not both"},
      {base + "grid: {experiment.lr: [1, 2}\n", "sweep.yaml:2:"},
  };
  expect_refused_before_writing(dir, cases);
}

TEST(Sweep, ParetoFrontOfSyntheticPoints) {
  // (energy, latency, error); worked by hand.
  const double nan = NAN;
  std::vector<std::vector<double>> points = {
      {1, 1, 2},          // 0: front
      {2, 2, 2},          // 1: dominated by 0
      {0.5, 3, 2},        // 2: front, the lowest eligible energy
      {1, 1, 2},          // 3: equal to 0, so on the front with it
      {3, 3, 0.1},        // 4: front, the lowest error
      {0.4, 0.4, 0.05},   // 5: best everywhere, but failed: neither on nor against the front
      {1, nan, 1},        // 6: untimed: worse latency than 0 but better error: front
      {1, nan, 1.5},      // 7: dominated by 6 (NaN equals NaN)
      {0.5, 3, 2.5},      // 8: dominated by 2
  };
  std::vector<int> eligible = {1, 1, 1, 1, 1, 0, 1, 1, 1};
  std::vector<double> flat;
  for (const auto &p : points) flat.insert(flat.end(), p.begin(), p.end());
  std::vector<int> front(points.size(), -1);
  ASSERT_EQ(aimc_sweep_pareto_front(points.size(), 3, flat.data(), eligible.data(), front.data()), AIMC_OK);
  EXPECT_EQ(front, (std::vector<int>{1, 0, 1, 1, 1, 0, 1, 0, 0}));
  EXPECT_EQ(front, reference_front(points, eligible));

  EXPECT_EQ(aimc_sweep_error_objective(0.02, 0.9, 0.3), 0.02);
  EXPECT_DOUBLE_EQ(aimc_sweep_error_objective(nan, 0.9, 0.3), 0.1);
  EXPECT_EQ(aimc_sweep_error_objective(nan, nan, 0.3), 0.3);
  EXPECT_TRUE(std::isnan(aimc_sweep_error_objective(nan, nan, nan)));
}

// The sorted front-scan over any chosen list of objectives (1 to 4 of them)
// against the O(n^2) definition, on random points with a fixed seed: values on
// a few levels (many ties, whole duplicate points), NaN errors (1 - accuracy of
// a run that reports none) and NaN latencies, and failed points.
TEST(Sweep, ParetoFrontOverAChosenObjectiveListMatchesBruteForce) {
  const double nan = NAN;
  // Objective k of a point: error, energy, latency, area in that order.
  const std::vector<std::vector<int>> lists = {
      {AIMC_SWEEP_ERROR},
      {AIMC_SWEEP_AREA},
      {AIMC_SWEEP_ERROR, AIMC_SWEEP_AREA},
      {AIMC_SWEEP_LATENCY, AIMC_SWEEP_ENERGY},
      {AIMC_SWEEP_ERROR, AIMC_SWEEP_ENERGY, AIMC_SWEEP_LATENCY},
      {AIMC_SWEEP_ERROR, AIMC_SWEEP_ENERGY, AIMC_SWEEP_LATENCY, AIMC_SWEEP_AREA},
      {AIMC_SWEEP_AREA, AIMC_SWEEP_LATENCY, AIMC_SWEEP_ERROR, AIMC_SWEEP_ENERGY},
  };
  std::mt19937 random(13);
  std::uniform_int_distribution<int> level(0, 4), coin(0, 9);
  size_t fronts_with_many = 0;
  for (const auto &list : lists) {
    for (int trial = 0; trial < 20; ++trial) {
      size_t n = trial == 0 ? 1 : 1 + 7 * (size_t)trial;
      std::vector<std::array<double, AIMC_SWEEP_OBJECTIVES>> all(n);
      std::vector<int> ok(n);
      for (size_t i = 0; i < n; ++i) {
        for (int k = 0; k < AIMC_SWEEP_OBJECTIVES; ++k) all[i][k] = level(random);
        if (coin(random) == 0) all[i][AIMC_SWEEP_ERROR] = nan;
        if (coin(random) == 0) all[i][AIMC_SWEEP_LATENCY] = nan;
        if (i > 0 && coin(random) == 0) all[i] = all[i - 1];  // a whole tie
        ok[i] = coin(random) != 0;
      }
      std::vector<std::vector<double>> chosen(n);
      std::vector<double> flat;
      for (size_t i = 0; i < n; ++i)
        for (int k : list) {
          chosen[i].push_back(all[i][k]);
          flat.push_back(all[i][k]);
        }
      std::vector<int> fast(n, -1);
      ASSERT_EQ(aimc_sweep_pareto_front(n, list.size(), flat.data(), ok.data(), fast.data()), AIMC_OK);
      std::vector<int> expected = reference_front(chosen, ok);
      EXPECT_EQ(fast, expected) << list.size() << " objectives, trial " << trial;
      fronts_with_many += std::count(expected.begin(), expected.end(), 1) > 1;
    }
  }
  EXPECT_GT(fronts_with_many, 50u);  // the sets are not degenerate
  // A list of no objectives, or of more than there are, is refused.
  std::vector<double> one = {1.0};
  std::vector<int> yes = {1}, out = {-1};
  EXPECT_EQ(aimc_sweep_pareto_front(1, 0, one.data(), yes.data(), out.data()), AIMC_EINVAL);
  EXPECT_EQ(aimc_sweep_pareto_front(1, AIMC_SWEEP_OBJECTIVES + 1, one.data(), yes.data(), out.data()), AIMC_EINVAL);
}

// objectives: lists known names, each once: an unknown or repeated name, an
// empty list or a scalar is refused at load with file:line:col and exit status
// 2, before the sweep directory exists.
TEST(Sweep, ObjectiveListErrorsNameFileLineAndColumn) {
  TempDir dir;
  const std::string base = "base: " + kBase + "\ngrid:\n  experiment.lr: [0.1, 0.05]\n";
  const std::vector<std::pair<std::string, std::string>> cases = {
      {base + "objectives: [error, enrgy]\n",
       "sweep.yaml:4:21: unknown objective 'enrgy' (did you mean 'energy'?); objectives: error, energy, latency, area"},
      {base + "objectives: [error, accuracy]\n",
       "sweep.yaml:4:21: unknown objective 'accuracy'; objectives: error, energy, latency, area"},
      {base + "objectives:\n  - area\n  - error\n  - area\n",
       "sweep.yaml:7:5: objective 'area' is listed twice (first at line 5, column 5)"},
      {base + "objectives: []\n",
       "sweep.yaml:4:13: objectives: must be a list of one or more of error, energy, latency, area"},
      {base + "objectives: error\n",
       "sweep.yaml:4:13: objectives: must be a list of one or more of error, energy, latency, area"},
      {base + "objectives: [[error]]\n",
       "sweep.yaml:4:14: an objective must be one of error, energy, latency, area"},
      {base + "objectivs: [error]\n",
       "sweep.yaml:4:1: unknown key 'objectivs' in a sweep file; did you mean 'objectives'?"},
  };
  expect_refused_before_writing(dir, cases);
}

// Two points that differ only in ADC sharing (the same error, energy and
// latency on this single-row problem, less area with more lines per ADC): area
// is a default objective, so only the smaller chip is on the front; over
// [error, energy, latency] both are. A rerun with another objective list into
// the same directory keeps every point (nothing runs again), recomputes the
// front, and sweep.yaml becomes the new file; results.csv keeps every column
// whatever the list. Any other change of the file is still refused.
TEST(Sweep, TheFrontIsOverTheChosenObjectivesAndARerunRecomputesIt) {
  TempDir dir;
  std::string sweep = dir / "sharing.yaml", out = dir / "out", output;
  const std::string body = "base: " + kBase +
                           "\n"
                           "set:\n  experiment.steps: 20\n  forward.is_perfect: false\n"
                           // no ADC leakage: fewer ADCs then save area only
                           "  chip.adc.leakage_fraction: 0\n"
                           "grid:\n  chip.adc.columns_per_adc: [1, 64]\n";
  write_file(sweep, body);
  ASSERT_EQ(sh(kExe + " sweep " + sweep + " -o " + out, &output), 0) << output;
  EXPECT_NE(output.find("(Pareto front over error, energy, latency, area)"), std::string::npos) << output;
  Table table = read_csv(out + "/results.csv");
  ASSERT_EQ(table.size(), 3u);
  EXPECT_EQ(table[0].back(), "error");
  EXPECT_EQ(table[1][column(table, "energy_per_sample_j")], table[2][column(table, "energy_per_sample_j")]);
  EXPECT_LT(number(table[2][column(table, "area_mm2")]), number(table[1][column(table, "area_mm2")]));
  EXPECT_EQ(table[1][column(table, "pareto")], "0");
  EXPECT_EQ(table[2][column(table, "pareto")], "1");
  expect_pareto_column_is_front(table);
  long long before[2] = {mtime_ns(out + "/points/0000/result.json"), mtime_ns(out + "/points/0001/result.json")};
  std::string header = read_file(out + "/results.csv").substr(0, read_file(out + "/results.csv").find('\n'));

  write_file(sweep, body + "objectives: [error, energy, latency]\n");
  ASSERT_EQ(sh(kExe + " sweep " + sweep + " -o " + out, &output), 0) << output;
  EXPECT_NE(output.find("chooses other objectives"), std::string::npos) << output;
  EXPECT_NE(output.find("0 run now, 2 kept from before"), std::string::npos) << output;
  EXPECT_EQ(mtime_ns(out + "/points/0000/result.json"), before[0]);
  EXPECT_EQ(mtime_ns(out + "/points/0001/result.json"), before[1]);
  EXPECT_EQ(read_file(out + "/sweep.yaml"), read_file(sweep));
  table = read_csv(out + "/results.csv");
  EXPECT_EQ(read_file(out + "/results.csv").substr(0, header.size() + 1), header + "\n");
  EXPECT_EQ(table[1][column(table, "pareto")], "1");
  EXPECT_EQ(table[2][column(table, "pareto")], "1");
  expect_pareto_column_is_front(table, {"error", "energy", "latency"});

  write_file(sweep, body + "objectives: [area]\n");
  ASSERT_EQ(sh(kExe + " sweep " + sweep + " -o " + out, &output), 0) << output;
  table = read_csv(out + "/results.csv");
  EXPECT_EQ(table[1][column(table, "pareto")], "0");
  EXPECT_EQ(table[2][column(table, "pareto")], "1");

  // Not only the objectives changed: another sweep, refused as before.
  write_file(sweep, body + "objectives: [area]\nthreads: 2\n");
  EXPECT_EQ(sh(kExe + " sweep " + sweep + " -o " + out, &output), 2);
  EXPECT_NE(output.find("holds another sweep"), std::string::npos) << output;
  EXPECT_EQ(read_file(out + "/sweep.yaml"), body + "objectives: [area]\n");
}

const std::string kPlotResults = "point,experiment.lr," + kHeaderTail +
                                 "\n"
                                 "0,0.1,completed,0.5,,0.01,2e-08,1e-05,4e-07,2e-04,0.3,0.1,1,\n"
                                 "1,0.2,completed,0.5,,0.02,3e-08,2e-05,6e-07,4e-04,0.2,0.1,0,\n"
                                 "2,0.3,completed,0.5,,0.001,4e-08,3e-05,8e-07,6e-04,0.1,0.1,1,\n"
                                 "3,0.4,failed,,,,,,,,,0.1,0,\"a message, with a comma\"\n";

// Without a sweep.yaml (results.csv alone) the plot is over the default
// objectives: a panel per pair of error, energy, latency and area.
TEST(Sweep, PlotDrawsTheParetoScatter) {
  if (sh("command -v gnuplot") != 0) GTEST_SKIP() << "gnuplot is not installed (scripts/setup.sh installs it)";
  TempDir dir;
  std::string sweepdir = dir / "sweep";
  mkdir(sweepdir.c_str(), 0777);
  write_file(sweepdir + "/results.csv", kPlotResults);
  std::string output;
  ASSERT_EQ(sh(kExe + " plot " + sweepdir, &output), 0) << output;
  EXPECT_NE(output.find("(3 points, Pareto front over error, energy, latency, area; panels: energy against error, "
                        "latency against error, area against error, latency against energy, area against energy, "
                        "area against latency)"),
            std::string::npos)
      << output;
  EXPECT_GT(read_file(sweepdir + "/plots/pareto.png").size(), 1000u);
  std::string svg = read_file(sweepdir + "/plots/pareto.svg");
  EXPECT_NE(svg.find("Pareto front"), std::string::npos);
  EXPECT_NE(svg.find("other points"), std::string::npos);
  EXPECT_NE(svg.find("latency per sample"), std::string::npos);
  EXPECT_NE(svg.find("area [mm"), std::string::npos);
}

// The plot draws the objectives the sweep file chose (sweep.yaml of the sweep
// directory): one pair, one panel; one objective, against the point index.
TEST(Sweep, PlotDrawsTheFrontOverTheChosenObjectives) {
  if (sh("command -v gnuplot") != 0) GTEST_SKIP() << "gnuplot is not installed (scripts/setup.sh installs it)";
  TempDir dir;
  std::string sweepdir = dir / "sweep", output;
  mkdir(sweepdir.c_str(), 0777);
  write_file(sweepdir + "/results.csv", kPlotResults);
  write_file(sweepdir + "/sweep.yaml", "base: x.yaml\nobjectives: [area, error]\n");
  ASSERT_EQ(sh(kExe + " plot " + sweepdir, &output), 0) << output;
  EXPECT_NE(output.find("(3 points, Pareto front over area, error; panels: error against area)"), std::string::npos)
      << output;
  std::string svg = read_file(sweepdir + "/plots/pareto.svg");
  EXPECT_NE(svg.find("Pareto front over area, error"), std::string::npos);
  EXPECT_EQ(svg.find("latency per sample"), std::string::npos);
  write_file(sweepdir + "/sweep.yaml", "base: x.yaml\nobjectives: [energy]\n");
  ASSERT_EQ(sh(kExe + " plot " + sweepdir, &output), 0) << output;
  EXPECT_NE(output.find("(3 points, Pareto front over energy; panels: energy against point)"), std::string::npos)
      << output;
  write_file(sweepdir + "/sweep.yaml", "base: x.yaml\nobjectives: [energy, energy]\n");
  EXPECT_EQ(sh(kExe + " plot " + sweepdir, &output), 2);
  EXPECT_NE(output.find("sweep.yaml:2:22: objective 'energy' is listed twice"), std::string::npos) << output;
}

// `aimcsim plot SWEEPDIR --table` prints results.csv as the markdown table
// docs/sweeps.md records, and the front, without gnuplot.
TEST(Sweep, PlotTablePrintsTheResultsAsMarkdown) {
  TempDir dir;
  std::string sweepdir = dir / "sweep", output;
  mkdir(sweepdir.c_str(), 0777);
  write_file(sweepdir + "/results.csv", kPlotResults);
  write_file(sweepdir + "/sweep.yaml", "base: x.yaml\nobjectives: [error, energy]\n");
  ASSERT_EQ(sh(kExe + " plot " + sweepdir + " --table 2>&1", &output), 0) << output;
  EXPECT_EQ(output,
            "| point | experiment.lr | status | error | energy/sample [J] | latency/sample [s] | area [mm2] | front |\n"
            "|---|---|---|---|---|---|---|---|\n"
            "| 0 | 0.1 | completed | 0.01 | 2e-08 | 1e-05 | 0.3 | yes |\n"
            "| 1 | 0.2 | completed | 0.02 | 3e-08 | 2e-05 | 0.2 |  |\n"
            "| 2 | 0.3 | completed | 0.001 | 4e-08 | 3e-05 | 0.1 | yes |\n"
            "| 3 | 0.4 | failed |  |  |  |  |  |\n"
            "\n"
            "Pareto front over error, energy: points 0, 2\n");
  EXPECT_FALSE(exists(sweepdir + "/plots"));
}

}  // namespace
