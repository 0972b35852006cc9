// Hardware parameters: the reference chip's defaults equal their documented
// sources, validation names the offending field, enum names round-trip.
#include <cmath>
#include <cstring>
#include <functional>
#include <string>

#include "hw_support.h"

class HwParams : public HwTest {};

TEST_F(HwParams, DefaultsAreTheDocumentedReferenceChip) {
  aimc_hw_chip_params p;
  aimc_hw_chip_params_default(&p);
  ASSERT_EQ(aimc_hw_chip_params_validate(&p), AIMC_OK) << aimc_error_message();
  EXPECT_EQ(p.tile.rows, 128);
  EXPECT_EQ(p.tile.cols, 128);
  EXPECT_EQ(p.tiles, 0);
  // 7-bit pulse-width DAC whose 2^7 slots fill the 40 ns read of Wu et al. 2025.
  EXPECT_EQ(p.dac.bits, 7);
  EXPECT_EQ(p.dac.encoding, AIMC_HW_DAC_PULSE_WIDTH);
  EXPECT_DOUBLE_EQ(p.dac.slot_time * 128, 40e-9);
  EXPECT_DOUBLE_EQ(p.read.integration_time, 40e-9);
  EXPECT_DOUBLE_EQ(p.dac.energy_per_conversion, 0.42e-12);
  // 8-bit SAR ADC, 1.67 pJ at 1.2 GS/s (ISAAC: 16 mW for 8 ADCs at 1.2 GS/s).
  EXPECT_EQ(p.adc.type, AIMC_HW_ADC_SAR);
  EXPECT_EQ(p.adc.bits, 8);
  EXPECT_NEAR(p.adc.energy_per_conversion, 16e-3 / (8 * 1.2e9), 0.005e-12);
  EXPECT_DOUBLE_EQ(p.adc.conversion_time, 1.0 / 1.2e9);
  // The default model cost gives the same figures at the default 8 bits.
  EXPECT_EQ(p.adc.cost, AIMC_HW_ADC_COST_MODEL);
  EXPECT_DOUBLE_EQ(aimc_hw_adc_energy_per_conversion(&p.adc), p.adc.energy_per_conversion);
  EXPECT_DOUBLE_EQ(aimc_hw_adc_conversion_time(&p.adc), p.adc.conversion_time);
  EXPECT_EQ(p.adc.columns_per_adc, 8);
  // 5 ns ECRAM pulses; F1's 165.9 ns update at BL 32 is about one 5 ns pulse per slot.
  EXPECT_DOUBLE_EQ(p.pulse.pulse_width, 5e-9);
  EXPECT_NEAR(165.9e-9 / 32, p.pulse.pulse_period, 0.2e-9);
  // NeuroSim V2.1: Ron 240 kOhm, on/off 100, 0.5 V read, 4 V write.
  EXPECT_DOUBLE_EQ(1.0 / p.conductance.g_max, 240e3);
  EXPECT_DOUBLE_EQ(p.conductance.g_max / p.conductance.g_min, 100.0);
  EXPECT_DOUBLE_EQ(p.conductance.v_read, 0.5);
  EXPECT_DOUBLE_EQ(p.conductance.v_write, 4.0);
  EXPECT_DOUBLE_EQ(aimc_hw_device_pulse_energy(&p.conductance, &p.pulse), 1e-15);
  // Eyeriss global buffer: 18.18 / 14.14 pJ per 64-bit access, 16-bit data.
  EXPECT_DOUBLE_EQ(p.buffer.read_energy_per_bit * 64, 18.18e-12);
  EXPECT_DOUBLE_EQ(p.buffer.write_energy_per_bit * 64, 14.14e-12);
  EXPECT_EQ(p.buffer.word_bits, 16);
  // The digital unit consumes what the buffer delivers per cycle.
  EXPECT_EQ(p.controller.lanes, p.buffer.bits_per_cycle / p.buffer.word_bits);
  EXPECT_DOUBLE_EQ(p.controller.clock_frequency, 1e9);
  EXPECT_DOUBLE_EQ(p.controller.add.energy, 0.21e-12);
  EXPECT_DOUBLE_EQ(p.controller.activation.energy, (0.029 + 12.68 + 0.21) * 1e-12);
}

