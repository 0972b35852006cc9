/*
 * Schema tables of the experiment sections (sim/include/aimc_sim/experiment.h):
 * `experiment`, `tiki_taka`, `least_squares`, `data`, `mapping` and `trace`.
 * Defaults are the paper's settings (Wu et al. 2024, App. I and the authors'
 * code; reference/paper.md §4): lr 0.05, fast_lr 0.01, transfer every mini-batch,
 * one column per transfer, gamma 0; m = 100, D = 40, W* ~ N(0, 0.45^2),
 * sigma_g = 0.01/sqrt(D) (Fig. 1 script).
 */
#include <stddef.h>
#include <string.h>

#include "aimc_sim/config.h"

_Static_assert(sizeof(aimc_workload) == sizeof(int), "enum storage");
_Static_assert(sizeof(aimc_algorithm) == sizeof(int), "enum storage");
_Static_assert(sizeof(aimc_mapping_scheme) == sizeof(int), "enum storage");

/* The names of the experiment's enumerations (aimc_sim/experiment.h); here, with
 * the schema that parses them, so that the configuration engine stands alone. */
static const char *const workload_names[AIMC_WORKLOAD_COUNT] = {"least_squares", "fcn", "cnn"};
static const char *const algorithm_names[AIMC_ALGORITHM_COUNT] = {"digital_sgd", "analog_sgd", "tiki_taka"};

const char *aimc_workload_name(aimc_workload value) {
  return (unsigned)value < AIMC_WORKLOAD_COUNT ? workload_names[value] : NULL;
}
const char *aimc_algorithm_name(aimc_algorithm value) {
  return (unsigned)value < AIMC_ALGORITHM_COUNT ? algorithm_names[value] : NULL;
}

static const char *const mapping_scheme_names[AIMC_MAPPING_SCHEME_COUNT] = {"aimcsim_rowwise", "aihwkit"};

const char *aimc_mapping_scheme_name(aimc_mapping_scheme value) {
  return (unsigned)value < AIMC_MAPPING_SCHEME_COUNT ? mapping_scheme_names[value] : NULL;
}
static const char *mapping_scheme_name(int v) {
  return v >= 0 && v < AIMC_MAPPING_SCHEME_COUNT ? aimc_mapping_scheme_name((aimc_mapping_scheme)v) : NULL;
}

static const char *workload_name(int v) {
  return v >= 0 && v < AIMC_WORKLOAD_COUNT ? aimc_workload_name((aimc_workload)v) : NULL;
}
static const char *algorithm_name(int v) {
  return v >= 0 && v < AIMC_ALGORITHM_COUNT ? aimc_algorithm_name((aimc_algorithm)v) : NULL;
}

#define NONE AIMC_UNIT_NONE
#define GE AIMC_CFG_GE_MIN
#define GT AIMC_CFG_GT_MIN
#define LE AIMC_CFG_LE_MAX
#define SECTION(var, section_name, text, type, field_table)                                         \
  const aimc_cfg_section var = {.name = section_name, .description = text, .size = sizeof(type),     \
                                .fields = field_table,                                               \
                                .field_count = sizeof field_table / sizeof field_table[0]}

#define TRAIN aimc_train_params
static const aimc_cfg_field experiment_fields[] = {
  AIMC_CFG_ENUM_FIELD(TRAIN, workload, "least_squares", workload_name, 0,
                      "least_squares, fcn (784-256-128-10 sigmoid) or cnn (the paper's LeNet-like net)"),
  AIMC_CFG_ENUM_FIELD(TRAIN, algorithm, "analog_sgd", algorithm_name, 0, "digital_sgd, analog_sgd or tiki_taka"),
  AIMC_CFG_UINT64_FIELD(TRAIN, seed, "1", 0,
                        "seed of the problem, initial weights, data order and the chip's run-time noise (the "
                        "device draw: device.construction_seed)"),
  AIMC_CFG_DOUBLE_FIELD(TRAIN, lr, "0.05", NONE, 0, 0, GT, "SGD learning rate (the paper's alpha)"),
  AIMC_CFG_INT_FIELD(TRAIN, lr_step, "0", 0, 1 << 30, GE | LE,
                     "epochs (least squares: steps) between learning-rate decays; 0 = constant"),
  AIMC_CFG_DOUBLE_FIELD(TRAIN, lr_gamma, "0.1", NONE, 0, 1, GT | LE, "learning-rate decay factor"),
  AIMC_CFG_INT_FIELD(TRAIN, epochs, "80", 1, 1 << 20, GE | LE, "FCN/CNN: passes over the training set"),
  AIMC_CFG_INT_FIELD(TRAIN, steps, "2500", 1, 1 << 30, GE | LE, "least squares: gradient steps"),
  AIMC_CFG_INT_FIELD(TRAIN, batch, "10", 1, 1 << 20, GE | LE, "FCN/CNN: mini-batch size"),
  AIMC_CFG_INT_FIELD(TRAIN, log_every, "1", 1, 1 << 30, GE | LE, "least squares: steps per metrics row"),
  AIMC_CFG_BOOL_FIELD(TRAIN, timing, "true", 0, "SystemC-timed chip (false: same numerics, no simulated time)"),
  AIMC_CFG_INT_FIELD(TRAIN, threads, "0", 0, 1024, GE | LE, "OpenMP threads; 0 = the runtime's default"),
};
SECTION(aimc_experiment_schema, "experiment", "What to train, with which algorithm and schedule.", TRAIN,
        experiment_fields);

