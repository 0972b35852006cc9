// Reliability of `aimcsim run` (docs/reliability.md): runs killed with SIGKILL
// at chosen points - before the first checkpoint, mid-run, mid-epoch, halfway
// through writing a checkpoint - and resumed end bit-identical to runs never
// interrupted; checkpoints that do not belong to the run are refused; runs that
// cannot fit are refused with the estimate; a diverging run stops with the
// fault named.
#include <gtest/gtest.h>

#include <sys/stat.h>
#include <zlib.h>

#include <cmath>
#include <cstring>
#include <iostream>
#include <map>
#include <random>

#include <string>
#include <vector>

#include "exe_support.h"

namespace {

using exe::read_file;
using exe::run;
using exe::shell;
using exe::TempDir;

const std::string kConfigs = std::string(AIMC_SOURCE_DIR) + "/configs/experiments/";
const std::string kFashion = "/usr/share/datasets/fashion-mnist/";

// metrics.csv without its last column (wall_s, the only one that may differ).
std::string metrics_without_wall(const std::string &dir) {
  std::istringstream in(read_file(dir + "/metrics.csv"));
  std::string line, out;
  while (std::getline(in, line)) out += line.substr(0, line.rfind(',')) + "\n";
  return out;
}

// Every result of two run directories that must agree bit for bit.
void expect_identical(const std::string &a, const std::string &b) {
  EXPECT_FALSE(read_file(a + "/metrics.csv").empty());
  EXPECT_EQ(metrics_without_wall(a), metrics_without_wall(b));
  for (const char *name : {"stats.json", "histograms.csv", "weights/layer0.idx", "weights/layer1.idx", "config.yaml"})
    EXPECT_EQ(read_file(a + "/" + name), read_file(b + "/" + name)) << name;
  std::string sa = read_file(a + "/summary.txt"), sb = read_file(b + "/summary.txt");
  auto without_wall = [](const std::string &s) {
    size_t at = s.find("wall time");
    return at == std::string::npos ? s : s.substr(0, at) + s.substr(s.find('\n', at));
  };
  EXPECT_EQ(without_wall(sa), without_wall(sb));
}

using exe::exists;

// Runs `args` into dir/whole, then again into dir/killed with the fault (the
// process kills itself with SIGKILL), resumes it (twice if the resumed run is
// killed again), and compares.
void kill_and_resume(const TempDir &dir, const std::string &args, const std::vector<std::string> &faults) {
  std::string whole = dir.path() + "/whole", killed = dir.path() + "/killed", out;
  ASSERT_EQ(run("run " + args + " --quiet -o " + whole, &out), 0) << out;
  ASSERT_EQ(shell("AIMCSIM_FAULT=" + faults[0] + " " + exe::kExe + " run " + args + " --quiet --threads 1 -o " + killed,
                  &out),
            128 + SIGKILL)
      << out;
  for (size_t k = 1; k < faults.size(); ++k)
    ASSERT_EQ(shell("AIMCSIM_FAULT=" + faults[k] + " " + exe::kExe + " run --resume " + killed + " --quiet", &out),
              128 + SIGKILL)
        << out;
  // Different thread counts: results do not depend on them.
  ASSERT_EQ(shell(exe::kExe + " run --resume " + killed + " --quiet --threads 2", &out), 0) << out;
  expect_identical(whole, killed);
  EXPECT_NE(read_file(killed + "/result.json").find("\"status\": \"completed\""), std::string::npos);
  // No temporary file is left behind.
  EXPECT_EQ(shell("ls -a " + killed + " | grep -c tmp", &out), 1) << out;
}

const std::string kLsTimed = "-p experiment.steps=150 --checkpoint-every 20";

}  // namespace

TEST(Resume, LeastSquaresKilledBeforeTheFirstCheckpointStartsAgain) {
  TempDir dir;
  kill_and_resume(dir, kLsTimed, {"kill-at-step=7"});
}

TEST(Resume, TimedAnalogSgdKilledMidRunAndAgainAfterResuming) {
  TempDir dir;
  kill_and_resume(dir, kLsTimed, {"kill-at-step=77", "kill-at-step=121"});
}

TEST(Resume, KilledHalfwayThroughWritingACheckpoint) {
  TempDir dir;
  // The third checkpoint (after step 60) is half written when the process dies:
  // the second one (step 40) is intact and the run continues from it.
  kill_and_resume(dir, kLsTimed, {"kill-in-checkpoint=3"});
}

