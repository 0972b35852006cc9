// Checkpoint byte streams (serial.h) and the saved state of an array: values
// come back bit for bit, a reader never reads past its end, and an array
// restored from a state trains on exactly as the original.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <limits>
#include <string>
#include <vector>

#include "test_util.h"

extern "C" {
#include "aimc/serial.h"
}

namespace {

struct Writer {
  aimc_writer w;
  Writer() { aimc_writer_init(&w); }
  ~Writer() { aimc_writer_free(&w); }
};

}  // namespace

TEST(Serial, ValuesComeBackBitForBit) {
  Writer out;
  const float floats[3] = {-0.0f, std::numeric_limits<float>::denorm_min(), 1.0f / 3.0f};
  aimc_write_u8(&out.w, 0xab);
  aimc_write_u32(&out.w, 0xdeadbeefu);
  aimc_write_u64(&out.w, 0x0123456789abcdefull);
  aimc_write_f64(&out.w, std::nan("0x5"));
  aimc_write_f32s(&out.w, floats, 3);
  aimc_write_string(&out.w, "layer0.main_r0c0");
  ASSERT_EQ(aimc_writer_status(&out.w, "test"), AIMC_OK);
  // 1 + 4 + 8 + 8 + 12 + 4 + 16 bytes, integers little-endian.
  ASSERT_EQ(out.w.size, 53u);
  EXPECT_EQ(out.w.data[1], 0xef);
  EXPECT_EQ(out.w.data[4], 0xde);
  aimc_reader in;
  aimc_reader_init(&in, out.w.data, out.w.size);
  EXPECT_EQ(aimc_read_u8(&in), 0xab);
  EXPECT_EQ(aimc_read_u32(&in), 0xdeadbeefu);
  EXPECT_EQ(aimc_read_u64(&in), 0x0123456789abcdefull);
  double nan = aimc_read_f64(&in), expected = std::nan("0x5");
  EXPECT_EQ(std::memcmp(&nan, &expected, sizeof nan), 0);
  float back[3];
  ASSERT_TRUE(aimc_read_f32s(&in, back, 3));
  EXPECT_EQ(std::memcmp(back, floats, sizeof back), 0);
  char text[32];
  ASSERT_TRUE(aimc_read_string(&in, text, sizeof text));
  EXPECT_STREQ(text, "layer0.main_r0c0");
  EXPECT_EQ(in.pos, in.size);
  EXPECT_EQ(aimc_reader_status(&in, "test"), AIMC_OK);
}

TEST(Serial, AShortReadFailsAtItsOffsetAndStaysFailed) {
  const unsigned char bytes[6] = {1, 0, 0, 0, 7, 7};
  aimc_reader in;
  aimc_reader_init(&in, bytes, sizeof bytes);
  EXPECT_EQ(aimc_read_u32(&in), 1u);
  EXPECT_EQ(aimc_read_u64(&in), 0u);  // 2 bytes left
  EXPECT_EQ(aimc_read_u8(&in), 0u);   // failed readers read nothing more
  EXPECT_EQ(aimc_reader_status(&in, "thing"), AIMC_EFORMAT);
  EXPECT_STREQ(aimc_error_message(), "thing: truncated or malformed at byte 4 of 6");
  // A string longer than its buffer, and a float count whose byte size overflows.
  const unsigned char string[8] = {200, 0, 0, 0, 'a', 'b', 'c', 'd'};
  aimc_reader_init(&in, string, sizeof string);
  char text[8];
  EXPECT_FALSE(aimc_read_string(&in, text, sizeof text));
  EXPECT_EQ(in.failed_at, 0u);
  aimc_reader_init(&in, string, sizeof string);
  float f;
  EXPECT_FALSE(aimc_read_f32s(&in, &f, std::numeric_limits<size_t>::max() / 2));
}