TEST_F(HwParams, ProgrammingEnergyFormulaIsVSquaredGT) {
  aimc_hw_chip_params p;
  aimc_hw_chip_params_default(&p);
  p.conductance.program_energy = AIMC_HW_PROGRAM_ENERGY_FORMULA;
  // 4 V across 1/240 kOhm for 5 ns: 16 * 4.1667e-6 * 5e-9 = 333.3 fJ.
  EXPECT_DOUBLE_EQ(aimc_hw_device_pulse_energy(&p.conductance, &p.pulse), 16.0 / 240e3 * 5e-9);
}

TEST_F(HwParams, ValidationNamesTheField) {
  struct Case {
    const char *field;
    std::function<void(aimc_hw_chip_params &)> spoil;
  };
  const Case cases[] = {
      {"tile.rows", [](aimc_hw_chip_params &p) { p.tile.rows = 0; }},
      {"chip.tiles", [](aimc_hw_chip_params &p) { p.tiles = -1; }},
      {"dac.bits", [](aimc_hw_chip_params &p) { p.dac.bits = 20; }},
      {"dac.slot_time", [](aimc_hw_chip_params &p) { p.dac.slot_time = 1e-14; }},
      {"dac.encoding", [](aimc_hw_chip_params &p) { p.dac.encoding = static_cast<aimc_hw_dac_encoding>(7); }},
      {"adc.bits", [](aimc_hw_chip_params &p) {
         p.adc.type = AIMC_HW_ADC_FLASH;
         p.adc.bits = 14;
       }},
      {"adc.conversion_time", [](aimc_hw_chip_params &p) { p.adc.conversion_time = NAN; }},
      {"dac.amplitude_energy_per_bit", [](aimc_hw_chip_params &p) { p.dac.amplitude_energy_per_bit = INFINITY; }},
      {"adc.cost", [](aimc_hw_chip_params &p) { p.adc.cost = static_cast<aimc_hw_adc_cost>(5); }},
      {"adc.walden_fom", [](aimc_hw_chip_params &p) { p.adc.walden_fom = -1e-15; }},
      {"adc.schreier_fom", [](aimc_hw_chip_params &p) { p.adc.schreier_fom = 301; }},
      {"adc.enob_loss", [](aimc_hw_chip_params &p) { p.adc.enob_loss = NAN; }},
      {"adc.sar_cycle_time", [](aimc_hw_chip_params &p) { p.adc.sar_cycle_time = 0; }},
      {"adc.flash_conversion_time", [](aimc_hw_chip_params &p) { p.adc.flash_conversion_time = 1e4; }},
      {"adc.flash_energy_per_comparator", [](aimc_hw_chip_params &p) { p.adc.flash_energy_per_comparator = -1; }},
      {"adc.ramp_step_time", [](aimc_hw_chip_params &p) { p.adc.ramp_step_time = 1.0; }},
      {"adc.ramp_energy_per_step", [](aimc_hw_chip_params &p) { p.adc.ramp_energy_per_step = -1; }},
      {"adc.sample_rate_corner", [](aimc_hw_chip_params &p) { p.adc.sample_rate_corner = 0; }},
      {"adc.columns_per_adc", [](aimc_hw_chip_params &p) { p.adc.columns_per_adc = 0; }},
      {"pulse.pulse_period", [](aimc_hw_chip_params &p) { p.pulse.pulse_period = 1e-9; }},
      {"pulse.energy_per_line_pulse", [](aimc_hw_chip_params &p) { p.pulse.energy_per_line_pulse = -1; }},
      {"conductance.g_max", [](aimc_hw_chip_params &p) { p.conductance.g_max = p.conductance.g_min; }},
      {"conductance.v_read", [](aimc_hw_chip_params &p) { p.conductance.v_read = 0; }},
      {"read.integration_time", [](aimc_hw_chip_params &p) { p.read.integration_time = INFINITY; }},
      {"controller.clock_frequency", [](aimc_hw_chip_params &p) { p.controller.clock_frequency = 0; }},
      {"controller.loss.cycles", [](aimc_hw_chip_params &p) { p.controller.loss.cycles = 0; }},
      {"controller.add.energy", [](aimc_hw_chip_params &p) { p.controller.add.energy = -1e-12; }},
      {"buffer.ports", [](aimc_hw_chip_params &p) { p.buffer.ports = 0; }},
      {"buffer.word_bits", [](aimc_hw_chip_params &p) { p.buffer.word_bits = 65; }},
  };
  for (const Case &c : cases) {
    aimc_hw_chip_params p;
    aimc_hw_chip_params_default(&p);
    c.spoil(p);
    EXPECT_EQ(aimc_hw_chip_params_validate(&p), AIMC_EINVAL) << c.field;
    EXPECT_NE(std::string(aimc_error_message()).find(c.field), std::string::npos)
        << "message '" << aimc_error_message() << "' does not name " << c.field;
  }
}

