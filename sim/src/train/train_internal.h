/*
 * Shared state of a training run (`aimcsim run`): the resolved configuration,
 * the chip, the metrics log and the progress line. The workloads
 * (least_squares.c, network.c) fill the log; run.c owns the run directory.
 */
#ifndef AIMC_TRAIN_INTERNAL_H
#define AIMC_TRAIN_INTERNAL_H

#include <stdint.h>
#include <stdio.h>

#include "aimc_hw/chip.h"
#include "aimc_sim/checkpoint.h"
#include "aimc_sim/config.h"

#define AIMC_MAX_LAYERS 16

/* Columns of metrics.csv: one fixed header for every workload, so that files
 * of different runs merge by concatenation; a column that does not apply is empty. */
enum metric_column {
  METRIC_STEP, METRIC_EPOCH, METRIC_LR, METRIC_LOSS, METRIC_TRAIN_ACCURACY, METRIC_TEST_ACCURACY,
  METRIC_F_MINUS_FSTAR, METRIC_LEARNING_ERROR, METRIC_GRAD_NORM_SQ, METRIC_SATURATION,
  METRIC_SIM_TIME, METRIC_ENERGY, METRIC_ENERGY_FORWARD, METRIC_ENERGY_BACKWARD, METRIC_ENERGY_UPDATE,
  METRIC_ENERGY_TRANSFER, METRIC_ENERGY_DIGITAL, METRIC_WALL_TIME, METRIC_COUNT
};

extern const char *const metric_names[METRIC_COUNT];

typedef struct metrics_log {
  double *rows;      /* rows x METRIC_COUNT; NAN = empty */
  size_t count, capacity;
} metrics_log;

/* Final weight and saturation histograms of one array (the paper's Fig. 7). */
#define AIMC_HISTOGRAM_BINS 400
typedef struct weight_histogram {
  int layer;
  int fast;                                  /* 1: Tiki-Taka's fast array A */
  int has_saturation;                        /* digital weights have no device bounds */
  uint64_t weight[AIMC_HISTOGRAM_BINS];      /* weights over [-1, 1], the outer bins take the rest */
  uint64_t saturation[AIMC_HISTOGRAM_BINS];  /* saturation over [0, 1] */
} weight_histogram;

/* Checkpointing of a run (resume.c). */
typedef struct run_checkpointing {
  uint64_t every;               /* 0: no periodic checkpoints */
  int per_epoch;                /* `every` counts epochs (networks), else steps / mini-batches */
  int every_given;              /* set on the command line (a resumed run keeps it over the saved one) */
  uint64_t config_identity;     /* hash of the resolved configuration */
  const aimc_checkpoint *resume; /* the checkpoint a resumed run starts from, else NULL */
  uint64_t written;             /* checkpoints written by this process */
  int refused;                  /* the checkpoint was refused: nothing is written, exit 2 */
} run_checkpointing;

typedef struct run_context {
  const aimc_config *config;
  aimc_hw_chip *chip;          /* NULL for Digital SGD */
  metrics_log metrics;
  const char *outdir;
  const aimc_trace_config *trace; /* waveforms requested (timed analog runs), else NULL */
  int quiet;                   /* no progress line */
  int tty;                     /* stderr is a terminal */
  double wall_start;           /* monotonic seconds at the start of training */
  double last_progress;        /* wall time of the last progress line */
  /* Results for summary.txt (NAN when they do not apply). */
  double final_loss, final_test_accuracy, asymptotic_error, asymptotic_grad_norm_sq;
  uint64_t samples_trained;    /* training samples (least squares: steps) processed */
  double eval_energy;          /* J spent on test-set reads, kept apart from training */
  int interrupted;             /* stopped early by a signal, at a step boundary */
  weight_histogram histograms[2 * AIMC_MAX_LAYERS];
  int n_histograms;
  /* Analog layers added to the chip, in order, and their shapes. */
  int n_layers;
  int layer_out[AIMC_MAX_LAYERS], layer_in[AIMC_MAX_LAYERS];
  run_checkpointing checkpointing;
} run_context;

/* Adds an array's final weights (and saturation, or NULL) to the histograms. */
aimc_status run_record_weights(run_context *ctx, int layer, int fast, const float *weights, const float *saturation,
                               size_t n);
/* Records every array of the chip's layers (main, and A for Tiki-Taka). */
aimc_status run_record_chip_weights(run_context *ctx);

/* Starts the configured waveform trace (a no-op without one); call after the
 * last layer is added. */
aimc_status run_start_trace(run_context *ctx);

/* Adds an analog layer (shape and parameters from the configuration) to the chip. */
aimc_status run_add_layer(run_context *ctx, int out, int in, int *layer);

/* Whether SIGINT or SIGTERM asked the run to stop; the workloads check it at
 * every step (least squares) or mini-batch and then finish like a completed run. */
int run_stop_requested(void);

/* Appends a row; chip totals (time, energy per phase) and wall time are filled
 * in from the context. Returns AIMC_ENOMEM on failure. */
aimc_status metrics_append(run_context *ctx, double row[METRIC_COUNT]);
/* Appends a row exactly as saved (a resumed run's log). */
aimc_status metrics_restore(run_context *ctx, const double row[METRIC_COUNT]);
/* A row of NANs. */
void metrics_clear_row(double row[METRIC_COUNT]);
/* Writes metrics.csv atomically. */
aimc_status metrics_write(const run_context *ctx);
void metrics_free(metrics_log *log);