#define TT aimc_tiki_taka_params
static const aimc_cfg_field tiki_taka_fields[] = {
  AIMC_CFG_DOUBLE_FIELD(TT, fast_lr, "0.01", NONE, 0, 0, GT, "learning rate of the fast array A (the paper's beta)"),
  AIMC_CFG_DOUBLE_FIELD(TT, transfer_lr, "1", NONE, 0, 0, GT, "learning rate of transfers into C"),
  AIMC_CFG_BOOL_FIELD(TT, scale_transfer_lr, "true", 0, "the transfer rate is transfer_lr times the current lr"),
  AIMC_CFG_INT_FIELD(TT, transfer_every, "1", 1, 1 << 30, GE | LE,
                     "mini-batches (least squares: steps) between transfers"),
  AIMC_CFG_INT_FIELD(TT, n_reads_per_transfer, "1", 1, 1 << 24, GE | LE, "columns of A read per transfer, cycling"),
  AIMC_CFG_DOUBLE_FIELD(TT, gamma, "0", NONE, 0, 0, GE, "effective weight gamma*A + C"),
  AIMC_CFG_DOUBLE_FIELD(TT, with_reset_prob, "0", NONE, 0, 1, GE | LE,
                        "probability that a transferred column of A is reset to fast_device.reset (AIHWKIT's "
                        "TransferCompound.with_reset_prob)"),
};
SECTION(aimc_tiki_taka_schema, "tiki_taka", "Tiki-Taka (TT-v1): a fast array A and transfers into C.", TT,
        tiki_taka_fields);

#define LS aimc_least_squares_params
static const aimc_cfg_field least_squares_fields[] = {
  AIMC_CFG_INT_FIELD(LS, rows, "100", 1, 1 << 24, GE | LE, "m, rows of A"),
  AIMC_CFG_INT_FIELD(LS, dim, "40", 1, 1 << 24, GE | LE, "D, the model size"),
  AIMC_CFG_DOUBLE_FIELD(LS, sigma_a, "1", NONE, 0, 0, GT, "standard deviation of A's entries"),
  AIMC_CFG_DOUBLE_FIELD(LS, sigma_w, "0.45", NONE, 0, 0, GE, "standard deviation of W*'s entries"),
  AIMC_CFG_DOUBLE_FIELD(LS, sigma_g, "0.0015811388300841897", NONE, 0, 0, GE,
                        "standard deviation of the noise added to each gradient coordinate"),
  AIMC_CFG_DOUBLE_FIELD(LS, w0, "0", NONE, 0, 0, 0, "initial value of every weight"),
};
SECTION(aimc_least_squares_schema, "least_squares",
        "The paper's synthetic problem: f(W) = (1/m) ||A W - b||^2, b = A W*, full-batch gradient plus noise.",
        LS, least_squares_fields);

#define DATA aimc_data_params
static const aimc_cfg_field data_fields[] = {
  AIMC_CFG_STRING_FIELD(DATA, train_images, "data/mnist/train-images-idx3-ubyte.gz", 0, "training images (IDX)"),
  AIMC_CFG_STRING_FIELD(DATA, train_labels, "data/mnist/train-labels-idx1-ubyte.gz", 0, "training labels (IDX)"),
  AIMC_CFG_STRING_FIELD(DATA, test_images, "data/mnist/t10k-images-idx3-ubyte.gz", 0, "test images (IDX)"),
  AIMC_CFG_STRING_FIELD(DATA, test_labels, "data/mnist/t10k-labels-idx1-ubyte.gz", 0, "test labels (IDX)"),
  AIMC_CFG_INT_FIELD(DATA, train_limit, "0", 0, 1 << 30, GE | LE, "use the first N training samples; 0 = all"),
  AIMC_CFG_INT_FIELD(DATA, test_limit, "0", 0, 1 << 30, GE | LE, "use the first N test samples; 0 = all"),
};
SECTION(aimc_data_schema, "data", "MNIST-format data for the FCN and CNN (docs/data.md).", DATA, data_fields);