TEST(Resume, TikiTakaKeepsItsFastArrayAndTransferColumn) {
  TempDir dir;
  kill_and_resume(dir,
                  kConfigs + "ls-tiki-taka.yaml -p experiment.steps=200 -p tiki_taka.n_reads_per_transfer=3 "
                             "--checkpoint-every 30",
                  {"kill-at-step=101"});
}

// Decay, diffusion and Tiki-Taka's column resets draw keyed random numbers and
// count their events in the arrays' state: a killed run resumes bit-identical,
// and the processes act (the run differs from one without them).
TEST(Resume, DecayDiffusionAndColumnResetsResumeBitIdentical) {
  TempDir dir;
  const std::string base = kConfigs + "ls-tiki-taka.yaml -p experiment.steps=200 --checkpoint-every 30 ";
  const std::string processes = "-p device.lifetime=400 -p device.diffusion=0.002 -p fast_device.lifetime=50 "
                                "-p fast_device.diffusion=0.001 -p tiki_taka.with_reset_prob=0.3 "
                                "-p fast_device.reset_std=0.01 ";
  kill_and_resume(dir, base + processes, {"kill-at-step=101"});
  std::string out, plain = dir.path() + "/plain";
  ASSERT_EQ(shell(exe::kExe + " run " + base + " --quiet --threads 1 -o " + plain, &out), 0) << out;
  EXPECT_NE(metrics_without_wall(plain), metrics_without_wall(dir.path() + "/whole"));
}

TEST(Resume, DigitalSgdUntimed) {
  TempDir dir;
  kill_and_resume(dir, "-p experiment.algorithm=digital_sgd -p experiment.steps=120 --no-timing --checkpoint-every 25",
                  {"kill-at-step=60"});
}

class ResumeNetwork : public ::testing::TestWithParam<const char *> {};

TEST_P(ResumeNetwork, KilledMidEpochResumesBitIdentical) {
  ASSERT_TRUE(exists(kFashion + "train-images-idx3-ubyte.gz")) << "dataset-fashion-mnist is installed by scripts/setup.sh";
  TempDir dir;
  std::string data = " -p data.train_images=" + kFashion + "train-images-idx3-ubyte.gz -p data.train_labels=" +
                     kFashion + "train-labels-idx1-ubyte.gz -p data.test_images=" + kFashion +
                     "t10k-images-idx3-ubyte.gz -p data.test_labels=" + kFashion +
                     "t10k-labels-idx1-ubyte.gz -p data.train_limit=80 -p data.test_limit=40 -p experiment.epochs=3";
  // 8 mini-batches of 10 per epoch: checkpoints after mini-batches 5, 10, 15, 20;
  // the kill at 13 is in the second epoch, 3 mini-batches after its last checkpoint.
  kill_and_resume(dir, kConfigs + GetParam() + data + " --checkpoint-every 5", {"kill-at-step=13"});
}

INSTANTIATE_TEST_SUITE_P(Algorithms, ResumeNetwork,
                         ::testing::Values("fcn-aimcsim.yaml -p experiment.algorithm=tiki_taka",
                                           "fcn-aimcsim.yaml -p experiment.algorithm=digital_sgd",
                                           "cnn-aimcsim.yaml -p experiment.algorithm=analog_sgd "
                                           "-p experiment.batch=10 --no-timing"),
                         [](const auto &info) { return std::string(info.index == 0 ? "FcnTikiTaka"
                                                                   : info.index == 1 ? "FcnDigital"
                                                                                     : "CnnAnalog"); });

