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

/* ---- Atomic output (atomic_file.c) ---- */

/* A file being written under "final_path.tmp.<pid>". */
typedef struct aimc_atomic_file {
  int fd;           /* open for writing; -1 once closed */
  char *final_path; /* where the file goes on commit */
  char *temp_path;  /* where it is written meanwhile */
} aimc_atomic_file;

/* Creates (truncating) the temporary file for final_path. */
aimc_status aimc_atomic_open(aimc_atomic_file *file, const char *final_path);

/* Writes all of buffer to the temporary file. */
aimc_status aimc_atomic_write(aimc_atomic_file *file, const void *buffer, size_t size);

/* Flushes the temporary file to disk and closes it; the file is complete but
 * not yet in place. Called by aimc_atomic_commit if not done before. */
aimc_status aimc_atomic_sync(aimc_atomic_file *file);

/* Syncs, renames the temporary file over final_path, syncs the directory and
 * releases *file. On failure the temporary file is removed. */
aimc_status aimc_atomic_commit(aimc_atomic_file *file);

/* Closes and removes the temporary file and releases *file; safe to call on a
 * file already committed or aborted, or zeroed with fd = -1. */
void aimc_atomic_abort(aimc_atomic_file *file);

/* Commits files[0..count) in order, aborting the rest after a failure. All are
 * complete on disk before the first rename, which keeps the window in which a
 * set of files is mixed old and new to the renames alone. */
aimc_status aimc_atomic_commit_all(aimc_atomic_file *files, size_t count);

/* Aborts files[0..count). */
void aimc_atomic_abort_all(aimc_atomic_file *files, size_t count);

/* Writes *idx in IDX format into an open atomic file (gzip iff idx->gzip) and
 * syncs it, without committing (idx.c). */
aimc_status aimc_idx_write_to(aimc_atomic_file *file, const aimc_idx *idx);

/* ---- Directories and paths (atomic_file.c) ---- */

/* Creates directory path and its missing parents (mode 0777 less umask). */
aimc_status aimc_make_directories(const char *path);

/* Removes path and everything below it, not following symbolic links. Returns
 * 0 or an errno value, and leaves the thread's error message alone so that a
 * cleanup cannot hide the failure that led to it. */
int aimc_remove_tree(const char *path);

/* Returns a malloc'ed "directory/name", or NULL when out of memory. */
char *aimc_path_join(const char *directory, const char *name);

/* ---- Pairs of image and label files (dataset.c) ---- */

/* Reads and validates an (images, labels) pair as aimc_dataset_load does,
 * leaving the raw uint8 arrays in *images and *labels. */
aimc_status aimc_dataset_read_pair(const char *images_path, const char *labels_path,
                                   aimc_idx *images, aimc_idx *labels);

#endif
