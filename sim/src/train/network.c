/*
 * The paper's MNIST networks (Wu et al. 2024, §5.3, and the authors' code):
 *   fcn  784-256-128-10, sigmoid between layers (the "3-FC" of Gokmen & Vlasov);
 *   cnn  conv 1->16 (5x5), tanh, max-pool 2; conv 16->32 (5x5), tanh, max-pool 2,
 *        tanh; fc 512->128, tanh; fc 128->10;
 * with log-softmax + NLL loss, trained by mini-batch SGD.
 *
 * Digital SGD keeps floating-point weights (PyTorch's default initialisation).
 * The analog algorithms put every weight matrix on the chip: the same initial
 * weights are mapped onto the devices as mapping.scheme says (docs/training.md,
 * Mapping): aimcsim_rowwise (aimcsim's own) maps each output row's largest |w|
 * to mapping.weight_scaling_omega with a per-row digital scale, learned by
 * digital SGD when mapping.learn_out_scaling is on; aihwkit follows AIHWKIT
 * 0.9.0 (fixed scales only for omega > 0, learned out scales from 1, fully
 * connected layers split into tiles of at most max_input_size x
 * max_output_size, each tile a chip layer). Biases stay digital. A convolution is an MVM per image patch (im2col) and its update is a
 * pulsed update per patch. Analog SGD writes each mini-batch's gradient into
 * the weights as pulses; Tiki-Taka writes it into the fast array A with the
 * constant rate fast_lr and every transfer_every mini-batches transfers
 * n_reads_per_transfer columns of A into C (cycling) at transfer_lr times the
 * current learning rate. The learning rate decays by lr_gamma every lr_step
 * epochs (the authors' StepLR(35, 0.1)).
 *
 * Test accuracy is measured after every epoch with the chip's forward reads;
 * their energy is kept apart from the training energy in summary.txt.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "aimc_sim/dataset.h"
#include "aimc_sim/nn.h"
#include "train_internal.h"

enum { MAX_STAGES = 8, CLASSES = 10, EVAL_BATCH = 100, MAX_SPLITS = AIMC_MAPPING_MAX_SPLITS };
/* The config's check (aimc_mapping_check_chip) refuses splits beyond these limits. */
_Static_assert(AIMC_MAX_CHIP_LAYERS == AIMC_MAX_LAYERS, "the chip's layer limit the config checks");

typedef enum stage_kind { STAGE_CONV, STAGE_DENSE } stage_kind;

/* mapping.scheme aihwkit: one tile of a layer (AIHWKIT's TileModuleArray
 * entry), a chip layer of its own holding the block [out0, out0 + out) x
 * [in0, in0 + in) of the layer's weight matrix. */
typedef struct mapped_tile {
  int layer;                     /* chip layer */
  size_t in0, in, out0, out;     /* the block of the weight matrix */
  float *map;                    /* fixed mapping scales (n_map: 1, or out when columnwise); NULL for omega 0 */
  size_t n_map;
  float *learned, *grad_learned; /* learned out scales (n_learned: 1, or out when columnwise); NULL if not learned */
  size_t n_learned;
  float *x;                      /* rows x in: its share of the inputs; NULL: the stage's x (one input split) */
  float *z;                      /* rows x out: MVM output times the mapping scales */
  float *d;                      /* rows x out: the output gradient the tile receives (times the learned scales) */
  float *d_scaled;               /* rows x out: d times (backward) or divided by (update) the mapping scales */
  float *dx;                     /* rows x in: the tile's input gradient */
  int transfer_column;           /* Tiki-Taka's next column of the tile's A */
} mapped_tile;

/* One weight layer with what follows it. */
typedef struct stage {
  stage_kind kind;
  aimc_nn_conv_shape conv;   /* STAGE_CONV: input geometry */
  size_t in, out;            /* MVM inputs (patch size for a conv) and outputs (channels) */
  aimc_nn_activation activation;
  int pool;                  /* 2x2 max-pool after the activation */
  int activation_after_pool; /* the CNN's extra tanh after the second pool */
  /* Digital SGD */
  aimc_nn_linear digital;
  /* Analog */
  int layer;                 /* chip layer index */
  float *scale, *grad_scale; /* per-output digital scale */
  float *bias, *grad_bias;   /* digital bias */
  int transfer_column;       /* Tiki-Taka's next column of A */
  /* mapping.scheme aihwkit: the tiles, input-split-major (n_in_splits x n_out_splits) */
  mapped_tile *tiles;
  int n_tiles, n_in_splits, n_out_splits;
  /* Per-batch buffers (sized for the largest batch) */
  size_t rows;               /* MVM rows in this batch: batch (dense) or batch * patches (conv) */
  float *x;                  /* rows x in: MVM inputs (im2col'ed for a conv) */
  float *z;                  /* rows x out: MVM outputs before scale and bias */
  float *act;                /* the stage's output after activation/pool, batch x features */
  float *pre_pool;           /* conv: activation output before pooling, batch x out x OH x OW */
  uint32_t *argmax;          /* pooling indices */
  float *dz;                 /* rows x out */
  float *dx;                 /* rows x in */
  size_t out_features;       /* features of `act` per sample */
} stage;

typedef struct network {
  run_context *ctx;
  int analog;
  int n;
  stage stages[MAX_STAGES];
  size_t capacity;           /* largest batch the buffers hold */
  float *logits, *grad;      /* capacity x CLASSES */
  float *image_grad;         /* scratch for conv input gradients */
  aimc_status status;
} network;

static size_t stage_rows(const stage *s, size_t batch) {
  return s->kind == STAGE_CONV ? batch * aimc_nn_conv_patches(&s->conv) : batch;
}

/* Features per sample of the stage's output. */
static size_t stage_output_features(const stage *s) {
  if (s->kind == STAGE_DENSE) return s->out;
  size_t oh = aimc_nn_conv_out_height(&s->conv), ow = aimc_nn_conv_out_width(&s->conv);
  return s->pool ? s->out * (oh / 2) * (ow / 2) : s->out * oh * ow;
}

