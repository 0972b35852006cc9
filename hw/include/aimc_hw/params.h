/*
 * Parameters of the hardware model: one plain C struct per component, with a
 * default that describes a documented reference chip (docs/hardware.md lists
 * every default with its source) and a validation that names the bad field.
 *
 * All quantities are in SI base units: seconds, joules, siemens, volts, hertz,
 * bits. Times are rounded to the simulator's time resolution
 * (AIMC_HW_TIME_RESOLUTION, 100 fs) when a chip is built, so a time that must
 * be positive must also be at least one resolution step.
 *
 * The reference chip is a collage of published figures (energy.md): 128 x 128
 * tiles (NeuroSim V2.1, ISAAC), a 7-bit pulse-width DAC whose 128 slots fill the
 * 40 ns forward/backward read of Wu et al. 2025 (arXiv 2502.06309, Table 3), an
 * 8-bit SAR ADC at 1.67 pJ and 1.2 GS/s (Kull ISSCC'13 as used by ISAAC) shared
 * by 8 lines (NeuroSim), 5 ns update pulses (ECRAM, Tang IEDM 2018), NeuroSim
 * V2.1's device conductances and voltages, a 1 GHz controller with Aladdin's
 * 40 nm operation energies, and Eyeriss's CACTI SRAM buffer; areas from
 * NeuroSim's cell, ISAAC's converters and eDRAM, and Aladdin's units.
 */
#ifndef AIMC_HW_PARAMS_H
#define AIMC_HW_PARAMS_H

#include <stdint.h>

#include "aimc/error.h"
#include "aimc/io.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The simulator's time resolution in seconds; every time is a multiple of it. */
#define AIMC_HW_TIME_RESOLUTION 1e-13

/* Geometry of one physical tile (crossbar). Rows are the output (d) lines of a
 * forward read, columns the input (x) lines. */
typedef struct aimc_hw_tile_params {
  int rows; /* physical rows, 1..2^24 */
  int cols; /* physical columns, 1..2^24 */
} aimc_hw_tile_params;

/* How the DAC encodes an input on its line. */
typedef enum aimc_hw_dac_encoding {
  AIMC_HW_DAC_PULSE_WIDTH = 0, /* fixed amplitude, duration |level| slots; window 2^bits slots
                                  (signed inputs in two phases of 2^(bits-1) slots) */
  AIMC_HW_DAC_AMPLITUDE,       /* amplitude proportional to the level for a fixed
                                  integration time (aimc_hw_read_params) */
  AIMC_HW_DAC_ENCODING_COUNT
} aimc_hw_dac_encoding;

/* The input DACs of one side of a tile (one DAC per line). Energy per input
 * line per analog pass: pulse width, energy_per_conversion (one line drive,
 * whatever the pulse length); amplitude, bits x amplitude_energy_per_bit (a
 * C-2C ladder of one unit per bit). */
typedef struct aimc_hw_dac_params {
  int bits;                     /* resolution including sign, 2..16 */
  aimc_hw_dac_encoding encoding;
  double slot_time;             /* s, pulse width of one level step (pulse-width encoding), > 0 */
  double setup_time;            /* s, DAC settling before each analog pass, >= 0 */
  double energy_per_conversion; /* J, per input line per analog pass with pulse-width encoding, >= 0 */
  double amplitude_energy_per_bit; /* J, per bit of one amplitude conversion, >= 0 */
} aimc_hw_dac_params;

/* Energy of one input conversion (one line, one pass) under `params`. */
double aimc_hw_dac_energy_per_conversion(const aimc_hw_dac_params *params);

/* ADC architecture; decides the comparator decisions a conversion takes. */
typedef enum aimc_hw_adc_type {
  AIMC_HW_ADC_SAR = 0, /* successive approximation: `bits` comparator decisions per conversion */
  AIMC_HW_ADC_FLASH,   /* flash: 2^bits - 1 comparators fire per conversion */
  AIMC_HW_ADC_RAMP,    /* ramp (single slope): one comparator decides at each of 2^bits LSB steps */
  AIMC_HW_ADC_TYPE_COUNT
} aimc_hw_adc_type;

