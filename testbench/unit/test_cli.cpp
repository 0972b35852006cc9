// The aimcsim executable: version output, usage errors and the demo, run as a
// child process exactly as a user runs it.
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdlib>
#include <cstdio>
#include <string>
#include <sys/wait.h>

namespace {

struct Result {
  int status;
  std::string out;
};

Result run(const std::string &args) {
  std::string command = std::string(AIMCSIM_EXE) + " " + args + " 2>&1";
  FILE *pipe = popen(command.c_str(), "r");
  Result r{-1, {}};
  if (!pipe) return r;
  std::array<char, 4096> buffer;
  size_t n;
  while ((n = fread(buffer.data(), 1, buffer.size(), pipe)) > 0) r.out.append(buffer.data(), n);
  int status = pclose(pipe);
  r.status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

}  // namespace

TEST(Cli, VersionNamesReleaseRevisionAndSystemC) {
  Result r = run("--version");
  EXPECT_EQ(r.status, 0);
  EXPECT_NE(r.out.find("aimcsim 0.1.0 (git "), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("SystemC 2.3"), std::string::npos) << r.out;
  // The revision is read at build time: in a git checkout it names the commit
  // the binary was built from (a checkout without git reports "unknown").
  std::string head;
  if (FILE *git = popen("test -e " AIMC_SOURCE_DIR "/.git && git -C " AIMC_SOURCE_DIR " rev-parse --short=12 HEAD 2>/dev/null", "r")) {
    std::array<char, 128> line{};
    if (fgets(line.data(), (int)line.size(), git)) head = line.data();
    pclose(git);
  }
  head.erase(std::remove(head.begin(), head.end(), '\n'), head.end());
  if (head.empty()) GTEST_SKIP() << "not a git checkout";
  EXPECT_NE(r.out.find("(git " + head), std::string::npos) << r.out << " built from another commit than " << head;
}

TEST(Cli, UnknownCommandAndMissingCommandAreUsageErrors) {
  EXPECT_EQ(run("").status, 2);
  Result r = run("frobnicate");
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.out.find("unknown command 'frobnicate'"), std::string::npos);
  EXPECT_EQ(run("demo --seed banana").status, 2);
}

TEST(Cli, DemoReportsTheUpdateItApplied) {
  Result r = run("demo --threads 1");
  ASSERT_EQ(r.status, 0) << r.out;
  EXPECT_NE(r.out.find("Asymmetric linear device"), std::string::npos);
  // k = lr max|x| max|d| / dw_min stays below 31 for these inputs: BL management
  // picks ceil(k) = 4 slots (max |d| of 512 draws of N(0, 0.1^2) is about 0.33).
  EXPECT_NE(r.out.find("BL chosen by BL management               4 slots"), std::string::npos) << r.out;
  // Same seed, same output (apart from the wall time line).
  Result again = run("demo --threads 2");
  auto strip = [](const std::string &s) { return s.substr(0, s.find("wall time")); };
  EXPECT_EQ(strip(r.out), strip(again.out));
}

namespace {

std::string read_file(const std::string &path) {
  FILE *f = fopen(path.c_str(), "rb");
  std::string s;
  if (!f) return s;
  std::array<char, 4096> buffer;
  size_t n;
  while ((n = fread(buffer.data(), 1, buffer.size(), f)) > 0) s.append(buffer.data(), n);
  fclose(f);
  return s;
}

std::string temp_dir() {
  char pattern[] = "/tmp/aimcsim-cli-XXXXXX";
  const char *dir = mkdtemp(pattern);
  return dir ? dir : "";
}

}  // namespace

