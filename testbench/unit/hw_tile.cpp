// The Tile on its own: exact DAC levels and ADC codes for chosen inputs, and the
// duration of MVMs and pulsed updates checked at the boundary (a resolution step
// before the formula's time the transaction is not done, at it it is).
#include <tlm_utils/simple_initiator_socket.h>

#include <cmath>
#include <functional>

#include "aimc_hw/tile.h"
#include "aimc_hw/timebase.h"
#include "hw_support.h"

using aimc::hw::repeat;
using aimc::hw::seconds;
using aimc::hw::Tile;
using aimc::hw::TileCommand;
using aimc::hw::TileTransaction;
using sc_core::sc_time;

namespace {

// A tile holding exactly `weights` (rows x cols), on a chip of tiles that size.
std::unique_ptr<Tile> make_tile(const aimc_hw_chip_params &chip, int rows, int cols, const std::vector<float> &weights,
                                bool timed) {
  ok(aimc::hw::ensure_time_resolution());
  aimc::hw::TileConfig config;
  config.chip = chip;
  config.rows = rows;
  config.cols = cols;
  config.timed = timed;
  aimc_device_params device = quiet_constant_step(100.0);
  aimc_array array;
  ok(aimc_array_create(&array, rows, cols, &device, 1, 0));
  ok(aimc_array_set_weights(&array, weights.data()));
  return std::make_unique<Tile>("tile", config, array);
}

aimc_hw_chip_params chip_of(int rows, int cols) {
  aimc_hw_chip_params p;
  aimc_hw_chip_params_default(&p);
  p.tile.rows = rows;
  p.tile.cols = cols;
  return p;
}

// Calls the tile's target directly (untimed, no simulation needed).
void transport(Tile &tile, TileTransaction &t) {
  tlm::tlm_generic_payload payload;
  payload.set_extension(&t);
  sc_time delay = sc_core::SC_ZERO_TIME;
  tile.socket.get_base_export()->b_transport(payload, delay);
  payload.clear_extension(&t);
  ok(t.status);
}

// A TLM initiator bound to the tile whose thread runs `body`.
struct Initiator : sc_core::sc_module {
  tlm_utils::simple_initiator_socket<Initiator> socket;
  std::function<void(Initiator &)> body;
  tlm::tlm_generic_payload payload;
  SC_HAS_PROCESS(Initiator);
  Initiator(const sc_core::sc_module_name &name, std::function<void(Initiator &)> b)
      : sc_core::sc_module(name), socket("socket"), body(std::move(b)) {
    SC_THREAD(main);
  }
  // The thread parks on `never` when done instead of returning: with Debian's
  // SystemC 2.3.4, a thread that has terminated makes LeakSanitizer crash at
  // exit (observed in the asan preset); the Controller's thread never ends either.
  void main() {
    body(*this);
    wait(never);
  }
  sc_core::sc_event never;
  // Issues t now and waits until the tile reports it complete.
  void issue(TileTransaction &t) {
    payload.set_extension(&t);
    sc_time delay = sc_core::SC_ZERO_TIME;
    socket->b_transport(payload, delay);
    payload.clear_extension(&t);
    ok(t.status);
    wait(delay);
  }
};

// Checks from its own thread that `done` is false one resolution step before
// each of `times` and true at it (after the delta in which the initiator wakes).
struct Probe : sc_core::sc_module {
  std::vector<sc_time> times;
  const int *done;
  std::vector<int> before, at;
  SC_HAS_PROCESS(Probe);
  Probe(const sc_core::sc_module_name &name, std::vector<sc_time> t, const int *d)
      : sc_core::sc_module(name), times(std::move(t)), done(d) {
    SC_THREAD(main);
  }
  void main() {
    const sc_time step = sc_core::sc_get_time_resolution();
    for (const sc_time &t : times) {
      wait(t - step - sc_core::sc_time_stamp());
      wait(sc_core::SC_ZERO_TIME);
      before.push_back(*done);
      wait(step);
      wait(sc_core::SC_ZERO_TIME);
      at.push_back(*done);
    }
    wait(never);  // see Initiator::main
  }
  sc_core::sc_event never;
};

}  // namespace

