/*
 * Defaults and validation of the hardware parameters (params.h). Every default
 * is a published figure or derived from one by the arithmetic shown; the table
 * with sources is in docs/hardware.md and the tags [V]/[S]/[D] follow
 * the design notes reference/energy.md. Values marked [A] are design assumptions
 * with no published figure behind them.
 */
#include "aimc_hw/params.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

/* Longest time any single parameter may take: keeps sums of many operations far
 * inside the 2^64 steps of 100 fs that SystemC counts (about 21 days). */
#define LONGEST_TIME 1e3

#define CHECK(cond, ...) \
  do {                   \
    if (!(cond)) return aimc_error_set(AIMC_EINVAL, __VA_ARGS__); \
  } while (0)

static int positive_time(double t) { return isfinite(t) && t >= AIMC_HW_TIME_RESOLUTION && t <= LONGEST_TIME; }
static int non_negative_time(double t) { return isfinite(t) && t >= 0.0 && t <= LONGEST_TIME; }
static int non_negative(double v) { return isfinite(v) && v >= 0.0; }
static int positive(double v) { return isfinite(v) && v > 0.0; }

void aimc_hw_tile_params_default(aimc_hw_tile_params *p) {
  p->rows = 128; /* NeuroSim V2.1 subArray = 128 [V]; ISAAC 128 x 128 crossbars [V] */
  p->cols = 128;
}

void aimc_hw_dac_params_default(aimc_hw_dac_params *p) {
  memset(p, 0, sizeof *p);
  p->bits = 7;                          /* AIHWKIT IOParameters inp_res = 1/126 [V]; Wu et al. 2025 Table 4 */
  p->encoding = AIMC_HW_DAC_PULSE_WIDTH;
  p->slot_time = 40e-9 / 128.0;         /* [D] 2^7 slots fill the 40 ns read of Wu et al. 2025 Table 3 */
  p->setup_time = 1e-9;                 /* PUMA 1-bit DAC latency 1 ns [V] */
  p->energy_per_conversion = 0.42e-12;  /* ISAAC 1-bit DAC drive 0.42 pJ [S]: a pulse-width input is one drive */
  p->amplitude_energy_per_bit = 0.42e-12 / 7.0; /* [D] a 7-bit amplitude DAC costs the same drive; energy linear in
                                                   bits as a C-2C ladder (Wang et al., JSSC 2023) */
}

void aimc_hw_adc_params_default(aimc_hw_adc_params *p) {
  memset(p, 0, sizeof *p);
  p->type = AIMC_HW_ADC_SAR;
  p->bits = 8;                          /* Kull ISSCC'13 as used by ISAAC [S] */
  p->cost = AIMC_HW_ADC_COST_MODEL;
  p->conversion_time = 1.0 / 1.2e9;     /* table: the same ADC's 1.2 GS/s [S] */
  p->energy_per_conversion = 1.67e-12;  /* table: ISAAC, 16 mW for 8 ADCs at 1.2 GS/s [S] */
  p->enob_loss = 1.0;                   /* Murmann ADC survey anchors lose 0.3-1.8 b of their nominal bits [D] */
  p->walden_fom = 1.67e-12 / 128.0;     /* [D] 13.05 fJ/step: the model gives ISAAC's 1.67 pJ at 8 b (ENOB 7);
                                           Murmann ADC survey, SAR at 10 MS/s-2 GS/s, ENOB 4-10, <= 40 nm:
                                           p10 13 fJ, p25 17 fJ [D] */
  p->schreier_fom = 170.0;              /* Murmann ADC survey, ENOB >= 11: median 166 dB, p90 180 dB [D] */
  p->sar_cycle_time = 1.0 / 1.2e9 / 8.0; /* [D] 8 decisions fill Kull ISSCC'13's 833 ps conversion [S] */
  p->flash_conversion_time = 1.0 / 1.25e9; /* Van der Plas ISSCC'06 4-b flash at 1.25 GS/s [V survey] */
  p->flash_energy_per_comparator = 2.02e-12 / 15.0; /* [D] the same design's 2.02 pJ over its 15 comparators */
  p->columns_per_adc = 8;               /* NeuroSim numColMuxed default 8 [V] */
  p->ramp_step_time = 300e-12;          /* HERMES core's CCO-based ADCs: 300 ps per LSB (Khaddam-Aljameh et al.,
                                           IEEE JSSC 2022) [S] */
  p->ramp_energy_per_step = 2.02e-12 / 15.0; /* [D] one comparator decision per step, the flash default's comparator */
  p->sample_rate_corner = 1.2e9;        /* Murmann ADC survey: the 0.67 fJ low-rate Walden envelope meets the
                                           high-speed line FOM_W = 5.5e-10 fJ s x f at about 1.2 GS/s [D] */
  p->leakage_fraction = 0.0;            /* [A] none booked: hwcomponents-adc's convention (main.py: leak power
                                           0.2 x E_conv x throughput [V]) assumes a busy ADC, and the reference
                                           chip's ADCs idle through most of a run (docs/hardware.md, Leakage) */
}

