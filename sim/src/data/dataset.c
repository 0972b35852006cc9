/*
 * Loading an (images, labels) pair of IDX files as a classification data set.
 *
 * Both headers are read and checked against each other (kinds, counts, image
 * size) before either file's data is read, so that a mismatched pair fails fast
 * and without allocating. Labels are checked in full, also past a sample limit:
 * a file with a bad label is a bad file, whichever part of it a run uses.
 */
#include <stdlib.h>
#include <string.h>

#include "aimc_sim/dataset.h"
#include "data_internal.h"

#define IMAGES_MAGIC 0x00000803u
#define LABELS_MAGIC 0x00000801u

static aimc_status check_kind(const aimc_idx_reader *reader, uint32_t expected,
                              const char *description) {
  uint32_t magic = aimc_idx_magic(&reader->header);
  if (magic == expected) return AIMC_OK;
  return aimc_error_set(AIMC_EFORMAT,
                        "%s: expected %s (magic 0x%08X), found magic 0x%08X (%s, %d dimension%s)",
                        reader->path, description, (unsigned)expected, (unsigned)magic,
                        aimc_idx_type_name(reader->header.type), reader->header.ndims,
                        reader->header.ndims == 1 ? "" : "s");
}

static aimc_status check_headers(const aimc_idx_reader *images, const aimc_idx_reader *labels) {
  aimc_status status = check_kind(images, IMAGES_MAGIC, "IDX images: ubyte, n x rows x cols");
  if (status == AIMC_OK) status = check_kind(labels, LABELS_MAGIC, "IDX labels: ubyte, n");
  if (status != AIMC_OK) return status;
  const uint32_t *dims = images->header.dims;
  if (dims[0] != labels->header.dims[0])
    return aimc_error_set(AIMC_EFORMAT, "%s: holds %u images but %s holds %u labels",
                          images->path, (unsigned)dims[0], labels->path,
                          (unsigned)labels->header.dims[0]);
  if (dims[0] == 0) return aimc_error_set(AIMC_EFORMAT, "%s: holds no images", images->path);
  if (dims[1] == 0 || dims[2] == 0)
    return aimc_error_set(AIMC_EFORMAT, "%s: images of %u x %u pixels", images->path,
                          (unsigned)dims[1], (unsigned)dims[2]);
  return AIMC_OK;
}

static aimc_status check_labels(const char *path, const aimc_idx *labels) {
  const uint8_t *values = labels->data;
  for (size_t i = 0; i < labels->count; ++i)
    if (values[i] >= AIMC_DATASET_CLASSES)
      return aimc_error_set(AIMC_EFORMAT, "%s: label %u at index %zu is outside 0..%d", path,
                            (unsigned)values[i], i, AIMC_DATASET_CLASSES - 1);
  return AIMC_OK;
}

aimc_status aimc_dataset_read_pair(const char *images_path, const char *labels_path,
                                   aimc_idx *images, aimc_idx *labels) {
  memset(images, 0, sizeof *images);
  memset(labels, 0, sizeof *labels);
  aimc_idx_reader image_reader, label_reader;
  aimc_status status = aimc_idx_reader_open(&image_reader, images_path);
  if (status != AIMC_OK) return status;
  status = aimc_idx_reader_open(&label_reader, labels_path);
  if (status != AIMC_OK) {
    aimc_idx_reader_close(&image_reader);
    return status;
  }
  status = check_headers(&image_reader, &label_reader);
  if (status != AIMC_OK) {
    aimc_idx_reader_close(&image_reader);
    aimc_idx_reader_close(&label_reader);
    return status;
  }
  /* Labels first: they are small, and a bad label is found before the images
   * are read. */
  status = aimc_idx_reader_finish(&label_reader, labels);
  if (status == AIMC_OK) status = check_labels(labels_path, labels);
  if (status != AIMC_OK) {
    aimc_idx_reader_close(&image_reader);
    aimc_idx_free(labels);
    return status;
  }
  status = aimc_idx_reader_finish(&image_reader, images);
  if (status != AIMC_OK) aimc_idx_free(labels);
  return status;
}

aimc_status aimc_dataset_load(const char *images_path, const char *labels_path, size_t limit,
                              aimc_dataset *dataset) {
  memset(dataset, 0, sizeof *dataset);
  aimc_idx images, labels;
  aimc_status status = aimc_dataset_read_pair(images_path, labels_path, &images, &labels);
  if (status != AIMC_OK) return status;
  size_t n = images.dims[0];
  if (limit > 0 && limit < n) n = limit;
  size_t rows = images.dims[1], cols = images.dims[2];
  size_t pixel_count = n * rows * cols;
  float *pixels = malloc(pixel_count * sizeof *pixels);
  uint8_t *kept_labels = malloc(n);
  if (pixels == NULL || kept_labels == NULL) {
    free(pixels);
    free(kept_labels);
    aimc_idx_free(&images);
    aimc_idx_free(&labels);
    return aimc_error_set(AIMC_ENOMEM, "%s: out of memory for %zu images of %zu x %zu pixels",
                          images_path, n, rows, cols);
  }
  const uint8_t *bytes = images.data;
  for (size_t i = 0; i < pixel_count; ++i) pixels[i] = (float)bytes[i] / 255.0f;
  memcpy(kept_labels, labels.data, n);
  aimc_idx_free(&images);
  aimc_idx_free(&labels);
  dataset->n = n;
  dataset->rows = rows;
  dataset->cols = cols;
  dataset->pixels = pixels;
  dataset->labels = kept_labels;
  return AIMC_OK;
}

void aimc_dataset_free(aimc_dataset *dataset) {
  free(dataset->pixels);
  free(dataset->labels);
  memset(dataset, 0, sizeof *dataset);
}