class HwTile : public HwTest {};

TEST_F(HwTile, ExactDacLevelsAndAdcCodes) {
  aimc_hw_chip_params chip = chip_of(2, 2);
  auto tile = make_tile(chip, 2, 2, {1.0f, 0.0f, 0.5f, 2.0f}, false);
  aimc_io_params io = quiet_io(chip);  // 7-bit DAC on [-1, 1]: step 2/126; 8-bit ADC on [-12, 12]: step 24/254
  std::vector<float> x = {0.3f, -0.62f}, y(2);
  std::vector<int32_t> levels(2), codes(2);
  TileTransaction t;
  t.command = TileCommand::forward;
  t.io = &io;
  t.input = x.data();
  t.output = y.data();
  t.batch = 1;
  t.dac_levels = levels.data();
  t.adc_codes = codes.data();
  transport(*tile, t);
  ASSERT_TRUE(t.levels_valid);
  ASSERT_TRUE(t.codes_valid);
  // DAC: round(0.3 * 63) = round(18.9) = 19, round(-0.62 * 63) = round(-39.06) = -39.
  EXPECT_EQ(levels[0], 19);
  EXPECT_EQ(levels[1], -39);
  const float dac = 2.0f / 126.0f, adc = 24.0f / 254.0f;
  float u0 = 19 * dac, u1 = -39 * dac;
  // ADC: y0 = u0 = 19/63 -> 3.19 steps -> 3; y1 = 0.5 u0 + 2 u1 = -68.5/63 -> -11.51 steps -> -12.
  EXPECT_EQ(codes[0], std::lround(std::round(u0 / adc)));
  EXPECT_EQ(codes[1], std::lround(std::round((0.5f * u0 + 2.0f * u1) / adc)));
  EXPECT_EQ(codes[0], 3);
  EXPECT_EQ(codes[1], -12);
  EXPECT_FLOAT_EQ(y[0], codes[0] * adc);
  EXPECT_FLOAT_EQ(y[1], codes[1] * adc);
  // Transposed read on the other side: b0 = u0 + 0.5 u1 = -0.5/63 -> 0; b1 = 2 u1 = -78/63 -> -13.1 -> -13.
  t.command = TileCommand::backward;
  transport(*tile, t);
  ASSERT_TRUE(t.codes_valid);
  EXPECT_EQ(levels[0], 19);
  EXPECT_EQ(levels[1], -39);
  EXPECT_EQ(codes[0], 0);
  EXPECT_EQ(codes[1], -13);
  EXPECT_EQ(tile->forward_adc().find_counter("conversions")->count(), 2u);
  EXPECT_EQ(tile->backward_adc().find_counter("conversions")->count(), 2u);
  EXPECT_EQ(tile->forward_dac().find_counter("conversions")->count(), 2u);
  // A SAR ADC decides one bit per comparison.
  EXPECT_EQ(tile->forward_adc().find_counter("comparisons")->count(), 2u * 8u);
}

TEST_F(HwTile, BoundManagementRepeatsAreNamedWithTheirScale) {
  aimc_hw_chip_params chip = chip_of(1, 2);
  auto tile = make_tile(chip, 1, 2, {10.0f, 10.0f}, false);
  aimc_io_params io = quiet_io(chip);
  io.bound_management = AIMC_BM_ITERATIVE;
  // Pass 1: u = (57, 38) / 63 gives 10 (95 / 63) = 15.1 > 12: clipped, so the
  // factor doubles. Pass 2: x / 2 = (0.45, 0.3) -> levels 28.35 -> 28, 18.9 -> 19.
  std::vector<float> x = {0.9f, 0.6f}, y(1);
  std::vector<int32_t> levels(2), codes(1);
  TileTransaction t;
  t.command = TileCommand::forward;
  t.io = &io;
  t.input = x.data();
  t.output = y.data();
  t.batch = 1;
  t.dac_levels = levels.data();
  t.adc_codes = codes.data();
  transport(*tile, t);
  ASSERT_TRUE(t.levels_valid);
  ASSERT_TRUE(t.codes_valid);
  EXPECT_EQ(tile->forward_stats().passes, 2u);
  EXPECT_EQ(levels[0], 28);
  EXPECT_EQ(levels[1], 19);
  // v = 10 (28 + 19) / 63 = 7.46 -> 7.46 / (24/254) = 78.96 -> 79, read back with scale 2.
  const double v = 10.0 * 47.0 / 63.0;
  EXPECT_EQ(codes[0], std::lround(v / (24.0 / 254.0)));
  EXPECT_EQ(codes[0], 79);
  EXPECT_FLOAT_EQ(y[0], codes[0] * (24.0f / 254.0f) * 2.0f);
  // Both passes were converted.
  EXPECT_EQ(tile->forward_dac().find_counter("conversions")->count(), 4u);
  EXPECT_EQ(tile->forward_adc().find_counter("conversions")->count(), 2u);
}