static aimc_status allocate_stage(stage *s, size_t capacity) {
  size_t rows = stage_rows(s, capacity);
  s->out_features = stage_output_features(s);
  s->x = malloc(sizeof(float) * rows * s->in);
  s->z = malloc(sizeof(float) * rows * s->out);
  s->dz = malloc(sizeof(float) * rows * s->out);
  s->dx = malloc(sizeof(float) * rows * s->in);
  s->act = malloc(sizeof(float) * capacity * s->out_features);
  if (s->kind == STAGE_CONV) {
    s->pre_pool = malloc(sizeof(float) * rows * s->out);
    s->argmax = malloc(sizeof(uint32_t) * capacity * s->out_features);
  }
  s->scale = malloc(sizeof(float) * s->out);
  s->grad_scale = malloc(sizeof(float) * s->out);
  s->bias = calloc(s->out, sizeof(float));
  s->grad_bias = malloc(sizeof(float) * s->out);
  if (!s->x || !s->z || !s->dz || !s->dx || !s->act || !s->scale || !s->grad_scale || !s->bias || !s->grad_bias ||
      (s->kind == STAGE_CONV && (!s->pre_pool || !s->argmax)))
    return aimc_error_set(AIMC_ENOMEM, "network: out of memory");
  return AIMC_OK;
}

static void free_stage(stage *s) {
  for (int t = 0; t < s->n_tiles; ++t) {
    mapped_tile *tile = &s->tiles[t];
    free(tile->map);
    free(tile->learned);
    free(tile->grad_learned);
    free(tile->x);
    free(tile->z);
    free(tile->d);
    free(tile->d_scaled);
    free(tile->dx);
  }
  free(s->tiles);
  aimc_nn_linear_destroy(&s->digital);
  free(s->x);
  free(s->z);
  free(s->dz);
  free(s->dx);
  free(s->act);
  free(s->pre_pool);
  free(s->argmax);
  free(s->scale);
  free(s->grad_scale);
  free(s->bias);
  free(s->grad_bias);
}

static void define_architecture(network *net, aimc_workload workload) {
  memset(net->stages, 0, sizeof net->stages);
  if (workload == AIMC_WORKLOAD_FCN) {
    const size_t sizes[4] = {784, 256, 128, 10};
    net->n = 3;
    for (int k = 0; k < 3; ++k) {
      stage *s = &net->stages[k];
      s->kind = STAGE_DENSE;
      s->in = sizes[k];
      s->out = sizes[k + 1];
      s->activation = k < 2 ? AIMC_NN_SIGMOID : AIMC_NN_IDENTITY;
    }
    return;
  }
  net->n = 4;
  stage *c1 = &net->stages[0], *c2 = &net->stages[1], *f1 = &net->stages[2], *f2 = &net->stages[3];
  c1->kind = STAGE_CONV;
  c1->conv = (aimc_nn_conv_shape){1, 28, 28, 5};
  c1->in = 25;
  c1->out = 16;
  c1->activation = AIMC_NN_TANH;
  c1->pool = 1;
  c2->kind = STAGE_CONV;
  c2->conv = (aimc_nn_conv_shape){16, 12, 12, 5};
  c2->in = 400;
  c2->out = 32;
  c2->activation = AIMC_NN_TANH;
  c2->pool = 1;
  c2->activation_after_pool = 1;
  f1->kind = STAGE_DENSE;
  f1->in = 512;
  f1->out = 128;
  f1->activation = AIMC_NN_TANH;
  f2->kind = STAGE_DENSE;
  f2->in = 128;
  f2->out = CLASSES;
  f2->activation = AIMC_NN_IDENTITY;
}

/* AIHWKIT's TileModuleArray.get_split_sizes: n = ceil(size / max) parts, the
 * first size % n of them one larger. */
static int split_sizes(size_t size, int max, size_t sizes[MAX_SPLITS]) {
  size_t n = max <= 0 ? 1 : (size + (size_t)max - 1) / (size_t)max;
  if (n > MAX_SPLITS) return 0;
  for (size_t i = 0; i < n; ++i) sizes[i] = size / n + (i < size % n);
  return (int)n;
}

/* One tile of the aihwkit scheme: its block of the initial weights w (out x
 * in), divided by AIHWKIT's fixed mapping scales when omega > 0 (alpha =
 * max|w| / omega over the tile or each output column, 1 where that max is 0,
 * in float as AIHWKIT's apply_weight_scaling computes it), onto a chip layer. */
static aimc_status build_tile(network *net, stage *s, mapped_tile *t, const float *w, size_t capacity) {
  run_context *ctx = net->ctx;
  const aimc_mapping_params *m = &ctx->config->mapping;
  size_t rows = stage_rows(s, capacity);
  float *block = malloc(sizeof(float) * t->out * t->in);
  t->z = malloc(sizeof(float) * rows * t->out);
  t->d = malloc(sizeof(float) * rows * t->out);
  t->d_scaled = malloc(sizeof(float) * rows * t->out);
  t->dx = malloc(sizeof(float) * rows * t->in);
  if (s->n_in_splits > 1) t->x = malloc(sizeof(float) * rows * t->in);
  if (m->weight_scaling_omega > 0.0) {
    t->n_map = m->weight_scaling_columnwise ? t->out : 1;
    t->map = malloc(sizeof(float) * t->n_map);
  }
  if (m->learn_out_scaling) {
    t->n_learned = m->out_scaling_columnwise ? t->out : 1;
    t->learned = malloc(sizeof(float) * t->n_learned);
    t->grad_learned = calloc(t->n_learned, sizeof(float));
  }
  if (!block || !t->z || !t->d || !t->d_scaled || !t->dx || (s->n_in_splits > 1 && !t->x) ||
      (t->n_map && !t->map) || (t->n_learned && (!t->learned || !t->grad_learned))) {
    free(block);
    return aimc_error_set(AIMC_ENOMEM, "network: out of memory");
  }
  for (size_t i = 0; i < t->out; ++i)
    memcpy(block + i * t->in, w + (t->out0 + i) * s->in + t->in0, sizeof(float) * t->in);
  for (size_t k = 0; k < t->n_learned; ++k) t->learned[k] = 1.0f;
  aimc_status status = AIMC_OK;
  if (t->map)
    status = aimc_nn_fixed_scales(t->out, t->in, block, (float)m->weight_scaling_omega, t->n_map > 1, t->map, block);
  if (status == AIMC_OK) status = run_add_layer(ctx, (int)t->out, (int)t->in, &t->layer);
  if (status == AIMC_OK) status = aimc_hw_chip_set_weights(ctx->chip, t->layer, AIMC_HW_ARRAY_MAIN, block);
  free(block);
  return status;
}

