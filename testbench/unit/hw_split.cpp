// A matrix larger than a tile, split along rows and columns: with ideal
// periphery its MVMs equal those of one large array, and its tiles work
// concurrently while the buffer port and the digital unit serialise.
#include <cfloat>
#include <cmath>
#include <cstring>
#include <random>

#include "aimc_hw/timebase.h"
#include "hw_support.h"

namespace {

aimc_hw_chip_params small_tiles(int rows, int cols) {
  aimc_hw_chip_params p;
  aimc_hw_chip_params_default(&p);
  p.tile.rows = rows;
  p.tile.cols = cols;
  return p;
}

aimc_hw_layer_params ideal_layer(int out, int in, const aimc_hw_chip_params &chip) {
  aimc_hw_layer_params layer;
  aimc_hw_layer_params_default(&layer, out, in, &chip);
  layer.device = quiet_constant_step(10.0);
  aimc_io_params_perfect(&layer.forward_io);
  layer.backward_io = layer.forward_io;
  return layer;
}

// One large C-core array with the same weights and ideal periphery.
struct BigArray {
  aimc_array a;
  BigArray(int out, int in, const std::vector<float> &w) {
    aimc_device_params device = quiet_constant_step(10.0);
    ok(aimc_array_create(&a, out, in, &device, 1, 0));
    ok(aimc_array_set_weights(&a, w.data()));
  }
  ~BigArray() { aimc_array_destroy(&a); }
};

}  // namespace

class HwSplit : public HwTest {};

// Dyadic weights and inputs make every partial and full sum exact in float, so
// the split result must equal the single array bit for bit.
TEST_F(HwSplit, SplitMatrixEqualsOneLargeArrayExactly) {
  const int out = 10, in = 7, batch = 3;
  const aimc_hw_chip_params chip = small_tiles(4, 3);  // 3 x 3 tiles, the last ones partly used
  ChipHandle hw(chip, false);
  hw.add(ideal_layer(out, in, chip));
  int row_blocks = 0, col_blocks = 0;
  ok(aimc_hw_chip_layer_grid(hw.chip, 0, &row_blocks, &col_blocks));
  EXPECT_EQ(row_blocks, 3);
  EXPECT_EQ(col_blocks, 3);
  std::vector<float> w(static_cast<size_t>(out) * in), x(static_cast<size_t>(batch) * in),
      d(static_cast<size_t>(batch) * out);
  for (size_t k = 0; k < w.size(); ++k) w[k] = static_cast<float>(static_cast<int>((k * 37) % 17) - 8) / 8.0f;
  for (size_t k = 0; k < x.size(); ++k) x[k] = static_cast<float>(static_cast<int>((k * 11) % 9) - 4) / 4.0f;
  for (size_t k = 0; k < d.size(); ++k) d[k] = static_cast<float>(static_cast<int>((k * 5) % 7) - 3) / 2.0f;
  ok(aimc_hw_chip_set_weights(hw.chip, 0, AIMC_HW_ARRAY_MAIN, w.data()));
  EXPECT_EQ(hw.weights(0, AIMC_HW_ARRAY_MAIN, out, in), w);

  std::vector<float> y(static_cast<size_t>(batch) * out), y_big(y.size());
  std::vector<float> b(static_cast<size_t>(batch) * in), b_big(b.size());
  ok(aimc_hw_chip_forward(hw.chip, 0, AIMC_HW_ARRAY_MAIN, x.data(), y.data(), batch));
  ok(aimc_hw_chip_backward(hw.chip, 0, AIMC_HW_ARRAY_MAIN, d.data(), b.data(), batch));
  BigArray big(out, in, w);
  aimc_io_params perfect;
  aimc_io_params_perfect(&perfect);
  ok(aimc_array_forward(&big.a, &perfect, x.data(), y_big.data(), batch, nullptr));
  ok(aimc_array_backward(&big.a, &perfect, d.data(), b_big.data(), batch, nullptr));
  EXPECT_EQ(std::memcmp(y.data(), y_big.data(), sizeof(float) * y.size()), 0);
  EXPECT_EQ(std::memcmp(b.data(), b_big.data(), sizeof(float) * b.size()), 0);
  // Partial sums: forward adds 2 per output of each vector, backward 2 per input.
  EXPECT_EQ(hw.counter("controller.add_ops"), static_cast<double>(2 * batch * out + 2 * batch * in));
}

// General values: the split sum differs from the single dot product only by
// float rounding, bounded by (in + 1) eps sum |w x| per output.
TEST_F(HwSplit, SplitMatrixMatchesLargeArrayWithinRounding) {
  const int out = 37, in = 53, batch = 4;
  const aimc_hw_chip_params chip = small_tiles(16, 16);
  ChipHandle hw(chip, false);
  hw.add(ideal_layer(out, in, chip));
  std::mt19937 generator(3);
  std::uniform_real_distribution<float> uniform(-1.0f, 1.0f);
  std::vector<float> w(static_cast<size_t>(out) * in), x(static_cast<size_t>(batch) * in);
  for (float &v : w) v = uniform(generator);
  for (float &v : x) v = uniform(generator);
  ok(aimc_hw_chip_set_weights(hw.chip, 0, AIMC_HW_ARRAY_MAIN, w.data()));
  std::vector<float> y(static_cast<size_t>(batch) * out), y_big(y.size());
  ok(aimc_hw_chip_forward(hw.chip, 0, AIMC_HW_ARRAY_MAIN, x.data(), y.data(), batch));
  BigArray big(out, in, w);
  aimc_io_params perfect;
  aimc_io_params_perfect(&perfect);
  ok(aimc_array_forward(&big.a, &perfect, x.data(), y_big.data(), batch, nullptr));
  for (int v = 0; v < batch; ++v) {
    for (int i = 0; i < out; ++i) {
      double magnitude = 0;
      for (int j = 0; j < in; ++j) magnitude += std::fabs(w[static_cast<size_t>(i) * in + j] * x[static_cast<size_t>(v) * in + j]);
      double bound = (in + 1) * FLT_EPSILON * magnitude;
      size_t k = static_cast<size_t>(v) * out + i;
      EXPECT_LE(std::fabs(y[k] - y_big[k]), bound) << "vector " << v << " output " << i;
    }
  }
}