TEST_F(HwTile, MvmTimingAtTheBoundary) {
  aimc_hw_chip_params chip = chip_of(8, 8);
  chip.dac.setup_time = 1.3e-9;
  chip.dac.slot_time = 0.27e-9;
  chip.adc.cost = AIMC_HW_ADC_COST_TABLE;
  chip.adc.conversion_time = 1.9e-9;
  chip.adc.columns_per_adc = 3;  // 8 lines -> 3 ADCs -> ceil(8 / 3) = 3 rounds
  chip.read.post_processing_cycles = 2;
  chip.controller.clock_frequency = 0.7e9;
  std::vector<float> w(64, 0.01f);
  auto tile = make_tile(chip, 8, 8, w, true);
  aimc_io_params io = quiet_io(chip);
  std::vector<float> x(8, 0.5f), y(8);
  const sc_time clock = seconds(1.0 / 0.7e9);
  // Formula: DAC setup + 2^7 slots + ceil(outputs / ADCs) conversions + post-processing cycles.
  const sc_time forward = seconds(1.3e-9) + repeat(seconds(0.27e-9), 128) + repeat(seconds(1.9e-9), 3) + repeat(clock, 2);
  // Backward drives the 8 rows and converts the 8 columns on their own 3 ADCs: the same pass.
  const sc_time backward = forward;
  EXPECT_EQ(tile->pass_time(false, 8), forward);
  EXPECT_EQ(tile->pass_time(false, 3), forward - repeat(seconds(1.9e-9), 2));  // 3 outputs on 3 ADCs: one round
  int done = 0;
  Initiator initiator("initiator", [&](Initiator &self) {
    TileTransaction t;
    t.command = TileCommand::forward;
    t.io = &io;
    t.input = x.data();
    t.output = y.data();
    t.batch = 1;
    self.issue(t);
    done = 1;
    t.command = TileCommand::backward;
    self.issue(t);
    done = 2;
  });
  initiator.socket.bind(tile->socket);
  Probe probe("probe", {forward, forward + backward}, &done);
  sc_core::sc_start();
  ASSERT_EQ(probe.before.size(), 2u);
  EXPECT_EQ(probe.before[0], 0);
  EXPECT_EQ(probe.at[0], 1);
  EXPECT_EQ(probe.before[1], 1);
  EXPECT_EQ(probe.at[1], 2);
  EXPECT_EQ(tile->busy_time(), forward + backward);
  EXPECT_EQ(tile->forward_dac().busy_time(), seconds(1.3e-9) + repeat(seconds(0.27e-9), 128));
  EXPECT_EQ(tile->forward_adc().busy_time(), repeat(seconds(1.9e-9), 3));
}

TEST_F(HwTile, BoundManagementRepeatsCostWholePasses) {
  aimc_hw_chip_params chip = chip_of(1, 2);
  auto tile = make_tile(chip, 1, 2, {10.0f, 10.0f}, true);
  aimc_io_params io = quiet_io(chip);
  io.bound_management = AIMC_BM_ITERATIVE;
  std::vector<float> x = {0.9f, 0.6f}, y(1);  // clips once (see above): two passes
  const sc_time pass = tile->pass_time(false, 1);
  int done = 0;
  Initiator initiator("initiator", [&](Initiator &self) {
    TileTransaction t;
    t.command = TileCommand::forward;
    t.io = &io;
    t.input = x.data();
    t.output = y.data();
    t.batch = 1;
    self.issue(t);
    done = 1;
  });
  initiator.socket.bind(tile->socket);
  Probe probe("probe", {repeat(pass, 2)}, &done);
  sc_core::sc_start();
  EXPECT_EQ(tile->forward_stats().passes, 2u);
  ASSERT_EQ(probe.at.size(), 1u);
  EXPECT_EQ(probe.before[0], 0);
  EXPECT_EQ(probe.at[0], 1);
}