/* The aihwkit scheme's tiles of a stage. A convolution is never split: AIHWKIT
 * 0.9.0's AnalogConv2d asks for its tile class without the layer's sizes. */
static aimc_status build_tiles(network *net, stage *s, const float *w) {
  const aimc_mapping_params *m = &net->ctx->config->mapping;
  size_t in_sizes[MAX_SPLITS], out_sizes[MAX_SPLITS];
  int split = s->kind == STAGE_DENSE;
  s->n_in_splits = split_sizes(s->in, split ? m->max_input_size : 0, in_sizes);
  s->n_out_splits = split_sizes(s->out, split ? m->max_output_size : 0, out_sizes);
  if (s->n_in_splits == 0 || s->n_out_splits == 0)
    return aimc_error_set(AIMC_EINVAL, "mapping.max_input_size %d / mapping.max_output_size %d split a %zu x %zu "
                          "layer into more than %d tiles per side", m->max_input_size, m->max_output_size, s->out,
                          s->in, MAX_SPLITS);
  s->n_tiles = s->n_in_splits * s->n_out_splits;
  s->tiles = calloc((size_t)s->n_tiles, sizeof *s->tiles);
  if (!s->tiles) return aimc_error_set(AIMC_ENOMEM, "network: out of memory");
  for (size_t k = 0; k < s->out; ++k) s->scale[k] = 1.0f; /* unused by this scheme; saved as 1 */
  size_t in0 = 0;
  for (int a = 0; a < s->n_in_splits; in0 += in_sizes[a++]) {
    size_t out0 = 0;
    for (int b = 0; b < s->n_out_splits; out0 += out_sizes[b++]) {
      mapped_tile *t = &s->tiles[a * s->n_out_splits + b];
      *t = (mapped_tile){.in0 = in0, .in = in_sizes[a], .out0 = out0, .out = out_sizes[b]};
      aimc_status status = build_tile(net, s, t, w, net->capacity);
      if (status != AIMC_OK) return status;
    }
  }
  return AIMC_OK;
}

/* Initial weights (PyTorch's default), then the digital layer or the mapping onto the chip. */
static aimc_status build(network *net) {
  run_context *ctx = net->ctx;
  const aimc_config *config = ctx->config;
  uint64_t seed = config->experiment.seed;
  for (int k = 0; k < net->n; ++k) {
    stage *s = &net->stages[k];
    aimc_status status = allocate_stage(s, net->capacity);
    if (status != AIMC_OK) return status;
    if (!net->analog) {
      status = aimc_nn_linear_create(&s->digital, s->in, s->out, seed, (uint32_t)k);
      if (status != AIMC_OK) return status;
      continue;
    }
    float *w = malloc(sizeof(float) * s->in * s->out);
    if (!w) return aimc_error_set(AIMC_ENOMEM, "network: out of memory");
    status = aimc_nn_init_pytorch(w, s->bias, s->out, s->in, seed, (uint32_t)k);
    if (status == AIMC_OK && config->mapping.scheme == AIMC_MAPPING_AIHWKIT) {
      status = build_tiles(net, s, w);
      free(w);
      if (status != AIMC_OK) return status;
      continue;
    }
    if (status == AIMC_OK)
      status = aimc_nn_columnwise_scaling(s->out, s->in, w, (float)config->mapping.weight_scaling_omega, w, s->scale);
    if (status == AIMC_OK) status = run_add_layer(ctx, (int)s->out, (int)s->in, &s->layer);
    if (status == AIMC_OK) status = aimc_hw_chip_set_weights(ctx->chip, s->layer, AIMC_HW_ARRAY_MAIN, w);
    free(w);
    if (status != AIMC_OK) return status;
  }
  return AIMC_OK;
}

/* The aihwkit scheme's forward of a stage into dz: per tile, AIHWKIT's
 * post_forward (times the mapping scales) then apply_out_scaling (times the
 * learned scales); the partial outputs of the input splits are added in split
 * order (TileModuleArray.forward), a digital add per output; then the bias. */
static aimc_status mapped_forward(network *net, stage *s, size_t rows) {
  float *y = s->dz;
  for (int k = 0; k < s->n_tiles; ++k) {
    mapped_tile *t = &s->tiles[k];
    const float *x = s->x;
    if (t->x) {
      for (size_t r = 0; r < rows; ++r) memcpy(t->x + r * t->in, s->x + r * s->in + t->in0, sizeof(float) * t->in);
      x = t->x;
    }
    /* d is free until backward: Tiki-Taka's read of A goes there. */
    aimc_status status = algorithm_forward(net->ctx, t->layer, x, t->z, t->d, rows, t->out);
    if (status != AIMC_OK) return status;
    if (t->map) aimc_nn_tile_scale(rows, t->out, t->map, t->n_map, 0, t->z, t->z);
    for (size_t r = 0; r < rows; ++r) {
      const float *z = t->z + r * t->out;
      float *out = y + r * s->out + t->out0;
      for (size_t i = 0; i < t->out; ++i) {
        float v = t->learned ? z[i] * t->learned[t->n_learned > 1 ? i : 0] : z[i];
        out[i] = t->in0 == 0 ? v : out[i] + v;
      }
    }
  }
  aimc_status status = AIMC_OK;
  if (s->n_in_splits > 1)
    status = aimc_hw_chip_digital(net->ctx->chip, AIMC_HW_PHASE_FORWARD, AIMC_HW_OP_ADD,
                                  (uint64_t)(s->n_in_splits - 1) * rows * s->out);
  if (status == AIMC_OK) status = aimc_nn_bias_forward(rows, s->out, s->bias, y);
  return status;
}