/* Where an ADC's energy per conversion and conversion time come from. */
typedef enum aimc_hw_adc_cost {
  AIMC_HW_ADC_COST_MODEL = 0, /* functions of bits and type (aimc_hw_adc_energy_per_conversion) */
  AIMC_HW_ADC_COST_TABLE,     /* the fixed conversion_time and energy_per_conversion */
  AIMC_HW_ADC_COST_COUNT
} aimc_hw_adc_cost;

/* The output ADCs of one side of a tile, shared by `columns_per_adc` lines each.
 * With the model cost (docs/hardware.md, "ADC and DAC cost model"), ENOB =
 * bits - enob_loss and
 *   SAR:   E = max(walden_fom x 2^ENOB x max(1, f / sample_rate_corner),
 *              1/2 x 10^((6.02 ENOB + 1.76 - schreier_fom) / 10)),
 *          t = bits x sar_cycle_time (one comparator decision per bit), f = 1 / t
 *          (the per-ADC sample rate; above the survey's high-speed corner the
 *          Walden envelope grows in proportion to f);
 *   flash: E = (2^bits - 1) x flash_energy_per_comparator, t = flash_conversion_time;
 *   ramp:  E = 2^bits x ramp_energy_per_step, t = 2^bits x ramp_step_time. */
typedef struct aimc_hw_adc_params {
  aimc_hw_adc_type type;
  int bits;                     /* resolution including sign, 2..16 (flash: at most 12) */
  aimc_hw_adc_cost cost;
  double conversion_time;       /* s, one conversion with the table cost, > 0 */
  double energy_per_conversion; /* J, one conversion with the table cost, >= 0 */
  double walden_fom;            /* J per conversion step (Walden figure of merit), SAR model, >= 0 */
  double schreier_fom;          /* dB (Schreier figure of merit), SAR model's thermal-noise bound, 100..300 */
  double enob_loss;             /* bits, bits - ENOB, 0..4 */
  double sar_cycle_time;        /* s, one SAR bit decision, > 0 */
  double flash_conversion_time; /* s, one flash conversion, > 0 */
  double flash_energy_per_comparator; /* J, one comparator of a flash conversion, >= 0 */
  double sample_rate_corner;    /* Hz, SAR model: the Walden term grows as f / corner above it, > 0 */
  double ramp_step_time;        /* s, one LSB step of a ramp conversion, > 0 */
  double ramp_energy_per_step;  /* J, one LSB step of a ramp conversion (comparator decision and count), >= 0 */
  int columns_per_adc;          /* lines multiplexed onto one ADC, >= 1 */
  /* Leakage (docs/hardware.md, "Leakage"): each ADC draws leakage_fraction x
   * E_conv / t_conv while the chip is powered (hwcomponents-adc's convention). */
  double leakage_fraction;      /* static power per ADC over E_conv x its sample rate, 0..1 */
} aimc_hw_adc_params;

/* Energy of one conversion and the time it takes under `params` (model or
 * table cost). */
double aimc_hw_adc_energy_per_conversion(const aimc_hw_adc_params *params);
double aimc_hw_adc_conversion_time(const aimc_hw_adc_params *params);
/* The part of E_conv a conversion charges as dynamic energy,
 * (1 - leakage_fraction) x E_conv: E_conv = P / f_s of a published design
 * includes its static power, which aimc_hw_adc_static_power books as leakage,
 * so a fully busy ADC costs E_conv per conversion in all. */
double aimc_hw_adc_dynamic_energy_per_conversion(const aimc_hw_adc_params *params);

/* Where the energy of one line pulse of the update comes from. */
typedef enum aimc_hw_line_energy {
  AIMC_HW_LINE_ENERGY_MODEL = 0, /* C_line x amplitude^2 (aimc_hw_row_line_pulse_energy) */
  AIMC_HW_LINE_ENERGY_TABLE,     /* energy_per_line_pulse, the same for row and column lines */
  AIMC_HW_LINE_ENERGY_COUNT
} aimc_hw_line_energy;

/* The update pulse generator of a tile: drives row and column lines with the
 * bit trains of the stochastic pulse update, one slot per pulse period. With
 * the model line energy a pulse charges its line, E = C_line x amplitude^2,
 * C_line = cells x (pitch x wire_capacitance + cell_capacitance): a row line
 * crosses tile.cols cells of area.cell_width, a column line tile.rows cells of
 * area.cell_height (docs/hardware.md, "Update line energy"). */