void aimc_hw_pulse_params_default(aimc_hw_pulse_params *p) {
  memset(p, 0, sizeof *p);
  p->pulse_width = 5e-9;                /* ECRAM pulses down to 5 ns, Tang IEDM 2018 [S] */
  p->pulse_period = 5e-9;               /* [D] Wu et al. 2025 Table 3: 165.9 ns update at BL 32 (Table 4) = 5.2 ns/slot */
  p->amplitude = 2.0;                   /* [D] half of v_write: V/2 coincidence scheme */
  p->setup_time = 1e-9;                 /* PUMA 1-bit DAC (line driver) latency 1 ns [V] */
  p->energy_per_line_pulse = 0.42e-12;  /* table: ISAAC 1-bit DAC drive 0.42 pJ [S] */
  p->line_energy = AIMC_HW_LINE_ENERGY_MODEL;
  p->wire_capacitance = 0.2e-15 / 1e-6; /* NeuroSim SubArray.cpp wire capacitance 0.2 fF/um [V] */
  p->cell_capacitance = 0.0;            /* [A] the wire only: no access-transistor or gate capacitance */
}

void aimc_hw_conductance_params_default(aimc_hw_conductance_params *p) {
  memset(p, 0, sizeof *p);
  p->g_max = 1.0 / 240e3;               /* NeuroSim V2.1 Ron = 240 kOhm [V] */
  p->g_min = p->g_max / 100.0;          /* NeuroSim V2.1 Roff/Ron = 100 [V] */
  p->mapping = AIMC_HW_DIFFERENTIAL_PAIR; /* [A] */
  p->v_read = 0.5;                      /* NeuroSim V2.1 readVoltage [V] */
  p->v_write = 4.0;                     /* NeuroSim V2.1 writeVoltage [V] */
  p->program_energy = AIMC_HW_PROGRAM_ENERGY_TABLE;
  p->energy_per_device_pulse = 1e-15;   /* Li-WO3 ECRAM, projected ~1 fJ, Tang IEDM 2018 [S] */
  p->energy_per_half_select = 0.0;      /* counted, not costed [A] */
}

void aimc_hw_read_params_default(aimc_hw_read_params *p) {
  memset(p, 0, sizeof *p);
  p->integration_time = 40e-9;          /* forward/backward 40 ns, Wu et al. 2025 Table 3 */
  p->post_processing_cycles = 1;        /* [A] one scaling stage after the last conversion */
  p->energy_per_output = 0.25e-12;      /* RAELLA quantisation multiply 0.25 pJ [S] */
}

void aimc_hw_controller_params_default(aimc_hw_controller_params *p) {
  memset(p, 0, sizeof *p);
  p->clock_frequency = 1e9;             /* NeuroSim V2.1 clkFreq 1 GHz [V] */
  p->lanes = 4;                         /* [D] what the buffer delivers: 64 bits/cycle / 16-bit words */
  /* Aladdin 40 nm [V]: adder 0.21 pJ, multiplier 12.68 pJ, comparator 0.029 pJ. */
  p->activation = (aimc_hw_op_cost){3, (0.029 + 12.68 + 0.21) * 1e-12, 1, 1}; /* piecewise-linear: compare, multiply, add */
  p->loss = (aimc_hw_op_cost){2, (0.21 + 12.68) * 1e-12, 2, 1};               /* difference, then scale */
  p->update_management = (aimc_hw_op_cost){1, 0.029e-12, 0, 0};               /* one comparison for max|.| */
  p->add = (aimc_hw_op_cost){1, 0.21e-12, 0, 0};                               /* one 32-bit addition */
  p->static_power = 0.0;                /* [A] no published figure for this controller: none booked */
}

void aimc_hw_buffer_params_default(aimc_hw_buffer_params *p) {
  memset(p, 0, sizeof *p);
  p->read_energy_per_bit = 18.18e-12 / 64.0;  /* Eyeriss GLB (CACTI, 65 nm): 18.18 pJ per 64-bit read [V] */
  p->write_energy_per_bit = 14.14e-12 / 64.0; /* 14.14 pJ per 64-bit write [V] */
  p->bits_per_cycle = 64;               /* the same 64-bit access */
  p->ports = 1;                         /* one access per cycle, as that CACTI model */
  p->word_bits = 16;                    /* Eyeriss 16-bit data [V] */
  p->leakage_power_per_byte = 1.67e-6 / 65536.0; /* [D] CACTI 45 nm SRAM via Accelergy (timeloop-accelergy-
                                                    exercises simba_like ERT): 1.67 uW for 64 KB [V], leakage
                                                    proportional to capacity (hwcomponents scalefuncs.py) [V] */
}

void aimc_hw_area_params_default(aimc_hw_area_params *p) {
  memset(p, 0, sizeof *p);
  p->cell_height = 4 * 40e-9;           /* NeuroSim V2.1 1T1R cell 4F tall, F = featuresize 40 nm [V] */
  p->cell_width = 4 * 40e-9;            /* and 4F wide [V] */
  p->adc_cost = AIMC_HW_ADC_COST_MODEL;
  p->adc_node = 32e-9;                  /* Kull ISSCC'13 (32 nm SOI), the reference ADC, as ISAAC [S] */
  p->adc_sar_8bit = 1200e-12;           /* ISAAC: 9600 um^2 for 8 ADCs (Kull ISSCC'13, 32 nm) [S] */
  p->adc_sar_growth = 2.0;              /* hwcomponents' ISAAC ADC: area x 2 per bit [S] */
  p->adc_flash_8bit = 6000e-12;         /* top of the ADC plug-in's 8-bit 32 nm areas, 2600-6000 um^2 [S]:
                                           flash is the fast end */
  p->dac_line = 170e-12 / 1024.0;       /* ISAAC: 170 um^2 for 8 x 128 1-bit DACs [S]; PUMA 1.67e-7 mm^2 [V] */
  p->pulse_driver_line = 170e-12 / 1024.0; /* the same 1-bit line driver as pulse.energy_per_line_pulse */
  p->buffer_bytes = 64 * 1024;          /* ISAAC's 64 KB eDRAM of a tile [S], one buffer for the chip [A] */
  p->buffer_per_byte = 83000e-12 / 65536.0; /* [D] ISAAC eDRAM: 83000 um^2 for 64 KB [S] */
  p->controller_per_lane = (6350.0 + 278.0 + 71.0) * 1e-12; /* [D] Aladdin 40 nm multiplier + adder +
                                                              comparator [S], the ops of one lane */
}

