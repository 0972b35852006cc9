// Reliability of `aimcsim run` (docs/reliability.md): runs killed with SIGKILL
// at chosen points - before the first checkpoint, mid-run, mid-epoch, halfway
// through writing a checkpoint - and resumed end bit-identical to runs never
// interrupted; checkpoints that do not belong to the run are refused; runs that
// cannot fit are refused with the estimate; a diverging run stops with the
// fault named.
#include <gtest/gtest.h>

#include <sys/stat.h>
#include <zlib.h>

#include <cstring>

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
                         ::testing::Values("fcn.yaml -p experiment.algorithm=tiki_taka",
                                           "fcn.yaml -p experiment.algorithm=digital_sgd",
                                           "cnn.yaml -p experiment.algorithm=analog_sgd "
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
  EXPECT_EQ(run("run --resume " + path, &out), 1);
  EXPECT_NE(out.find("another configuration"), std::string::npos) << out;
  { std::ofstream(path + "/config.yaml", std::ios::binary) << config; }
  // A damaged checkpoint: one flipped byte fails the CRC; a truncated one, the header.
  std::string checkpoint = read_file(path + "/checkpoint.bin");
  ASSERT_GT(checkpoint.size(), 100u);
  std::string flipped = checkpoint;
  flipped[flipped.size() / 2] ^= 0x10;
  { std::ofstream(path + "/checkpoint.bin", std::ios::binary) << flipped; }
  EXPECT_EQ(run("run --resume " + path, &out), 1);
  EXPECT_NE(out.find("CRC mismatch"), std::string::npos) << out;
  { std::ofstream(path + "/checkpoint.bin", std::ios::binary) << checkpoint.substr(0, 10); }
  EXPECT_EQ(run("run --resume " + path, &out), 1);
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
  add("magic", b, path, 1, "not an aimcsim checkpoint");
  b = good;
  put_le(&b, 8, 99, 4);
  add("version", b, path, 1, "checkpoint version 99; this aimcsim reads version 1");
  b = good;
  put_le(&b, 12, 1000000, 4);
  add("section count", b, path, 1, "1000000 sections (at most 16)");
  b = good;
  put_le(&b, 20, uint64_t{1} << 60, 8);
  add("huge section length", b, path, 1, "section 0 at byte 16 runs past the end of the file");
  uint64_t length = 0;
  size_t work = find_section(good, "WORK", &length);
  ASSERT_NE(work, std::string::npos);
  b = good;
  put_le(&b, work, 1000000, 8);  // the step
  add("step beyond the run", b, path, 1, "step 1000000, column 0 or dimension 40 out of range");
  b = good;
  put_le(&b, work + length - 4, 0x7fc00000u, 4);  // the last weight: NaN
  add("NaN weight", b, path, 1, "layer 0: gradient[");
  b = good.substr(0, work + 8) + good.substr(work + length);  // WORK cut short, lengths patched
  put_le(&b, work - 8, 8, 8);
  add("workload section truncated", b, path, 1, "checkpoint (least squares): truncated or malformed");
  uint64_t chip_length = 0;
  size_t chip = find_section(good_analog, "CHIP", &chip_length);
  ASSERT_NE(chip, std::string::npos);
  b = good_analog;
  size_t name = b.find("controller", chip);
  ASSERT_NE(name, std::string::npos);
  b[name] = 'k';
  add("component renamed", b, analog, 1, "hardware state: component 'kontroller' where 'controller' was expected");
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
  // 200) is 0.00136 GiB (resources.h), more than a 1 MiB limit.
  EXPECT_EQ(shell("AIMCSIM_DISK_LIMIT=1M " + exe::kExe + " run -p trace.enabled=true -p trace.rows=[0] "
                  "-p trace.cols=[0] -p trace.last_step=100000 --threads 1 -o " + path, &out), 2);
  EXPECT_NE(out.find("of disk"), std::string::npos) << out;
  EXPECT_NE(out.find("waveforms 0.00136 GiB"), std::string::npos) << out;
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
  EXPECT_EQ(run("run " + kConfigs + "fcn.yaml -p experiment.algorithm=digital_sgd -p experiment.lr=1e37 "
                "-p data.train_images=" + kFashion + "train-images-idx3-ubyte.gz -p data.train_labels=" + kFashion +
                "train-labels-idx1-ubyte.gz -p data.test_images=" + kFashion + "t10k-images-idx3-ubyte.gz "
                "-p data.test_labels=" + kFashion + "t10k-labels-idx1-ubyte.gz -p data.train_limit=100 "
                "-p data.test_limit=10 --quiet -o " + net, &out), 1);
  // lr = 1e37 makes the weights of the last layer so large in the first update
  // that its outputs overflow in the next forward pass.
  EXPECT_NE(out.find("mini-batch"), std::string::npos) << out;
  EXPECT_NE(out.find("layer 2: its activations are not finite"), std::string::npos) << out;
}