TEST(Resume, EpochCheckpointsAndAnInterruptedRunContinue) {
  TempDir dir;
  std::string whole = dir.path() + "/whole", stopped = dir.path() + "/stopped", out;
  ASSERT_EQ(run("run -p experiment.steps=400 --quiet -o " + whole, &out), 0) << out;
  // SIGINT (sent by the process itself at step 123) writes a checkpoint at the
  // step boundary and exits 3.
  ASSERT_EQ(shell("AIMCSIM_FAULT=interrupt-at-step=123 " + exe::kExe + " run -p experiment.steps=400 --quiet "
                  "--threads 1 -o " + stopped, &out), 3) << out;
  EXPECT_TRUE(exists(stopped + "/checkpoint.bin")) << out;
  EXPECT_NE(read_file(stopped + "/result.json").find("\"status\": \"interrupted\""), std::string::npos);
  EXPECT_NE(read_file(stopped + "/result.json").find("\"samples_trained\": 123,"), std::string::npos);
  EXPECT_NE(out.find("aimcsim run --resume " + stopped), std::string::npos) << out;
  ASSERT_EQ(run("run --resume " + stopped + " --quiet", &out), 0) << out;
  expect_identical(whole, stopped);
  // A completed run has nothing to resume.
  ASSERT_EQ(run("run --resume " + stopped, &out), 0) << out;
  EXPECT_NE(out.find("completed run; nothing to resume"), std::string::npos) << out;
  // Epochs are a unit of the networks only.
  EXPECT_EQ(run("run -p experiment.steps=10 --checkpoint-every 2epochs -o " + dir.path() + "/e", &out), 2);
  EXPECT_NE(out.find("least squares has no epochs"), std::string::npos) << out;
  EXPECT_EQ(run("run -p experiment.steps=10 --checkpoint-every 0 -o " + dir.path() + "/z", &out), 2);
}

TEST(Resume, CheckpointsThatDoNotBelongAreRefused) {
  TempDir dir;
  std::string path = dir.path() + "/run", out;
  ASSERT_EQ(shell("AIMCSIM_FAULT=kill-at-step=50 " + exe::kExe + " run -p experiment.steps=100 --checkpoint-every 10 "
                  "--quiet --threads 1 -o " + path, &out), 128 + SIGKILL);
  // --resume fixes the configuration.
  EXPECT_EQ(run("run --resume " + path + " -p experiment.lr=0.2", &out), 2);
  EXPECT_NE(out.find("cannot be combined"), std::string::npos) << out;
  EXPECT_EQ(run("run --resume " + dir.path() + "/nothing", &out), 2);
  EXPECT_NE(out.find("not a run directory"), std::string::npos) << out;
  // A changed config.yaml no longer matches the checkpoint.
  std::string config = read_file(path + "/config.yaml");
  ASSERT_EQ(shell("sed -i 's/^  lr: 0.1$/  lr: 0.2/' " + path + "/config.yaml"), 0);
  ASSERT_NE(read_file(path + "/config.yaml"), config);
  EXPECT_EQ(run("run --resume " + path, &out), 2);
  EXPECT_NE(out.find("another configuration"), std::string::npos) << out;
  { std::ofstream(path + "/config.yaml", std::ios::binary) << config; }
  // A damaged checkpoint: one flipped byte fails the CRC; a truncated one, the header.
  std::string checkpoint = read_file(path + "/checkpoint.bin");
  ASSERT_GT(checkpoint.size(), 100u);
  std::string flipped = checkpoint;
  flipped[flipped.size() / 2] ^= 0x10;
  { std::ofstream(path + "/checkpoint.bin", std::ios::binary) << flipped; }
  EXPECT_EQ(run("run --resume " + path, &out), 2);
  EXPECT_NE(out.find("CRC mismatch"), std::string::npos) << out;
  { std::ofstream(path + "/checkpoint.bin", std::ios::binary) << checkpoint.substr(0, 4); }
  EXPECT_EQ(run("run --resume " + path, &out), 2);
  EXPECT_NE(out.find("not an aimcsim checkpoint"), std::string::npos) << out;
  // Intact again, it resumes.
  { std::ofstream(path + "/checkpoint.bin", std::ios::binary) << checkpoint; }
  EXPECT_EQ(run("run --resume " + path + " --quiet", &out), 0) << out;
}

namespace {

// Little-endian integers of a checkpoint's bytes, and its CRC made right again,
// so that a damaged field reaches the reader behind the CRC check.
void put_le(std::string *bytes, size_t at, uint64_t value, int width) {
  for (int k = 0; k < width; ++k) (*bytes)[at + k] = static_cast<char>(value >> (8 * k));
}
uint64_t get_le(const std::string &bytes, size_t at, int width) {
  uint64_t value = 0;
  for (int k = 0; k < width; ++k) value |= static_cast<uint64_t>(static_cast<unsigned char>(bytes[at + k])) << (8 * k);
  return value;
}
void fix_crc(std::string *bytes) {
  uLong crc = crc32(0L, reinterpret_cast<const Bytef *>(bytes->data()), static_cast<uInt>(bytes->size() - 4));
  put_le(bytes, bytes->size() - 4, crc, 4);
}
// Offset of the body of the section with the tag, and its length.
size_t find_section(const std::string &bytes, const char tag[5], uint64_t *length) {
  size_t at = 16;
  while (at + 12 <= bytes.size() - 4) {
    uint64_t n = get_le(bytes, at + 4, 8);
    if (bytes.compare(at, 4, tag) == 0) {
      *length = n;
      return at + 12;
    }
    at += 12 + n;
  }
  return std::string::npos;
}

}  // namespace