void aimc_hw_chip_params_default(aimc_hw_chip_params *p) {
  memset(p, 0, sizeof *p);
  aimc_hw_tile_params_default(&p->tile);
  p->tiles = 0;
  aimc_hw_dac_params_default(&p->dac);
  aimc_hw_adc_params_default(&p->adc);
  aimc_hw_pulse_params_default(&p->pulse);
  aimc_hw_conductance_params_default(&p->conductance);
  aimc_hw_read_params_default(&p->read);
  aimc_hw_controller_params_default(&p->controller);
  aimc_hw_buffer_params_default(&p->buffer);
  aimc_hw_area_params_default(&p->area);
}

void aimc_hw_trace_params_default(aimc_hw_trace_params *p) {
  memset(p, 0, sizeof *p);
  p->first_operation = 0;
  p->last_operation = UINT64_MAX;
  p->first_step = 0;
  p->last_step = UINT64_MAX;
}

aimc_status aimc_hw_tile_params_validate(const aimc_hw_tile_params *p) {
  CHECK(p->rows >= 1 && p->rows <= (1 << 24), "tile.rows must be in [1, 2^24] (got %d)", p->rows);
  CHECK(p->cols >= 1 && p->cols <= (1 << 24), "tile.cols must be in [1, 2^24] (got %d)", p->cols);
  return AIMC_OK;
}

aimc_status aimc_hw_dac_params_validate(const aimc_hw_dac_params *p) {
  CHECK(p->bits >= 2 && p->bits <= 16, "dac.bits must be in [2, 16] (got %d)", p->bits);
  CHECK((unsigned)p->encoding < AIMC_HW_DAC_ENCODING_COUNT, "dac.encoding %d is unknown", (int)p->encoding);
  CHECK(positive_time(p->slot_time), "dac.slot_time must be in [1e-13, 1e3] s (got %g)", p->slot_time);
  CHECK(non_negative_time(p->setup_time), "dac.setup_time must be in [0, 1e3] s (got %g)", p->setup_time);
  CHECK(non_negative(p->energy_per_conversion), "dac.energy_per_conversion must be finite and >= 0 (got %g)",
        p->energy_per_conversion);
  CHECK(isfinite(p->amplitude_energy_per_bit) && p->amplitude_energy_per_bit >= 0.0 &&
            p->amplitude_energy_per_bit <= 1e-6,
        "dac.amplitude_energy_per_bit must be in [0, 1e-6] J (got %g)", p->amplitude_energy_per_bit);
  return AIMC_OK;
}

aimc_status aimc_hw_adc_params_validate(const aimc_hw_adc_params *p) {
  CHECK((unsigned)p->type < AIMC_HW_ADC_TYPE_COUNT, "adc.type %d is unknown", (int)p->type);
  CHECK(p->bits >= 2 && p->bits <= 16, "adc.bits must be in [2, 16] (got %d)", p->bits);
  CHECK(p->type != AIMC_HW_ADC_FLASH || p->bits <= 12, "adc.bits must be <= 12 for a flash ADC (got %d)", p->bits);
  CHECK((unsigned)p->cost < AIMC_HW_ADC_COST_COUNT, "adc.cost %d is unknown", (int)p->cost);
  CHECK(positive_time(p->conversion_time), "adc.conversion_time must be in [1e-13, 1e3] s (got %g)",
        p->conversion_time);
  CHECK(non_negative(p->energy_per_conversion), "adc.energy_per_conversion must be finite and >= 0 (got %g)",
        p->energy_per_conversion);
  CHECK(isfinite(p->walden_fom) && p->walden_fom >= 0.0 && p->walden_fom <= 1e-6,
        "adc.walden_fom must be in [0, 1e-6] J (got %g)", p->walden_fom);
  CHECK(isfinite(p->schreier_fom) && p->schreier_fom >= 100.0 && p->schreier_fom <= 300.0,
        "adc.schreier_fom must be in [100, 300] dB (got %g)", p->schreier_fom);
  CHECK(isfinite(p->enob_loss) && p->enob_loss >= 0.0 && p->enob_loss <= 4.0,
        "adc.enob_loss must be in [0, 4] bits (got %g)", p->enob_loss);
  CHECK(positive_time(p->sar_cycle_time) && positive_time(16.0 * p->sar_cycle_time),
        "adc.sar_cycle_time must be in [1e-13, 1e3 / 16] s (got %g)", p->sar_cycle_time);
  CHECK(positive_time(p->flash_conversion_time), "adc.flash_conversion_time must be in [1e-13, 1e3] s (got %g)",
        p->flash_conversion_time);
  CHECK(isfinite(p->flash_energy_per_comparator) && p->flash_energy_per_comparator >= 0.0 &&
            p->flash_energy_per_comparator <= 1e-6,
        "adc.flash_energy_per_comparator must be in [0, 1e-6] J (got %g)", p->flash_energy_per_comparator);
  CHECK(positive_time(p->ramp_step_time) && p->ramp_step_time <= 1e3 / 65536.0,
        "adc.ramp_step_time must be in [1e-13, 1e3 / 2^16] s (got %g)", p->ramp_step_time);
  CHECK(isfinite(p->ramp_energy_per_step) && p->ramp_energy_per_step >= 0.0 && p->ramp_energy_per_step <= 1e-6,
        "adc.ramp_energy_per_step must be in [0, 1e-6] J (got %g)", p->ramp_energy_per_step);
  CHECK(isfinite(p->sample_rate_corner) && p->sample_rate_corner >= 1.0 && p->sample_rate_corner <= 1e13,
        "adc.sample_rate_corner must be in [1, 1e13] Hz (got %g)", p->sample_rate_corner);
  CHECK(isfinite(p->leakage_fraction) && p->leakage_fraction >= 0.0 && p->leakage_fraction <= 1.0,
        "adc.leakage_fraction must be in [0, 1] (got %g)", p->leakage_fraction);
  CHECK(p->columns_per_adc >= 1 && p->columns_per_adc <= (1 << 24), "adc.columns_per_adc must be in [1, 2^24] (got %d)",
        p->columns_per_adc);
  return AIMC_OK;
}

