// The aimcsim executable: version output, usage errors and the demo, run as a
// child process exactly as a user runs it.
#include <gtest/gtest.h>

#include <array>
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