// Checkpoints with a valid CRC but a damaged field: each is refused with its
// specific error (or, for a NaN weight, stops at the named numerical fault).
TEST(Resume, DamagedFieldsBehindAValidCrcAreRefusedEach) {
  TempDir dir;
  std::string path = dir.path() + "/run", out;
  ASSERT_EQ(shell("AIMCSIM_FAULT=kill-at-step=50 " + exe::kExe + " run -p experiment.algorithm=digital_sgd "
                  "-p experiment.steps=100 --checkpoint-every 10 --quiet --threads 1 -o " + path, &out), 128 + SIGKILL);
  std::string analog = dir.path() + "/analog";
  ASSERT_EQ(shell("AIMCSIM_FAULT=kill-at-step=50 " + exe::kExe + " run -p experiment.steps=100 --checkpoint-every 10 "
                  "--quiet --threads 1 -o " + analog, &out), 128 + SIGKILL);
  const std::string good = read_file(path + "/checkpoint.bin"), good_analog = read_file(analog + "/checkpoint.bin");
  struct Case {
    const char *what;
    std::string bytes;
    std::string dir;
    int status;
    const char *message;
  };
  std::vector<Case> cases;
  auto add = [&](const char *what, std::string bytes, const std::string &where, int status, const char *message) {
    fix_crc(&bytes);
    cases.push_back({what, bytes, where, status, message});
  };
  std::string b = good;
  b[0] = 'X';
  add("magic", b, path, 2, "not an aimcsim checkpoint");
  b = good;
  put_le(&b, 8, 99, 4);
  add("version", b, path, 2, "checkpoint version 99; this aimcsim reads version 1");
  b = good;
  put_le(&b, 12, 1000000, 4);
  add("section count", b, path, 2, "1000000 sections (at most 16)");
  b = good;
  put_le(&b, 20, uint64_t{1} << 60, 8);
  add("huge section length", b, path, 2, "section 0 at byte 16 runs past the end of the file");
  uint64_t length = 0;
  size_t work = find_section(good, "WORK", &length);
  ASSERT_NE(work, std::string::npos);
  b = good;
  put_le(&b, work, 1000000, 8);  // the step
  add("step beyond the run", b, path, 2, "step 1000000, column 0 or dimension 40 out of range");
  b = good;
  put_le(&b, work + length - 4, 0x7fc00000u, 4);  // the last weight: NaN
  add("NaN weight", b, path, 2, "checkpoint.bin: the least-squares weights: value 39 is nan, not a finite number");
  b = good.substr(0, work + 8) + good.substr(work + length);  // WORK cut short, lengths patched
  put_le(&b, work - 8, 8, 8);
  add("workload section truncated", b, path, 2, "checkpoint (least squares): truncated or malformed");
  uint64_t chip_length = 0;
  size_t chip = find_section(good_analog, "CHIP", &chip_length);
  ASSERT_NE(chip, std::string::npos);
  b = good_analog;
  size_t name = b.find("controller", chip);
  ASSERT_NE(name, std::string::npos);
  b[name] = 'k';
  add("component renamed", b, analog, 2, "hardware state: component 'kontroller' where 'controller' was expected");
  for (const Case &c : cases) {
    { std::ofstream(c.dir + "/checkpoint.bin", std::ios::binary) << c.bytes; }
    EXPECT_EQ(run("run --resume " + c.dir + " --quiet", &out), c.status) << c.what << "\n" << out;
    EXPECT_NE(out.find(c.message), std::string::npos) << c.what << "\n" << out;
    EXPECT_EQ(out.find("runtime error"), std::string::npos) << out;
    EXPECT_EQ(out.find("AddressSanitizer"), std::string::npos) << out;
    { std::ofstream(path + "/checkpoint.bin", std::ios::binary) << good; }
    { std::ofstream(analog + "/checkpoint.bin", std::ios::binary) << good_analog; }
  }
}