typedef struct aimc_hw_pulse_params {
  double pulse_width;           /* s, duration of one line pulse, > 0 */
  double pulse_period;          /* s, slot length, >= pulse_width */
  double amplitude;             /* V, pulse amplitude on a line (a half-selected device sees it), > 0 */
  double setup_time;            /* s, loading the probabilities of one sample, >= 0 */
  double energy_per_line_pulse; /* J, charging one row or column line for one pulse (table), >= 0 */
  aimc_hw_line_energy line_energy;
  double wire_capacitance;      /* F/m, wire capacitance per length of a line (model), 0..1e-6 */
  double cell_capacitance;      /* F, capacitance one cell adds to its line (model), 0..1 */
} aimc_hw_pulse_params;

/* How a signed weight becomes device conductances. */
typedef enum aimc_hw_weight_mapping {
  AIMC_HW_DIFFERENTIAL_PAIR = 0, /* G+ - G-: the side of w's sign carries |w|, the other sits at g_min */
  AIMC_HW_REFERENCE_DEVICE,      /* G - G_ref: w in [w_min, w_max] spans [g_min, g_max], G_ref = G(0) */
  AIMC_HW_WEIGHT_MAPPING_COUNT
} aimc_hw_weight_mapping;

/* Where the energy of one applied device pulse comes from. */
typedef enum aimc_hw_program_energy {
  AIMC_HW_PROGRAM_ENERGY_FORMULA = 0, /* v_write^2 * g_max * pulse_width (an upper bound, energy.md 3.3) */
  AIMC_HW_PROGRAM_ENERGY_TABLE,       /* energy_per_device_pulse */
  AIMC_HW_PROGRAM_ENERGY_COUNT
} aimc_hw_program_energy;

/* Conductances, voltages and device energies of the crossbar cells. */
typedef struct aimc_hw_conductance_params {
  double g_min;                     /* S, lowest conductance, > 0 */
  double g_max;                     /* S, highest conductance, > g_min */
  aimc_hw_weight_mapping mapping;
  double v_read;                    /* V, full-scale read voltage on an input line, > 0 */
  double v_write;                   /* V, voltage across a device at a pulse coincidence, > 0 */
  aimc_hw_program_energy program_energy;
  double energy_per_device_pulse;   /* J, table value of one applied device pulse, >= 0 */
  double energy_per_half_select;    /* J, per half-selected (cell, slot) event, >= 0; 0 = counted only */
} aimc_hw_conductance_params;

/* The analog read (MVM) of a tile beyond DAC and ADC. */
typedef struct aimc_hw_read_params {
  double integration_time;          /* s, integration window with amplitude encoding, > 0 */
  int post_processing_cycles;       /* controller cycles after the last conversion of a pass, >= 0 */
  double energy_per_output;         /* J, digital scaling of one converted output, >= 0 */
} aimc_hw_read_params;

/* Classes of digital work done by the controller. */
typedef enum aimc_hw_op_class {
  AIMC_HW_OP_ACTIVATION = 0, /* one activation function (or its derivative) on one value */
  AIMC_HW_OP_LOSS,           /* one element of a loss and its gradient */
  AIMC_HW_OP_UPDATE_MANAGEMENT, /* one element scanned for update (bit-length) management */
  AIMC_HW_OP_ADD,            /* one addition of partial sums of a split layer */
  AIMC_HW_OP_CLASS_COUNT
} aimc_hw_op_class;

/* Cost of one operation of a class. */
typedef struct aimc_hw_op_cost {
  int cycles;           /* controller cycles per operation per lane, >= 1 */
  double energy;        /* J per operation, >= 0 */
  int words_read;       /* buffer words read per operation, >= 0 */
  int words_written;    /* buffer words written per operation, >= 0 */
} aimc_hw_op_cost;

/* The clocked digital controller. */
typedef struct aimc_hw_controller_params {
  double clock_frequency;           /* Hz, > 0; also clocks the buffer and tile post-processing */
  int lanes;                        /* digital operations started per cycle, >= 1 */
  aimc_hw_op_cost activation;
  aimc_hw_op_cost loss;
  aimc_hw_op_cost update_management;
  aimc_hw_op_cost add;
  double static_power;              /* W, leakage of the controller while the chip is powered, >= 0 */
} aimc_hw_controller_params;