/* The aihwkit scheme's backward of a stage from dz (the output gradient): the
 * learned scales' gradients (sum of dy times the mapped output), the gradient
 * each tile receives (dy times its learned scale, AIHWKIT's apply_out_scaling
 * under autograd), and, unless this is the first stage, the input gradient:
 * each tile's backward MVM of that gradient times its mapping scales
 * (pre_backward), the output splits' partial input gradients added. */
static aimc_status mapped_backward(network *net, stage *s, size_t rows, int input_gradient) {
  for (int k = 0; k < s->n_tiles; ++k) {
    mapped_tile *t = &s->tiles[k];
    if (t->learned) {
      for (size_t q = 0; q < t->n_learned; ++q) {
        double sum = 0.0;
        for (size_t r = 0; r < rows; ++r) {
          const float *dy = s->dz + r * s->out + t->out0, *z = t->z + r * t->out;
          if (t->n_learned > 1) {
            sum += (double)dy[q] * (double)z[q];
          } else {
            for (size_t i = 0; i < t->out; ++i) sum += (double)dy[i] * (double)z[i];
          }
        }
        t->grad_learned[q] = (float)sum;
      }
    }
    for (size_t r = 0; r < rows; ++r) {
      const float *dy = s->dz + r * s->out + t->out0;
      float *d = t->d + r * t->out;
      for (size_t i = 0; i < t->out; ++i) d[i] = t->learned ? t->learned[t->n_learned > 1 ? i : 0] * dy[i] : dy[i];
    }
  }
  if (!input_gradient) return AIMC_OK;
  for (int k = 0; k < s->n_tiles; ++k) {
    mapped_tile *t = &s->tiles[k];
    const float *d = t->d;
    if (t->map) {
      aimc_nn_tile_scale(rows, t->out, t->map, t->n_map, 0, t->d, t->d_scaled);
      d = t->d_scaled;
    }
    aimc_status status = aimc_hw_chip_backward(net->ctx->chip, t->layer, AIMC_HW_ARRAY_MAIN, d, t->dx, (int)rows);
    if (status != AIMC_OK) return status;
    for (size_t r = 0; r < rows; ++r) {
      float *dx = s->dx + r * s->in + t->in0;
      const float *part = t->dx + r * t->in;
      for (size_t j = 0; j < t->in; ++j) dx[j] = t->out0 == 0 ? part[j] : dx[j] + part[j];
    }
  }
  if (s->n_out_splits > 1)
    return aimc_hw_chip_digital(net->ctx->chip, AIMC_HW_PHASE_BACKWARD, AIMC_HW_OP_ADD,
                                (uint64_t)(s->n_out_splits - 1) * rows * s->in);
  return AIMC_OK;
}

/* The aihwkit scheme's update: the learned scales by digital SGD, then each
 * tile's pulsed update with its gradient divided by its mapping scales
 * (AIHWKIT's pre_update, without weight_scaling_lr_compensation). */
static aimc_status mapped_update(network *net, stage *s, size_t rows, float lr, uint64_t minibatch) {
  for (int k = 0; k < s->n_tiles; ++k) {
    mapped_tile *t = &s->tiles[k];
    aimc_status status = t->learned ? aimc_nn_sgd_step(t->n_learned, lr, t->grad_learned, t->learned) : AIMC_OK;
    if (status != AIMC_OK) return status;
    const float *d = t->d;
    if (t->map) {
      aimc_nn_tile_scale(rows, t->out, t->map, t->n_map, 1, t->d, t->d_scaled);
      d = t->d_scaled;
    }
    status = algorithm_update(net->ctx, t->layer, t->x ? t->x : s->x, d, rows, (int)t->in, lr, minibatch,
                              &t->transfer_column);
    if (status != AIMC_OK) return status;
  }
  return AIMC_OK;
}

/* z = W x (rows x out) on the chip or in floating point (without bias). */
static aimc_status mvm_forward(network *net, stage *s, size_t rows) {
  if (!net->analog) {
    aimc_status status = aimc_nn_linear_forward(&s->digital, rows, s->x, s->z);
    return status;
  }
  if (s->tiles) return mapped_forward(net, s, rows);
  /* dz is free until backward: Tiki-Taka's read of A goes there. */
  aimc_status status = algorithm_forward(net->ctx, s->layer, s->x, s->z, s->dz, rows, s->out);
  if (status != AIMC_OK) return status;
  /* Digital scale and bias of the outputs. */
  status = aimc_nn_out_scale_forward(rows, s->out, s->scale, s->z, s->dz);
  if (status == AIMC_OK) status = aimc_nn_bias_forward(rows, s->out, s->bias, s->dz);
  /* Keep z (for the scale gradient) and hand the scaled output back in dz's place. */
  return status;
}

/* Runs the network on batch images (batch x 784); logits in net->logits. */
static aimc_status forward(network *net, const float *images, size_t batch) {
  const float *input = images;
  for (int k = 0; k < net->n; ++k) {
    stage *s = &net->stages[k];
    size_t rows = stage_rows(s, batch);
    aimc_status status = s->kind == STAGE_CONV ? aimc_nn_im2col(&s->conv, batch, input, s->x) : AIMC_OK;
    if (status == AIMC_OK && s->kind == STAGE_DENSE) memcpy(s->x, input, sizeof(float) * batch * s->in);
    if (status == AIMC_OK) status = mvm_forward(net, s, rows);
    if (status != AIMC_OK) return status;
    /* y: the layer output (rows x out); digital runs produce it in z (bias included). */
    float *y = net->analog ? s->dz : s->z;
    float *out = s->kind == STAGE_CONV ? s->pre_pool : s->act;
    if (s->kind == STAGE_CONV) {
      size_t patches = aimc_nn_conv_patches(&s->conv);
      status = aimc_nn_transpose(batch, patches, s->out, y, out); /* channels-first */
    } else {
      memcpy(out, y, sizeof(float) * rows * s->out);
    }
    if (status == AIMC_OK) status = aimc_nn_activation_forward(s->activation, rows * s->out, out, out);
    if (status == AIMC_OK && s->pool) {
      size_t oh = aimc_nn_conv_out_height(&s->conv), ow = aimc_nn_conv_out_width(&s->conv);
      status = aimc_nn_maxpool2_forward(batch, s->out, oh, ow, s->pre_pool, s->act, s->argmax);
      if (status == AIMC_OK && s->activation_after_pool)
        status = aimc_nn_activation_forward(AIMC_NN_TANH, batch * s->out_features, s->act, s->act);
    }
    if (status != AIMC_OK) return status;
    if (net->analog)
      status = aimc_hw_chip_digital(net->ctx->chip, AIMC_HW_PHASE_FORWARD, AIMC_HW_OP_ACTIVATION,
                                    (uint64_t)(rows * s->out));
    if (status != AIMC_OK) return status;
    input = s->act;
  }
  memcpy(net->logits, net->stages[net->n - 1].act, sizeof(float) * batch * CLASSES);
  return AIMC_OK;
}