TEST(Resources, ARunThatCannotFitIsRefusedWithTheEstimate) {
  TempDir dir;
  std::string out, path = dir.path() + "/big";
  // A = 100,000 x 100,000 floats is 37.3 GiB, the weights 782 tiles of 64 KiB
  // more: more than a 1 GiB limit, refused before the run directory is created.
  EXPECT_EQ(shell("AIMCSIM_MEMORY_LIMIT=1G " + exe::kExe + " run -p least_squares.rows=100000 "
                  "-p least_squares.dim=100000 --threads 1 -o " + path, &out), 2);
  EXPECT_NE(out.find("needs about 37.4 GiB of memory"), std::string::npos) << out;
  EXPECT_NE(out.find("1 GiB are available (AIMCSIM_MEMORY_LIMIT)"), std::string::npos) << out;
  EXPECT_FALSE(exists(path));
  // Disk: a waveform of 2,500 steps x (160 bytes + 24 for the device + 2 lines x
  // 200 + the default's 100 non-perfect reads x 48 for the row's ADC code) is
  // 13,462,048 bytes, 0.0125 GiB (resources.h), more than a 1 MiB limit.
  EXPECT_EQ(shell("AIMCSIM_DISK_LIMIT=1M " + exe::kExe + " run -p trace.enabled=true -p trace.rows=[0] "
                  "-p trace.cols=[0] -p trace.last_step=100000 --threads 1 -o " + path, &out), 2);
  EXPECT_NE(out.find("of disk"), std::string::npos) << out;
  EXPECT_NE(out.find("waveforms 0.0125 GiB"), std::string::npos) << out;
  EXPECT_FALSE(exists(path));
  // Within the limits the same configuration runs.
  EXPECT_EQ(shell("AIMCSIM_DISK_LIMIT=1G " + exe::kExe + " run -p experiment.steps=3 --quiet --threads 1 -o " + path,
                  &out), 0) << out;
}

TEST(Diverge, ALearningRateFarTooLargeStopsWithTheFaultNamed) {
  TempDir dir;
  std::string out, path = dir.path() + "/ls";
  // Digital SGD on least squares with lr = 100 multiplies the error by about
  // 1 - 2 lr lambda per step (|.| >> 1): the gradient overflows to Inf.
  EXPECT_EQ(run("run -p experiment.algorithm=digital_sgd -p experiment.lr=100 --quiet -o " + path, &out), 1);
  EXPECT_NE(out.find("least squares: step "), std::string::npos) << out;
  EXPECT_NE(out.find("layer 0"), std::string::npos) << out;
  EXPECT_NE(out.find("diverged"), std::string::npos) << out;
  // The results so far are kept.
  EXPECT_FALSE(read_file(path + "/metrics.csv").empty());
  EXPECT_NE(read_file(path + "/result.json").find("\"status\": \"failed\""), std::string::npos);
  ASSERT_TRUE(exists(kFashion + "train-images-idx3-ubyte.gz"));
  std::string net = dir.path() + "/fcn";
  EXPECT_EQ(run("run " + kConfigs + "fcn-aimcsim.yaml -p experiment.algorithm=digital_sgd -p experiment.lr=1e37 "
                "-p data.train_images=" + kFashion + "train-images-idx3-ubyte.gz -p data.train_labels=" + kFashion +
                "train-labels-idx1-ubyte.gz -p data.test_images=" + kFashion + "t10k-images-idx3-ubyte.gz "
                "-p data.test_labels=" + kFashion + "t10k-labels-idx1-ubyte.gz -p data.train_limit=100 "
                "-p data.test_limit=10 --quiet -o " + net, &out), 1);
  // lr = 1e37 makes the weights of the last layer so large in the first update
  // that its outputs overflow in the next forward pass.
  EXPECT_NE(out.find("mini-batch"), std::string::npos) << out;
  EXPECT_NE(out.find("layer 2: its activations are not finite"), std::string::npos) << out;
}

namespace {

// Every file of a run directory but its checkpoint, name -> bytes.
std::map<std::string, std::string> files_of(const std::string &dir) {
  std::string listing;
  // The lock file (it names the last process that held the directory) is not content.
  shell("cd " + dir + " && find . -type f ! -name checkpoint.bin ! -name .aimcsim.lock | sort", &listing);
  std::map<std::string, std::string> files;
  std::istringstream in(listing);
  std::string name;
  while (std::getline(in, name)) files[name] = read_file(dir + "/" + name);
  return files;
}

void put_f64(std::string *bytes, size_t at, double value) {
  uint64_t bits;
  std::memcpy(&bits, &value, sizeof bits);
  put_le(bytes, at, bits, 8);
}

void put_f32(std::string *bytes, size_t at, float value) {
  uint32_t bits;
  std::memcpy(&bits, &value, sizeof bits);
  put_le(bytes, at, bits, 4);
}

// An analog least-squares run (40 weights on one 1 x 40 tile) killed at step 50
// of 100, with checkpoints every 10 steps.
std::string stopped_analog_run(const TempDir &dir, const std::string &name) {
  std::string path = dir.path() + "/" + name, out;
  EXPECT_EQ(shell("AIMCSIM_FAULT=kill-at-step=50 " + exe::kExe + " run -p experiment.steps=100 --checkpoint-every 10 "
                  "--quiet --threads 1 -o " + path, &out), 128 + SIGKILL) << out;
  return path;
}

}  // namespace

