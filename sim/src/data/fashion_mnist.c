/*
 * Fashion-MNIST (Xiao, Rasul and Vollgraf, 2017) from Debian's
 * dataset-fashion-mnist package, which installs the four gzip IDX files under
 * their standard names in /usr/share/datasets/fashion-mnist/. Both pairs are
 * validated with the IDX reader (60,000 + 10,000 28 x 28 images, labels 0..9)
 * and then copied byte for byte, so that the output is the upstream release.
 */
#define _XOPEN_SOURCE 700

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "aimc_sim/dataset.h"
#include "data_internal.h"

#define COPY_BUFFER_SIZE ((size_t)64 << 10)

enum { TRAIN_IMAGES, TRAIN_LABELS, TEST_IMAGES, TEST_LABELS, FILE_COUNT };

static const char *const STANDARD_NAMES[FILE_COUNT] = {
    AIMC_MNIST_TRAIN_IMAGES_FILE, AIMC_MNIST_TRAIN_LABELS_FILE, AIMC_MNIST_TEST_IMAGES_FILE,
    AIMC_MNIST_TEST_LABELS_FILE};

/* Finds name in directory, or name without its ".gz" (a decompressed copy). */
static aimc_status find_source(const char *directory, const char *name, int is_debian_default,
                               char **path) {
  char *compressed = aimc_path_join(directory, name);
  if (compressed == NULL) return aimc_error_set(AIMC_ENOMEM, "out of memory");
  if (access(compressed, F_OK) == 0) {
    *path = compressed;
    return AIMC_OK;
  }
  size_t length = strlen(compressed);
  char *plain = malloc(length + 1);
  if (plain == NULL) {
    free(compressed);
    return aimc_error_set(AIMC_ENOMEM, "out of memory");
  }
  memcpy(plain, compressed, length + 1);
  plain[length - 3] = '\0'; /* the standard names end in ".gz" */
  if (access(plain, F_OK) == 0) {
    free(compressed);
    *path = plain;
    return AIMC_OK;
  }
  aimc_status status = aimc_error_set(
      AIMC_EIO, "%s: not found%s", compressed,
      is_debian_default ? "; install Debian's dataset-fashion-mnist package "
                          "(apt-get install dataset-fashion-mnist)"
                        : "");
  free(compressed);
  free(plain);
  return status;
}

static aimc_status validate_pair(const char *images_path, const char *labels_path,
                                 size_t per_class[AIMC_DATASET_CLASSES],
                                 aimc_dataset_split_counts *counts) {
  aimc_idx images, labels;
  aimc_status status = aimc_dataset_read_pair(images_path, labels_path, &images, &labels);
  if (status != AIMC_OK) return status;
  const uint8_t *values = labels.data;
  for (size_t i = 0; i < labels.count; ++i) ++per_class[values[i]];
  /* The first pair sets the image size; the second must agree. */
  if (counts->rows == 0) {
    counts->rows = images.dims[1];
    counts->cols = images.dims[2];
  } else if (counts->rows != images.dims[1] || counts->cols != images.dims[2]) {
    status = aimc_error_set(AIMC_EFORMAT, "%s: images of %u x %u pixels, but the training "
                            "images are %zu x %zu", images_path, (unsigned)images.dims[1],
                            (unsigned)images.dims[2], counts->rows, counts->cols);
  }
  aimc_idx_free(&images);
  aimc_idx_free(&labels);
  return status;
}

static aimc_status copy_into(const char *source_path, aimc_atomic_file *file) {
  int fd = open(source_path, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return aimc_error_set(AIMC_EIO, "%s: cannot open: %s", source_path, strerror(errno));
  unsigned char *buffer = malloc(COPY_BUFFER_SIZE);
  aimc_status status = buffer == NULL ? aimc_error_set(AIMC_ENOMEM, "out of memory") : AIMC_OK;
  while (status == AIMC_OK) {
    ssize_t got = read(fd, buffer, COPY_BUFFER_SIZE);
    if (got < 0 && errno == EINTR) continue;
    if (got < 0)
      status = aimc_error_set(AIMC_EIO, "%s: read failed: %s", source_path, strerror(errno));
    if (got <= 0) break;
    status = aimc_atomic_write(file, buffer, (size_t)got);
  }
  free(buffer);
  close(fd);
  if (status == AIMC_OK) status = aimc_atomic_sync(file);
  return status;
}

static const char *base_name(const char *path) {
  const char *slash = strrchr(path, '/');
  return slash == NULL ? path : slash + 1;
}

aimc_status aimc_dataset_prepare_fashion_mnist(const char *source_dir, const char *out_dir,
                                               aimc_dataset_split_counts *counts) {
  aimc_dataset_split_counts local_counts;
  if (counts == NULL) counts = &local_counts;
  memset(counts, 0, sizeof *counts);
  int is_debian_default = source_dir == NULL;
  if (is_debian_default) source_dir = AIMC_FASHION_MNIST_DEBIAN_DIR;

  char *sources[FILE_COUNT] = {NULL};
  aimc_status status = AIMC_OK;
  for (int i = 0; status == AIMC_OK && i < FILE_COUNT; ++i)
    status = find_source(source_dir, STANDARD_NAMES[i], is_debian_default, &sources[i]);
  if (status == AIMC_OK)
    status = validate_pair(sources[TRAIN_IMAGES], sources[TRAIN_LABELS], counts->train, counts);
  if (status == AIMC_OK)
    status = validate_pair(sources[TEST_IMAGES], sources[TEST_LABELS], counts->test, counts);
  if (status == AIMC_OK) status = aimc_make_directories(out_dir);

  aimc_atomic_file files[FILE_COUNT];
  size_t opened = 0;
  for (; status == AIMC_OK && opened < FILE_COUNT; ++opened) {
    char *target = aimc_path_join(out_dir, base_name(sources[opened]));
    if (target == NULL) {
      status = aimc_error_set(AIMC_ENOMEM, "out of memory");
      break;
    }
    status = aimc_atomic_open(&files[opened], target);
    free(target);
    if (status != AIMC_OK) break;
    status = copy_into(sources[opened], &files[opened]);
  }
  if (status == AIMC_OK)
    status = aimc_atomic_commit_all(files, FILE_COUNT);
  else
    aimc_atomic_abort_all(files, opened);
  for (int i = 0; i < FILE_COUNT; ++i) free(sources[i]);
  return status;
}
