/*
 * The narrow C interface through which training algorithms (sim/) drive the
 * simulated chip: layers mapped onto tiles, and the operations of a training
 * step (forward and backward MVM, pulsed update, Tiki-Taka transfer, digital
 * work), with energy counted per component and phase.
 *
 * A chip is timed or untimed. Untimed, every operation runs at once and only
 * energy and action counts are kept. Timed, aimc_hw_chip_run() runs the program
 * inside an SC_THREAD of the Controller and every operation advances SystemC
 * time by its duration (docs/hardware.md, "Timing"). Both modes make exactly the
 * same calls into the C core in the same order, so weights and outputs are
 * bit-identical: timing and energy observe the computation, never change it.
 *
 * Layer shapes follow the C core: a layer has `out` rows (outputs, the d side)
 * and `in` columns (inputs, the x side); forward computes y = W x, backward
 * y = W^T d, update W <- W - lr d x^T. A layer larger than a tile is split
 * along rows and columns over several tiles that work concurrently; partial
 * sums are added digitally in a fixed order.
 *
 * SystemC elaborates once per process: build every chip and add every layer
 * before the first timed run. Functions return AIMC_OK or a status with a
 * message (aimc_error_message()); none prints or exits.
 */
#ifndef AIMC_HW_CHIP_H
#define AIMC_HW_CHIP_H

#include <stdint.h>
#include <stdio.h>

#include "aimc/aimc.h"
#include "aimc/serial.h"
#include "aimc_hw/params.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct aimc_hw_chip aimc_hw_chip;

/* Phases to which time and energy are attributed. */
typedef enum aimc_hw_phase {
  AIMC_HW_PHASE_FORWARD = 0,
  AIMC_HW_PHASE_BACKWARD,
  AIMC_HW_PHASE_UPDATE,
  AIMC_HW_PHASE_TRANSFER,
  AIMC_HW_PHASE_DIGITAL,
  AIMC_HW_PHASE_COUNT
} aimc_hw_phase;

/* Which array of a layer an operation acts on. */
typedef enum aimc_hw_array {
  AIMC_HW_ARRAY_MAIN = 0, /* the weights W (Tiki-Taka: C) */
  AIMC_HW_ARRAY_FAST = 1  /* Tiki-Taka's fast array A (layers with `fast` set) */
} aimc_hw_array;

/* A layer: its shape and the C-core parameters of its arrays. */
typedef struct aimc_hw_layer_params {
  int out;                        /* rows (outputs), >= 1 */
  int in;                         /* columns (inputs), >= 1 */
  aimc_device_params device;      /* main array */
  aimc_update_params update;      /* pulsed update of the main array (also the update of a transfer) */
  aimc_io_params forward_io;      /* forward reads (of either array) */
  aimc_io_params backward_io;     /* backward reads (of either array) */
  uint64_t seed;                  /* seed of the run-time random streams of the layer's arrays */
  int fast;                       /* 1: the layer also has a fast array A (Tiki-Taka) */
  aimc_device_params fast_device; /* A's devices (fast only) */
  aimc_update_params fast_update; /* A's pulsed update (fast only) */
  aimc_io_params transfer_io;     /* the one-hot column reads of A in a transfer (fast only) */
} aimc_hw_layer_params;

/* AIHWKIT's defaults for every part (ConstantStep devices), IO resolutions
 * matched to the chip's converters (aimc_hw_io_match_converters), no fast
 * array, seed 0. */
void aimc_hw_layer_params_default(aimc_hw_layer_params *layer, int out, int in, const aimc_hw_chip_params *chip);

/* Validates the parameters and builds a chip; timed = 1 for the SystemC-timed
 * mode. The chip is an sc_module named "chip" (or "chipN" if that name is taken). */
aimc_status aimc_hw_chip_create(aimc_hw_chip **chip, const aimc_hw_chip_params *params, int timed);
/* Releases the chip (and finishes a trace still open). */
void aimc_hw_chip_destroy(aimc_hw_chip *chip);

/* Maps a layer onto ceil(out/tile.rows) x ceil(in/tile.cols) tiles (twice that
 * with a fast array) and returns its index in *layer. Fails if the chip has a
 * fixed number of tiles and too few are free, if the IO resolution is finer
 * than the chip's DAC or ADC, or after a timed chip has started running.
 * Tile (r, c) of the grid uses stream 2k (A: 2k + 1) of `seed`, k = r*cols + c,
 * and for k > 0 a construction seed mixed from the device's and k, so that
 * split tiles do not repeat one device-to-device pattern. */