// A CRC says the bytes are those written, not that they mean something this
// run could have reached: every field class with an impossible value behind a
// recomputed CRC is refused by the field's name, exit 2, and the run directory
// keeps every byte it had.
TEST(Resume, ImpossibleValuesBehindAValidCrcAreRefusedByFieldWritingNothing) {
  TempDir dir;
  const std::string path = stopped_analog_run(dir, "run");
  const std::string good = read_file(path + "/checkpoint.bin");
  const auto before = files_of(path);
  uint64_t run_length = 0, metrics_length = 0, work_length = 0, chip_length = 0;
  size_t run_at = find_section(good, "RUN_", &run_length), metrics_at = find_section(good, "MTRC", &metrics_length);
  size_t work = find_section(good, "WORK", &work_length), chip = find_section(good, "CHIP", &chip_length);
  ASSERT_NE(run_at, std::string::npos);
  ASSERT_NE(metrics_at, std::string::npos);
  ASSERT_NE(work, std::string::npos);
  ASSERT_NE(chip, std::string::npos);
  // The tile's array state: rows 1, cols 40, a hash, no write noise, 40 weights, then its event counters.
  const std::string shape("\x01\x00\x00\x00\x28\x00\x00\x00", 8);
  size_t array = good.find(shape, chip);
  ASSERT_NE(array, std::string::npos);
  size_t weights = array + 8 + 8 + 1, events = weights + 40 * 4;
  size_t program_energy = good.find("program_energy", chip);
  ASSERT_NE(program_energy, std::string::npos);
  struct Case {
    const char *what;
    std::string bytes;
    const char *message;
  };
  std::vector<Case> cases;
  auto add = [&](const char *what, std::string bytes, const char *message) {
    fix_crc(&bytes);
    cases.push_back({what, bytes, message});
  };
  std::string b = good;
  put_f64(&b, run_at + 16, -3.5e72);
  add("energy", b, "checkpoint.bin: the test-read energy is -3.5e+72 J, not a finite non-negative number");
  b = good;
  put_le(&b, run_at + 8, 210000000000000ull, 8);
  add("samples", b, "checkpoint.bin: the steps trained is 210000000000000, more than the 100 steps planned");
  b = good;
  put_le(&b, run_at + 8, 49, 8);
  add("samples and step disagree", b, "checkpoint.bin: the steps trained (49) and the workload's step (50) differ");
  b = good;
  put_f64(&b, run_at + 40, std::nan(""));
  add("wall time", b, "checkpoint.bin: the wall time is nan s, not a finite non-negative number");
  b = good;
  put_f64(&b, metrics_at + 8 + 11 * 8, -1.0);  // row 0, energy_j
  add("metrics energy", b, "checkpoint.bin: metrics row 0: energy_j is -1, not a finite non-negative number");
  b = good;
  put_f64(&b, metrics_at + 8 + 5 * 8, 7.0);  // row 0, test_accuracy
  add("metrics accuracy", b, "checkpoint.bin: metrics row 0: test_accuracy is 7, not in [0, 1]");
  b = good;
  put_f64(&b, work + 12, HUGE_VAL);
  add("tail", b, "checkpoint.bin: the tail of f - f* (entry 0) is inf, not a finite number");
  b = good;
  put_f32(&b, weights, 5.0f);
  add("weight outside the device", b, "the weight at row 0, column 0 is 5, outside its device's bounds");
  b = good;
  put_f32(&b, weights + 4, std::nanf(""));
  add("NaN weight on the chip", b, "the weight at row 0, column 1 is nan, outside its device's bounds");
  b = good;
  put_le(&b, events, get_le(good, events, 8) + 1, 8);
  add("random-stream counter", b, "the random-stream counters (");
  b = good;
  put_f64(&b, program_energy + 14 + 8, -1.0);
  add("tile energy", b, "program_energy of the tile is -1, not a finite non-negative number");
  for (const Case &c : cases) {
    { std::ofstream(path + "/checkpoint.bin", std::ios::binary) << c.bytes; }
    std::string out;
    EXPECT_EQ(run("run --resume " + path + " --quiet", &out), 2) << c.what << "\n" << out;
    EXPECT_NE(out.find(c.message), std::string::npos) << c.what << "\n" << out;
    EXPECT_TRUE(files_of(path) == before) << c.what << ": the run directory changed";
  }
  // Intact, it resumes and completes.
  { std::ofstream(path + "/checkpoint.bin", std::ios::binary) << good; }
  std::string out;
  EXPECT_EQ(run("run --resume " + path + " --quiet", &out), 0) << out;
}

