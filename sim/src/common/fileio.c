/*
 * Atomic file output and directory utilities (fileio.h).
 *
 * The directory is fsync'ed after the rename so that a power loss keeps the
 * new name too. A killed run can leave a NAME.tmp.<pid> behind; nothing reads
 * such files and they may be deleted.
 */
#define _XOPEN_SOURCE 700

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <sys/file.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>


#include "aimc_sim/fileio.h"

char *aimc_path_join(const char *directory, const char *name) {
  size_t directory_length = strlen(directory);
  size_t name_length = strlen(name);
  int needs_slash = directory_length > 0 && directory[directory_length - 1] != '/';
  char *path = malloc(directory_length + (size_t)needs_slash + name_length + 1);
  if (path == NULL) return NULL;
  memcpy(path, directory, directory_length);
  if (needs_slash) path[directory_length] = '/';
  memcpy(path + directory_length + (size_t)needs_slash, name, name_length + 1);
  return path;
}

aimc_status aimc_atomic_open(aimc_atomic_file *file, const char *final_path) {
  file->fd = -1;
  file->final_path = NULL;
  file->temp_path = NULL;
  size_t length = strlen(final_path);
  /* ".tmp." + up to 20 digits of a pid + NUL */
  size_t temp_size = length + 32;
  file->final_path = malloc(length + 1);
  file->temp_path = malloc(temp_size);
  if (file->final_path == NULL || file->temp_path == NULL) {
    free(file->final_path);
    free(file->temp_path);
    file->final_path = file->temp_path = NULL;
    return aimc_error_set(AIMC_ENOMEM, "%s: out of memory", final_path);
  }
  memcpy(file->final_path, final_path, length + 1);
  snprintf(file->temp_path, temp_size, "%s.tmp.%ld", final_path, (long)getpid());
  file->fd = open(file->temp_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0666);
  if (file->fd < 0) {
    aimc_status status =
        aimc_error_set(AIMC_EIO, "%s: cannot create: %s", file->temp_path, strerror(errno));
    free(file->final_path);
    free(file->temp_path);
    file->final_path = file->temp_path = NULL;
    return status;
  }
  return AIMC_OK;
}

aimc_status aimc_atomic_write(aimc_atomic_file *file, const void *buffer, size_t size) {
  const unsigned char *bytes = buffer;
  while (size > 0) {
    ssize_t written = write(file->fd, bytes, size);
    if (written < 0) {
      if (errno == EINTR) continue;
      return aimc_error_set(AIMC_EIO, "%s: write failed: %s", file->temp_path, strerror(errno));
    }
    bytes += written;
    size -= (size_t)written;
  }
  return AIMC_OK;
}

aimc_status aimc_atomic_sync(aimc_atomic_file *file) {
  if (file->fd < 0) return AIMC_OK;
  int fd = file->fd;
  file->fd = -1;
  if (fsync(fd) != 0) {
    int error = errno;
    close(fd);
    return aimc_error_set(AIMC_EIO, "%s: fsync failed: %s", file->temp_path, strerror(error));
  }
  if (close(fd) != 0)
    return aimc_error_set(AIMC_EIO, "%s: close failed: %s", file->temp_path, strerror(errno));
  return AIMC_OK;
}

/* Makes the rename durable; file systems that cannot fsync a directory say
 * EINVAL, which leaves durability to them. */
static aimc_status sync_parent_directory(const char *path) {
  const char *slash = strrchr(path, '/');
  char *directory;
  if (slash == NULL) {
    directory = aimc_path_join(".", "");
  } else {
    size_t length = slash == path ? 1 : (size_t)(slash - path);
    directory = malloc(length + 1);
    if (directory != NULL) {
      memcpy(directory, path, length);
      directory[length] = '\0';
    }
  }
  if (directory == NULL) return aimc_error_set(AIMC_ENOMEM, "%s: out of memory", path);
  aimc_status status = AIMC_OK;
  int fd = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) {
    status = aimc_error_set(AIMC_EIO, "%s: cannot open directory to sync it: %s", directory,
                            strerror(errno));
  } else {
    if (fsync(fd) != 0 && errno != EINVAL)
      status = aimc_error_set(AIMC_EIO, "%s: fsync of directory failed: %s", directory,
                              strerror(errno));
    close(fd);
  }
  free(directory);
  return status;
}

aimc_status aimc_atomic_commit(aimc_atomic_file *file) {
  aimc_status status = aimc_atomic_sync(file);
  if (status != AIMC_OK) {
    aimc_atomic_abort(file);
    return status;
  }
  if (rename(file->temp_path, file->final_path) != 0) {
    status = aimc_error_set(AIMC_EIO, "%s: cannot rename %s into place: %s", file->final_path,
                            file->temp_path, strerror(errno));
    aimc_atomic_abort(file);
    return status;
  }
  status = sync_parent_directory(file->final_path);
  free(file->final_path);
  free(file->temp_path);
  file->final_path = file->temp_path = NULL;
  return status;
}

aimc_status aimc_atomic_commit_all(aimc_atomic_file *files, size_t count) {
  aimc_status status = AIMC_OK;
  for (size_t i = 0; i < count; ++i) {
    if (status == AIMC_OK)
      status = aimc_atomic_commit(&files[i]);
    else
      aimc_atomic_abort(&files[i]);
  }
  return status;
}

void aimc_atomic_abort_all(aimc_atomic_file *files, size_t count) {
  for (size_t i = 0; i < count; ++i) aimc_atomic_abort(&files[i]);
}

