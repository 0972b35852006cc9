/*
 * IDX files, the format MNIST and Fashion-MNIST ship in (LeCun et al., "THE
 * MNIST DATABASE of handwritten digits"): a big-endian magic number whose first
 * two bytes are zero, third byte the element type and fourth byte the number of
 * dimensions; then one big-endian uint32 size per dimension, outermost first;
 * then the elements, big-endian, row-major, with nothing after them.
 *
 * Files may be gzip-compressed (recognised by the gzip magic 1f 8b, read through
 * zlib). The reader trusts nothing in a file: the header is validated, the data
 * size is checked against the file size before anything is allocated (for gzip,
 * where the uncompressed size is unknown, the data is read in bounded chunks so
 * that memory never runs ahead of the bytes actually present), and truncation or
 * trailing bytes are errors. Every error message starts with the file's path.
 */
#ifndef AIMC_SIM_IDX_H
#define AIMC_SIM_IDX_H

#include <stddef.h>
#include <stdint.h>

#include "aimc/error.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The most dimensions a file may declare (MNIST uses 1 and 3). */
#define AIMC_IDX_MAX_DIMS 8
/* The most data bytes a file may declare (2 GiB); anything larger is taken for
 * a corrupt header rather than a data set. */
#define AIMC_IDX_MAX_DATA_BYTES ((uint64_t)1 << 31)

/* The element type, as the third byte of the magic number encodes it. */
typedef enum aimc_idx_type {
  AIMC_IDX_UBYTE = 0x08,  /* uint8_t */
  AIMC_IDX_BYTE = 0x09,   /* int8_t */
  AIMC_IDX_SHORT = 0x0B,  /* int16_t */
  AIMC_IDX_INT = 0x0C,    /* int32_t */
  AIMC_IDX_FLOAT = 0x0D,  /* IEEE 754 binary32 */
  AIMC_IDX_DOUBLE = 0x0E  /* IEEE 754 binary64 */
} aimc_idx_type;

/* An IDX array held in memory. */
typedef struct aimc_idx {
  aimc_idx_type type;
  int ndims;                        /* number of dimensions, 1..AIMC_IDX_MAX_DIMS */
  uint32_t dims[AIMC_IDX_MAX_DIMS]; /* size of each dimension, outermost first; the rest 0 */
  size_t count;                     /* number of elements, the product of dims */
  int gzip;                         /* 1: the file is (read) or is to be (write) gzip-compressed */
  void *data;                       /* count elements of type, host byte order, row-major */
} aimc_idx;

/* Reads and validates the IDX file at path into *idx (which the caller frees
 * with aimc_idx_free). On failure *idx is left empty and the status is
 * AIMC_EIO (cannot open or read), AIMC_EFORMAT (malformed content) or
 * AIMC_ENOMEM. */
aimc_status aimc_idx_read(const char *path, aimc_idx *idx);

/* Writes *idx to path, gzip-compressed iff idx->gzip, atomically: the bytes go
 * to "path.tmp.<pid>", which is flushed to disk and then renamed over path, so
 * path holds either its old content or the complete new file. idx->count must
 * equal the product of idx->dims. */
aimc_status aimc_idx_write(const char *path, const aimc_idx *idx);

/* Releases idx->data and empties *idx; safe on an empty or zeroed struct. */
void aimc_idx_free(aimc_idx *idx);

/* Bytes per element of type; 0 if type is not one of the six IDX types. */
size_t aimc_idx_type_size(aimc_idx_type type);

/* "ubyte", "byte", "short", "int", "float" or "double"; "unknown" otherwise. */
const char *aimc_idx_type_name(aimc_idx_type type);

/* The magic number a file holding *idx starts with (0x00000803 for MNIST images). */
uint32_t aimc_idx_magic(const aimc_idx *idx);

/* Writes the shape as "10000 x 28 x 28" into buffer (always NUL-terminated if
 * size > 0) and returns buffer. */
char *aimc_idx_shape_string(const aimc_idx *idx, char *buffer, size_t size);

#ifdef __cplusplus
}
#endif
#endif
