// What `aimcsim run` (and `sweep`) may write, and when (docs/training.md):
// the waveform goes only to OUTDIR/waveforms/NAME.vcd and
// never through a symbolic link; one process writes a run directory at a time;
// a refused start changes nothing on disk; a refused --resume leaves the results
// byte-identical; stale temporaries of a killed run go away on the next start;
// a failed run says so in summary.txt.
#include <gtest/gtest.h>

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "aimc_sim/fileio.h"
#include "exe_support.h"

extern char **environ;

namespace {

using exe::exists;
using exe::read_file;
using exe::run;
using exe::shell;
using exe::TempDir;
using exe::write_file;

const std::string kLs = std::string(AIMC_SOURCE_DIR) + "/configs/experiments/ls-fig1.yaml";

bool is_symlink(const std::string &path) {
  struct stat info;
  return lstat(path.c_str(), &info) == 0 && S_ISLNK(info.st_mode);
}

// Starts `aimcsim run ARGS` as a child of this process (output to log).
pid_t spawn_run(const std::vector<std::string> &args, const std::string &log) {
  std::vector<std::string> all = {exe::kExe, "run"};
  all.insert(all.end(), args.begin(), args.end());
  std::vector<char *> argv;
  for (std::string &a : all) argv.push_back(a.data());
  argv.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 1, log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_adddup2(&actions, 1, 2);
  pid_t pid = -1;
  if (posix_spawn(&pid, argv[0], &actions, nullptr, argv.data(), environ) != 0) pid = -1;
  posix_spawn_file_actions_destroy(&actions);
  return pid;
}

// Ends a spawned process still running when a test stops early.
struct Reaper {
  pid_t pid;
  ~Reaper() {
    if (pid > 0 && waitpid(pid, nullptr, WNOHANG) == 0) {
      kill(pid, SIGKILL);
      waitpid(pid, nullptr, 0);
    }
  }
};

// Waits (up to 30 s) until the file exists.
bool wait_for(const std::string &path) {
  for (int k = 0; k < 300; ++k) {
    if (exists(path)) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return false;
}

// ---- §1: the waveform path ----

TEST(RunSafety, TraceVcdOutsideWaveformsIsRefusedWithTheKeysPosition) {
  TempDir dir;
  std::string out;
  // The run's own outputs, a parent directory, an absolute path: each refused
  // where the key is written, before OUTDIR exists, and nothing is written.
  const char *const paths[] = {"metrics.csv", "config.yaml", "checkpoint.bin", "../x.vcd", "waveforms/../x.vcd",
                               "waveforms/.hidden.vcd", "waveforms/sub/x.vcd", "waveforms/x.vcd.tmp.1"};
  for (const char *vcd : paths) {
    std::string config = dir / "c.yaml";
    write_file(config, std::string("experiment:\n  steps: 3\ntrace:\n  enabled: true\n  vcd: '") + vcd + "'\n");
    EXPECT_EQ(run("run " + config + " --quiet -o " + (dir / "out"), &out), 2) << vcd << "\n" << out;
    EXPECT_NE(out.find(config + ":5:8:"), std::string::npos) << out;
    EXPECT_NE(out.find("trace.vcd '" + std::string(vcd) + "' must be waveforms/NAME.vcd"), std::string::npos) << out;
    EXPECT_FALSE(exists(dir / "out")) << vcd;
    EXPECT_FALSE(exists(dir / "x.vcd")) << vcd;
  }
  // An override is named as the override.
  std::string target = dir / "outside.vcd";
  EXPECT_EQ(run("run -p experiment.steps=3 -p trace.enabled=true -p trace.vcd=" + target + " --quiet -o " +
                    (dir / "out"),
                &out),
            2)
      << out;
  EXPECT_NE(out.find("-p trace.vcd=" + target + ": invalid section 'trace': trace.vcd"), std::string::npos) << out;
  EXPECT_FALSE(exists(target));
  EXPECT_FALSE(exists(dir / "out"));
}

TEST(RunSafety, TraceNeverWritesThroughASymbolicLinkOrOntoANonRegularFile) {
  TempDir dir;
  std::string out, outdir = dir / "run", victim = dir / "victim.txt";
  write_file(victim, "keep me\n");
  ASSERT_EQ(shell("mkdir -p " + outdir + "/waveforms && ln -s " + victim + " " + outdir + "/waveforms/trace.vcd"), 0);
  EXPECT_EQ(run("run -p experiment.steps=3 -p trace.enabled=true --quiet --force -o " + outdir, &out), 2) << out;
  EXPECT_NE(out.find("waveforms/trace.vcd exists and is not a regular file"), std::string::npos) << out;
  EXPECT_EQ(read_file(victim), "keep me\n");
  EXPECT_TRUE(is_symlink(outdir + "/waveforms/trace.vcd"));
  EXPECT_FALSE(exists(outdir + "/config.yaml"));
  // waveforms/ itself a link to a directory elsewhere: refused, nothing lands there.
  std::string elsewhere = dir / "elsewhere", outdir2 = dir / "run2";
  ASSERT_EQ(shell("mkdir -p " + elsewhere + " " + outdir2 + " && ln -s " + elsewhere + " " + outdir2 + "/waveforms"), 0);
  EXPECT_EQ(run("run -p experiment.steps=3 -p trace.enabled=true --quiet --force -o " + outdir2, &out), 2) << out;
  EXPECT_NE(out.find("waveforms exists and is not a directory"), std::string::npos) << out;
  EXPECT_EQ(shell("ls -A " + elsewhere, &out), 0);
  EXPECT_EQ(out, "");
}

// ---- §2: one writer per run directory ----

TEST(RunSafety, ASecondRunIntoADirectoryInUseExitsWith2NamingTheHolder) {
  TempDir dir;
  std::string outdir = dir / "run", out;
  // A first process that trains for long; the second starts once it holds the lock.
  pid_t first = spawn_run({"-p", "experiment.steps=100000000", "--checkpoint-every", "1000000", "--quiet",
                           "--threads", "1", "-o", outdir},
                          dir / "first.log");
  ASSERT_GT(first, 0);
  Reaper reaper{first};
  ASSERT_TRUE(wait_for(outdir + "/config.yaml")) << read_file(dir / "first.log");
  std::string holder = "is in use by process " + std::to_string(first);
  // With --force (the second would otherwise have replaced the first's files)...
  EXPECT_EQ(run("run -p experiment.steps=3 -p experiment.seed=2 --quiet --force -o " + outdir, &out), 2) << out;
  EXPECT_NE(out.find(outdir + " " + holder), std::string::npos) << out;
  // ... and --resume (it stops itself at step 1 if it gets in).
  EXPECT_EQ(shell("AIMCSIM_FAULT=interrupt-at-step=1 " + exe::kExe + " run --resume " + outdir + " --quiet", &out), 2)
      << out;
  EXPECT_NE(out.find(holder), std::string::npos) << out;
  kill(first, SIGINT);
  int status = 0;
  ASSERT_EQ(waitpid(first, &status, 0), first);
  reaper.pid = -1;
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 3) << read_file(dir / "first.log");
  // The first run's seed is the one recorded.
  EXPECT_NE(read_file(outdir + "/config.yaml").find("seed: 1\n"), std::string::npos);
}

TEST(RunSafety, ASweepIntoADirectoryInUseExitsWith2NamingTheHolder) {
  TempDir dir;
  std::string outdir = dir / "sweep", sweep = dir / "s.yaml", out;
  write_file(sweep, "base: " + kLs + "\nset:\n  experiment.steps: 5\ngrid:\n  experiment.lr: [0.1, 0.05]\n");
  ASSERT_EQ(mkdir(outdir.c_str(), 0777), 0);
  int lock = -1;
  ASSERT_EQ(aimc_outdir_lock(outdir.c_str(), &lock), AIMC_OK);
  EXPECT_EQ(shell(exe::kExe + " sweep " + sweep + " -o " + outdir, &out), 2) << out;
  EXPECT_NE(out.find(outdir + " is in use by process " + std::to_string(getpid())), std::string::npos) << out;
  EXPECT_FALSE(exists(outdir + "/sweep.yaml"));
  close(lock);
  // Free again, the lock file left behind does not make the directory "not empty".
  EXPECT_EQ(shell(exe::kExe + " sweep " + sweep + " -o " + outdir, &out), 0) << out;
  EXPECT_EQ(run("run -p experiment.steps=3 --quiet -o " + (dir / "fresh"), &out), 0) << out;
}

TEST(RunSafety, ARunIntoAnEmptyDirectoryHoldingOnlyTheLockFileStarts) {
  TempDir dir;
  std::string outdir = dir / "run", out;
  ASSERT_EQ(mkdir(outdir.c_str(), 0777), 0);
  write_file(outdir + "/" + AIMC_OUTDIR_LOCK_NAME, "1\n");
  EXPECT_EQ(run("run -p experiment.steps=3 --quiet -o " + outdir, &out), 0) << out;
  EXPECT_TRUE(exists(outdir + "/result.json"));
  // A directory with content is refused as before, and is not given a lock file.
  std::string other = dir / "other";
  ASSERT_EQ(mkdir(other.c_str(), 0777), 0);
  write_file(other + "/notes.txt", "mine\n");
  EXPECT_EQ(run("run -p experiment.steps=3 --quiet -o " + other, &out), 2) << out;
  EXPECT_NE(out.find(other + " exists and is not empty"), std::string::npos) << out;
  EXPECT_FALSE(exists(other + "/" + AIMC_OUTDIR_LOCK_NAME));
}

// ---- §3: a refused or failed start changes nothing on disk ----

TEST(RunSafety, ConfigurationErrorsAreRefusedWith2BeforeOutdirExists) {
  TempDir dir;
  std::string fine = dir / "fine.yaml";
  write_file(fine, "forward:\n  out_res: 510\n");
  const std::pair<std::string, std::string> cases[] = {
      {"-p trace.enabled=true -p trace.rows=[0,5]", "trace.rows[1] = 5 is outside the tile's 1 row"},
      {"-p trace.enabled=true -p trace.cols=[40]", "trace.cols[0] = 40 is outside the tile's 40 columns"},
      {"-p trace.enabled=true -p trace.layer=99", "trace.layer = 99: there is no such layer"},
      {"-p trace.enabled=true -p trace.fast=true", "trace.fast: layer 0 has no fast array"},
      {"-p trace.enabled=true -p trace.first_step=5 -p trace.last_step=2",
       "trace.first_step (5) must be <= trace.last_step (2)"},
      {"-p trace.enabled=true --no-timing", "trace.enabled: waveforms need the timed chip"},
      {"-p trace.enabled=true -p experiment.algorithm=digital_sgd", "trace.enabled: waveforms need an analog algorithm"},
      {"-p trace.enabled=true --checkpoint-every 10", "--checkpoint-every: a traced run (trace.enabled: true) cannot"},
      {"-p chip.adc.bits=6 -p backward.preset=aihwkit_preset", "backward.out_res (0.00196078: 510 steps) is finer "
                                                               "than the chip's 6-bit ADC (chip.adc.bits, 62 steps)"},
      {fine, fine + ":2:12: invalid configuration: forward.out_res (510: 510 steps) is finer than the chip's 8-bit "
             "ADC (chip.adc.bits, 254 steps)"},
      {"-p chip.tiles=1 -p experiment.algorithm=tiki_taka", "chip.tiles = 1 is too few: layer 0 (1 x 40) needs 2 tiles"},
      {"-p experiment.workload=fcn -p data.train_images=" + (dir / "missing.gz"),
       "data.train_images " + (dir / "missing.gz") + ": No such file or directory"},
  };
  for (const auto &[args, message] : cases) {
    std::string out, outdir = dir / "out";
    EXPECT_EQ(run("run " + args + " -p experiment.steps=3 --quiet -o " + outdir, &out), 2) << args << "\n" << out;
    EXPECT_NE(out.find(message), std::string::npos) << args << "\n" << out;
    EXPECT_FALSE(exists(outdir)) << args;
  }
}

TEST(RunSafety, TikiTakaRunsOnTheEmbeddedDefault) {
  TempDir dir;
  std::string out;
  EXPECT_EQ(run("run -p experiment.algorithm=tiki_taka -p experiment.steps=20 --quiet -o " + (dir / "tt"), &out), 0)
      << out;
  EXPECT_NE(read_file(dir / "tt/result.json").find("\"status\": \"completed\""), std::string::npos);
}

TEST(RunSafety, TheDefaultTraceSelectionFitsTheDefaultWorkload) {
  TempDir dir;
  std::string out;
  ASSERT_EQ(run("run -p trace.enabled=true -p experiment.steps=5 --quiet -o " + (dir / "t"), &out), 0) << out;
  std::string vcd = read_file(dir / "t/waveforms/trace.vcd");
  // The 1 x 40 least-squares tile: its one row and its first four columns.
  EXPECT_NE(vcd.find(" row0 $end"), std::string::npos);
  EXPECT_EQ(vcd.find(" row1 $end"), std::string::npos);
  for (int j = 0; j < 4; ++j) EXPECT_NE(vcd.find(" col" + std::to_string(j) + " $end"), std::string::npos) << j;
  EXPECT_EQ(vcd.find(" col4 $end"), std::string::npos);
}

TEST(RunSafety, ARefusedResumeOfATracedRunLeavesItsResultsByteIdentical) {
  TempDir dir;
  std::string outdir = dir / "traced", out;
  // A traced run stopped by a signal: no checkpoint is offered to resume from.
  EXPECT_EQ(shell("AIMCSIM_FAULT=interrupt-at-step=5 " + exe::kExe + " run -p trace.enabled=true -p experiment.steps=50 "
                  "--quiet --threads 1 -o " + outdir, &out), 3)
      << out;
  EXPECT_EQ(out.find("--resume"), std::string::npos) << out;
  EXPECT_NE(out.find("a traced run cannot be resumed"), std::string::npos) << out;
  EXPECT_FALSE(exists(outdir + "/checkpoint.bin"));
  std::string stats = read_file(outdir + "/stats.json"), result = read_file(outdir + "/result.json");
  std::string metrics = read_file(outdir + "/metrics.csv"), summary = read_file(outdir + "/summary.txt");
  ASSERT_FALSE(stats.empty());
  EXPECT_EQ(run("run --resume " + outdir + " --quiet", &out), 2) << out;
  EXPECT_NE(out.find("--resume: a traced run (trace.enabled: true) cannot resume"), std::string::npos) << out;
  EXPECT_EQ(read_file(outdir + "/stats.json"), stats);
  EXPECT_EQ(read_file(outdir + "/result.json"), result);
  EXPECT_EQ(read_file(outdir + "/metrics.csv"), metrics);
  EXPECT_EQ(read_file(outdir + "/summary.txt"), summary);
}

TEST(RunSafety, StaleTemporariesAreRemovedOnForceAndOnResume) {
  TempDir dir;
  std::string outdir = dir / "run", out;
  ASSERT_EQ(run("run -p trace.enabled=true -p experiment.steps=5 --quiet -o " + outdir, &out), 0) << out;
  auto plant = [&] {
    for (const char *name : {"metrics.csv.tmp.12345", "weights/layer0.idx.tmp.7", "waveforms/trace.vcd.tmp.99"})
      write_file(outdir + "/" + name, "stale");
  };
  plant();
  write_file(outdir + "/notes.tmp.txt", "not a temporary of aimcsim");
  EXPECT_EQ(run("run -p trace.enabled=true -p experiment.steps=5 --quiet --force -o " + outdir, &out), 0) << out;
  for (const char *name : {"metrics.csv.tmp.12345", "weights/layer0.idx.tmp.7", "waveforms/trace.vcd.tmp.99"})
    EXPECT_FALSE(exists(outdir + "/" + name)) << name;
  EXPECT_TRUE(exists(outdir + "/notes.tmp.txt"));
  // A run killed between checkpoints, resumed.
  std::string killed = dir / "killed";
  EXPECT_EQ(shell("AIMCSIM_FAULT=kill-at-step=30 " + exe::kExe +
                      " run -p experiment.steps=50 --checkpoint-every 10 --quiet --threads 1 -o " + killed,
                  &out),
            128 + SIGKILL)
      << out;
  ASSERT_EQ(mkdir((killed + "/weights").c_str(), 0777), 0);
  write_file(killed + "/weights/layer0.idx.tmp.4242", "stale");
  write_file(killed + "/stats.json.tmp.4242", "stale");
  EXPECT_EQ(run("run --resume " + killed + " --quiet", &out), 0) << out;
  EXPECT_FALSE(exists(killed + "/weights/layer0.idx.tmp.4242"));
  EXPECT_FALSE(exists(killed + "/stats.json.tmp.4242"));
}

TEST(RunSafety, AFailedRunsSummarySaysStatusFailedAndWhy) {
  TempDir dir;
  std::string outdir = dir / "diverged", out;
  // Digital SGD at lr = 100 diverges within a few steps (test_resume.cpp, Diverge).
  EXPECT_EQ(run("run -p experiment.algorithm=digital_sgd -p experiment.lr=100 --quiet -o " + outdir, &out), 1) << out;
  std::string summary = read_file(outdir + "/summary.txt");
  size_t at = summary.find("\nstatus FAILED: least squares: step ");
  EXPECT_NE(at, std::string::npos) << summary;
  EXPECT_NE(summary.find("diverged", at), std::string::npos) << summary;
}

}  // namespace