/* Backward from net->grad (batch x 10) through every stage; fills each stage's
 * dz (gradient of the MVM output z) and the digital gradients. */
static aimc_status backward(network *net, size_t batch) {
  const float *grad_out = net->grad;
  for (int k = net->n - 1; k >= 0; --k) {
    stage *s = &net->stages[k];
    size_t rows = stage_rows(s, batch);
    aimc_status status = AIMC_OK;
    /* Gradient w.r.t. the stage's output act (batch x out_features) is grad_out. */
    float *g = net->image_grad; /* scratch: batch x max features */
    if (grad_out != g) memcpy(g, grad_out, sizeof(float) * batch * s->out_features);
    if (s->pool) {
      size_t oh = aimc_nn_conv_out_height(&s->conv), ow = aimc_nn_conv_out_width(&s->conv);
      if (s->activation_after_pool)
        status = aimc_nn_activation_backward(AIMC_NN_TANH, batch * s->out_features, s->act, g, g);
      /* Pool backward into dx's room (rows * out floats fit: batch*out*oh*ow). */
      if (status == AIMC_OK) status = aimc_nn_maxpool2_backward(batch, s->out, oh, ow, g, s->argmax, s->dz);
      if (status == AIMC_OK) status = aimc_nn_activation_backward(s->activation, rows * s->out, s->pre_pool, s->dz, s->dz);
      /* Channels-first -> patch-major (rows x out). */
      if (status == AIMC_OK) status = aimc_nn_transpose(batch, s->out, aimc_nn_conv_patches(&s->conv), s->dz, g);
      if (status == AIMC_OK) memcpy(s->dz, g, sizeof(float) * rows * s->out);
    } else {
      status = aimc_nn_activation_backward(s->activation, rows * s->out, s->act, g, s->dz);
    }
    if (status != AIMC_OK) return status;
    /* s->dz: gradient w.r.t. the layer output y (rows x out). */
    if (!net->analog) {
      status = aimc_nn_linear_backward(&s->digital, rows, s->x, s->dz, k > 0 ? s->dx : NULL);
    } else if (s->tiles) {
      status = aimc_nn_bias_backward(rows, s->out, s->dz, s->grad_bias);
      if (status == AIMC_OK)
        status = aimc_hw_chip_digital(net->ctx->chip, AIMC_HW_PHASE_BACKWARD, AIMC_HW_OP_ACTIVATION,
                                      (uint64_t)(rows * s->out));
      if (status == AIMC_OK) status = mapped_backward(net, s, rows, k > 0);
    } else {
      status = aimc_nn_bias_backward(rows, s->out, s->dz, s->grad_bias);
      if (status == AIMC_OK) status = aimc_nn_out_scale_backward(rows, s->out, s->scale, s->z, s->dz, s->dz, s->grad_scale);
      if (status == AIMC_OK)
        status = aimc_hw_chip_digital(net->ctx->chip, AIMC_HW_PHASE_BACKWARD, AIMC_HW_OP_ACTIVATION,
                                      (uint64_t)(rows * s->out));
      if (status == AIMC_OK && k > 0)
        status = aimc_hw_chip_backward(net->ctx->chip, s->layer, AIMC_HW_ARRAY_MAIN, s->dz, s->dx, (int)rows);
    }
    if (status != AIMC_OK) return status;
    if (k == 0) break;
    /* Gradient w.r.t. the previous stage's output. */
    if (s->kind == STAGE_CONV) {
      memset(g, 0, sizeof(float) * batch * net->stages[k - 1].out_features);
      status = aimc_nn_col2im(&s->conv, batch, s->dx, g);
      grad_out = g; /* the scratch the next iteration starts from */
    } else {
      grad_out = s->dx;
    }
    if (status != AIMC_OK) return status;
  }
  return AIMC_OK;
}

/* Weight updates after backward, for a batch of `batch` samples. */
static aimc_status update(network *net, size_t batch, float lr, uint64_t minibatch) {
  run_context *ctx = net->ctx;
  const aimc_config *config = ctx->config;
  for (int k = 0; k < net->n; ++k) {
    stage *s = &net->stages[k];
    aimc_status status;
    if (!net->analog) {
      status = aimc_nn_linear_sgd_step(&s->digital, lr);
      if (status != AIMC_OK) return status;
      continue;
    }
    size_t rows = stage_rows(s, batch);
    status = aimc_nn_sgd_step(s->out, lr, s->grad_bias, s->bias);
    if (s->tiles) {
      if (status == AIMC_OK) status = mapped_update(net, s, rows, lr, minibatch);
      if (status != AIMC_OK) return status;
      continue;
    }
    if (status == AIMC_OK && config->mapping.learn_out_scaling) status = aimc_nn_sgd_step(s->out, lr, s->grad_scale, s->scale);
    if (status != AIMC_OK) return status;
    status = algorithm_update(ctx, s->layer, s->x, s->dz, rows, (int)s->in, lr, minibatch, &s->transfer_column);
    if (status != AIMC_OK) return status;
  }
  return AIMC_OK;
}

/* Where training stands between two mini-batches. */
typedef struct net_position {
  int epoch;          /* the epoch under way (0-based) */
  uint64_t start;     /* the next sample of the epoch's order */
  uint64_t minibatch; /* mini-batches done in the run */
  double loss_sum;    /* the epoch's running loss (summed over samples) */
  uint64_t correct, seen;
} net_position;