aimc_status aimc_hw_pulse_params_validate(const aimc_hw_pulse_params *p) {
  CHECK(positive_time(p->pulse_width), "pulse.pulse_width must be in [1e-13, 1e3] s (got %g)", p->pulse_width);
  CHECK(positive_time(p->pulse_period), "pulse.pulse_period must be in [1e-13, 1e3] s (got %g)", p->pulse_period);
  CHECK(p->pulse_period >= p->pulse_width, "pulse.pulse_period (%g s) must be >= pulse.pulse_width (%g s)",
        p->pulse_period, p->pulse_width);
  CHECK(positive(p->amplitude), "pulse.amplitude must be finite and > 0 (got %g)", p->amplitude);
  CHECK(non_negative_time(p->setup_time), "pulse.setup_time must be in [0, 1e3] s (got %g)", p->setup_time);
  CHECK(non_negative(p->energy_per_line_pulse), "pulse.energy_per_line_pulse must be finite and >= 0 (got %g)",
        p->energy_per_line_pulse);
  CHECK((unsigned)p->line_energy < AIMC_HW_LINE_ENERGY_COUNT, "pulse.line_energy %d is unknown", (int)p->line_energy);
  CHECK(isfinite(p->wire_capacitance) && p->wire_capacitance >= 0.0 && p->wire_capacitance <= 1e-6,
        "pulse.wire_capacitance must be in [0, 1e-6] F/m (got %g)", p->wire_capacitance);
  CHECK(isfinite(p->cell_capacitance) && p->cell_capacitance >= 0.0 && p->cell_capacitance <= 1.0,
        "pulse.cell_capacitance must be in [0, 1] F (got %g)", p->cell_capacitance);
  return AIMC_OK;
}

aimc_status aimc_hw_conductance_params_validate(const aimc_hw_conductance_params *p) {
  CHECK(positive(p->g_min), "conductance.g_min must be finite and > 0 (got %g)", p->g_min);
  CHECK(positive(p->g_max) && p->g_max > p->g_min, "conductance.g_max must be finite and > g_min = %g (got %g)",
        p->g_min, p->g_max);
  CHECK((unsigned)p->mapping < AIMC_HW_WEIGHT_MAPPING_COUNT, "conductance.mapping %d is unknown", (int)p->mapping);
  CHECK(positive(p->v_read), "conductance.v_read must be finite and > 0 (got %g)", p->v_read);
  CHECK(positive(p->v_write), "conductance.v_write must be finite and > 0 (got %g)", p->v_write);
  CHECK((unsigned)p->program_energy < AIMC_HW_PROGRAM_ENERGY_COUNT, "conductance.program_energy %d is unknown",
        (int)p->program_energy);
  CHECK(non_negative(p->energy_per_device_pulse), "conductance.energy_per_device_pulse must be finite and >= 0 (got %g)",
        p->energy_per_device_pulse);
  CHECK(non_negative(p->energy_per_half_select), "conductance.energy_per_half_select must be finite and >= 0 (got %g)",
        p->energy_per_half_select);
  return AIMC_OK;
}

aimc_status aimc_hw_read_params_validate(const aimc_hw_read_params *p) {
  CHECK(positive_time(p->integration_time), "read.integration_time must be in [1e-13, 1e3] s (got %g)",
        p->integration_time);
  CHECK(p->post_processing_cycles >= 0 && p->post_processing_cycles <= (1 << 20),
        "read.post_processing_cycles must be in [0, 2^20] (got %d)", p->post_processing_cycles);
  CHECK(non_negative(p->energy_per_output), "read.energy_per_output must be finite and >= 0 (got %g)",
        p->energy_per_output);
  return AIMC_OK;
}