#define MAP aimc_mapping_params
/* `scheme` is the section's discriminator: each scheme brings its own defaults
 * (mapping_defaults), so the aihwkit scheme starts from AIHWKIT's. */
static const aimc_cfg_field mapping_fields[] = {
  AIMC_CFG_ENUM_FIELD(MAP, scheme, "aimcsim_rowwise", mapping_scheme_name, AIMC_CFG_DISCRIMINATOR,
                      "aimcsim_rowwise (aimcsim's own: learned per-row scales from max|w_row|/omega) or aihwkit "
                      "(AIHWKIT's MappingParameter: fixed scales, learned out scaling and tile split)"),
  AIMC_CFG_DOUBLE_FIELD(MAP, weight_scaling_omega, NULL, NONE, 0, 0, GE,
                        "device weight the largest initial |w| maps to (per row, tile or column); 0 = no "
                        "remapping (aihwkit only; the aihwkit scheme's default, as AIHWKIT's)"),
  AIMC_CFG_BOOL_FIELD(MAP, weight_scaling_columnwise, NULL, 0,
                      "aihwkit: one fixed mapping scale per output column instead of one per tile"),
  AIMC_CFG_BOOL_FIELD(MAP, learn_out_scaling, NULL, 0,
                      "train the digital out scales with digital SGD (aihwkit: scales start at 1; the aihwkit "
                      "scheme's default is false, as AIHWKIT's)"),
  AIMC_CFG_BOOL_FIELD(MAP, out_scaling_columnwise, NULL, 0,
                      "aihwkit: one learned out scale per output column instead of one per tile"),
  AIMC_CFG_INT_FIELD(MAP, max_input_size, NULL, 0, 1 << 24, GE | LE,
                     "aihwkit: a layer with more inputs is split into equal tiles; 0 = no split"),
  AIMC_CFG_INT_FIELD(MAP, max_output_size, NULL, 0, 1 << 24, GE | LE,
                     "aihwkit: a layer with more outputs is split into equal tiles; 0 = no split"),
};

/* aimcsim_rowwise: omega 1 with learned per-row scales. aihwkit: AIHWKIT's
 * MappingParameter defaults, the same in 0.9.0 and 1.1.0
 * (src/aihwkit/simulator/parameters/mapping.py, v0.9.0 lines 52-97): omega 0,
 * no column-wise scales, learn_out_scaling false, tiles of at most 512 x 512. */
static void mapping_defaults(void *target, int scheme) {
  aimc_mapping_params *m = target;
  const int aihwkit = scheme == AIMC_MAPPING_AIHWKIT;
  m->weight_scaling_omega = aihwkit ? 0.0 : 1.0;
  m->weight_scaling_columnwise = 0;
  m->learn_out_scaling = !aihwkit;
  m->out_scaling_columnwise = 0;
  m->max_input_size = 512;
  m->max_output_size = 512;
}

/* The keys that only the aihwkit scheme reads must keep their defaults under
 * aimcsim_rowwise, so that none is silently ignored. */
static aimc_status mapping_validate(const void *target) {
  const aimc_mapping_params *m = target;
  if (m->scheme != AIMC_MAPPING_AIMCSIM_ROWWISE) return AIMC_OK;
  if (m->weight_scaling_omega == 0.0)
    return aimc_error_set(AIMC_EINVAL, "weight_scaling_omega = 0 (no remapping) needs scheme: aihwkit; "
                          "aimcsim_rowwise maps each row's largest |w| to omega > 0");
  if (m->weight_scaling_columnwise)
    return aimc_error_set(AIMC_EINVAL, "weight_scaling_columnwise applies to scheme: aihwkit only");
  if (m->out_scaling_columnwise)
    return aimc_error_set(AIMC_EINVAL, "out_scaling_columnwise applies to scheme: aihwkit only "
                          "(aimcsim_rowwise always learns one scale per row)");
  if (m->max_input_size != 512 || m->max_output_size != 512)
    return aimc_error_set(AIMC_EINVAL, "%s applies to scheme: aihwkit only (aimcsim_rowwise does not split layers)",
                          m->max_input_size != 512 ? "max_input_size" : "max_output_size");
  return AIMC_OK;
}