// A checkpoint cut short (a copy that stopped, a full disk) is reported as
// truncated, not only as a CRC mismatch, exit 2, nothing written.
TEST(Resume, ATruncatedCheckpointIsReportedAsTruncated) {
  TempDir dir;
  const std::string path = stopped_analog_run(dir, "run");
  const std::string good = read_file(path + "/checkpoint.bin");
  const auto before = files_of(path);
  for (size_t size : {size_t{12}, size_t{100}, good.size() / 2, good.size() - 1}) {
    { std::ofstream(path + "/checkpoint.bin", std::ios::binary) << good.substr(0, size); }
    std::string out;
    EXPECT_EQ(run("run --resume " + path + " --quiet", &out), 2) << size << "\n" << out;
    EXPECT_NE(out.find("checkpoint: truncated ("), std::string::npos) << size << "\n" << out;
    EXPECT_TRUE(files_of(path) == before) << size;
  }
}

// A fixed-seed campaign: 200 checkpoints, each with one random byte changed
// and its CRC recomputed. Each is refused (exit 2) or resumes to a run whose
// outputs are all possible: every metrics cell finite or empty, times and
// energies non-negative, accuracies in [0, 1], result.json completed. Never a
// crash, never another exit status.
TEST(Resume, RandomDamageBehindAValidCrcIsRefusedOrHarmless) {
  TempDir dir;
  const std::string path = stopped_analog_run(dir, "run");
  const std::string good = read_file(path + "/checkpoint.bin");
  const std::string stash = dir.path() + "/stash";
  ASSERT_EQ(shell("cp -a " + path + " " + stash), 0);
  std::mt19937_64 random(20261207);
  int refused = 0, accepted = 0;
  for (int trial = 0; trial < 200; ++trial) {
    std::string b = good;
    size_t at = 16 + random() % (good.size() - 20);
    b[at] = static_cast<char>(b[at] ^ static_cast<char>(1 + random() % 255));
    fix_crc(&b);
    ASSERT_EQ(shell("rm -rf " + path + " && cp -a " + stash + " " + path), 0);
    { std::ofstream(path + "/checkpoint.bin", std::ios::binary) << b; }
    std::string out;
    int status = run("run --resume " + path + " --quiet --threads 1", &out);
    ASSERT_TRUE(status == 0 || status == 2) << "byte " << at << ": exit " << status << "\n" << out;
    if (status == 2) {
      ++refused;
      continue;
    }
    ++accepted;
    EXPECT_NE(read_file(path + "/result.json").find("\"status\": \"completed\""), std::string::npos) << at;
    for (const auto &row : exe::read_csv_rows(path + "/metrics.csv")) {
      for (const auto &[name, text] : row) {
        if (text.empty() || name == "wall_s") continue;
        double v = std::strtod(text.c_str(), nullptr);
        EXPECT_TRUE(std::isfinite(v)) << "byte " << at << ": " << name << " = " << text;
        if (name.rfind("energy", 0) == 0 || name == "sim_time_s" || name == "step" || name == "epoch") {
          EXPECT_GE(v, 0.0) << "byte " << at << ": " << name;
        }
        if (name.find("accuracy") != std::string::npos || name == "saturation") {
          EXPECT_GE(v, 0.0) << "byte " << at << ": " << name;
          EXPECT_LE(v, 1.0) << "byte " << at << ": " << name;
        }
      }
    }
  }
  std::cout << "random damage: " << refused << " refused, " << accepted << " accepted\n";
  EXPECT_EQ(refused + accepted, 200);
  EXPECT_GT(refused, 0);
}