static aimc_status validate_op(const aimc_hw_op_cost *c, const char *name) {
  CHECK(c->cycles >= 1 && c->cycles <= (1 << 20), "controller.%s.cycles must be in [1, 2^20] (got %d)", name, c->cycles);
  CHECK(non_negative(c->energy), "controller.%s.energy must be finite and >= 0 (got %g)", name, c->energy);
  CHECK(c->words_read >= 0 && c->words_read <= 1024, "controller.%s.words_read must be in [0, 1024] (got %d)", name,
        c->words_read);
  CHECK(c->words_written >= 0 && c->words_written <= 1024, "controller.%s.words_written must be in [0, 1024] (got %d)",
        name, c->words_written);
  return AIMC_OK;
}

aimc_status aimc_hw_controller_params_validate(const aimc_hw_controller_params *p) {
  CHECK(isfinite(p->clock_frequency) && p->clock_frequency >= 1.0 && 1.0 / p->clock_frequency >= AIMC_HW_TIME_RESOLUTION,
        "controller.clock_frequency must be in [1, 1e13] Hz (got %g)", p->clock_frequency);
  CHECK(p->lanes >= 1 && p->lanes <= (1 << 20), "controller.lanes must be in [1, 2^20] (got %d)", p->lanes);
  for (int op = 0; op < AIMC_HW_OP_CLASS_COUNT; ++op) {
    aimc_status status = validate_op(aimc_hw_controller_op_cost(p, (aimc_hw_op_class)op),
                                     aimc_hw_op_class_name((aimc_hw_op_class)op));
    if (status != AIMC_OK) return status;
  }
  CHECK(isfinite(p->static_power) && p->static_power >= 0.0 && p->static_power <= 1e3,
        "controller.static_power must be in [0, 1e3] W (got %g)", p->static_power);
  return AIMC_OK;
}

aimc_status aimc_hw_buffer_params_validate(const aimc_hw_buffer_params *p) {
  CHECK(non_negative(p->read_energy_per_bit), "buffer.read_energy_per_bit must be finite and >= 0 (got %g)",
        p->read_energy_per_bit);
  CHECK(non_negative(p->write_energy_per_bit), "buffer.write_energy_per_bit must be finite and >= 0 (got %g)",
        p->write_energy_per_bit);
  CHECK(p->bits_per_cycle >= 1 && p->bits_per_cycle <= (1 << 20), "buffer.bits_per_cycle must be in [1, 2^20] (got %d)",
        p->bits_per_cycle);
  CHECK(p->ports >= 1 && p->ports <= 1024, "buffer.ports must be in [1, 1024] (got %d)", p->ports);
  CHECK(p->word_bits >= 1 && p->word_bits <= 64, "buffer.word_bits must be in [1, 64] (got %d)", p->word_bits);
  CHECK(isfinite(p->leakage_power_per_byte) && p->leakage_power_per_byte >= 0.0 && p->leakage_power_per_byte <= 1e-3,
        "buffer.leakage_power_per_byte must be in [0, 1e-3] W (got %g)", p->leakage_power_per_byte);
  return AIMC_OK;
}

/* Update line energy (docs/hardware.md, "Update line energy"). */
static double line_pulse_energy(const aimc_hw_pulse_params *pulse, int cells, double pitch) {
  if (pulse->line_energy == AIMC_HW_LINE_ENERGY_TABLE) return pulse->energy_per_line_pulse;
  double capacitance = (double)cells * (pitch * pulse->wire_capacitance + pulse->cell_capacitance);
  return capacitance * pulse->amplitude * pulse->amplitude;
}

double aimc_hw_row_line_pulse_energy(const aimc_hw_chip_params *params) {
  return line_pulse_energy(&params->pulse, params->tile.cols, params->area.cell_width);
}

double aimc_hw_col_line_pulse_energy(const aimc_hw_chip_params *params) {
  return line_pulse_energy(&params->pulse, params->tile.rows, params->area.cell_height);
}

/* Leakage (docs/hardware.md, "Leakage"). */
double aimc_hw_adc_dynamic_energy_per_conversion(const aimc_hw_adc_params *params) {
  return (1.0 - params->leakage_fraction) * aimc_hw_adc_energy_per_conversion(params);
}

double aimc_hw_adc_static_power(const aimc_hw_adc_params *params) {
  return params->leakage_fraction * aimc_hw_adc_energy_per_conversion(params) / aimc_hw_adc_conversion_time(params);
}

double aimc_hw_buffer_static_power(const aimc_hw_buffer_params *buffer, const aimc_hw_area_params *area) {
  return buffer->leakage_power_per_byte * (double)area->buffer_bytes;
}

/* Pitches up to 1 mm and areas up to 1 m^2 keep every chip total finite. */
static int pitch(double v) { return isfinite(v) && v > 0.0 && v <= 1e-3; }
static int area(double v) { return isfinite(v) && v >= 0.0 && v <= 1.0; }

