/*
 * Shape checks shared by the digital building blocks (nn.h). Each returns
 * AIMC_OK or records a message that starts with the caller's name and names
 * the rejected shape.
 */
#ifndef AIMC_NN_INTERNAL_H
#define AIMC_NN_INTERNAL_H

#include <limits.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "aimc/error.h"

/* Elementwise loops shorter than this run on one thread: below it the fork
 * costs more than the work. */
#define NN_PARALLEL_MIN_ELEMENTS ((size_t)1 << 16)

/* A rows x cols matrix: both >= 1 and rows*cols representable. */
static inline aimc_status nn_check_matrix(const char *where, const char *what, size_t rows, size_t cols) {
  if (rows == 0 || cols == 0)
    return aimc_error_set(AIMC_EINVAL, "%s: %s shape %zu x %zu has no elements", where, what, rows, cols);
  if (rows > SIZE_MAX / cols)
    return aimc_error_set(AIMC_EINVAL, "%s: %s shape %zu x %zu overflows size_t", where, what, rows, cols);
  return AIMC_OK;
}

/* As nn_check_matrix, and both sides fit a BLAS int. */
static inline aimc_status nn_check_blas_matrix(const char *where, const char *what, size_t rows, size_t cols) {
  aimc_status status = nn_check_matrix(where, what, rows, cols);
  if (status != AIMC_OK) return status;
  if (rows > (size_t)INT_MAX || cols > (size_t)INT_MAX)
    return aimc_error_set(AIMC_EINVAL, "%s: %s shape %zu x %zu exceeds the BLAS limit %d", where, what, rows, cols,
                          INT_MAX);
  return AIMC_OK;
}

/* A tensor of rank 1..4 with the given dimensions: each >= 1, the product representable. */
static inline aimc_status nn_check_tensor(const char *where, const char *what, int rank, const size_t *dims) {
  size_t product = 1;
  int valid = 1;
  for (int d = 0; d < rank; ++d) {
    if (dims[d] == 0 || product > SIZE_MAX / dims[d]) valid = 0;
    else product *= dims[d];
  }
  if (valid) return AIMC_OK;
  char text[4 * 24];
  size_t used = 0;
  for (int d = 0; d < rank && d < 4; ++d)
    used += (size_t)snprintf(text + used, sizeof text - used, d ? " x %zu" : "%zu", dims[d]);
  return aimc_error_set(AIMC_EINVAL, "%s: %s shape %s is empty or overflows size_t", where, what, text);
}

#endif