// The network's position and per-layer fields behind a recomputed CRC: the
// position must be one the run reaches and agree with the samples trained,
// the running loss is non-negative, Tiki-Taka's transfer column lies below
// the layer's columns and the output scales are finite; each is refused by
// name, exit 2, the run directory unchanged.
TEST(Resume, ImpossibleNetworkPositionsAndLayerFieldsAreRefusedByField) {
  ASSERT_TRUE(exists(kFashion + "train-images-idx3-ubyte.gz")) << "dataset-fashion-mnist is installed by scripts/setup.sh";
  TempDir dir;
  std::string path = dir.path() + "/run", out;
  std::string data = " -p data.train_images=" + kFashion + "train-images-idx3-ubyte.gz -p data.train_labels=" + kFashion +
                     "train-labels-idx1-ubyte.gz -p data.test_images=" + kFashion +
                     "t10k-images-idx3-ubyte.gz -p data.test_labels=" + kFashion +
                     "t10k-labels-idx1-ubyte.gz -p data.train_limit=80 -p data.test_limit=40 -p experiment.epochs=3";
  // 8 mini-batches of 10 per epoch; the last checkpoint before the kill is
  // after mini-batch 10: epoch 2, sample 20, 100 samples trained.
  ASSERT_EQ(shell("AIMCSIM_FAULT=kill-at-step=13 " + exe::kExe + " run " + kConfigs +
                  "fcn-aimcsim.yaml -p experiment.algorithm=tiki_taka" + data +
                  " --checkpoint-every 5 --quiet --threads 1 -o " + path, &out), 128 + SIGKILL) << out;
  const std::string good = read_file(path + "/checkpoint.bin");
  const auto before = files_of(path);
  uint64_t run_length = 0, work_length = 0;
  size_t run_at = find_section(good, "RUN_", &run_length), work = find_section(good, "WORK", &work_length);
  ASSERT_NE(run_at, std::string::npos);
  ASSERT_NE(work, std::string::npos);
  ASSERT_EQ(get_le(good, work, 4), 1u);       // epoch 2 (0-based 1)
  ASSERT_EQ(get_le(good, work + 4, 8), 20u);  // sample 20
  ASSERT_EQ(get_le(good, run_at + 8, 8), 100u);
  const uint64_t columns = get_le(good, work + 56, 8);  // layer 0's inputs
  struct Case {
    const char *what;
    std::string bytes;
    std::string message;
  };
  std::vector<Case> cases;
  auto add = [&](const char *what, std::string bytes, const std::string &message) {
    fix_crc(&bytes);
    cases.push_back({what, bytes, message});
  };
  std::string b = good;
  put_le(&b, run_at + 8, 210000000000000ull, 8);
  add("samples", b, "checkpoint.bin: the samples trained (210000000000000) are not the 100 of epoch 2, sample 20");
  b = good;
  put_le(&b, work + 12, 11, 8);
  add("mini-batch", b, "checkpoint.bin: the mini-batch count (11) does not match epoch 2, sample 20");
  b = good;
  put_le(&b, work + 36, 10, 8);
  add("seen", b, "checkpoint.bin: the position (epoch 2, sample 20, 10 seen) is not one a run reaches");
  b = good;
  put_f64(&b, work + 20, -3.5e72);
  add("running loss", b, "checkpoint.bin: the running loss of the epoch is -3.5e+72, not a finite non-negative number");
  b = good;
  put_le(&b, work + 72, columns, 4);
  add("transfer column", b, "checkpoint.bin: the transfer column of layer 0 is " + std::to_string(columns) +
                                ", not below its " + std::to_string(columns) + " columns");
  b = good;
  put_f32(&b, work + 76, std::nanf(""));
  add("output scale", b, "checkpoint.bin: output scales of layer 0: value 0 is nan, not a finite number");
  for (const Case &c : cases) {
    { std::ofstream(path + "/checkpoint.bin", std::ios::binary) << c.bytes; }
    EXPECT_EQ(run("run --resume " + path + " --quiet", &out), 2) << c.what << "\n" << out;
    EXPECT_NE(out.find(c.message), std::string::npos) << c.what << "\n" << out;
    EXPECT_TRUE(files_of(path) == before) << c.what << ": the run directory changed";
  }
  { std::ofstream(path + "/checkpoint.bin", std::ios::binary) << good; }
  EXPECT_EQ(run("run --resume " + path + " --quiet", &out), 0) << out;
}