aimc_status aimc_hw_area_params_validate(const aimc_hw_area_params *p) {
  CHECK(pitch(p->cell_height), "area.cell_height must be in (0, 1e-3] m (got %g)", p->cell_height);
  CHECK(pitch(p->cell_width), "area.cell_width must be in (0, 1e-3] m (got %g)", p->cell_width);
  CHECK((unsigned)p->adc_cost < AIMC_HW_ADC_COST_COUNT, "area.adc_cost %d is unknown", (int)p->adc_cost);
  CHECK(isfinite(p->adc_node) && p->adc_node >= 1e-9 && p->adc_node <= 1e-6,
        "area.adc_node must be in [1e-9, 1e-6] m (got %g)", p->adc_node);
  CHECK(area(p->adc_sar_8bit), "area.adc_sar_8bit must be in [0, 1] m^2 (got %g)", p->adc_sar_8bit);
  CHECK(isfinite(p->adc_sar_growth) && p->adc_sar_growth >= 1.0 && p->adc_sar_growth <= 4.0,
        "area.adc_sar_growth must be in [1, 4] (got %g)", p->adc_sar_growth);
  CHECK(area(p->adc_flash_8bit), "area.adc_flash_8bit must be in [0, 1] m^2 (got %g)", p->adc_flash_8bit);
  CHECK(area(p->dac_line), "area.dac_line must be in [0, 1] m^2 (got %g)", p->dac_line);
  CHECK(area(p->pulse_driver_line), "area.pulse_driver_line must be in [0, 1] m^2 (got %g)", p->pulse_driver_line);
  CHECK(p->buffer_bytes >= 0 && p->buffer_bytes <= (1 << 30), "area.buffer_bytes must be in [0, 2^30] (got %d)",
        p->buffer_bytes);
  CHECK(area(p->buffer_per_byte), "area.buffer_per_byte must be in [0, 1] m^2 (got %g)", p->buffer_per_byte);
  CHECK(area(p->controller_per_lane), "area.controller_per_lane must be in [0, 1] m^2 (got %g)",
        p->controller_per_lane);
  return AIMC_OK;
}

aimc_status aimc_hw_chip_params_validate(const aimc_hw_chip_params *p) {
  aimc_status status;
  if ((status = aimc_hw_tile_params_validate(&p->tile)) != AIMC_OK) return status;
  CHECK(p->tiles >= 0, "chip.tiles must be >= 0 (0: as many as needed; got %d)", p->tiles);
  if ((status = aimc_hw_dac_params_validate(&p->dac)) != AIMC_OK) return status;
  if ((status = aimc_hw_adc_params_validate(&p->adc)) != AIMC_OK) return status;
  if ((status = aimc_hw_pulse_params_validate(&p->pulse)) != AIMC_OK) return status;
  if ((status = aimc_hw_conductance_params_validate(&p->conductance)) != AIMC_OK) return status;
  if ((status = aimc_hw_read_params_validate(&p->read)) != AIMC_OK) return status;
  if ((status = aimc_hw_controller_params_validate(&p->controller)) != AIMC_OK) return status;
  if ((status = aimc_hw_buffer_params_validate(&p->buffer)) != AIMC_OK) return status;
  return aimc_hw_area_params_validate(&p->area);
}

static aimc_status validate_lines(const int *lines, int n, const char *what, int tile) {
  CHECK(n >= AIMC_HW_TRACE_FIRST_LINES && n <= AIMC_HW_TRACE_MAX_LINES, "trace.tiles[%d].n_%s must be in [%d, %d] (got %d)",
        tile, what, AIMC_HW_TRACE_FIRST_LINES, AIMC_HW_TRACE_MAX_LINES, n);
  for (int k = 0; k < n; ++k)
    CHECK(lines[k] >= 0, "trace.tiles[%d].%s[%d] must be >= 0 (got %d)", tile, what, k, lines[k]);
  return AIMC_OK;
}

aimc_status aimc_hw_trace_params_validate(const aimc_hw_trace_params *p) {
  size_t length = strnlen(p->vcd_path, AIMC_HW_TRACE_PATH_MAX);
  CHECK(length > 0, "trace.vcd_path is empty");
  CHECK(length < AIMC_HW_TRACE_PATH_MAX, "trace.vcd_path is not terminated within %d bytes", AIMC_HW_TRACE_PATH_MAX);
  CHECK(p->first_operation <= p->last_operation, "trace.first_operation (%llu) must be <= trace.last_operation (%llu)",
        (unsigned long long)p->first_operation, (unsigned long long)p->last_operation);
  CHECK(p->first_step <= p->last_step, "trace.first_step (%llu) must be <= trace.last_step (%llu)",
        (unsigned long long)p->first_step, (unsigned long long)p->last_step);
  CHECK(p->n_tiles >= 0 && p->n_tiles <= AIMC_HW_TRACE_MAX_TILES, "trace.n_tiles must be in [0, %d] (got %d)",
        AIMC_HW_TRACE_MAX_TILES, p->n_tiles);
  for (int t = 0; t < p->n_tiles; ++t) {
    const aimc_hw_trace_tile *tile = &p->tiles[t];
    CHECK(tile->layer >= 0, "trace.tiles[%d].layer must be >= 0 (got %d)", t, tile->layer);
    CHECK(tile->fast == 0 || tile->fast == 1, "trace.tiles[%d].fast must be 0 or 1 (got %d)", t, tile->fast);
    CHECK(tile->row_block >= 0 && tile->col_block >= 0, "trace.tiles[%d].row_block and col_block must be >= 0", t);
    aimc_status status = validate_lines(tile->rows, tile->n_rows, "rows", t);
    if (status == AIMC_OK) status = validate_lines(tile->cols, tile->n_cols, "cols", t);
    if (status != AIMC_OK) return status;
    CHECK(tile->n_devices >= 0 && tile->n_devices <= AIMC_HW_TRACE_MAX_LINES,
          "trace.tiles[%d].n_devices must be in [0, %d] (got %d)", t, AIMC_HW_TRACE_MAX_LINES, tile->n_devices);
    for (int k = 0; k < tile->n_devices; ++k)
      CHECK(tile->device_rows[k] >= 0 && tile->device_cols[k] >= 0,
            "trace.tiles[%d].device_rows/device_cols[%d] must be >= 0", t, k);
  }
  return AIMC_OK;
}