aimc_status aimc_hw_chip_add_layer(aimc_hw_chip *chip, const aimc_hw_layer_params *params, int *layer);

/* Number of layers, and the tile grid of a layer. */
int aimc_hw_chip_layers(const aimc_hw_chip *chip);
aimc_status aimc_hw_chip_layer_grid(const aimc_hw_chip *chip, int layer, int *row_blocks, int *col_blocks);

/*
 * Operations. In a timed chip they must be called from the program passed to
 * aimc_hw_chip_run (they wait for their simulated duration); an untimed chip
 * takes them anywhere. x is batch x in, d is batch x out, row-major.
 */
/* y (batch x out) = W x through forward_io. */
aimc_status aimc_hw_chip_forward(aimc_hw_chip *chip, int layer, aimc_hw_array which, const float *x, float *y,
                                 int batch);
/* y (batch x in) = W^T d through backward_io. */
aimc_status aimc_hw_chip_backward(aimc_hw_chip *chip, int layer, aimc_hw_array which, const float *d, float *y,
                                  int batch);
/* Pulsed update W <- W - lr d x^T of the chosen array, samples in order. */
aimc_status aimc_hw_chip_update(aimc_hw_chip *chip, int layer, aimc_hw_array which, const float *x, const float *d,
                                int batch, float lr);
/* Tiki-Taka transfer of columns [first_column, first_column + columns) of A into
 * C: each column k is read by a one-hot forward read v = A e_k through
 * transfer_io, then C gets the pulsed update C <- C + lr v e_k^T (an update with
 * x = e_k, d = v and learning rate -lr under C's update parameters). */
aimc_status aimc_hw_chip_transfer(aimc_hw_chip *chip, int layer, int first_column, int columns, float lr);
/* The devices' own processes over one mini-batch, on every tile of both arrays
 * of the layer, as AIHWKIT's post-update step does them once per mini-batch
 * after the update: one diffusion step (device.diffusion), then one lifetime
 * decay towards each device's reset point (device.lifetime). Passive physics:
 * counted as an operation of the update phase, with no duration or energy of
 * its own (docs/hardware.md). A no-op on devices without either. */
aimc_status aimc_hw_chip_device_step(aimc_hw_chip *chip, int layer);
/* Resets every device of columns [first_column, first_column + columns) of the
 * chosen array to its reset point (device.reset, reset_dtod) plus reset_std
 * noise: one programming pulse per device, a column per pulse slot (phase
 * transfer: AIHWKIT resets A's columns within a transfer). */
aimc_status aimc_hw_chip_reset_columns(aimc_hw_chip *chip, int layer, aimc_hw_array which, int first_column,
                                       int columns);
/* `count` operations of a class done by the controller in a phase (activations,
 * loss, ...), with their buffer traffic. Partial-sum additions of split layers
 * and the update management of pulsed updates are charged by the chip itself. */
aimc_status aimc_hw_chip_digital(aimc_hw_chip *chip, aimc_hw_phase phase, aimc_hw_op_class op, uint64_t count);

/* Operations issued between begin and end start together and the program waits
 * once for the last of them (for example the updates of all layers). The caller
 * vouches that they do not depend on each other; shared tiles, ADCs, buffer ports
 * and the digital unit still serialise. */
aimc_status aimc_hw_chip_parallel_begin(aimc_hw_chip *chip);
aimc_status aimc_hw_chip_parallel_end(aimc_hw_chip *chip);

/* Marks the training step now beginning (for trace windows and waveforms). */
void aimc_hw_chip_set_step(aimc_hw_chip *chip, uint64_t step);

/* The weights of a layer (out x in, row-major), gathered from or scattered to
 * its tiles. Host access: neither timed nor costed. */
aimc_status aimc_hw_chip_get_weights(const aimc_hw_chip *chip, int layer, aimc_hw_array which, float *weights);
/* The saturation of every weight (out x in): |w - w*| / (bound - w*) with the
 * device's own bounds and symmetric point, 0 at w*, 1 at a bound (the paper's
 * |w|/tau for the ALD). Host access like get_weights. */
aimc_status aimc_hw_chip_get_saturation(const aimc_hw_chip *chip, int layer, aimc_hw_array which, float *saturation);
aimc_status aimc_hw_chip_set_weights(aimc_hw_chip *chip, int layer, aimc_hw_array which, const float *weights);

/* Runs program(context). Timed: inside the Controller's SC_THREAD (16 MiB stack)
 * from the current simulated time until the program returns; may be called again.
 * Untimed: a plain call. Returns the program's value, or -1 with a message if
 * SystemC failed. */