TEST(Cli, ResponseOfTheAldFollowsItsClosedForm) {
  std::string dir = temp_dir();
  ASSERT_FALSE(dir.empty());
  std::string csv = dir + "/ald.csv";
  Result r = run(std::string("response ") + AIMC_SOURCE_DIR + "/configs/devices/ald.yaml --pulses 300 --points 3 -o " + csv);
  ASSERT_EQ(r.status, 0) << r.out;
  std::string pulses = read_file(csv), factors = read_file(dir + "/ald.factors.csv");
  ASSERT_EQ(pulses.rfind("pulse,w\n0,-0.699999988\n", 0), 0u) << pulses.substr(0, 80);
  // After n up pulses from -tau: w_n = tau - 2 tau (1 - dw_min / tau)^n (SoftBounds, no noise).
  const double tau = 0.7, dw = 0.001;
  size_t at = pulses.find("\n300,");
  ASSERT_NE(at, std::string::npos);
  double w300 = std::stod(pulses.substr(at + 5));
  EXPECT_NEAR(w300, tau - 2 * tau * std::pow(1 - dw / tau, 300), 1e-5);
  // 601 data rows plus the header.
  EXPECT_EQ(std::count(pulses.begin(), pulses.end(), '\n'), 602);
  EXPECT_EQ(factors, "w,q_up,q_down,F,G\n-0.699999988,2,0,1,-1\n0,1,1,1,0\n0.699999988,0,2,1,1\n");
  std::string cleanup = "rm -rf " + dir;
  ASSERT_EQ(system(cleanup.c_str()), 0);
}

TEST(Cli, ConfigDumpParsesBackToTheSameDump) {
  std::string dir = temp_dir();
  Result first = run(std::string("config --dump ") + AIMC_SOURCE_DIR + "/configs/devices/ecram.yaml -p update.desired_bl=64");
  ASSERT_EQ(first.status, 0) << first.out;
  EXPECT_NE(first.out.find("desired_bl: 64"), std::string::npos);
  EXPECT_NE(first.out.find("model: linear_step"), std::string::npos);
  FILE *f = fopen((dir + "/dumped.yaml").c_str(), "w");
  fputs(first.out.c_str(), f);
  fclose(f);
  Result second = run("config --dump " + dir + "/dumped.yaml");
  ASSERT_EQ(second.status, 0) << second.out;
  EXPECT_EQ(first.out, second.out);
  std::string cleanup = "rm -rf " + dir;
  ASSERT_EQ(system(cleanup.c_str()), 0);
}

TEST(Cli, ConfigErrorsExitTwoWithFileLineColumn) {
  std::string dir = temp_dir();
  FILE *f = fopen((dir + "/bad.yaml").c_str(), "w");
  fputs("version: 1\ndevice:\n  dw_mn: 0.01\n", f);
  fclose(f);
  Result r = run("response " + dir + "/bad.yaml");
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.out.find(dir + "/bad.yaml:3:3: "), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("dw_min"), std::string::npos) << r.out;  // the suggestion
  std::string cleanup = "rm -rf " + dir;
  ASSERT_EQ(system(cleanup.c_str()), 0);
}

TEST(Cli, EveryBrokenConfigExitsTwoAtItsFileLineColumn) {
  // The fixtures of the config engine's suite that use the real schema, run as a user would.
  const struct {
    const char *file;
    int line, column;
  } cases[] = {{"syntax_error.yaml", 4, 2},        {"unknown_key.yaml", 4, 3},      {"unknown_section.yaml", 1, 1},
               {"wrong_type.yaml", 2, 15},         {"bool_as_number.yaml", 2, 13},  {"out_of_range.yaml", 2, 12},
               {"duplicate_key.yaml", 4, 3},       {"deep_nesting.yaml", 1, 40},    {"non_utf8.yaml", 2, 20},
               {"unknown_preset.yaml", 2, 11},     {"section_as_scalar.yaml", 1, 9}, {"mapping_as_scalar.yaml", 3, 5},
               {"list_as_scalar.yaml", 3, 17},     {"invalid_section.yaml", 3, 10}, {"preset_and_model.yaml", 1, 25},
               {"wrong_version.yaml", 1, 10},      {"not_finite.yaml", 2, 14},      {"alias.yaml", 3, 11}};
  for (const auto &c : cases) {
    std::string path = std::string(AIMC_SOURCE_DIR) + "/testbench/config/" + c.file;
    std::string prefix = path + ":" + std::to_string(c.line) + ":" + std::to_string(c.column) + ": ";
    for (const char *command : {"config --dump ", "run --quiet -o /nonexistent/never "}) {
      Result r = run(std::string(command) + path);
      EXPECT_EQ(r.status, 2) << command << c.file << "\n" << r.out;
      EXPECT_EQ(r.out.rfind(prefix, 0), 0u) << command << c.file << "\n" << r.out;
      EXPECT_NE(r.out.find("\n"), std::string::npos);  // followed by the source line and caret
    }
  }
}