int aimc_hw_layer_tiles(const aimc_hw_tile_params *tile, int out, int in, int fast) {
  int row_blocks = (out + tile->rows - 1) / tile->rows, col_blocks = (in + tile->cols - 1) / tile->cols;
  return row_blocks * col_blocks * (fast ? 2 : 1);
}

int aimc_hw_trace_line_count(int n, int size) {
  if (n == AIMC_HW_TRACE_ALL_LINES) return size;
  if (n == AIMC_HW_TRACE_FIRST_LINES) return size < AIMC_HW_TRACE_FIRST_COUNT ? size : AIMC_HW_TRACE_FIRST_COUNT;
  return n;
}

/* Lines of block `block` of a side of `extent` lines cut into tiles of `tile` lines. */
static int block_size(int extent, int tile, int block) {
  int rest = extent - block * tile;
  return rest < tile ? rest : tile;
}

aimc_status aimc_hw_trace_params_check_layers(const aimc_hw_trace_params *p, const aimc_hw_tile_params *geometry,
                                              const aimc_hw_trace_layer *layers, int n_layers, const char *name) {
  aimc_status status = aimc_hw_trace_params_validate(p);
  if (status != AIMC_OK) return status;
  for (int t = 0; t < p->n_tiles; ++t) {
    const aimc_hw_trace_tile *tile = &p->tiles[t];
    char label[64];
    if (name)
      snprintf(label, sizeof label, "%s", name);
    else
      snprintf(label, sizeof label, "trace.tiles[%d]", t);
    CHECK(tile->layer < n_layers, "%s.layer = %d: there is no such layer (the workload has %d analog layer%s, 0..%d)",
          label, tile->layer, n_layers, n_layers == 1 ? "" : "s", n_layers - 1);
    const aimc_hw_trace_layer *layer = &layers[tile->layer];
    CHECK(!tile->fast || layer->fast, "%s.fast: layer %d has no fast array (only tiki_taka has one)", label, tile->layer);
    int row_blocks = (layer->out + geometry->rows - 1) / geometry->rows;
    int col_blocks = (layer->in + geometry->cols - 1) / geometry->cols;
    CHECK(tile->row_block < row_blocks && tile->col_block < col_blocks,
          "%s.row_block/col_block (%d, %d) is outside layer %d's %d x %d tile grid", label, tile->row_block,
          tile->col_block, tile->layer, row_blocks, col_blocks);
    int rows = block_size(layer->out, geometry->rows, tile->row_block);
    int cols = block_size(layer->in, geometry->cols, tile->col_block);
    for (int k = 0; k < tile->n_rows; ++k)
      CHECK(tile->rows[k] < rows, "%s.rows[%d] = %d is outside the tile's %d row%s (0..%d)", label, k, tile->rows[k],
            rows, rows == 1 ? "" : "s", rows - 1);
    for (int k = 0; k < tile->n_cols; ++k)
      CHECK(tile->cols[k] < cols, "%s.cols[%d] = %d is outside the tile's %d column%s (0..%d)", label, k, tile->cols[k],
            cols, cols == 1 ? "" : "s", cols - 1);
    for (int k = 0; k < tile->n_devices; ++k)
      CHECK(tile->device_rows[k] < rows && tile->device_cols[k] < cols,
            "%s.device_rows/device_cols[%d]: device (%d, %d) is outside the tile's %d x %d cells", label, k,
            tile->device_rows[k], tile->device_cols[k], rows, cols);
    for (int u = 0; u < t; ++u)
      CHECK(p->tiles[u].layer != tile->layer || p->tiles[u].fast != tile->fast ||
                p->tiles[u].row_block != tile->row_block || p->tiles[u].col_block != tile->col_block,
            "%s repeats a tile listed before", label);
  }
  return AIMC_OK;
}

const aimc_hw_op_cost *aimc_hw_controller_op_cost(const aimc_hw_controller_params *p, aimc_hw_op_class op) {
  switch (op) {
    case AIMC_HW_OP_ACTIVATION: return &p->activation;
    case AIMC_HW_OP_LOSS: return &p->loss;
    case AIMC_HW_OP_UPDATE_MANAGEMENT: return &p->update_management;
    case AIMC_HW_OP_ADD: return &p->add;
    default: return NULL;
  }
}

double aimc_hw_device_pulse_energy(const aimc_hw_conductance_params *c, const aimc_hw_pulse_params *pulse) {
  if (c->program_energy == AIMC_HW_PROGRAM_ENERGY_TABLE) return c->energy_per_device_pulse;
  return c->v_write * c->v_write * c->g_max * pulse->pulse_width;
}

double aimc_hw_dac_energy_per_conversion(const aimc_hw_dac_params *p) {
  if (p->encoding == AIMC_HW_DAC_AMPLITUDE) return (double)p->bits * p->amplitude_energy_per_bit;
  return p->energy_per_conversion;
}

