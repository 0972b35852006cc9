// Broken inputs through the aimcsim executable, as a user meets them: every case
// of testbench/broken/expected.tsv runs `aimcsim COMMAND FILE` and must exit with
// its status and its message, print nothing on stdout, and trip no sanitizer
// (the asan preset runs this same suite). Adding a case is adding a line.
#include <gtest/gtest.h>

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "exe_support.h"

extern char **environ;

namespace {

const std::string kBroken = std::string(AIMC_SOURCE_DIR) + "/testbench/broken";
const std::string kManifest = kBroken + "/expected.tsv";
// A case that runs longer hangs: the largest input takes milliseconds.
const int kDeadlineSeconds = 60;

struct BrokenInput {
  std::string file;     // relative to testbench/broken
  std::string command;  // aimcsim arguments before FILE
  int exit_status;
  std::string message;  // a substring of stderr
};

void PrintTo(const BrokenInput &c, std::ostream *out) { *out << c.command << " " << c.file; }

std::vector<std::string> split(const std::string &text, char separator) {
  std::vector<std::string> parts;
  std::string part;
  std::istringstream in(text);
  while (std::getline(in, part, separator)) parts.push_back(part);
  if (!text.empty() && text.back() == separator) parts.push_back("");
  return parts;
}

// The manifest's cases; a malformed line becomes a case that fails with its line number.
std::vector<BrokenInput> read_manifest() {
  std::vector<BrokenInput> cases;
  std::ifstream in(kManifest);
  if (!in) return {{"expected.tsv", "(missing)", -1, "cannot open " + kManifest}};
  std::string line;
  for (int number = 1; std::getline(in, line); ++number) {
    if (line.empty() || line[0] == '#') continue;
    std::vector<std::string> fields = split(line, '\t');
    char *end = nullptr;
    long status = fields.size() == 4 ? std::strtol(fields[2].c_str(), &end, 10) : -1;
    if (fields.size() != 4 || fields[0].empty() || fields[1].empty() || fields[3].empty() ||
        end == fields[2].c_str() || *end != '\0') {
      cases.push_back({"expected.tsv:" + std::to_string(number), "(malformed)", -1,
                       "4 tab-separated fields: FILE COMMAND EXIT MESSAGE"});
      continue;
    }
    cases.push_back({fields[0], fields[1], static_cast<int>(status), fields[3]});
  }
  return cases;
}

struct Outcome {
  int exit_status = -1;  // -1: killed by a signal or by the deadline
  std::string out, err;
};

// Runs aimcsim with argv, stdout and stderr into temporary files. Unlike
// exe::shell, it keeps the two streams apart and kills a run that hangs.
Outcome run(const std::vector<std::string> &arguments) {
  Outcome outcome;
  char out_path[] = "/tmp/aimcsim-broken-out-XXXXXX";
  char err_path[] = "/tmp/aimcsim-broken-err-XXXXXX";
  int out_fd = mkstemp(out_path), err_fd = mkstemp(err_path);
  if (out_fd < 0 || err_fd < 0) {
    outcome.err = "cannot create temporary files";
    return outcome;
  }
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, out_fd, STDOUT_FILENO);
  posix_spawn_file_actions_adddup2(&actions, err_fd, STDERR_FILENO);
  std::vector<char *> argv;
  argv.push_back(const_cast<char *>(exe::kExe.c_str()));
  for (const std::string &a : arguments) argv.push_back(const_cast<char *>(a.c_str()));
  argv.push_back(nullptr);
  pid_t pid;
  int spawned = posix_spawn(&pid, exe::kExe.c_str(), &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  close(out_fd);
  close(err_fd);
  if (spawned == 0) {
    int status = 0;
    const struct timespec pause = {0, 10 * 1000 * 1000};
    for (int waited = 0;; ++waited) {
      pid_t done = waitpid(pid, &status, WNOHANG);
      if (done == pid) break;
      if (waited == kDeadlineSeconds * 100) {
        kill(pid, SIGKILL);
        waitpid(pid, &status, 0);
        outcome.err = "[killed after " + std::to_string(kDeadlineSeconds) + " s]\n";
        break;
      }
      nanosleep(&pause, nullptr);
    }
    if (WIFEXITED(status)) outcome.exit_status = WEXITSTATUS(status);
  }
  outcome.out = exe::read_file(out_path);
  outcome.err += exe::read_file(err_path);
  unlink(out_path);
  unlink(err_path);
  return outcome;
}

class BrokenInputTest : public ::testing::TestWithParam<BrokenInput> {};

TEST_P(BrokenInputTest, FailsWithItsMessageAndNoSanitizerReport) {
  const BrokenInput &c = GetParam();
  ASSERT_GE(c.exit_status, 0) << c.file << ": " << c.message;
  std::vector<std::string> arguments = split(c.command, ' ');
  arguments.push_back(kBroken + "/" + c.file);
  Outcome outcome = run(arguments);
  EXPECT_EQ(outcome.exit_status, c.exit_status) << outcome.err;
  EXPECT_NE(outcome.err.find(c.message), std::string::npos)
      << "expected: " << c.message << "\nstderr:\n" << outcome.err;
  EXPECT_EQ(outcome.out, "") << "a failing command printed on stdout";
  for (const char *report : {"runtime error", "AddressSanitizer", "LeakSanitizer"})
    EXPECT_EQ(outcome.err.find(report), std::string::npos) << outcome.err;
}

std::string case_name(const ::testing::TestParamInfo<BrokenInput> &info) {
  std::string name = info.param.file;
  for (char &ch : name)
    if (!isalnum(static_cast<unsigned char>(ch))) ch = '_';
  return name;
}

INSTANTIATE_TEST_SUITE_P(Manifest, BrokenInputTest, ::testing::ValuesIn(read_manifest()), case_name);

// Every file of testbench/broken has a line in the manifest, so none goes untested.
void list_files(const std::string &dir, const std::string &prefix, std::set<std::string> *files) {
  DIR *stream = opendir(dir.c_str());
  if (stream == nullptr) return;
  while (struct dirent *entry = readdir(stream)) {
    std::string name = entry->d_name;
    if (name == "." || name == "..") continue;
    struct stat info;
    std::string path = dir + "/" + name;
    if (stat(path.c_str(), &info) != 0) continue;
    if (S_ISDIR(info.st_mode))
      list_files(path, prefix + name + "/", files);
    else
      files->insert(prefix + name);
  }
  closedir(stream);
}

TEST(BrokenInputManifest, NamesEveryFile) {
  std::set<std::string> files, named;
  list_files(kBroken, "", &files);
  files.erase("expected.tsv");
  ASSERT_FALSE(files.empty());
  for (const BrokenInput &c : read_manifest()) named.insert(c.file);
  for (const std::string &file : files) EXPECT_TRUE(named.count(file)) << file << " has no line in expected.tsv";
}

}  // namespace