TEST_F(HwTile, UpdateDurationIsSetupPlusBlTimesPeriod) {
  aimc_hw_chip_params chip = chip_of(3, 4);
  chip.pulse.pulse_width = 3e-9;
  chip.pulse.pulse_period = 7e-9;
  chip.pulse.setup_time = 0.0;
  auto tile = make_tile(chip, 3, 4, std::vector<float>(12, 0.0f), true);
  aimc_update_params update;
  aimc_update_params_default(&update);
  update.update_bl_management = 0;  // BL = desired_bl for every sample
  update.desired_bl = 23;
  // Three samples, the middle one all zero (skipped: no pulses, no time).
  std::vector<float> x = {0.5f, -0.2f, 0.1f, 0.3f, 0, 0, 0, 0, 0.25f, 0.25f, -0.5f, 0.1f};
  std::vector<float> d = {0.3f, -0.1f, 0.2f, 0, 0, 0, -0.4f, 0.2f, 0.1f};
  const sc_time period = seconds(7e-9);
  int done = 0;
  Initiator initiator("initiator", [&](Initiator &self) {
    TileTransaction t;
    t.command = TileCommand::update;
    t.phase = AIMC_HW_PHASE_UPDATE;
    t.update = &update;
    t.input = x.data();
    t.error = d.data();
    t.batch = 3;
    t.lr = 0.1f;
    self.issue(t);
    done = 1;
  });
  initiator.socket.bind(tile->socket);
  // Two applied samples of BL = 23 slots each.
  Probe probe("probe", {repeat(period, 2 * 23)}, &done);
  sc_core::sc_start();
  const aimc_update_stats &s = tile->update_stats();
  EXPECT_EQ(s.samples, 3u);
  EXPECT_EQ(s.skipped, 1u);
  EXPECT_EQ(s.slots, 2u * 23u);
  ASSERT_EQ(probe.at.size(), 1u);
  EXPECT_EQ(probe.before[0], 0);
  EXPECT_EQ(probe.at[0], 1);
  EXPECT_EQ(tile->pulse_generator().busy_time(), repeat(period, 46));
  EXPECT_EQ(tile->pulse_generator().find_counter("samples")->count(), 2u);
}

TEST_F(HwTile, UpdateSetupIsPaidPerAppliedSample) {
  aimc_hw_chip_params chip = chip_of(2, 2);
  chip.pulse.pulse_period = 5e-9;
  chip.pulse.pulse_width = 5e-9;
  chip.pulse.setup_time = 2.2e-9;
  auto tile = make_tile(chip, 2, 2, std::vector<float>(4, 0.0f), true);
  aimc_update_params update;
  aimc_update_params_default(&update);
  update.update_bl_management = 0;
  update.desired_bl = 10;
  std::vector<float> x = {0.5f, 0.5f, 0.2f, -0.3f}, d = {0.1f, 0.2f, -0.3f, 0.1f};
  int done = 0;
  Initiator initiator("initiator", [&](Initiator &self) {
    TileTransaction t;
    t.command = TileCommand::update;
    t.phase = AIMC_HW_PHASE_UPDATE;
    t.update = &update;
    t.input = x.data();
    t.error = d.data();
    t.batch = 2;
    t.lr = 0.05f;
    self.issue(t);
    done = 1;
  });
  initiator.socket.bind(tile->socket);
  Probe probe("probe", {repeat(seconds(2.2e-9), 2) + repeat(seconds(5e-9), 20)}, &done);
  sc_core::sc_start();
  ASSERT_EQ(probe.at.size(), 1u);
  EXPECT_EQ(probe.before[0], 0);
  EXPECT_EQ(probe.at[0], 1);
}