typedef struct network_job {
  network *net;
  aimc_dataset train, test;
  double eval_energy;
  net_position position;
} network_job;

/* Checkpoints: the position, the digital parts of every stage (biases, output
 * scales, Tiki-Taka's column; Digital SGD's weights) and the test-read energy. */
static void save_state(const void *state, aimc_writer *out) {
  const network_job *job = state;
  const network *net = job->net;
  const net_position *p = &job->position;
  aimc_write_u32(out, (uint32_t)p->epoch);
  aimc_write_u64(out, p->start);
  aimc_write_u64(out, p->minibatch);
  aimc_write_f64(out, p->loss_sum);
  aimc_write_u64(out, p->correct);
  aimc_write_u64(out, p->seen);
  aimc_write_f64(out, job->eval_energy);
  aimc_write_u32(out, (uint32_t)net->n);
  for (int k = 0; k < net->n; ++k) {
    const stage *s = &net->stages[k];
    aimc_write_u64(out, s->in);
    aimc_write_u64(out, s->out);
    if (!net->analog) {
      aimc_write_f32s(out, s->digital.weight, s->in * s->out);
      aimc_write_f32s(out, s->digital.bias, s->out);
      continue;
    }
    aimc_write_u32(out, (uint32_t)s->transfer_column);
    aimc_write_f32s(out, s->scale, s->out);
    aimc_write_f32s(out, s->bias, s->out);
  }
  /* mapping.scheme aihwkit: each tile's Tiki-Taka column and learned scales
   * (its mapping scales are fixed and rebuilt from the seed). */
  for (int k = 0; k < net->n; ++k) {
    for (int t = 0; t < net->stages[k].n_tiles; ++t) {
      const mapped_tile *tile = &net->stages[k].tiles[t];
      aimc_write_u32(out, (uint32_t)tile->transfer_column);
      if (tile->learned) aimc_write_f32s(out, tile->learned, tile->n_learned);
    }
  }
}

static aimc_status load_state(network_job *job, const aimc_checkpoint_section *section) {
  network *net = job->net;
  net_position *p = &job->position;
  aimc_reader in;
  aimc_reader_init(&in, section->data, section->size);
  p->epoch = (int)aimc_read_u32(&in);
  p->start = aimc_read_u64(&in);
  p->minibatch = aimc_read_u64(&in);
  p->loss_sum = aimc_read_f64(&in);
  p->correct = aimc_read_u64(&in);
  p->seen = aimc_read_u64(&in);
  job->eval_energy = aimc_read_f64(&in);
  uint32_t stages = aimc_read_u32(&in);
  aimc_status status = aimc_reader_status(&in, "checkpoint (network)");
  if (status != AIMC_OK) return status;
  if (stages != (uint32_t)net->n || p->epoch < 0 || p->epoch > net->ctx->config->experiment.epochs ||
      p->start > job->train.n || p->seen > job->train.n || p->correct > p->seen)
    return aimc_error_set(AIMC_EFORMAT, "checkpoint (network): the position (epoch %d, sample %llu) or the %u stages "
                          "do not fit this network", p->epoch + 1, (unsigned long long)p->start, stages);
  /* Behind the CRC: the position must be one this run reaches (samples
   * trained = whole epochs + the samples seen in this one, mini-batches
   * counted the same way) and every value physical. */
  const aimc_train_params *plan = &net->ctx->config->experiment;
  uint64_t n = job->train.n, batch = (uint64_t)plan->batch, per_epoch = (n + batch - 1) / batch;
  if (p->seen != p->start || (p->start % batch != 0 && p->start != n) || (p->epoch == plan->epochs && p->start != 0))
    return aimc_checkpoint_refuse("the position (epoch %d, sample %llu, %llu seen) is not one a run reaches",
                                  p->epoch + 1, (unsigned long long)p->start, (unsigned long long)p->seen);
  if (net->ctx->samples_trained != (uint64_t)p->epoch * n + p->start)
    return aimc_checkpoint_refuse("the samples trained (%llu) are not the %llu of epoch %d, sample %llu",
                                  (unsigned long long)net->ctx->samples_trained,
                                  (unsigned long long)((uint64_t)p->epoch * n + p->start), p->epoch + 1,
                                  (unsigned long long)p->start);
  if (p->minibatch != (uint64_t)p->epoch * per_epoch + (p->start + batch - 1) / batch)
    return aimc_checkpoint_refuse("the mini-batch count (%llu) does not match epoch %d, sample %llu",
                                  (unsigned long long)p->minibatch, p->epoch + 1, (unsigned long long)p->start);
  if ((status = aimc_checkpoint_check_nonnegative(p->loss_sum, "", "the running loss of the epoch")) != AIMC_OK ||
      (status = aimc_checkpoint_check_nonnegative(job->eval_energy, "J", "the test-read energy")) != AIMC_OK)
    return status;
  for (int k = 0; k < net->n; ++k) {
    stage *s = &net->stages[k];
    uint64_t in_features = aimc_read_u64(&in), out_features = aimc_read_u64(&in);
    if ((status = aimc_reader_status(&in, "checkpoint (network)")) != AIMC_OK) return status;
    if (in_features != s->in || out_features != s->out)
      return aimc_error_set(AIMC_EFORMAT, "checkpoint (network): layer %d is %llu x %llu, here %zu x %zu", k,
                            (unsigned long long)out_features, (unsigned long long)in_features, s->out, s->in);
    if (!net->analog) {
      aimc_read_f32s(&in, s->digital.weight, s->in * s->out);
      aimc_read_f32s(&in, s->digital.bias, s->out);
      if ((status = aimc_reader_status(&in, "checkpoint (network)")) != AIMC_OK ||
          (status = aimc_checkpoint_check_floats(s->digital.weight, s->in * s->out, "weights of layer %d", k)) !=
              AIMC_OK ||
          (status = aimc_checkpoint_check_floats(s->digital.bias, s->out, "biases of layer %d", k)) != AIMC_OK)
        return status;
      continue;
    }
    uint32_t column = aimc_read_u32(&in);
    if ((status = aimc_reader_status(&in, "checkpoint (network)")) != AIMC_OK) return status;
    if (column >= s->in)
      return aimc_checkpoint_refuse("the transfer column of layer %d is %u, not below its %zu columns", k, column,
                                    s->in);
    s->transfer_column = (int)column;
    aimc_read_f32s(&in, s->scale, s->out);
    aimc_read_f32s(&in, s->bias, s->out);
    if ((status = aimc_reader_status(&in, "checkpoint (network)")) != AIMC_OK ||
        (status = aimc_checkpoint_check_floats(s->scale, s->out, "output scales of layer %d", k)) != AIMC_OK ||
        (status = aimc_checkpoint_check_floats(s->bias, s->out, "biases of layer %d", k)) != AIMC_OK)
      return status;
  }
  for (int k = 0; k < net->n; ++k) {
    for (int t = 0; t < net->stages[k].n_tiles; ++t) {
      mapped_tile *tile = &net->stages[k].tiles[t];
      uint32_t column = aimc_read_u32(&in);
      if (!in.failed && column >= tile->in) aimc_reader_fail(&in);
      tile->transfer_column = (int)column;
      if (tile->learned) aimc_read_f32s(&in, tile->learned, tile->n_learned);
    }
  }
  if (in.pos != in.size) aimc_reader_fail(&in);
  return aimc_reader_status(&in, "checkpoint (network)");
}