TEST_F(HwParams, ConvertersMatchTheCoreResolutionConvention) {
  aimc_hw_chip_params p;
  aimc_hw_chip_params_default(&p);
  aimc_io_params io;
  aimc_io_params_default(&io);
  aimc_hw_io_match_converters(&p, &io);
  EXPECT_DOUBLE_EQ(io.inp_res, 1.0 / 126);  // 7 bits
  EXPECT_DOUBLE_EQ(io.out_res, 1.0 / 254);  // 8 bits
}

TEST_F(HwParams, EnumNamesRoundTrip) {
  for (int v = 0; v < AIMC_HW_DAC_ENCODING_COUNT; ++v) {
    aimc_hw_dac_encoding e;
    ASSERT_EQ(aimc_hw_dac_encoding_parse(aimc_hw_dac_encoding_name(static_cast<aimc_hw_dac_encoding>(v)), &e), AIMC_OK);
    EXPECT_EQ(e, v);
  }
  for (int v = 0; v < AIMC_HW_ADC_TYPE_COUNT; ++v) {
    aimc_hw_adc_type e;
    ASSERT_EQ(aimc_hw_adc_type_parse(aimc_hw_adc_type_name(static_cast<aimc_hw_adc_type>(v)), &e), AIMC_OK);
    EXPECT_EQ(e, v);
  }
  for (int v = 0; v < AIMC_HW_OP_CLASS_COUNT; ++v) {
    aimc_hw_op_class e;
    ASSERT_EQ(aimc_hw_op_class_parse(aimc_hw_op_class_name(static_cast<aimc_hw_op_class>(v)), &e), AIMC_OK);
    EXPECT_EQ(e, v);
  }
  aimc_hw_weight_mapping m;
  EXPECT_EQ(aimc_hw_weight_mapping_parse("reference_device", &m), AIMC_OK);
  EXPECT_EQ(m, AIMC_HW_REFERENCE_DEVICE);
  aimc_hw_program_energy e;
  EXPECT_EQ(aimc_hw_program_energy_parse("table", &e), AIMC_OK);
  EXPECT_EQ(aimc_hw_program_energy_parse("joules", &e), AIMC_EINVAL);
  EXPECT_EQ(aimc_hw_dac_encoding_name(AIMC_HW_DAC_ENCODING_COUNT), nullptr);
}

TEST_F(HwParams, TraceValidation) {
  aimc_hw_trace_params t;
  aimc_hw_trace_params_default(&t);
  EXPECT_EQ(aimc_hw_trace_params_validate(&t), AIMC_EINVAL);  // no path
  EXPECT_NE(std::string(aimc_error_message()).find("trace.vcd_path"), std::string::npos);
  std::strcpy(t.vcd_path, "out.vcd");
  EXPECT_EQ(aimc_hw_trace_params_validate(&t), AIMC_OK) << aimc_error_message();
  t.n_tiles = 1;
  t.tiles[0].n_rows = 2;
  t.tiles[0].rows[1] = -3;
  EXPECT_EQ(aimc_hw_trace_params_validate(&t), AIMC_EINVAL);
  EXPECT_NE(std::string(aimc_error_message()).find("trace.tiles[0].rows[1]"), std::string::npos);
  t.tiles[0].rows[1] = 0;
  t.first_step = 5;
  t.last_step = 4;
  EXPECT_EQ(aimc_hw_trace_params_validate(&t), AIMC_EINVAL);
  EXPECT_NE(std::string(aimc_error_message()).find("trace.first_step"), std::string::npos);
}
