// Inputs that hang or run away (issue 11, section 4), run as a child process
// exactly as a user runs aimcsim: FIFOs, sockets and devices given where a file
// is read; the resource estimate of every command (pulse-check, per-tile
// memory, the size of a waveform); the limit variables and the numeric options,
// parsed strictly. Every command that could block on today's input runs under
// `timeout`, so a regression fails the test instead of hanging the suite.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstdio>
#include <string>
#include <vector>

#include "aimc_sim/fileio.h"
#include "exe_support.h"

namespace {

using exe::exists;
using exe::kExe;
using exe::shell;
using exe::TempDir;

const std::string kExperiments = std::string(AIMC_SOURCE_DIR) + "/configs/experiments/";
const std::string kPulseCheck = std::string(AIMC_SOURCE_DIR) + "/configs/pulse-check/constant-step.yaml";
const std::string kFashion = "/usr/share/datasets/fashion-mnist/";

// `timeout 20 aimcsim ARGS` with one thread; exit 124 if it had to be stopped.
int run(const std::string &args, std::string *out, const std::string &env = "") {
  return shell("OMP_NUM_THREADS=1 " + env + " timeout 20 " + kExe + " " + args, out);
}

bool contains(const std::string &text, const std::string &part) { return text.find(part) != std::string::npos; }

// A FIFO, a bound unix socket and a character device in a fresh directory.
struct SpecialFiles {
  TempDir dir;
  std::string fifo = dir / "fifo", socket = dir / "socket", device = "/dev/zero";
  int socket_fd = -1;
  SpecialFiles() {
    EXPECT_EQ(mkfifo(fifo.c_str(), 0600), 0);
    socket_fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    snprintf(address.sun_path, sizeof address.sun_path, "%s", socket.c_str());
    EXPECT_EQ(bind(socket_fd, reinterpret_cast<sockaddr *>(&address), sizeof address), 0);
  }
  ~SpecialFiles() { close(socket_fd); }
  struct Kind {
    std::string path, word;
  };
  std::vector<Kind> kinds() const {
    return {{fifo, "is a FIFO, not a regular file"},
            {socket, "is a socket, not a regular file"},
            {device, "is a character device, not a regular file"}};
  }
};

// The "waveforms X GiB" of the disk estimate, read from the refusal at a 1-byte disk limit.
double waveform_estimate(const std::string &args) {
  std::string out;
  EXPECT_EQ(run("run " + args + " --quiet -o /nonexistent/never", &out, "AIMCSIM_DISK_LIMIT=1"), 2) << out;
  size_t at = out.find("waveforms ");
  EXPECT_NE(at, std::string::npos) << out;
  return at == std::string::npos ? 0.0 : std::stod(out.substr(at + 10)) * 1024.0 * 1024.0 * 1024.0;
}

off_t file_size(const std::string &path) {
  struct stat info;
  return stat(path.c_str(), &info) == 0 ? info.st_size : -1;
}

TEST(Inputs, AFifoSocketOrDeviceGivenAsConfigIsRefusedWithoutOpeningIt) {
  SpecialFiles files;
  for (const auto &kind : files.kinds()) {
    std::string out, outdir = files.dir / "run";
    EXPECT_EQ(run("run " + kind.path + " -o " + outdir, &out), 2) << kind.path << "\n" << out;
    EXPECT_TRUE(contains(out, kind.path + ": " + kind.word)) << out;
    EXPECT_FALSE(exists(outdir));
    EXPECT_EQ(run("pulse-check " + kind.path, &out), 2) << kind.path << "\n" << out;
    EXPECT_TRUE(contains(out, kind.path + ": " + kind.word)) << out;
    EXPECT_EQ(run("config --dump " + kind.path, &out), 2) << kind.path << "\n" << out;
    EXPECT_TRUE(contains(out, kind.word)) << out;
  }
}

TEST(Inputs, AFifoSocketOrDeviceGivenAsSweepFileIsRefusedWithoutOpeningIt) {
  SpecialFiles files;
  for (const auto &kind : files.kinds()) {
    std::string out, outdir = files.dir / "sweep";
    EXPECT_EQ(run("sweep " + kind.path + " -o " + outdir, &out), 2) << kind.path << "\n" << out;
    EXPECT_TRUE(contains(out, kind.path + ": " + kind.word)) << out;
    EXPECT_FALSE(exists(outdir));
  }
}

// A sweep directory whose sweep.yaml is a FIFO: comparing it with the sweep
// file would block in its read; it is refused instead (under `timeout`).
TEST(Inputs, ASweepDirectoryWhoseSweepYamlIsAFifoIsRefusedWithoutReadingIt) {
  TempDir dir;
  std::string outdir = dir / "sweep", out;
  ASSERT_EQ(mkdir(outdir.c_str(), 0700), 0);
  ASSERT_EQ(mkfifo((outdir + "/sweep.yaml").c_str(), 0600), 0);
  EXPECT_EQ(shell("timeout 20 " + kExe + " sweep " + std::string(AIMC_SOURCE_DIR) +
                      "/configs/sweeps/adc-bits-x-sharing.yaml -o " + outdir + " 2>&1",
                  &out),
            2)
      << out;
  EXPECT_TRUE(contains(out, outdir + "/sweep.yaml: is a FIFO, not a regular file")) << out;
  EXPECT_FALSE(exists(outdir + "/points"));
}

TEST(Inputs, AFifoSocketOrDeviceGivenAsIdxFileIsRefusedWithoutOpeningIt) {
  SpecialFiles files;
  for (const auto &kind : files.kinds()) {
    std::string out;
    EXPECT_EQ(run("data check " + kind.path, &out), 2) << kind.path << "\n" << out;
    EXPECT_TRUE(contains(out, "IDX file " + kind.path + ": " + kind.word)) << out;
  }
}

TEST(Inputs, AFifoSocketOrDeviceGivenAsADataKeyIsRefusedBeforeTheRunStarts) {
  SpecialFiles files;
  for (const char *key : {"data.train_images", "data.train_labels", "data.test_images", "data.test_labels"}) {
    for (const auto &kind : files.kinds()) {
      std::string out, outdir = files.dir / "run";
      EXPECT_EQ(run("run " + kExperiments + "fcn-aimcsim.yaml -p " + key + "=" + kind.path + " -o " + outdir, &out), 2)
          << key << " " << kind.path << "\n"
          << out;
      EXPECT_TRUE(contains(out, std::string(key) + " " + kind.path + ": " + kind.word)) << out;
      EXPECT_FALSE(exists(outdir));
    }
  }
}

// What keeps a regression of the memory checks from taking the machine's
// memory: an address-space limit of about 4 GB, so that it fails to allocate
// (and the test fails) instead. AddressSanitizer reserves terabytes of address
// space for its shadow memory at start, which such a limit forbids; under it,
// its own resident-memory limit does the same.
#if defined(__SANITIZE_ADDRESS__)
const std::string kMemoryGuard = "ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:hard_rss_limit_mb=4000 ";
#else
const std::string kMemoryGuard = "ulimit -v 4000000; ";
#endif

TEST(Resources, PulseCheckIsRefusedBeforeAllocatingWhatExceedsTheMemoryLimit) {
  TempDir dir;
  std::string out, outdir = dir / "pc";
  // 4096 x 4096 cells: arrays, per-cell sums and cells.csv rendered in memory,
  // 9.56 GiB (pulse-check reached about 10 GB before it was estimated). The
  // address-space limit keeps a regression from taking the machine's memory:
  // it then fails to allocate instead (exit 1), which fails the test.
  const std::string args = "pulse-check " + kPulseCheck +
                           " -p pulse_check.rows=4096 -p pulse_check.cols=4096 -p chip.tile.rows=4096"
                           " -p chip.tile.cols=4096 -o " +
                           outdir;
  EXPECT_EQ(shell(kMemoryGuard + "AIMCSIM_MEMORY_LIMIT=100M timeout 60 " + kExe + " " + args, &out), 2) << out;
  EXPECT_TRUE(contains(
      out, "the pulse-check needs about 9.56 GiB of memory (arrays 3.75 GiB, per-cell sums 1.75 GiB, cells.csv 4 GiB)"))
      << out;
  EXPECT_TRUE(contains(out, "0.0977 GiB are available (AIMCSIM_MEMORY_LIMIT); it was not started")) << out;
  EXPECT_FALSE(exists(outdir));
}

TEST(Resources, PulseCheckIsRefusedWhenItsOutputsExceedTheDiskLimit) {
  TempDir dir;
  std::string out, outdir = dir / "pc";
  // cells.csv of 512 x 512 cells is about 64 MiB; a 1 MiB limit refuses it.
  EXPECT_EQ(run("pulse-check " + kPulseCheck +
                    " -p pulse_check.trials=2 -p pulse_check.rows=512 -p "
                    "pulse_check.cols=512 -p chip.tile.rows=512 -p chip.tile.cols=512 -o " +
                    outdir,
                &out, "AIMCSIM_DISK_LIMIT=1M"),
            2)
      << out;
  EXPECT_TRUE(contains(out, "of disk in " + outdir + " (cells.csv 0.0625 GiB")) << out;
  EXPECT_FALSE(exists(outdir));
  // Within the limit the same check runs and writes.
  EXPECT_EQ(run("pulse-check " + kPulseCheck + " -p pulse_check.trials=2 -o " + outdir, &out, "AIMCSIM_DISK_LIMIT=1G"),
            0)
      << out;
  EXPECT_TRUE(exists(outdir + "/cells.csv"));
}

TEST(Resources, PulseCheckRefusesAnOutdirAnotherProcessWrites) {
  TempDir dir;
  std::string out, outdir = dir / "pc";
  ASSERT_EQ(mkdir(outdir.c_str(), 0777), 0);
  int lock = -1;
  ASSERT_EQ(aimc_outdir_lock(outdir.c_str(), &lock), AIMC_OK);
  EXPECT_EQ(run("pulse-check " + kPulseCheck + " -p pulse_check.trials=2 -o " + outdir, &out), 2) << out;
  EXPECT_TRUE(contains(out, outdir + " is in use by process " + std::to_string(getpid()))) << out;
  EXPECT_FALSE(exists(outdir + "/pulse_check.json"));
  close(lock);
  EXPECT_EQ(run("pulse-check " + kPulseCheck + " -p pulse_check.trials=2 -o " + outdir, &out), 0) << out;
  EXPECT_TRUE(exists(outdir + "/pulse_check.json"));
}

TEST(Resources, AnFcnOnOneByOneTilesIsRefusedForItsPerTileMemory) {
  ASSERT_TRUE(exists(kFashion + "train-images-idx3-ubyte.gz"))
      << "dataset-fashion-mnist is installed by scripts/setup.sh";
  TempDir dir;
  std::string out, outdir = dir / "fcn";
  const std::string data = " -p data.train_images=" + kFashion +
                           "train-images-idx3-ubyte.gz -p data.train_labels=" + kFashion +
                           "train-labels-idx1-ubyte.gz -p data.test_images=" + kFashion +
                           "t10k-images-idx3-ubyte.gz -p data.test_labels=" + kFashion +
                           "t10k-labels-idx1-ubyte.gz -p data.train_limit=10 -p data.test_limit=10"
                           " -p experiment.epochs=1 --quiet --threads 1 -o " +
                           outdir;
  // 784-256-128-10 on 1 x 1 tiles: 234,752 tiles of 64 KiB each, 14.3 GiB,
  // though the cells alone are 19 MiB. The address-space limit stops a
  // regression that starts building them.
  EXPECT_EQ(shell(kMemoryGuard + "AIMCSIM_MEMORY_LIMIT=2G timeout 60 " + kExe + " run " + kExperiments +
                      "fcn-aimcsim.yaml -p chip.tile.rows=1 -p chip.tile.cols=1" + data,
                  &out),
            2)
      << out;
  EXPECT_TRUE(contains(out, "in 234752 tiles")) << out;
  EXPECT_TRUE(contains(out, "2 GiB are available (AIMCSIM_MEMORY_LIMIT)")) << out;
  EXPECT_FALSE(exists(outdir));
  // The same network on the reference tiles fits the same limit.
  EXPECT_EQ(shell("AIMCSIM_MEMORY_LIMIT=2G timeout 120 " + kExe + " run " + kExperiments + "fcn-aimcsim.yaml" + data, &out), 0)
      << out;
}

TEST(Resources, TheWaveformDiskEstimateIsWithinTwiceWhatIsWritten) {
  TempDir dir;
  // Least squares, traced over different lines, windows and steps.
  const std::vector<std::string> configs = {
      "-p least_squares.dim=64 -p experiment.steps=200 -p trace.rows=[0] -p trace.cols=[0,1,2,3,4,5,6,7] "
      "-p trace.last_step=199",
      "-p least_squares.dim=64 -p experiment.steps=100 -p trace.rows=[0] "
      "-p trace.cols=[0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15] -p trace.first_step=10 -p trace.last_step=59",
      "-p experiment.steps=300 -p trace.rows=[0] -p trace.cols=[0,1,2,3] -p trace.last_step=299",
  };
  int k = 0;
  for (const std::string &config : configs) {
    std::string out, outdir = dir / ("trace" + std::to_string(k++));
    const std::string args = config + " -p trace.enabled=true --threads 1";
    ASSERT_EQ(run("run " + args + " --quiet -o " + outdir, &out), 0) << out;
    double written = static_cast<double>(file_size(outdir + "/waveforms/trace.vcd"));
    double estimate = waveform_estimate(args);
    ASSERT_GT(written, 0.0);
    EXPECT_LE(estimate / written, 2.0) << config << ": estimate " << estimate << " bytes, written " << written;
    EXPECT_GE(estimate / written, 0.5) << config << ": estimate " << estimate << " bytes, written " << written;
  }
}

TEST(Resources, MalformedLimitVariablesAreRefusedByName) {
  TempDir dir;
  std::string outdir = dir / "run";
  for (const char *variable : {"AIMCSIM_MEMORY_LIMIT", "AIMCSIM_DISK_LIMIT"}) {
    for (const char *value : {"abc", "-1", "16777216T", "", "1Gx", " 1G", "1.5G", "0x10", "18446744073709551616"}) {
      std::string out;
      EXPECT_EQ(run("run -p experiment.steps=2 --quiet --threads 1 -o " + outdir, &out,
                    std::string(variable) + "='" + value + "'"),
                2)
          << variable << "='" << value << "'\n"
          << out;
      EXPECT_TRUE(contains(out, std::string(variable) + "='" + value + "' is not a byte count")) << out;
      EXPECT_FALSE(exists(outdir));
      EXPECT_EQ(run("pulse-check " + kPulseCheck + " -p pulse_check.trials=2", &out,
                    std::string(variable) + "='" + value + "'"),
                2)
          << variable << "='" << value << "'\n"
          << out;
      EXPECT_TRUE(contains(out, std::string(variable) + "='" + value + "' is not a byte count")) << out;
    }
    // A terminal escape in the value is quoted escaped, never raw.
    std::string out;
    EXPECT_EQ(run("run -p experiment.steps=2 --quiet -o " + outdir, &out, std::string(variable) + "='1G\x1b[2J'"), 2);
    EXPECT_TRUE(contains(out, std::string(variable) + "='1G\\x1b[2J' is not a byte count")) << out;
    EXPECT_FALSE(contains(out, "\x1b")) << out;
    // The largest value that fits, and one with a suffix, are accepted.
    EXPECT_EQ(
        run("run -p experiment.steps=2 --quiet --threads 1 -o " + outdir, &out, std::string(variable) + "=16777215T"),
        0)
        << out;
    std::system(("rm -rf " + outdir).c_str());
  }
}

TEST(Options, NumericOptionsAreParsedStrictlyNotIgnoredOrWrapped) {
  TempDir dir;
  std::string outdir = dir / "run";
  struct Case {
    std::string args, message;
  };
  const std::string ls = "run -p experiment.steps=2 --quiet -o " + outdir + " ";
  const std::vector<Case> cases = {
      {ls + "--checkpoint-every 18446744073709551616", "--checkpoint-every: '18446744073709551616' is not a count"},
      {ls + "--checkpoint-every 9223372036854775808", "--checkpoint-every: '9223372036854775808' is not a count"},
      {ls + "--checkpoint-every -1", "--checkpoint-every: '-1' is not a count"},
      {ls + "--checkpoint-every ' 5'", "--checkpoint-every: ' 5' is not a count"},
      {ls + "--checkpoint-every +5", "--checkpoint-every: '+5' is not a count"},
      {ls + "--checkpoint-every 12x", "--checkpoint-every: unknown unit 'x'"},
      {ls + "--seed ' 1'", "--seed needs an integer in [0, 2147483647], got ' 1'"},
      {ls + "--seed 99999999999999999999", "--seed needs an integer in [0, 2147483647]"},
      {ls + "--seed +1", "--seed needs an integer in [0, 2147483647], got '+1'"},
      {ls + "--threads ' 2'", "--threads needs an integer in [1, 1024], got ' 2'"},
      {"sweep " + std::string(AIMC_SOURCE_DIR) + "/configs/sweeps/adc-bits-x-sharing.yaml --dry-run -j ' 2'",
       "-j needs an integer in [1, 1024], got ' 2'"},
      {"sweep " + std::string(AIMC_SOURCE_DIR) + "/configs/sweeps/adc-bits-x-sharing.yaml --dry-run -j+2",
       "-j needs an integer in [1, 1024], got '+2'"},
      {"response " + kPulseCheck + " --pulses ' 10'", "--pulses needs an integer in [1, 10000000], got ' 10'"},
      {"response " + kPulseCheck + " --cell '1, 2'", "--cell needs ROW,COL"},
      {"response " + kPulseCheck + " --cell '+1,2'", "--cell needs ROW,COL"},
      {"demo --seed ' 1'", "--seed needs an integer in [0, 2147483647], got ' 1'"},
  };
  for (const Case &c : cases) {
    std::string out;
    EXPECT_EQ(run(c.args, &out), 2) << c.args << "\n" << out;
    EXPECT_TRUE(contains(out, c.message)) << c.args << "\n" << out;
    EXPECT_FALSE(exists(outdir)) << c.args;
  }
  // The same options with plain digits are taken.
  std::string out;
  EXPECT_EQ(run(ls + "--checkpoint-every 9223372036854775807 --seed 7 --threads 1", &out), 0) << out;
}

}  // namespace