double aimc_hw_adc_energy_per_conversion(const aimc_hw_adc_params *p) {
  if (p->cost == AIMC_HW_ADC_COST_TABLE) return p->energy_per_conversion;
  if (p->type == AIMC_HW_ADC_FLASH) return (ldexp(1.0, p->bits) - 1.0) * p->flash_energy_per_comparator;
  if (p->type == AIMC_HW_ADC_RAMP) return ldexp(p->ramp_energy_per_step, p->bits);
  double enob = (double)p->bits - p->enob_loss;
  double over_corner = 1.0 / (aimc_hw_adc_conversion_time(p) * p->sample_rate_corner); /* f / f_corner */
  double walden = p->walden_fom * exp2(enob) * (over_corner > 1.0 ? over_corner : 1.0);
  double schreier = 0.5 * pow(10.0, (6.02 * enob + 1.76 - p->schreier_fom) / 10.0);
  return walden > schreier ? walden : schreier;
}

double aimc_hw_adc_conversion_time(const aimc_hw_adc_params *p) {
  if (p->cost == AIMC_HW_ADC_COST_TABLE) return p->conversion_time;
  if (p->type == AIMC_HW_ADC_FLASH) return p->flash_conversion_time;
  if (p->type == AIMC_HW_ADC_RAMP) return ldexp(p->ramp_step_time, p->bits);
  return (double)p->bits * p->sar_cycle_time;
}

double aimc_hw_adc_area(const aimc_hw_chip_params *p) {
  const aimc_hw_adc_params *adc = &p->adc;
  const aimc_hw_area_params *a = &p->area;
  if (a->adc_cost == AIMC_HW_ADC_COST_TABLE) {
    if (adc->type == AIMC_HW_ADC_FLASH) return a->adc_flash_8bit * (ldexp(1.0, adc->bits) - 1.0) / 255.0;
    return a->adc_sar_8bit * pow(a->adc_sar_growth, adc->bits - 8);
  }
  double energy_pj = aimc_hw_adc_energy_per_conversion(adc) * 1e12;
  if (!(energy_pj > 0.0)) return 0.0; /* the regression's A ~ E^0.30 vanishes with the energy */
  double rate = 1.0 / aimc_hw_adc_conversion_time(adc);
  double ln_um2 = 1.346 + 0.9933 * log(a->adc_node * 1e9) + 0.1807 * log(rate) + 0.2991 * log(energy_pj);
  return exp(ln_um2) * 1e-12;
}

void aimc_hw_io_match_converters(const aimc_hw_chip_params *p, aimc_io_params *io) {
  io->inp_res = 1.0 / (double)((1 << p->dac.bits) - 2);
  io->out_res = 1.0 / (double)((1 << p->adc.bits) - 2);
}

/* Steps of a resolution (<= 0: unquantised). */
static double resolution_steps(double res) { return res <= 0.0 ? 0.0 : (res > 1.0 ? res : 1.0 / res); }

aimc_status aimc_hw_io_check_converters(const aimc_io_params *io, const char *name, const aimc_hw_chip_params *chip) {
  if (io->is_perfect) return AIMC_OK;
  double dac_steps = (double)((1 << chip->dac.bits) - 2), adc_steps = (double)((1 << chip->adc.bits) - 2);
  CHECK(resolution_steps(io->inp_res) <= dac_steps * (1.0 + 1e-9),
        "%s.inp_res (%g: %.0f steps) is finer than the chip's %d-bit DAC (chip.dac.bits, %.0f steps)", name, io->inp_res,
        resolution_steps(io->inp_res), chip->dac.bits, dac_steps);
  CHECK(resolution_steps(io->out_res) <= adc_steps * (1.0 + 1e-9),
        "%s.out_res (%g: %.0f steps) is finer than the chip's %d-bit ADC (chip.adc.bits, %.0f steps)", name, io->out_res,
        resolution_steps(io->out_res), chip->adc.bits, adc_steps);
  return AIMC_OK;
}

#define NAMES(type, prefix, count, ...)                                       \
  static const char *const prefix##_names[count] = {__VA_ARGS__};             \
  const char *aimc_hw_##prefix##_name(type value) {                           \
    return (unsigned)value < (count) ? prefix##_names[value] : NULL;          \
  }                                                                           \
  aimc_status aimc_hw_##prefix##_parse(const char *name, type *value) {       \
    for (unsigned k = 0; k < (count); ++k) {                                  \
      if (strcmp(name, prefix##_names[k]) == 0) {                             \
        *value = (type)k;                                                     \
        return AIMC_OK;                                                       \
      }                                                                       \
    }                                                                         \
    return aimc_error_set(AIMC_EINVAL, "unknown " #prefix " '%s'", name);     \
  }

NAMES(aimc_hw_dac_encoding, dac_encoding, AIMC_HW_DAC_ENCODING_COUNT, "pulse_width", "amplitude")
NAMES(aimc_hw_adc_type, adc_type, AIMC_HW_ADC_TYPE_COUNT, "sar", "flash", "ramp")
NAMES(aimc_hw_adc_cost, adc_cost, AIMC_HW_ADC_COST_COUNT, "model", "table")
NAMES(aimc_hw_line_energy, line_energy, AIMC_HW_LINE_ENERGY_COUNT, "model", "table")
NAMES(aimc_hw_weight_mapping, weight_mapping, AIMC_HW_WEIGHT_MAPPING_COUNT, "differential_pair", "reference_device")
NAMES(aimc_hw_program_energy, program_energy, AIMC_HW_PROGRAM_ENERGY_COUNT, "formula", "table")
NAMES(aimc_hw_op_class, op_class, AIMC_HW_OP_CLASS_COUNT, "activation", "loss", "update_management", "add")