TEST(ArrayState, RestoredArrayTrainsOnIdentically) {
  aimc_device_params p;
  aimc_device_params_default(&p, AIMC_DEVICE_SOFT_BOUNDS);
  p.write_noise_std = 0.5;  // the programmed weights are state too
  aimc_update_params u;
  aimc_update_params_default(&u);
  const int rows = 7, cols = 9;
  std::vector<float> x(2 * cols), d(2 * rows);
  for (int k = 0; k < 2 * cols; ++k) x[k] = 0.1f * static_cast<float>(k % 5) - 0.2f;
  for (int k = 0; k < 2 * rows; ++k) d[k] = 0.05f * static_cast<float>(k % 3) - 0.05f;
  Array a(rows, cols, p, 11), b(rows, cols, p, 11);
  for (int step = 0; step < 5; ++step)
    ASSERT_EQ(aimc_array_update(&a.a, x.data(), d.data(), 2, 0.5f, &u, nullptr, nullptr), AIMC_OK);
  Writer out;
  aimc_array_save_state(&a.a, &out.w);
  ASSERT_EQ(aimc_writer_status(&out.w, "test"), AIMC_OK);
  // 4 + 4 + 8 + 1 header bytes, two planes of 63 floats, three counters.
  EXPECT_EQ(out.w.size, 17u + 2u * 4u * rows * cols + 24u);
  aimc_reader in;
  aimc_reader_init(&in, out.w.data, out.w.size);
  ASSERT_EQ(aimc_array_load_state(&b.a, &in), AIMC_OK);
  EXPECT_EQ(a.weights(), b.weights());
  for (int step = 0; step < 5; ++step) {
    ASSERT_EQ(aimc_array_update(&a.a, x.data(), d.data(), 2, 0.5f, &u, nullptr, nullptr), AIMC_OK);
    ASSERT_EQ(aimc_array_update(&b.a, x.data(), d.data(), 2, 0.5f, &u, nullptr, nullptr), AIMC_OK);
  }
  EXPECT_EQ(a.weights(), b.weights());
  EXPECT_EQ(a.a.update_event, b.a.update_event);
}

TEST(ArrayState, AStateOfOtherDevicesIsRefused) {
  aimc_device_params p;
  aimc_device_params_default(&p, AIMC_DEVICE_SOFT_BOUNDS);
  Array a(4, 4, p);
  Writer out;
  aimc_array_save_state(&a.a, &out.w);
  aimc_device_params q = p;
  q.construction_seed = p.construction_seed + 1;
  Array other(4, 4, q), wide(4, 5, p);
  aimc_reader in;
  aimc_reader_init(&in, out.w.data, out.w.size);
  EXPECT_EQ(aimc_array_load_state(&other.a, &in), AIMC_EFORMAT);
  EXPECT_NE(std::strstr(aimc_error_message(), "saved for other devices"), nullptr) << aimc_error_message();
  aimc_reader_init(&in, out.w.data, out.w.size);
  EXPECT_EQ(aimc_array_load_state(&wide.a, &in), AIMC_EFORMAT);
  EXPECT_NE(std::strstr(aimc_error_message(), "saved for 4 x 4 devices, the array has 4 x 5"), nullptr);
  // Truncated in the weights.
  aimc_reader_init(&in, out.w.data, out.w.size - 30);
  EXPECT_EQ(aimc_array_load_state(&a.a, &in), AIMC_EFORMAT);
}

// Bytes quoted from a file in a message: printable ASCII as it is, a
// backslash doubled, every other byte as \xNN, a long text cut with "...",
// never a raw control character.
TEST(Serial, EscapeLetsNoControlCharacterThrough) {
  char out[64];
  const char bytes[] = {'a', '\x1b', '[', '2', 'J', '\r', '\\', '\x7f', '\xe9', '\0', 'z'};
  EXPECT_STREQ(aimc_escape(bytes, sizeof bytes, out, sizeof out), "a\\x1b[2J\\x0d\\\\\\x7f\\xe9\\x00z");
  EXPECT_STREQ(aimc_escape("tab\there", SIZE_MAX, out, sizeof out), "tab\\x09here");
  std::string long_text(100, '\x01');
  aimc_escape(long_text.data(), long_text.size(), out, sizeof out);
  std::string expected;
  for (int k = 0; k < 15; ++k) expected += "\\x01";  // 15 x 4 characters, "..." and the NUL fill 64
  EXPECT_EQ(std::string(out), expected + "...");
  for (const char *c = out; *c; ++c) EXPECT_GE(static_cast<unsigned char>(*c), 0x20);
  EXPECT_LT(std::strlen(out), sizeof out);
}
