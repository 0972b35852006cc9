/*
 * File output that never leaves a half-written file, and directory helpers.
 *
 * A file is written under "NAME.tmp.<pid>", fsync'ed, closed and renamed over
 * NAME; rename() within one directory is atomic on POSIX file systems, so NAME
 * always holds either its old content or the complete new one, even if the
 * process is killed. Every result file of aimcsim is written this way.
 */
#ifndef AIMC_SIM_FILEIO_H
#define AIMC_SIM_FILEIO_H

#include <stddef.h>

#include "aimc/error.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- Atomic output ---- */

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

/* ---- Directories and paths ---- */

/* Creates directory path and its missing parents (mode 0777 less umask). */
aimc_status aimc_make_directories(const char *path);

/* Removes path and everything below it, not following symbolic links. Returns
 * 0 or an errno value, and leaves the thread's error message alone so that a
 * cleanup cannot hide the failure that led to it. */
int aimc_remove_tree(const char *path);

/* "runs/<stem of config_path>-<date>-<time>-<pid>": where a run or sweep goes
 * without -o (config_path NULL: "default"). */
void aimc_default_output_dir(const char *config_path, char *out, size_t size);

/* Returns a malloc'ed "directory/name", or NULL when out of memory. */
char *aimc_path_join(const char *directory, const char *name);

/* ---- One writer per output directory ---- */

/* The lock file every command that writes an output directory holds while it
 * writes there. It stays behind after the process ends (removing it would let
 * a third process lock a fresh file while a second still waits on the old
 * one); aimcsim does not count it as content of the directory. */
#define AIMC_OUTDIR_LOCK_NAME ".aimcsim.lock"

/* Takes an exclusive flock on directory/AIMC_OUTDIR_LOCK_NAME (creating the
 * file, never following a symbolic link) and writes this process's id into it.
 * The lock lasts until *fd is closed or the process ends; children started
 * with exec do not inherit it. A directory locked by another process gives
 * AIMC_EBUSY with "DIR is in use by process N". */
aimc_status aimc_outdir_lock(const char *directory, int *fd);

/* Whether name is the lock file (to leave it out of "is the directory empty"). */
int aimc_is_outdir_lock(const char *name);

/* ---- Inputs ---- */

/* AIMC_OK if path names a regular file (following symbolic links), else
 * AIMC_EINVAL with "WHAT PATH: is a FIFO|socket|character device|directory|...,
 * not a regular file" (what: e.g. "config"), or AIMC_EIO if it cannot be
 * examined. Called before an input is opened, so that a FIFO or a device never
 * blocks a read. */
aimc_status aimc_require_regular_file(const char *what, const char *path);

#ifdef __cplusplus
}
#endif
#endif