/* A progress line on stderr (a terminal, not quiet, at most every 0.2 s unless final). */
void progress_report(run_context *ctx, const char *what, double done, double total, double loss, int final);

double wall_seconds(void);

/* The chip layer of an analog algorithm, from the configuration. */
void layer_params_from_config(const aimc_config *config, int out, int in, uint32_t layer_index,
                              aimc_hw_layer_params *layer);

/* The algorithms (algorithm.c), shared by the workloads. */
/* The learning rate after `period` epochs (least squares: steps) of step decay. */
double train_lr(const aimc_train_params *train, int period);
/* y (rows x out) = the layer's effective weight times x: W, or gamma A + C for
 * Tiki-Taka (scratch: rows x out floats, used only then). */
aimc_status algorithm_forward(run_context *ctx, int layer, const float *x, float *y, float *scratch, size_t rows,
                              size_t out);
/* The pulsed update W <- W - lr d x^T of Analog SGD, or Tiki-Taka's update of A
 * with fast_lr and, on every transfer_every-th call (call counts from 0), the
 * transfer of the next columns of A into C; *transfer_column cycles over `in`. */
aimc_status algorithm_update(run_context *ctx, int layer, const float *x, const float *d, size_t rows, int in,
                             float lr, uint64_t call, int *transfer_column);

/* Checkpoints (resume.c). */
/* Hash of the resolved configuration without the thread count. */
uint64_t run_config_identity(const aimc_config *config);
/* Whether a periodic checkpoint is due after steps_done steps (or mini-batches),
 * or, with epochs_done >= 0, at the end of that many epochs. */
int run_checkpoint_due(const run_context *ctx, uint64_t steps_done, int epochs_done);
/* Writes OUTDIR/checkpoint.bin atomically: the run's totals and metrics, the
 * workload's state (save_workload(state, out)) and the chip's. Nothing for a
 * traced run, which cannot resume. */
aimc_status run_checkpoint_write(run_context *ctx, void (*save_workload)(const void *state, aimc_writer *out),
                                 const void *state);
/* A resumed run: restores the totals and the metrics log (before the workload). */
aimc_status run_resume_begin(run_context *ctx);
/* The workload's saved state, or NULL when the run starts afresh. */
const aimc_checkpoint_section *run_resume_workload(const run_context *ctx);
/* Restores the chip's state once the workload has added its layers. */
aimc_status run_resume_chip(run_context *ctx);
/* Resources (resources.c), estimated from the configuration before anything is allocated. */
typedef struct run_estimate {
  double memory, arrays, data, buffers;   /* bytes of memory: total and its parts */
  double tiles;                           /* analog tiles (each array of each layer) */
  double disk, results, checkpoint, trace; /* bytes of disk: total and its parts */
} run_estimate;
void run_estimate_resources(const aimc_config *config, int checkpointing, run_estimate *estimate);
/* AIMC_EINVAL, with the estimate and what is available, if the run cannot fit. */
aimc_status run_check_resources(const aimc_config *config, const char *outdir, int checkpointing);
/* The largest checkpoint file a run of this configuration can have written. */
size_t run_state_bytes_limit(const aimc_config *config);
/* The analog weight matrices (out x in) of the configured workload, as the
 * workloads add them to the chip (aimc_workload_chip_layers: the aihwkit
 * scheme's split tiles each a layer); returns their number. */
int run_workload_layers(const aimc_config *config, double out[AIMC_MAX_CHIP_LAYERS],
                        double in[AIMC_MAX_CHIP_LAYERS]);

/* Everything about the configuration that would stop the run once started
 * (preflight.c), checked before the run directory is created or written, with
 * the same checks the chip and the workloads apply and messages that name the
 * configuration keys: missing data files (or FIFOs, devices) of the networks,
 * tracing without the timed analog chip, traced tiles,
 * lines or devices outside the workload's layers, IO resolutions finer than the
 * chip's converters, checkpoints or --resume of a traced run. AIMC_EINVAL. */
aimc_status run_preflight(const aimc_config *config, const run_checkpointing *checkpointing, int resuming);

/* The sections that the run's experiment.algorithm and workload never read
 * (Tiki-Taka's for the SGDs, the chip's for Digital SGD, the other workload's)
 * and that differ from their defaults: their keys, comma-separated, into names
 * (truncated to size); returns how many. `aimcsim run` prints them as a note,
 * so a setting that cannot act is never silent. */
size_t run_unused_sections(const aimc_config *config, char *names, size_t size);

/* The run directory (outdir.c). */
/* Creates outdir if needed (not when resuming) and locks it; without --force
 * an existing directory must be empty but for the lock file. An exit status,
 * with the reason on stderr; *lock gets the lock's descriptor. */
int run_prepare_outdir(const char *outdir, int force, int resuming, int *lock);
/* Removes NAME.tmp.<digits> files a killed run left in outdir, weights/ and
 * waveforms/ (call with the directory locked). */
void run_remove_stale_temporaries(const char *outdir);
/* AIMC_EINVAL if the traced VCD's directory or file exists as something else
 * than a directory and a regular file. */
aimc_status run_check_trace_target(const char *outdir, const aimc_trace_config *trace);
/* Whether OUTDIR/result.json records a completed run. */
int run_directory_completed(const char *outdir);

/* Fault injection for the crash-safety tests (AIMCSIM_FAULT=kill-at-step=N). */
void run_fault_step(const run_context *ctx, uint64_t step);

/* The workloads. Each trains according to ctx->config and fills ctx. */
aimc_status least_squares_run(run_context *ctx);
aimc_status network_run(run_context *ctx);

#endif