int aimc_hw_chip_run(aimc_hw_chip *chip, int (*program)(void *context), void *context);

/* Totals of the run so far. Times are 0 for an untimed chip. */
typedef struct aimc_hw_totals {
  int timed;                                  /* the chip's mode */
  double simulated_time;                      /* s, SystemC time at the end of the last operation */
  double energy_total;                        /* J, the phases' dynamic energy plus leakage */
  double energy[AIMC_HW_PHASE_COUNT];         /* J per phase (dynamic) */
  double leakage;                             /* J, static power x powered time (docs/hardware.md, "Leakage") */
  double static_power;                        /* W, all components */
  double time[AIMC_HW_PHASE_COUNT];           /* s, sum of the durations of the phase's operations */
  uint64_t operations[AIMC_HW_PHASE_COUNT];   /* operations issued per phase */
} aimc_hw_totals;
void aimc_hw_chip_totals(const aimc_hw_chip *chip, aimc_hw_totals *totals);

/* What the C core reported for a layer's array, summed over its tiles. */
typedef struct aimc_hw_layer_stats {
  aimc_io_stats forward;      /* forward reads */
  aimc_io_stats backward;     /* backward reads */
  aimc_io_stats transfer;     /* one-hot reads of a transfer (fast array only) */
  aimc_update_stats update;   /* pulsed updates (of the main array: including transfers) */
} aimc_hw_layer_stats;
aimc_status aimc_hw_chip_layer_stats(const aimc_hw_chip *chip, int layer, aimc_hw_array which,
                                     aimc_hw_layer_stats *stats);

/* A named counter, by its path below the chip ("layer0.main_r0c0.forward_adc.conversions"),
 * or the dynamic energy (leakage excluded) of a component's subtree ("layer0", "buffer"; "" for the whole
 * chip) in one phase or, with phase = AIMC_HW_PHASE_COUNT, in all. */
aimc_status aimc_hw_chip_counter(const aimc_hw_chip *chip, const char *path, double *value);
aimc_status aimc_hw_chip_energy(const aimc_hw_chip *chip, const char *component, aimc_hw_phase phase, double *joules);

/* Silicon area under params.area (docs/hardware.md, "Area"): the tiles counted
 * are the ones the layers use, or all `tiles` of the parameters when that is
 * fixed (> 0); one buffer and one controller per chip. The parts add up to the
 * total. */
typedef struct aimc_hw_area {
  double total_mm2;      /* the whole chip */
  double crossbar_mm2, adc_mm2, dac_mm2, pulse_mm2, buffer_mm2, controller_mm2;
  int tiles;             /* tiles counted */
} aimc_hw_area;
aimc_status aimc_hw_chip_area(const aimc_hw_chip *chip, aimc_hw_area *area);

/* Report writers: stats.json (the component tree with action counts, energy per
 * phase and busy time; per-phase totals) and a human summary. The caller owns
 * the stream (sim/ writes through its atomic files). */
aimc_status aimc_hw_chip_write_stats_json(const aimc_hw_chip *chip, FILE *out);
aimc_status aimc_hw_chip_write_summary(const aimc_hw_chip *chip, FILE *out);

/* Starts VCD tracing (timed chips only, before or between runs, after the traced
 * layers exist). The VCD is written under a temporary name and moved into place,
 * with its GTKWave save file, by aimc_hw_chip_trace_finish or at destroy. */
aimc_status aimc_hw_chip_trace_start(aimc_hw_chip *chip, const aimc_hw_trace_params *params);
aimc_status aimc_hw_chip_trace_finish(aimc_hw_chip *chip);

/* Checkpoints: the complete state of the chip's components - every array's
 * weights and random-stream counters, every counter, energy and busy time, the
 * resource timelines and the simulated time - appended to `out`. Not inside a
 * parallel group. */
aimc_status aimc_hw_chip_save_state(const aimc_hw_chip *chip, aimc_writer *out);
/* Restores a saved state into a chip built with the same parameters and layers
 * (AIMC_EFORMAT, naming what differs, otherwise). Call it before
 * aimc_hw_chip_run: a timed chip's program then starts at the saved time. After
 * a failed load the chip must be destroyed. Waveform traces are not part of the
 * state. */
aimc_status aimc_hw_chip_load_state(aimc_hw_chip *chip, aimc_reader *in);

const char *aimc_hw_phase_name(aimc_hw_phase phase);

#ifdef __cplusplus
}
#endif
#endif