/* The SRAM buffer that holds activations and errors between layers. */
typedef struct aimc_hw_buffer_params {
  double read_energy_per_bit;       /* J/bit, >= 0 */
  double write_energy_per_bit;      /* J/bit, >= 0 */
  int bits_per_cycle;               /* bandwidth of one port per controller cycle, >= 1 */
  int ports;                        /* accesses served at once, >= 1 */
  int word_bits;                    /* bits of one stored activation or error value, 1..64 */
  double leakage_power_per_byte;    /* W per byte of capacity (area.buffer_bytes) while powered, >= 0 */
} aimc_hw_buffer_params;

/* Silicon area of the chip's parts (docs/hardware.md, "Area"). Every weight is
 * two devices in either conductance mapping (G+ and G-, or G and G_ref), so a
 * tile's crossbar is rows x cols x 2 cells of cell_height x cell_width. ADC area
 * with adc_cost model is the Accelergy ADC plug-in's regression on Murmann's
 * survey, ln(A / um^2) = 1.346 + 0.9933 ln(adc_node / nm) + 0.1807 ln(f / Hz)
 * + 0.2991 ln(E / pJ), with f = 1 / t_conv and E the ADC's energy per
 * conversion (aimc_hw_adc_area); with adc_cost table it follows a per-bit law
 * from an 8-bit reference: SAR and ramp adc_sar_8bit x adc_sar_growth^(bits - 8)
 * (capacitor array doubling per bit), flash adc_flash_8bit x (2^bits - 1) / 255
 * (one comparator per level). */
typedef struct aimc_hw_area_params {
  aimc_hw_adc_cost adc_cost;  /* model (regression on bits, rate, energy, node) or table (per-bit law) */
  double adc_node;            /* m, technology node of the ADCs (area model), 1e-9..1e-6 */
  double cell_height;         /* m, row pitch of one device, > 0 */
  double cell_width;          /* m, column pitch of one device, > 0 */
  double adc_sar_8bit;        /* m^2, one 8-bit SAR ADC, >= 0 */
  double adc_sar_growth;      /* SAR area factor per extra bit, 1..4 */
  double adc_flash_8bit;      /* m^2, one 8-bit flash ADC, >= 0 */
  double dac_line;            /* m^2, the input DAC of one line, >= 0 */
  double pulse_driver_line;   /* m^2, the update pulse driver of one row or column line, >= 0 */
  int buffer_bytes;           /* capacity of the activation and error buffer, 0..2^30 bytes */
  double buffer_per_byte;     /* m^2 per byte of buffer capacity, >= 0 */
  double controller_per_lane; /* m^2 per lane of the digital controller, >= 0 */
} aimc_hw_area_params;

/* The whole chip. */
typedef struct aimc_hw_chip_params {
  aimc_hw_tile_params tile;
  int tiles;                        /* physical tiles, >= 0; 0 = as many as the layers need */
  aimc_hw_dac_params dac;
  aimc_hw_adc_params adc;
  aimc_hw_pulse_params pulse;
  aimc_hw_conductance_params conductance;
  aimc_hw_read_params read;
  aimc_hw_controller_params controller;
  aimc_hw_buffer_params buffer;
  aimc_hw_area_params area;
} aimc_hw_chip_params;

/* Silicon area in m^2 of one ADC of the chip (chip.area.adc_cost model or table). */
double aimc_hw_adc_area(const aimc_hw_chip_params *params);

/* Waveform tracing (VCD). A tile is traced only if listed; its row and column
 * pulse lines, their polarity, the ADC codes of those lines, its activity and
 * the conductances of chosen devices go into the VCD. */
#define AIMC_HW_TRACE_MAX_TILES 16
#define AIMC_HW_TRACE_MAX_LINES 64
#define AIMC_HW_TRACE_PATH_MAX 1024
/* Special values of n_rows and n_cols: every line of the tile, or its first
 * AIMC_HW_TRACE_FIRST_COUNT lines (fewer if the tile has fewer). */
#define AIMC_HW_TRACE_ALL_LINES (-1)
#define AIMC_HW_TRACE_FIRST_LINES (-2)
#define AIMC_HW_TRACE_FIRST_COUNT 4

