/*
 * libFuzzer harness of the IDX reader: aimc_idx_read, as `aimcsim data check`
 * and the data-set loader read a file. An input is the bytes of a file: plain
 * IDX, gzip-compressed IDX or anything else.
 *
 * The reader opens a path, so the harness hands it one that needs no disk:
 * /proc/self/fd/N of a memfd: a regular file of known size, where truncation
 * and trailing bytes of a plain file are found by arithmetic before anything
 * is read, and a gzip file's data is read in bounded chunks. That is how
 * aimc_idx_read meets real files, so the harness fuzzes the code users run; an
 * in-memory entry point would be a second decoder beside it. A pipe, which
 * would block a read or never end, is refused before it is read.
 *
 * Besides what AddressSanitizer and UndefinedBehaviorSanitizer catch, the
 * harness aborts when a contract of aimc_sim/idx.h breaks:
 *   - a read returns AIMC_OK or AIMC_EFORMAT (the bytes are always readable and
 *     small, so AIMC_EIO and AIMC_ENOMEM are wrong too); on failure *idx is
 *     empty and the message starts with the path;
 *   - a plain file that reads is exactly the header and big-endian data of the
 *     array returned; a file is taken for gzip iff it starts with 1f 8b;
 *   - a pipe is refused with AIMC_EINVAL, *idx empty and the message
 *     "IDX file PATH: is a FIFO, not a regular file".
 */
#define _GNU_SOURCE /* memfd_create */

#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "aimc_sim/idx.h"

/* Pipes are asked for this much buffer; inputs that do not fit skip the pipe. */

static void fail(const char *what, const char *path)
{
  fprintf(stderr, "fuzz_idx: %s: %s (last message: %s)\n", path, what, aimc_error_message());
  abort();
}

static void put_big_endian(unsigned char *out, uint64_t value, size_t size)
{
  for (size_t b = 0; b < size; ++b) out[b] = (unsigned char)(value >> (8 * (size - 1 - b)));
}

/* The plain IDX encoding of *idx: header, then the elements big-endian. */
static unsigned char *encode(const aimc_idx *idx, size_t *size)
{
  size_t element_size = aimc_idx_type_size(idx->type);
  size_t header_size = 4 + 4 * (size_t)idx->ndims;
  *size = header_size + idx->count * element_size;
  unsigned char *bytes = malloc(*size);
  if (bytes == NULL) return NULL;
  put_big_endian(bytes, aimc_idx_magic(idx), 4);
  for (int i = 0; i < idx->ndims; ++i) put_big_endian(bytes + 4 + 4 * i, idx->dims[i], 4);
  const unsigned char *data = idx->data;
  for (size_t i = 0; i < idx->count; ++i) {
    uint64_t value = 0;
    if (element_size == 1) value = data[i];
    if (element_size == 2) { uint16_t v; memcpy(&v, data + 2 * i, 2); value = v; }
    if (element_size == 4) { uint32_t v; memcpy(&v, data + 4 * i, 4); value = v; }
    if (element_size == 8) memcpy(&value, data + 8 * i, 8);
    put_big_endian(bytes + header_size + i * element_size, value, element_size);
  }
  return bytes;
}

/* Reads path and checks the result against the contracts above. */
static aimc_status read_and_check(const char *path, const uint8_t *input, size_t size,
                                  aimc_idx *idx)
{
  aimc_status status = aimc_idx_read(path, idx);
  if (status != AIMC_OK) {
    if (status != AIMC_EFORMAT) fail("unexpected status", path);
    aimc_idx empty;
    memset(&empty, 0, sizeof empty);
    if (memcmp(idx, &empty, sizeof empty) != 0) fail("a failed read left *idx filled", path);
    if (strncmp(aimc_error_message(), path, strlen(path)) != 0)
      fail("the message does not start with the path", path);
    return status;
  }
  uint64_t count = 1;
  for (int i = 0; i < idx->ndims; ++i) count *= idx->dims[i];
  if (idx->ndims < 1 || idx->ndims > AIMC_IDX_MAX_DIMS || aimc_idx_type_size(idx->type) == 0 ||
      count != idx->count || idx->data == NULL)
    fail("an inconsistent array was returned", path);
  int gzip = size >= 2 && input[0] == 0x1f && input[1] == 0x8b;
  if (idx->gzip != gzip) fail("the gzip flag does not match the file's first bytes", path);
  if (!gzip) {
    size_t encoded_size;
    unsigned char *encoded = encode(idx, &encoded_size);
    if (encoded != NULL && (encoded_size != size || memcmp(encoded, input, size) != 0))
      fail("the array read does not encode back to the file", path);
    free(encoded);
  }
  return status;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  char path[64];
  int file = memfd_create("fuzz.idx", MFD_CLOEXEC);
  if (file < 0 || (size > 0 && write(file, data, size) != (ssize_t)size)) {
    if (file >= 0) close(file);
    return 0;
  }
  snprintf(path, sizeof path, "/proc/self/fd/%d", file);
  aimc_idx from_file;
  read_and_check(path, data, size, &from_file);
  close(file);

  /* The refusal does not depend on the input: checked once. */
  static int pipe_checked;
  int ends[2];
  if (!pipe_checked && pipe2(ends, O_CLOEXEC) == 0) {
    pipe_checked = 1;
    snprintf(path, sizeof path, "/proc/self/fd/%d", ends[0]);
    char expected[128];
    snprintf(expected, sizeof expected, "IDX file %s: is a FIFO, not a regular file", path);
    aimc_idx from_pipe;
    memset(&from_pipe, 0xa5, sizeof from_pipe);
    aimc_status pipe_status = aimc_idx_read(path, &from_pipe);
    aimc_idx empty;
    memset(&empty, 0, sizeof empty);
    if (pipe_status != AIMC_EINVAL || memcmp(&from_pipe, &empty, sizeof empty) != 0 ||
        strcmp(aimc_error_message(), expected) != 0)
      fail("a pipe was not refused before it was read", path);
    close(ends[0]);
    close(ends[1]);
  }
  aimc_idx_free(&from_file);
  return 0;
}