void aimc_atomic_abort(aimc_atomic_file *file) {
  if (file->fd >= 0) close(file->fd);
  file->fd = -1;
  if (file->temp_path != NULL) unlink(file->temp_path);
  free(file->final_path);
  free(file->temp_path);
  file->final_path = file->temp_path = NULL;
}

aimc_status aimc_make_directories(const char *path) {
  size_t length = strlen(path);
  char *prefix = malloc(length + 1);
  if (prefix == NULL) return aimc_error_set(AIMC_ENOMEM, "%s: out of memory", path);
  memcpy(prefix, path, length + 1);
  /* Create each ancestor in turn; one that exists already is fine. */
  for (size_t i = 1; i <= length; ++i) {
    if (i < length && prefix[i] != '/') continue;
    char saved = prefix[i];
    prefix[i] = '\0';
    if (mkdir(prefix, 0777) != 0 && errno != EEXIST) {
      aimc_status status =
          aimc_error_set(AIMC_EIO, "%s: cannot create directory: %s", prefix, strerror(errno));
      free(prefix);
      return status;
    }
    prefix[i] = saved;
  }
  free(prefix);
  struct stat info;
  if (stat(path, &info) != 0)
    return aimc_error_set(AIMC_EIO, "%s: cannot create directory: %s", path, strerror(errno));
  if (!S_ISDIR(info.st_mode))
    return aimc_error_set(AIMC_EIO, "%s: exists and is not a directory", path);
  return AIMC_OK;
}

static int remove_entry(const char *path, const struct stat *info, int kind, struct FTW *walk) {
  (void)info;
  (void)kind;
  (void)walk;
  return remove(path) == 0 ? 0 : errno;
}

int aimc_remove_tree(const char *path) {
  int result = nftw(path, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
  if (result == 0) return 0;
  return result > 0 ? result : errno;
}

void aimc_default_output_dir(const char *config_path, char *out, size_t size) {
  const char *base = config_path ? strrchr(config_path, '/') : NULL;
  base = base ? base + 1 : (config_path ? config_path : "default.yaml");
  char stem[256];
  snprintf(stem, sizeof stem, "%.255s", base);
  char *dot = strrchr(stem, '.');
  if (dot) *dot = '\0';
  time_t now = time(NULL);
  struct tm local;
  localtime_r(&now, &local);
  char stamp[32];
  strftime(stamp, sizeof stamp, "%Y%m%d-%H%M%S", &local);
  snprintf(out, size, "runs/%s-%s-%ld", stem, stamp, (long)getpid());
}

aimc_status aimc_outdir_lock(const char *directory, int *fd) {
  *fd = -1;
  char *path = aimc_path_join(directory, AIMC_OUTDIR_LOCK_NAME);
  if (path == NULL) return aimc_error_set(AIMC_ENOMEM, "%s: out of memory", directory);
  int lock = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0666);
  if (lock < 0) {
    aimc_status status = aimc_error_set(AIMC_EIO, "%s: cannot open the lock file: %s", path, strerror(errno));
    free(path);
    return status;
  }
  struct stat info;
  if (fstat(lock, &info) != 0 || !S_ISREG(info.st_mode)) {
    close(lock);
    aimc_status status = aimc_error_set(AIMC_EIO, "%s: the lock file is not a regular file", path);
    free(path);
    return status;
  }
  free(path);
  while (flock(lock, LOCK_EX | LOCK_NB) != 0) {
    if (errno == EINTR) continue;
    int error = errno;
    if (error != EWOULDBLOCK) {
      close(lock);
      return aimc_error_set(AIMC_EIO, "%s: cannot lock: %s", directory, strerror(error));
    }
    /* The holder wrote its id right after taking the lock; it may not have yet. */
    char text[32] = "";
    ssize_t n = pread(lock, text, sizeof text - 1, 0);
    close(lock);
    long holder = 0;
    if (n > 0) {
      text[n] = '\0';
      char *end = NULL;
      holder = strtol(text, &end, 10);
      if (end == text || holder <= 0) holder = 0;
    }
    if (holder > 0)
      return aimc_error_set(AIMC_EBUSY, "%s is in use by process %ld", directory, holder);
    return aimc_error_set(AIMC_EBUSY, "%s is in use by another process", directory);
  }
  char text[32];
  int length = snprintf(text, sizeof text, "%ld\n", (long)getpid());
  if (ftruncate(lock, 0) != 0 || pwrite(lock, text, (size_t)length, 0) != length) {
    int error = errno;
    close(lock);
    return aimc_error_set(AIMC_EIO, "%s: cannot write the lock file: %s", directory, strerror(error));
  }
  *fd = lock;
  return AIMC_OK;
}

int aimc_is_outdir_lock(const char *name) { return strcmp(name, AIMC_OUTDIR_LOCK_NAME) == 0; }

aimc_status aimc_require_regular_file(const char *what, const char *path) {
  struct stat info;
  if (stat(path, &info) != 0) return aimc_error_set(AIMC_EIO, "%s %s: %s", what, path, strerror(errno));
  if (S_ISREG(info.st_mode)) return AIMC_OK;
  const char *kind = S_ISFIFO(info.st_mode)  ? "a FIFO"
                     : S_ISSOCK(info.st_mode) ? "a socket"
                     : S_ISCHR(info.st_mode)  ? "a character device"
                     : S_ISBLK(info.st_mode)  ? "a block device"
                     : S_ISDIR(info.st_mode)  ? "a directory"
                                              : "not a file";
  return aimc_error_set(AIMC_EINVAL, "%s %s: is %s, not a regular file", what, path, kind);
}