static int all_finite(const float *v, size_t n) {
  for (size_t k = 0; k < n; ++k)
    if (!isfinite(v[k])) return 0;
  return 1;
}

/* After a non-finite loss: the first layer whose weights (Digital SGD) or
 * outputs in this batch are not finite, named in the error. */
static aimc_status numeric_fault(const network *net, size_t batch, int epoch, uint64_t minibatch, double loss) {
  for (int k = 0; k < net->n; ++k) {
    const stage *s = &net->stages[k];
    if (!net->analog && !all_finite(s->digital.weight, s->in * s->out))
      return aimc_error_set(AIMC_ENUMERIC, "epoch %d, mini-batch %llu: layer %d: its weights are not finite (the loss "
                            "is %g; diverged, a smaller learning rate?)", epoch + 1, (unsigned long long)minibatch, k,
                            loss);
    if (!all_finite(s->act, batch * s->out_features))
      return aimc_error_set(AIMC_ENUMERIC, "epoch %d, mini-batch %llu: layer %d: its activations are not finite (the "
                            "loss is %g; diverged, a smaller learning rate?)", epoch + 1, (unsigned long long)minibatch,
                            k, loss);
  }
  return aimc_error_set(AIMC_ENUMERIC, "epoch %d, mini-batch %llu: layer %d: the loss is %g", epoch + 1,
                        (unsigned long long)minibatch, net->n - 1, loss);
}

static aimc_status evaluate(network_job *job, double *accuracy) {
  network *net = job->net;
  const aimc_dataset *test = &job->test;
  size_t correct = 0;
  for (size_t start = 0; start < test->n; start += EVAL_BATCH) {
    size_t batch = test->n - start < EVAL_BATCH ? test->n - start : EVAL_BATCH;
    const float *images = test->pixels + start * test->rows * test->cols;
    aimc_status status = forward(net, images, batch);
    size_t batch_correct = 0;
    double loss = 0.0;
    if (status == AIMC_OK)
      status = aimc_nn_log_softmax_nll(batch, CLASSES, net->logits, test->labels + start, &loss, NULL, &batch_correct);
    if (status != AIMC_OK) return status;
    correct += batch_correct;
  }
  *accuracy = test->n > 0 ? (double)correct / (double)test->n : NAN;
  return AIMC_OK;
}

static double chip_energy(const run_context *ctx) {
  if (!ctx->chip) return 0.0;
  aimc_hw_totals totals;
  aimc_hw_chip_totals(ctx->chip, &totals);
  return totals.energy_total;
}