/* The weight layers of the networks (sim/src/train/network.c, define_architecture):
 * inputs, outputs and whether the aihwkit scheme splits them (fully connected
 * layers only; AIHWKIT 0.9.0 does not split convolutions). */
typedef struct network_layer {
  int in, out, dense;
} network_layer;
static const network_layer fcn_layers[] = {{784, 256, 1}, {256, 128, 1}, {128, 10, 1}};
static const network_layer cnn_layers[] = {{25, 16, 0}, {400, 32, 0}, {512, 128, 1}, {128, 10, 1}};

/* AIHWKIT's TileModuleArray: ceil(size / max) tiles along a side, 1 for max 0. */
static int tiles_along(int size, int max) { return max <= 0 ? 1 : (size + max - 1) / max; }

/* Part k of size split into n parts, the first size mod n one larger. */
static int split_part(int size, int n, int k) { return size / n + (k < size % n ? 1 : 0); }

int aimc_workload_chip_layers(const aimc_config *config, int out[], int in[], int max) {
  const aimc_train_params *e = &config->experiment;
  if (e->workload != AIMC_WORKLOAD_FCN && e->workload != AIMC_WORKLOAD_CNN) {
    if (max > 0) out[0] = 1, in[0] = config->least_squares.dim;
    return 1;
  }
  const aimc_mapping_params *m = &config->mapping;
  const network_layer *layers = e->workload == AIMC_WORKLOAD_FCN ? fcn_layers : cnn_layers;
  int n = e->workload == AIMC_WORKLOAD_FCN ? 3 : 4, count = 0;
  for (int k = 0; k < n; ++k) {
    const network_layer *l = &layers[k];
    int split = m->scheme == AIMC_MAPPING_AIHWKIT && l->dense;
    int across = split ? tiles_along(l->in, m->max_input_size) : 1;
    int down = split ? tiles_along(l->out, m->max_output_size) : 1;
    for (int a = 0; a < across; ++a)
      for (int b = 0; b < down; ++b, ++count)
        if (count < max) out[count] = split_part(l->out, down, b), in[count] = split_part(l->in, across, a);
  }
  return count;
}

aimc_status aimc_mapping_check_chip(const aimc_config *config) {
  const aimc_mapping_params *m = &config->mapping;
  const aimc_train_params *e = &config->experiment;
  if (m->scheme != AIMC_MAPPING_AIHWKIT || e->algorithm == AIMC_ALGORITHM_DIGITAL_SGD ||
      (e->workload != AIMC_WORKLOAD_FCN && e->workload != AIMC_WORKLOAD_CNN))
    return AIMC_OK;
  const network_layer *layers = e->workload == AIMC_WORKLOAD_FCN ? fcn_layers : cnn_layers;
  int n = e->workload == AIMC_WORKLOAD_FCN ? 3 : 4, chip_layers = 0;
  for (int k = 0; k < n; ++k) {
    const network_layer *l = &layers[k];
    int across = l->dense ? tiles_along(l->in, m->max_input_size) : 1;
    int down = l->dense ? tiles_along(l->out, m->max_output_size) : 1;
    if (across > AIMC_MAPPING_MAX_SPLITS || down > AIMC_MAPPING_MAX_SPLITS)
      return aimc_error_set(AIMC_EINVAL, "mapping.%s %d splits the %s's layer %d (%d x %d) into %d tiles along its "
                            "%s; the chip takes at most %d per side", across > AIMC_MAPPING_MAX_SPLITS ?
                            "max_input_size" : "max_output_size", across > AIMC_MAPPING_MAX_SPLITS ?
                            m->max_input_size : m->max_output_size, aimc_workload_name(e->workload), k, l->out,
                            l->in, across > AIMC_MAPPING_MAX_SPLITS ? across : down,
                            across > AIMC_MAPPING_MAX_SPLITS ? "inputs" : "outputs", AIMC_MAPPING_MAX_SPLITS);
    chip_layers += across * down;
  }
  if (chip_layers > AIMC_MAX_CHIP_LAYERS)
    return aimc_error_set(AIMC_EINVAL, "mapping.max_input_size %d and mapping.max_output_size %d split the %s into %d "
                          "tiles; the chip holds at most %d layers", m->max_input_size, m->max_output_size,
                          aimc_workload_name(e->workload), chip_layers, AIMC_MAX_CHIP_LAYERS);
  return AIMC_OK;
}

