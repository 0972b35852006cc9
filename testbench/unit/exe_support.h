// Helpers of the suites that run the aimcsim executable (AIMCSIM_EXE).
#ifndef AIMC_EXE_SUPPORT_H
#define AIMC_EXE_SUPPORT_H

#include <sys/stat.h>
#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

namespace exe {

inline const std::string kExe = AIMCSIM_EXE;

// Runs a shell command; its output (stdout and stderr) into *output; returns
// the exit status, or 128 + the signal that ended it.
inline int shell(const std::string &command, std::string *output = nullptr) {
  FILE *pipe = popen((command + " 2>&1").c_str(), "r");
  if (!pipe) return -1;
  std::string out;
  std::array<char, 4096> buffer;
  size_t n;
  while ((n = fread(buffer.data(), 1, buffer.size(), pipe)) > 0) out.append(buffer.data(), n);
  int status = pclose(pipe);
  if (output) *output = out;
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  return WIFSIGNALED(status) ? 128 + WTERMSIG(status) : -1;
}

// `aimcsim ARGS --threads 1`: ctest runs two tests at once on two cores, and
// results do not depend on the thread count (tested in test_update).
inline int run(const std::string &args, std::string *output = nullptr) {
  return shell(kExe + " " + args + " --threads 1", output);
}

inline std::string read_file(const std::string &path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// A CSV file with a header line as rows of named fields (a trailing comma is an
// empty last field).
inline std::vector<std::map<std::string, std::string>> read_csv_rows(const std::string &path) {
  std::istringstream in(read_file(path));
  std::string line;
  std::vector<std::string> header;
  std::vector<std::map<std::string, std::string>> rows;
  while (std::getline(in, line)) {
    std::vector<std::string> fields;
    std::stringstream ls(line);
    std::string f;
    while (std::getline(ls, f, ',')) fields.push_back(f);
    if (!line.empty() && line.back() == ',') fields.push_back("");
    if (header.empty()) {
      header = fields;
      continue;
    }
    std::map<std::string, std::string> row;
    for (size_t k = 0; k < header.size() && k < fields.size(); ++k) row[header[k]] = fields[k];
    rows.push_back(row);
  }
  return rows;
}

inline void write_file(const std::string &path, const std::string &text) {
  std::ofstream out(path, std::ios::binary);
  out << text;
}

inline bool exists(const std::string &path) {
  struct stat info;
  return stat(path.c_str(), &info) == 0;
}

class TempDir {
 public:
  TempDir() {
    char pattern[] = "/tmp/aimcsim-test-XXXXXX";
    const char *made = mkdtemp(pattern);
    path_ = made ? made : "";
  }
  ~TempDir() {
    if (!path_.empty()) std::system(("rm -rf " + path_).c_str());
  }
  TempDir(const TempDir &) = delete;
  TempDir &operator=(const TempDir &) = delete;
  const std::string &path() const { return path_; }
  std::string operator/(const std::string &name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

}  // namespace exe

#endif