static int program(void *context) {
  network_job *job = context;
  network *net = job->net;
  run_context *ctx = net->ctx;
  const aimc_config *config = ctx->config;
  const aimc_train_params *train = &config->experiment;
  size_t n = job->train.n, batch = (size_t)train->batch, pixels = job->train.rows * job->train.cols;
  size_t *order = malloc(sizeof(size_t) * n);
  float *images = malloc(sizeof(float) * batch * pixels);
  uint8_t *labels = malloc(batch);
  if (!order || !images || !labels) {
    net->status = aimc_error_set(AIMC_ENOMEM, "network: out of memory");
    free(order), free(images), free(labels);
    return 1;
  }
  net_position *at = &job->position; /* where training stands, as each checkpoint saves it */
  const net_position from = *at;      /* where it starts (a resumed run: the checkpoint's) */
  uint64_t minibatch = from.minibatch;
  for (int epoch = from.epoch; epoch < train->epochs && net->status == AIMC_OK; ++epoch) {
    float lr = (float)train_lr(train, epoch);
    net->status = aimc_nn_shuffle(n, train->seed, (uint64_t)epoch, order);
    int resumed = epoch == from.epoch; /* the first epoch may continue a saved one */
    double loss_sum = resumed ? from.loss_sum : 0.0;
    size_t correct = resumed ? from.correct : 0, seen = resumed ? from.seen : 0;
    for (size_t start = resumed ? from.start : 0; start < n && net->status == AIMC_OK; start += batch, ++minibatch) {
      run_fault_step(ctx, minibatch);
      if (run_stop_requested()) { /* stop at this boundary with the results so far and a checkpoint */
        ctx->interrupted = 1;
        *at = (net_position){epoch, start, minibatch, loss_sum, correct, seen};
        net->status = run_checkpoint_write(ctx, save_state, job);
        break;
      }
      size_t b = n - start < batch ? n - start : batch;
      if (ctx->chip) aimc_hw_chip_set_step(ctx->chip, minibatch);
      net->status = aimc_nn_gather_batch(&job->train, order + start, b, images, labels);
      if (net->status == AIMC_OK) net->status = forward(net, images, b);
      double loss = 0.0;
      size_t batch_correct = 0;
      if (net->status == AIMC_OK)
        net->status = aimc_nn_log_softmax_nll(b, CLASSES, net->logits, labels, &loss, net->grad, &batch_correct);
      if (net->status == AIMC_ENUMERIC) net->status = numeric_fault(net, b, epoch, minibatch, NAN); /* non-finite logits */
      if (net->status == AIMC_OK && ctx->chip)
        net->status = aimc_hw_chip_digital(ctx->chip, AIMC_HW_PHASE_DIGITAL, AIMC_HW_OP_LOSS, (uint64_t)(b * CLASSES));
      if (net->status == AIMC_OK && !isfinite(loss)) net->status = numeric_fault(net, b, epoch, minibatch, loss);
      if (net->status == AIMC_OK) net->status = backward(net, b);
      if (net->status == AIMC_OK) net->status = update(net, b, lr, minibatch);
      loss_sum += loss * (double)b;
      correct += batch_correct;
      seen += b;
      ctx->samples_trained += b;
      progress_report(ctx, "samples", (double)(epoch * n + start + b), (double)train->epochs * (double)n, loss, 0);
      if (net->status == AIMC_OK && run_checkpoint_due(ctx, minibatch + 1, -1)) {
        *at = (net_position){epoch, start + b, minibatch + 1, loss_sum, correct, seen};
        net->status = run_checkpoint_write(ctx, save_state, job);
      }
    }
    if (net->status != AIMC_OK || ctx->interrupted) break; /* a partial epoch gets no row */
    double before = chip_energy(ctx), accuracy = NAN;
    net->status = evaluate(job, &accuracy);
    job->eval_energy += chip_energy(ctx) - before;
    if (net->status != AIMC_OK) break;
    double row[METRIC_COUNT];
    metrics_clear_row(row);
    row[METRIC_STEP] = (double)minibatch;
    row[METRIC_EPOCH] = epoch + 1;
    row[METRIC_LR] = lr;
    row[METRIC_LOSS] = loss_sum / (double)seen;
    row[METRIC_TRAIN_ACCURACY] = (double)correct / (double)seen;
    row[METRIC_TEST_ACCURACY] = accuracy;
    net->status = metrics_append(ctx, row);
    if (net->status == AIMC_OK) net->status = metrics_write(ctx);
    ctx->final_loss = loss_sum / (double)seen;
    ctx->final_test_accuracy = accuracy;
    progress_report(ctx, "samples", (double)(epoch + 1) * (double)n, (double)train->epochs * (double)n,
                    ctx->final_loss, epoch + 1 == train->epochs);
    if (net->status == AIMC_OK && run_checkpoint_due(ctx, minibatch, epoch + 1)) {
      *at = (net_position){epoch + 1, 0, minibatch, 0.0, 0, 0};
      net->status = run_checkpoint_write(ctx, save_state, job);
    }
  }
  free(order);
  free(images);
  free(labels);
  return net->status == AIMC_OK ? 0 : 1;
}

aimc_status network_run(run_context *ctx) {
  const aimc_config *config = ctx->config;
  network net;
  memset(&net, 0, sizeof net);
  net.ctx = ctx;
  net.analog = config->experiment.algorithm != AIMC_ALGORITHM_DIGITAL_SGD;
  net.capacity = (size_t)(config->experiment.batch > EVAL_BATCH ? config->experiment.batch : EVAL_BATCH);
  define_architecture(&net, config->experiment.workload);
  network_job job;
  memset(&job, 0, sizeof job);
  job.net = &net;
  const aimc_data_params *data = &config->data;
  aimc_status status = aimc_dataset_load(data->train_images, data->train_labels, (size_t)data->train_limit, &job.train);
  if (status == AIMC_OK)
    status = aimc_dataset_load(data->test_images, data->test_labels, (size_t)data->test_limit, &job.test);
  if (status == AIMC_OK && (job.train.rows != 28 || job.train.cols != 28 || job.test.rows != 28 || job.test.cols != 28))
    status = aimc_error_set(AIMC_EINVAL, "%s: the networks need 28 x 28 images (got %zu x %zu)", data->train_images,
                            job.train.rows, job.train.cols);
  size_t max_features = 0;
  for (int k = 0; k < net.n; ++k) {
    size_t rows = stage_rows(&net.stages[k], net.capacity);
    size_t a = rows * net.stages[k].in, b = rows * net.stages[k].out;
    max_features = a > max_features ? a : max_features;
    max_features = b > max_features ? b : max_features;
  }
  net.logits = malloc(sizeof(float) * net.capacity * CLASSES);
  net.grad = malloc(sizeof(float) * net.capacity * CLASSES);
  net.image_grad = malloc(sizeof(float) * max_features);
  if (status == AIMC_OK && (!net.logits || !net.grad || !net.image_grad))
    status = aimc_error_set(AIMC_ENOMEM, "network: out of memory");
  if (status == AIMC_OK) status = build(&net);
  if (status == AIMC_OK && net.analog) status = run_resume_chip(ctx);
  const aimc_checkpoint_section *saved = run_resume_workload(ctx);
  if (status == AIMC_OK && saved && (status = load_state(&job, saved)) != AIMC_OK) ctx->checkpointing.refused = 1;
  if (status == AIMC_OK && net.analog) status = run_start_trace(ctx);
  if (status == AIMC_OK) {
    int failed = ctx->chip ? aimc_hw_chip_run(ctx->chip, program, &job) : program(&job);
    if (failed) status = net.status != AIMC_OK ? net.status : aimc_error_set(AIMC_EINVAL, "the simulation failed: %s", aimc_error_message());
  }
  ctx->eval_energy = job.eval_energy;
  if (status == AIMC_OK && net.analog) status = run_record_chip_weights(ctx);
  for (int k = 0; k < net.n && status == AIMC_OK && !net.analog; ++k)
    status = run_record_weights(ctx, k, 0, net.stages[k].digital.weight, NULL, net.stages[k].in * net.stages[k].out);
  for (int k = 0; k < net.n; ++k) free_stage(&net.stages[k]);
  free(net.logits);
  free(net.grad);
  free(net.image_grad);
  aimc_dataset_free(&job.train);
  aimc_dataset_free(&job.test);
  return status;
}