typedef struct aimc_hw_trace_tile {
  int layer;       /* layer index, >= 0 */
  int fast;        /* 0: the main array, 1: the fast array A of a Tiki-Taka layer */
  int row_block;   /* tile row of the layer's tile grid, >= 0 */
  int col_block;   /* tile column of the grid, >= 0 */
  int n_rows;      /* traced row lines, 0..AIMC_HW_TRACE_MAX_LINES; AIMC_HW_TRACE_ALL_LINES or
                      AIMC_HW_TRACE_FIRST_LINES */
  int rows[AIMC_HW_TRACE_MAX_LINES];        /* row indices local to the tile */
  int n_cols;      /* traced column lines, as n_rows */
  int cols[AIMC_HW_TRACE_MAX_LINES];        /* column indices local to the tile */
  int n_devices;   /* devices whose conductance is traced, 0..AIMC_HW_TRACE_MAX_LINES */
  int device_rows[AIMC_HW_TRACE_MAX_LINES]; /* local row of each traced device */
  int device_cols[AIMC_HW_TRACE_MAX_LINES]; /* local column of each traced device */
} aimc_hw_trace_tile;

typedef struct aimc_hw_trace_params {
  char vcd_path[AIMC_HW_TRACE_PATH_MAX]; /* the VCD file; the GTKWave save file goes to the same
                                            path with .gtkw instead of .vcd */
  uint64_t first_operation; /* window of chip operations (counted from 0), inclusive */
  uint64_t last_operation;
  uint64_t first_step;      /* window of training steps (aimc_hw_chip_set_step), inclusive */
  uint64_t last_step;
  int n_tiles;              /* 0..AIMC_HW_TRACE_MAX_TILES */
  aimc_hw_trace_tile tiles[AIMC_HW_TRACE_MAX_TILES];
} aimc_hw_trace_params;

/* An empty path, the whole run as window, no tiles. */
void aimc_hw_trace_params_default(aimc_hw_trace_params *params);
/* Checks what does not depend on the layers (path, windows, counts, indices >= 0);
 * the chip checks the tiles against its layers when tracing starts. */
aimc_status aimc_hw_trace_params_validate(const aimc_hw_trace_params *params);

/* One weight matrix as the chip maps it onto tiles of aimc_hw_tile_params. */
typedef struct aimc_hw_trace_layer {
  int out, in; /* the matrix, out x in */
  int fast;    /* 1 if the layer has a fast array A */
} aimc_hw_trace_layer;

/* Checks the traced tiles against the layers they name (layer index, fast
 * array, block within the layer's tile grid, lines and devices within the
 * tile), without the chip: the chip calls it when tracing starts, and a run
 * calls it before it writes anything. Messages call tile t "trace.tiles[t]",
 * or `name` (e.g. "trace", so that they read trace.rows[1]) when not NULL. */
aimc_status aimc_hw_trace_params_check_layers(const aimc_hw_trace_params *params, const aimc_hw_tile_params *tile,
                                              const aimc_hw_trace_layer *layers, int n_layers, const char *name);

/* Physical tiles a layer of out x in occupies on tiles of this geometry (twice
 * as many with a fast array A). */
int aimc_hw_layer_tiles(const aimc_hw_tile_params *tile, int out, int in, int fast);

/* The lines a trace of n (a count or a special value) selects on a tile side of
 * `size` lines: their number. */
int aimc_hw_trace_line_count(int n, int size);

/* Reference values (docs/hardware.md); each *_default fills every field. */
void aimc_hw_tile_params_default(aimc_hw_tile_params *params);
void aimc_hw_dac_params_default(aimc_hw_dac_params *params);
void aimc_hw_adc_params_default(aimc_hw_adc_params *params);
void aimc_hw_pulse_params_default(aimc_hw_pulse_params *params);
void aimc_hw_conductance_params_default(aimc_hw_conductance_params *params);
void aimc_hw_read_params_default(aimc_hw_read_params *params);
void aimc_hw_controller_params_default(aimc_hw_controller_params *params);
void aimc_hw_buffer_params_default(aimc_hw_buffer_params *params);
void aimc_hw_area_params_default(aimc_hw_area_params *params);
void aimc_hw_chip_params_default(aimc_hw_chip_params *params);

/* Each returns AIMC_OK, or AIMC_EINVAL with a message naming the field
 * ("adc.bits must be in [2, 16] (got 20)"); the chip version checks every part. */
