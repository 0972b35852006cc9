/*
 * The order of the training samples: a fresh permutation per epoch, as
 * PyTorch's DataLoader(shuffle=True) draws one, but a pure function of
 * (seed, epoch) so that a run can restart at any epoch and any thread count
 * gives the same order. Fisher-Yates (Knuth's Algorithm P) swaps position i,
 * from n-1 down to 1, with a position j uniform in [0, i]. j comes from a
 * 32-bit word w as floor(w * (i+1) / 2^32), rejecting the (2^32 mod (i+1))
 * words whose low product half falls below that count (Lemire, "Fast random
 * integer generation in an interval", 2019), so every j is exactly equally
 * likely. Position i reads the four words of counter (event i, block g) for
 * g = 0, 1, ...; a rejection is less likely than 1/2, so running out of the
 * 2^16 blocks (then the last word is used) has probability below 2^-262144.
 */
#include <string.h>

#include "aimc/rng.h"
#include "aimc_sim/nn.h"
#include "nn_internal.h"

#define EPOCH_LIMIT ((uint64_t)1 << 28) /* the row field of the RNG counter */
#define BLOCK_COUNT ((uint32_t)1 << 16) /* the block field of the RNG counter */

/* Uniform in [0, range) for 1 <= range < 2^32, from counter (event, block g). */
static uint32_t uniform_below(aimc_rng_key key, uint64_t event, uint32_t row, uint32_t range) {
  const uint32_t threshold = (uint32_t)(0u - range) % range; /* 2^32 mod range */
  uint64_t product = 0;
  for (uint32_t block = 0; block < BLOCK_COUNT; ++block) {
    uint32_t words[4];
    aimc_rng_words(key, event, block, AIMC_RNG_USER, row, 0, words);
    for (int k = 0; k < 4; ++k) {
      product = (uint64_t)words[k] * range;
      if ((uint32_t)product >= threshold) return (uint32_t)(product >> 32);
    }
  }
  return (uint32_t)(product >> 32);
}

aimc_status aimc_nn_shuffle(size_t n, uint64_t seed, uint64_t epoch, size_t *permutation) {
  if (n == 0 || (uint64_t)n > UINT32_MAX)
    return aimc_error_set(AIMC_EINVAL, "shuffle: shape of %zu indices is outside [1, 2^32)", n);
  if (epoch >= EPOCH_LIMIT)
    return aimc_error_set(AIMC_EINVAL, "shuffle: epoch %llu is not below 2^28", (unsigned long long)epoch);
  const aimc_rng_key key = aimc_rng_key_make(seed, AIMC_NN_RNG_STREAM_SHUFFLE);
  for (size_t i = 0; i < n; ++i) permutation[i] = i;
  for (size_t i = n - 1; i > 0; --i) {
    size_t j = uniform_below(key, (uint64_t)i, (uint32_t)epoch, (uint32_t)(i + 1));
    size_t held = permutation[i];
    permutation[i] = permutation[j];
    permutation[j] = held;
  }
  return AIMC_OK;
}

aimc_status aimc_nn_gather_batch(const aimc_dataset *data, const size_t *indices, size_t count, float *images,
                                 uint8_t *labels) {
  const size_t dims[3] = {count, data->rows, data->cols};
  aimc_status status = nn_check_tensor("gather batch", "count x rows x cols", 3, dims);
  if (status != AIMC_OK) return status;
  for (size_t k = 0; k < count; ++k) {
    if (indices[k] >= data->n)
      return aimc_error_set(AIMC_EINVAL, "gather batch: index %zu (entry %zu) is outside a set of %zu samples",
                            indices[k], k, data->n);
  }
  const size_t image_size = data->rows * data->cols;
  for (size_t k = 0; k < count; ++k) {
    memcpy(images + k * image_size, data->pixels + indices[k] * image_size, image_size * sizeof *images);
    if (labels) labels[k] = data->labels[indices[k]];
  }
  return AIMC_OK;
}