const aimc_cfg_section aimc_mapping_schema = {
  .name = "mapping",
  .description = "How digital weights map onto devices: digital scales of the analog outputs and the split of "
                 "layers over tiles (docs/training.md, Mapping).",
  .size = sizeof(MAP),
  .fields = mapping_fields,
  .field_count = sizeof mapping_fields / sizeof mapping_fields[0],
  .defaults = mapping_defaults,
  .validate = mapping_validate,
};

#define TRACE aimc_trace_config
static const aimc_cfg_field trace_fields[] = {
  AIMC_CFG_BOOL_FIELD(TRACE, enabled, "false", 0, "write waveforms (timed runs only)"),
  AIMC_CFG_STRING_FIELD(TRACE, vcd, "waveforms/trace.vcd", 0,
                        "the VCD, waveforms/NAME.vcd below the run directory (NAME: letters, digits, '.', '_', '-')"),
  AIMC_CFG_UINT64_FIELD(TRACE, first_step, "0", 0, "first traced training step"),
  AIMC_CFG_UINT64_FIELD(TRACE, last_step, "0", 0, "last traced training step"),
  AIMC_CFG_INT_FIELD(TRACE, layer, "0", 0, 1 << 20, GE | LE, "traced layer"),
  AIMC_CFG_BOOL_FIELD(TRACE, fast, "false", 0, "trace the layer's fast array A"),
  AIMC_CFG_INT_FIELD(TRACE, row_block, "0", 0, 1 << 24, GE | LE, "tile row of the layer's tile grid"),
  AIMC_CFG_INT_FIELD(TRACE, col_block, "0", 0, 1 << 24, GE | LE, "tile column of the layer's tile grid"),
  AIMC_CFG_DOUBLE_LIST_FIELD(TRACE, rows, n_rows, "[]", NONE, 0, 1 << 24, GE | LE,
                             "traced row lines (indices within the tile); [] = the tile's first 4 (or fewer)"),
  AIMC_CFG_DOUBLE_LIST_FIELD(TRACE, cols, n_cols, "[]", NONE, 0, 1 << 24, GE | LE,
                             "traced column lines (indices within the tile); [] = the tile's first 4 (or fewer)"),
  AIMC_CFG_DOUBLE_LIST_FIELD(TRACE, device_rows, n_devices, "[0]", NONE, 0, 1 << 24, GE | LE,
                             "rows of the devices whose conductance is traced"),
  AIMC_CFG_DOUBLE_LIST_FIELD(TRACE, device_cols, n_devices, "[0]", NONE, 0, 1 << 24, GE | LE,
                             "columns of those devices (as many as device_rows)"),
};
/* The VCD goes to waveforms/NAME.vcd below the run directory and nowhere else:
 * a name that could climb out of it (`..`, `/`), start a hidden or temporary
 * file, or land on another output of the run is refused here, where the error
 * can point at the key in the file. */
static aimc_status trace_validate(const void *target) {
  const aimc_trace_config *t = target;
  static const char prefix[] = "waveforms/", suffix[] = ".vcd";
  size_t length = strlen(t->vcd), stem = length - (sizeof suffix - 1);
  const char *name = t->vcd + (sizeof prefix - 1);
  int valid = length > sizeof prefix - 1 + sizeof suffix - 1 && strncmp(t->vcd, prefix, sizeof prefix - 1) == 0 &&
              strcmp(t->vcd + stem, suffix) == 0 && name[0] != '.';
  for (const char *c = name; valid && c < t->vcd + stem; ++c)
    valid = (*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9') || *c == '.' ||
            *c == '_' || *c == '-';
  if (!valid)
    return aimc_error_set(AIMC_EINVAL,
                          "trace.vcd '%s' must be waveforms/NAME.vcd: a file in the run directory's waveforms/, NAME made of "
                          "letters, digits, '.', '_' and '-' and not starting with '.'",
                          t->vcd);
  if (t->first_step > t->last_step)
    return aimc_error_set(AIMC_EINVAL, "trace.first_step (%llu) must be <= trace.last_step (%llu)",
                          (unsigned long long)t->first_step, (unsigned long long)t->last_step);
  return AIMC_OK;
}

const aimc_cfg_section aimc_trace_schema = {.name = "trace",
                                            .description = "Waveforms (VCD) of one tile over a window of steps.",
                                            .size = sizeof(TRACE),
                                            .fields = trace_fields,
                                            .field_count = sizeof trace_fields / sizeof trace_fields[0],
                                            .validate = trace_validate};
