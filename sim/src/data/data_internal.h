/*
 * Helpers shared by the files of sim/src/data: the IDX reader in steps (header
 * first, so that a pair of files can be checked against each other before any
 * data is read), atomic file output, and directory utilities. Not installed.
 */
#ifndef AIMC_SIM_DATA_INTERNAL_H
#define AIMC_SIM_DATA_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include <zlib.h>

#include "aimc/error.h"
#include "aimc_sim/fileio.h"
#include "aimc_sim/idx.h"

/* ---- IDX reading in steps (idx.c) ---- */

/* An open IDX file whose header has been read and validated. */
typedef struct aimc_idx_reader {
  const char *path;   /* the caller's string, used in messages */
  gzFile gz;          /* reads plain files transparently, gzip ones decompressed */
  int size_known;     /* 1: plain regular file, data_available is exact */
  uint64_t data_available; /* bytes after the header (size_known only) */
  uint64_t data_bytes;     /* bytes the header declares */
  aimc_idx header;    /* type, ndims, dims, count, gzip; data stays NULL */
} aimc_idx_reader;

/* Opens path and reads its header, checking the data size against the file
 * size and AIMC_IDX_MAX_DATA_BYTES. On failure nothing stays open. */
aimc_status aimc_idx_reader_open(aimc_idx_reader *reader, const char *path);

/* Reads the data into *idx (header copied, data allocated), requiring the file
 * to end right after it; then closes the reader, whatever the outcome. */
aimc_status aimc_idx_reader_finish(aimc_idx_reader *reader, aimc_idx *idx);

/* Closes a reader without reading its data. */
void aimc_idx_reader_close(aimc_idx_reader *reader);

/* Writes *idx in IDX format into an open atomic file (gzip iff idx->gzip) and
 * syncs it, without committing (idx.c). */
aimc_status aimc_idx_write_to(aimc_atomic_file *file, const aimc_idx *idx);

/* ---- Pairs of image and label files (dataset.c) ---- */

/* Reads and validates an (images, labels) pair as aimc_dataset_load does,
 * leaving the raw uint8 arrays in *images and *labels. */
aimc_status aimc_dataset_read_pair(const char *images_path, const char *labels_path,
                                   aimc_idx *images, aimc_idx *labels);

#endif
