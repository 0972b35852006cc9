/*
 * What `aimcsim run` runs: the experiment sections of the configuration
 * (workload, algorithm, schedule, Tiki-Taka, the least-squares problem, data,
 * weight mapping, waveform tracing) and the entry point that trains on the
 * simulated chip and writes the run directory (DESIGN.md, Outputs).
 */
#ifndef AIMC_SIM_EXPERIMENT_H
#define AIMC_SIM_EXPERIMENT_H

#include <stdint.h>

#include "aimc/error.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum aimc_workload {
  AIMC_WORKLOAD_LEAST_SQUARES = 0, /* the paper's synthetic problem, f(W) = (1/m) ||A W - b||^2 */
  AIMC_WORKLOAD_FCN,               /* 784-256-128-10, sigmoid (the paper's 3-FC) */
  AIMC_WORKLOAD_CNN,               /* 2 conv (5x5) + 2 max-pool + 2 fc, tanh */
  AIMC_WORKLOAD_COUNT
} aimc_workload;

typedef enum aimc_algorithm {
  AIMC_ALGORITHM_DIGITAL_SGD = 0,  /* floating-point weights: the reference */
  AIMC_ALGORITHM_ANALOG_SGD,       /* gradients written as pulsed updates on the analog array */
  AIMC_ALGORITHM_TIKI_TAKA,        /* TT-v1: fast array A, transfers into C */
  AIMC_ALGORITHM_COUNT
} aimc_algorithm;

const char *aimc_workload_name(aimc_workload value);
const char *aimc_algorithm_name(aimc_algorithm value);

/* Schedule and run control. */
typedef struct aimc_train_params {
  aimc_workload workload;
  aimc_algorithm algorithm;
  uint64_t seed;        /* seeds the problem, the initial weights, the data order and the chip */
  double lr;            /* SGD learning rate (the paper's alpha), > 0 */
  int lr_step;          /* epochs (least squares: steps) between learning-rate decays; 0 = constant */
  double lr_gamma;      /* decay factor, in (0, 1] */
  int epochs;           /* FCN/CNN: passes over the training set, >= 1 */
  int steps;            /* least squares: gradient steps, >= 1 */
  int batch;            /* FCN/CNN: mini-batch size, >= 1 */
  int log_every;        /* least squares: steps per metrics row, >= 1 (FCN/CNN: every epoch) */
  int timing;           /* 1: SystemC-timed chip; 0: untimed (same numerics, no time) */
  int threads;          /* OpenMP threads, 0 = the runtime's default */
} aimc_train_params;

/* Tiki-Taka (TT-v1, Gokmen & Haensch 2020; AIHWKIT TransferCompound). */
typedef struct aimc_tiki_taka_params {
  double fast_lr;           /* learning rate of A (the paper's beta), kept when lr is scheduled, > 0 */
  double transfer_lr;       /* learning rate of the transfer into C (the paper's alpha factor), > 0 */
  int scale_transfer_lr;    /* 1: the transfer rate is transfer_lr times the current SGD lr */
  int transfer_every;       /* mini-batches (least squares: steps) between transfers, >= 1 */
  int n_reads_per_transfer; /* columns of A read per transfer, cycling, >= 1 */
  double gamma;             /* effective weight gamma*A + C (0: C alone) */
  double with_reset_prob;   /* probability that a transferred column of A is reset afterwards, in [0, 1] */
} aimc_tiki_taka_params;

/* The paper's least-squares problem (App. I.1 and the authors' scripts). */
typedef struct aimc_least_squares_params {
  int rows;          /* m, rows of A, >= 1 */
  int dim;           /* D, the model size, >= 1 */
  double sigma_a;    /* std of A's entries, > 0 */
  double sigma_w;    /* std of W*'s entries, >= 0 */
  double sigma_g;    /* std of the Gaussian noise added to each gradient coordinate, >= 0 */
  double w0;         /* initial value of every weight */
} aimc_least_squares_params;

#define AIMC_PATH_MAX 1024

/* MNIST-format data (docs/data.md). */
typedef struct aimc_data_params {
  char train_images[AIMC_PATH_MAX];
  char train_labels[AIMC_PATH_MAX];
  char test_images[AIMC_PATH_MAX];
  char test_labels[AIMC_PATH_MAX];
  int train_limit;   /* first N training samples, 0 = all */
  int test_limit;    /* first N test samples, 0 = all */
} aimc_data_params;

/* How digital weights map onto the devices (docs/training.md, Mapping). */
typedef enum aimc_mapping_scheme {
  /* aimcsim's own: one learned scale per output row, initialised to
   * max_j |w_ij| / omega, the devices holding w_ij / scale_i; one chip layer per
   * network layer. */
  AIMC_MAPPING_AIMCSIM_ROWWISE = 0,
  /* AIHWKIT's MappingParameter: fixed mapping scales only when omega > 0, a
   * learned out scale (scalar or per column) starting at 1, and layers split into
   * tiles of at most max_input_size x max_output_size. */
  AIMC_MAPPING_AIHWKIT,
  AIMC_MAPPING_SCHEME_COUNT
} aimc_mapping_scheme;

const char *aimc_mapping_scheme_name(aimc_mapping_scheme value);

typedef struct aimc_mapping_params {
  aimc_mapping_scheme scheme;
  double weight_scaling_omega;   /* the device weight the largest initial |w| maps to; 0 = no remapping (aihwkit) */
  int weight_scaling_columnwise; /* aihwkit: one fixed mapping scale per output instead of per tile */
  int learn_out_scaling;         /* 1: the digital out scales are trained with digital SGD */
  int out_scaling_columnwise;    /* aihwkit: one learned out scale per output instead of per tile */
  int max_input_size;            /* aihwkit: inputs per tile at most (0 = no split) */
  int max_output_size;           /* aihwkit: outputs per tile at most (0 = no split) */
} aimc_mapping_params;

/* The chip's room for the aihwkit scheme's tiles: chip layers in all, and
 * tiles along either side of one network layer. */
#define AIMC_MAX_CHIP_LAYERS 16
#define AIMC_MAPPING_MAX_SPLITS 8

/* Waveform tracing of one tile (VCD). */
#define AIMC_TRACE_MAX_LINES 64
typedef struct aimc_trace_config {
  int enabled;
  char vcd[AIMC_PATH_MAX];  /* VCD path; relative paths are below the run directory */
  uint64_t first_step;      /* window of training steps, inclusive */
  uint64_t last_step;
  int layer;                /* traced layer */
  int fast;                 /* 1: its fast array A */
  int row_block;            /* tile of the layer's grid */
  int col_block;
  int n_rows;               /* traced row lines (local indices) */
  double rows[AIMC_TRACE_MAX_LINES];
  int n_cols;               /* traced column lines */
  double cols[AIMC_TRACE_MAX_LINES];
  int n_devices;            /* devices (row, col pairs as two lists) whose conductance is traced */
  double device_rows[AIMC_TRACE_MAX_LINES];
  double device_cols[AIMC_TRACE_MAX_LINES];
} aimc_trace_config;

#ifdef __cplusplus
}
#endif
#endif