// Timed: 2 x 2 tiles. The two column slices of x leave the single buffer port
// one after the other, the tiles of a column block start when their slice
// arrives and run concurrently, the row blocks' additions queue on the digital
// unit in the order they become ready, and the result slices queue on the port.
TEST_F(HwSplit, SplitLayerTilesRunConcurrently) {
  aimc_hw_chip_params chip = small_tiles(4, 4);
  chip.controller.clock_frequency = 1e9;
  chip.controller.lanes = 2;
  chip.buffer.bits_per_cycle = 16;
  chip.buffer.word_bits = 8;
  chip.buffer.ports = 1;
  ChipHandle hw(chip, true);
  aimc_hw_layer_params layer;
  aimc_hw_layer_params_default(&layer, 7, 6, &chip);  // blocks: rows 4 + 3, columns 4 + 2
  layer.device = quiet_constant_step(1.0);
  layer.forward_io = quiet_io(chip);
  hw.add(layer);
  std::vector<float> w(42, 0.25f), x(6, 0.5f), y(7);
  ok(aimc_hw_chip_set_weights(hw.chip, 0, AIMC_HW_ARRAY_MAIN, w.data()));
  int result = hw.run([&] { return aimc_hw_chip_forward(hw.chip, 0, AIMC_HW_ARRAY_MAIN, x.data(), y.data(), 1); });
  ASSERT_EQ(result, 0) << aimc_error_message();
  using aimc::hw::repeat;
  using aimc::hw::seconds;
  const sc_core::sc_time cycle = seconds(1e-9);
  // Reads: 4 words = 32 bits = 2 cycles, then 2 words = 1 cycle.
  const sc_core::sc_time slice0 = repeat(cycle, 2), slice1 = slice0 + cycle;
  // A tile side of 4 lines has ceil(4 / 8) = 1 ADC, so a pass converts its
  // outputs one after the other: 4 rounds in row block 0, 3 in row block 1.
  auto pass = [&](int outputs) {
    return seconds(chip.dac.setup_time) + repeat(seconds(chip.dac.slot_time), 128) +
           repeat(seconds(aimc_hw_adc_conversion_time(&chip.adc)), outputs) + repeat(cycle, chip.read.post_processing_cycles);
  };
  // Both column blocks' tiles of a row block must finish: slice1 + pass.
  const sc_core::sc_time sums0 = slice1 + pass(4), sums1 = slice1 + pass(3);
  // Row block 1 is ready first; its 3 additions take 2 cycles on 2 lanes, then
  // row block 0's 4 additions another 2 (they were ready one conversion later,
  // well before the unit frees).
  const sc_core::sc_time added1 = sums1 + repeat(cycle, 2);
  const sc_core::sc_time added0 = std::max(sums0, added1) + repeat(cycle, 2);
  // Writes in the same order: 3 words = 24 bits = 2 cycles, then 4 words = 2 cycles.
  const sc_core::sc_time written1 = added1 + repeat(cycle, 2);
  const sc_core::sc_time written0 = std::max(written1, added0) + repeat(cycle, 2);
  aimc_hw_totals totals;
  aimc_hw_chip_totals(hw.chip, &totals);
  EXPECT_DOUBLE_EQ(totals.simulated_time, written0.to_seconds());
  // All four tiles were busy for exactly one pass.
  for (const char *tile : {"main_r0c0", "main_r0c1", "main_r1c0", "main_r1c1"})
    EXPECT_EQ(hw.counter(std::string("layer0.") + tile + ".reads"), 1.0) << tile;
}

TEST_F(HwSplit, TileBudgetIsEnforced) {
  aimc_hw_chip_params chip = small_tiles(4, 4);
  chip.tiles = 5;
  ChipHandle hw(chip, false);
  aimc_hw_layer_params layer;
  aimc_hw_layer_params_default(&layer, 8, 8, &chip);  // 4 tiles
  hw.add(layer);
  aimc_hw_layer_params tiki;
  aimc_hw_layer_params_default(&tiki, 4, 4, &chip);
  tiki.fast = 1;  // 2 tiles, only 1 left
  int index = -1;
  EXPECT_EQ(aimc_hw_chip_add_layer(hw.chip, &tiki, &index), AIMC_EINVAL);
  EXPECT_NE(std::string(aimc_error_message()).find("needs 2 tiles"), std::string::npos) << aimc_error_message();
  tiki.fast = 0;
  EXPECT_EQ(aimc_hw_chip_add_layer(hw.chip, &tiki, &index), AIMC_OK);
  EXPECT_EQ(index, 1);
}