aimc_status aimc_hw_tile_params_validate(const aimc_hw_tile_params *params);
aimc_status aimc_hw_dac_params_validate(const aimc_hw_dac_params *params);
aimc_status aimc_hw_adc_params_validate(const aimc_hw_adc_params *params);
aimc_status aimc_hw_pulse_params_validate(const aimc_hw_pulse_params *params);
aimc_status aimc_hw_conductance_params_validate(const aimc_hw_conductance_params *params);
aimc_status aimc_hw_read_params_validate(const aimc_hw_read_params *params);
aimc_status aimc_hw_controller_params_validate(const aimc_hw_controller_params *params);
aimc_status aimc_hw_buffer_params_validate(const aimc_hw_buffer_params *params);
aimc_status aimc_hw_area_params_validate(const aimc_hw_area_params *params);
aimc_status aimc_hw_chip_params_validate(const aimc_hw_chip_params *params);

/* Static power of the chip's components (W), drawn over the powered time
 * (docs/hardware.md, "Leakage"): one ADC (leakage_fraction x E_conv / t_conv),
 * the buffer (leakage_power_per_byte x area.buffer_bytes) and the controller. */
double aimc_hw_adc_static_power(const aimc_hw_adc_params *params);
double aimc_hw_buffer_static_power(const aimc_hw_buffer_params *buffer, const aimc_hw_area_params *area);

/* Energy of one pulse on a row line (d side, crossing tile.cols cells) or a
 * column line (x side, crossing tile.rows cells) of a tile under `params`
 * (model or table line energy). */
double aimc_hw_row_line_pulse_energy(const aimc_hw_chip_params *params);
double aimc_hw_col_line_pulse_energy(const aimc_hw_chip_params *params);

/* The cost entry of an operation class (NULL for an invalid class). */
const aimc_hw_op_cost *aimc_hw_controller_op_cost(const aimc_hw_controller_params *params,
                                                  aimc_hw_op_class op);

/* Energy of one applied device pulse under the conductance parameters and the
 * pulse width (formula or table value). */
double aimc_hw_device_pulse_energy(const aimc_hw_conductance_params *conductance,
                                   const aimc_hw_pulse_params *pulse);

/* Sets the DAC and ADC resolutions of an IO configuration of the C core to the
 * chip's converters: inp_res = 1/(2^dac.bits - 2), out_res = 1/(2^adc.bits - 2)
 * (AIHWKIT's convention: 7 bits -> 1/126). Other fields stay. */
void aimc_hw_io_match_converters(const aimc_hw_chip_params *params, aimc_io_params *io);

/* AIMC_EINVAL if an IO configuration quantises more finely than the chip's DAC
 * or ADC (unquantised or perfect periphery is an explicit idealisation and
 * passes). `name` is how the message calls the IO configuration ("forward"). */
aimc_status aimc_hw_io_check_converters(const aimc_io_params *io, const char *name, const aimc_hw_chip_params *chip);

/* Lower-case names of the enums ("pulse_width", "sar", "model", "differential_pair",
 * "formula", "activation", ...); NULL for an invalid value. The parse functions
 * return AIMC_EINVAL for an unknown name. */
const char *aimc_hw_dac_encoding_name(aimc_hw_dac_encoding value);
aimc_status aimc_hw_dac_encoding_parse(const char *name, aimc_hw_dac_encoding *value);
const char *aimc_hw_adc_type_name(aimc_hw_adc_type value);
aimc_status aimc_hw_adc_type_parse(const char *name, aimc_hw_adc_type *value);
const char *aimc_hw_adc_cost_name(aimc_hw_adc_cost value);
aimc_status aimc_hw_adc_cost_parse(const char *name, aimc_hw_adc_cost *value);
const char *aimc_hw_line_energy_name(aimc_hw_line_energy value);
aimc_status aimc_hw_line_energy_parse(const char *name, aimc_hw_line_energy *value);
const char *aimc_hw_weight_mapping_name(aimc_hw_weight_mapping value);
aimc_status aimc_hw_weight_mapping_parse(const char *name, aimc_hw_weight_mapping *value);
const char *aimc_hw_program_energy_name(aimc_hw_program_energy value);
aimc_status aimc_hw_program_energy_parse(const char *name, aimc_hw_program_energy *value);
const char *aimc_hw_op_class_name(aimc_hw_op_class value);
aimc_status aimc_hw_op_class_parse(const char *name, aimc_hw_op_class *value);

#ifdef __cplusplus
}
#endif
#endif
