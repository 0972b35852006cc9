/*
 * The run directory of `aimcsim run` (docs/training.md):
 * one writer at a time (aimc_outdir_lock before anything is written), an
 * existing non-empty directory only with --force, the temporaries a killed
 * run left behind, the traced VCD never written through a link or onto a
 * device, and whether a directory holds a completed run.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "aimc_sim/commands.h"
#include "aimc_sim/fileio.h"
#include "train_internal.h"

/* Whether the directory holds anything but the lock file. */
static int directory_has_content(const char *outdir) {
  DIR *dir = opendir(outdir);
  int entries = 0;
  for (struct dirent *e; dir && (e = readdir(dir)) != NULL;)
    if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0 && !aimc_is_outdir_lock(e->d_name)) ++entries;
  if (dir) closedir(dir);
  return entries > 0;
}

/* Creates outdir if needed and locks it (one writer per run directory); then,
 * holding the lock, accepts it if empty (the lock file aside) or with --force.
 * A resumed run only locks. */
int run_prepare_outdir(const char *outdir, int force, int resuming, int *lock) {
  int check = !resuming && !force;
  /* Once before the lock, so that a refused directory does not even get a lock
   * file; again under the lock, which another run may have held meanwhile. */
  for (int locked = 0; locked < 2; ++locked) {
    if (check && directory_has_content(outdir)) {
      fprintf(stderr, "aimcsim run: %s exists and is not empty; use --force to write into it\n", outdir);
      return AIMC_EXIT_USAGE;
    }
    if (locked) break;
    if (!resuming && aimc_make_directories(outdir) != AIMC_OK) {
      fprintf(stderr, "aimcsim run: %s\n", aimc_error_message());
      return AIMC_EXIT_FAILURE;
    }
    aimc_status status = aimc_outdir_lock(outdir, lock);
    if (status != AIMC_OK) {
      fprintf(stderr, "aimcsim run: %s\n", aimc_error_message());
      return status == AIMC_EBUSY ? AIMC_EXIT_USAGE : AIMC_EXIT_FAILURE;
    }
  }
  return AIMC_EXIT_OK;
}

/* Whether name is a temporary file of an atomic write: "NAME.tmp.<digits>". */
static int is_temporary_name(const char *name) {
  const char *tmp = NULL;
  for (const char *p = strstr(name, ".tmp."); p; p = strstr(p + 1, ".tmp.")) tmp = p;
  if (!tmp || tmp == name || tmp[5] == '\0') return 0;
  for (const char *p = tmp + 5; *p; ++p)
    if (*p < '0' || *p > '9') return 0;
  return 1;
}

/* Removes the temporary files a killed run left in directory (regular files
 * only); called with the run directory locked, so no writer owns them. */
static void remove_stale_temporaries_in(const char *directory) {
  DIR *dir = opendir(directory);
  if (!dir) return;
  for (struct dirent *e; (e = readdir(dir)) != NULL;) {
    if (!is_temporary_name(e->d_name)) continue;
    char *path = aimc_path_join(directory, e->d_name);
    struct stat info;
    if (path && lstat(path, &info) == 0 && S_ISREG(info.st_mode)) unlink(path);
    free(path);
  }
  closedir(dir);
}

/* ... in the run directory and in the subdirectories it writes. */
void run_remove_stale_temporaries(const char *outdir) {
  remove_stale_temporaries_in(outdir);
  static const char *const subdirectories[] = {"weights", "waveforms"};
  for (size_t k = 0; k < sizeof subdirectories / sizeof subdirectories[0]; ++k) {
    char *path = aimc_path_join(outdir, subdirectories[k]);
    struct stat info;
    if (path && lstat(path, &info) == 0 && S_ISDIR(info.st_mode)) remove_stale_temporaries_in(path);
    free(path);
  }
}

/* With the run directory locked and before anything is written: the traced
 * VCD's directory and file, if they exist, must be a directory and a regular
 * file (a --force run into an old directory never writes through a symbolic
 * link or onto a device; the VCD writer checks again when it writes). */
aimc_status run_check_trace_target(const char *outdir, const aimc_trace_config *trace) {
  char path[2 * AIMC_PATH_MAX + 2];
  const char *slash = strchr(trace->vcd, '/'); /* trace.vcd is waveforms/NAME.vcd (schema_experiment.c) */
  int length = slash ? (int)(slash - trace->vcd) : 0;
  snprintf(path, sizeof path, "%s/%.*s", outdir, length, trace->vcd);
  struct stat info;
  if (lstat(path, &info) == 0 && !S_ISDIR(info.st_mode))
    return aimc_error_set(AIMC_EINVAL, "trace.vcd: %s exists and is not a directory (a symbolic link?); refusing to "
                                       "write the waveform through it", path);
  snprintf(path, sizeof path, "%s/%s", outdir, trace->vcd);
  if (lstat(path, &info) == 0 && !S_ISREG(info.st_mode))
    return aimc_error_set(AIMC_EINVAL, "trace.vcd: %s exists and is not a regular file; refusing to replace it", path);
  return AIMC_OK;
}

/* Whether OUTDIR/result.json records a completed run. */
int run_directory_completed(const char *outdir) {
  char *path = aimc_path_join(outdir, "result.json");
  FILE *file = path ? fopen(path, "r") : NULL;
  free(path);
  if (!file) return 0;
  char text[512];
  size_t n = fread(text, 1, sizeof text - 1, file);
  fclose(file);
  text[n] = '\0';
  return strstr(text, "\"status\": \"completed\"") != NULL;
}

