/*
 * The points of a plan: which value each parameter takes at point k (mixed
 * radix over the factors, the last varying fastest), the overrides and the
 * `aimcsim run` command line of a point, and where its run directory and log go.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "aimc_sim/checkpoint.h"
#include "aimc_sim/fileio.h"
#include "sweep_internal.h"

size_t sweep_value_index(const sweep_plan *plan, size_t point, size_t parameter) {
  size_t stride = 1;
  for (size_t d = plan->dimension_count; d-- > 0;) {
    const sweep_dimension *dimension = &plan->dimensions[d];
    if (parameter >= dimension->first_parameter && parameter < dimension->first_parameter + dimension->parameter_count)
      return (point / stride) % dimension->length;
    stride *= dimension->length;
  }
  return 0;
}

void sweep_free_strings(char **strings) {
  if (!strings) return;
  for (char **s = strings; *s; ++s) free(*s);
  free(strings);
}

/* A NULL-terminated vector of malloc'ed copies. */
typedef struct string_list {
  char **items;
  size_t count, capacity;
  int failed;
} string_list;

static void list_add(string_list *list, const char *format, ...) __attribute__((format(printf, 2, 3)));
static void list_add(string_list *list, const char *format, ...) {
  if (list->failed) return;
  if (list->count + 2 > list->capacity) {
    size_t capacity = list->capacity ? 2 * list->capacity : 32;
    char **grown = realloc(list->items, capacity * sizeof *grown);
    if (!grown) {
      list->failed = 1;
      return;
    }
    list->items = grown;
    list->capacity = capacity;
  }
  va_list args;
  va_start(args, format);
  int length = vsnprintf(NULL, 0, format, args);
  va_end(args);
  char *text = length >= 0 ? malloc((size_t)length + 1) : NULL;
  if (!text) {
    list->failed = 1;
    return;
  }
  va_start(args, format);
  vsnprintf(text, (size_t)length + 1, format, args);
  va_end(args);
  list->items[list->count++] = text;
  list->items[list->count] = NULL;
}

static aimc_status list_finish(string_list *list, char ***out, size_t *count) {
  if (list->failed || !list->items) {
    if (list->items) list->items[list->count] = NULL;
    sweep_free_strings(list->items);
    return aimc_error_set(AIMC_ENOMEM, "sweep: out of memory");
  }
  *out = list->items;
  if (count) *count = list->count;
  return AIMC_OK;
}

aimc_status sweep_point_overrides(const sweep_plan *plan, size_t point, char ***overrides, size_t *count) {
  string_list list = {0};
  for (size_t i = 0; i < plan->set_count; ++i) list_add(&list, "%s", plan->set[i]);
  for (size_t p = 0; p < plan->parameter_count; ++p) {
    const sweep_parameter *parameter = &plan->parameters[p];
    const char *value = parameter->values[sweep_value_index(plan, point, p)];
    if (parameter->is_seed)
      list_add(&list, "experiment.seed=%s", value);
    else
      list_add(&list, "%s=%s", parameter->key, value);
  }
  list_add(&list, "experiment.threads=%d", plan->threads);
  return list_finish(&list, overrides, count);
}

static int point_digits(const sweep_plan *plan) {
  int digits = 1;
  for (size_t n = plan->point_count > 0 ? plan->point_count - 1 : 0; n >= 10; n /= 10) ++digits;
  return digits > 4 ? digits : 4;
}

char *sweep_point_directory(const sweep_plan *plan, const char *outdir, size_t point) {
  char name[64];
  snprintf(name, sizeof name, "points/%0*zu", point_digits(plan), point);
  return aimc_path_join(outdir, name);
}

char *sweep_point_log(const sweep_plan *plan, const char *outdir, size_t point) {
  char name[64];
  snprintf(name, sizeof name, "points/%0*zu.log", point_digits(plan), point);
  return aimc_path_join(outdir, name);
}

aimc_status sweep_point_arguments(const sweep_plan *plan, size_t point, const char *exe, const char *outdir,
                                  char ***argv) {
  string_list list = {0};
  list_add(&list, "%s", exe);
  list_add(&list, "run");
  char *directory = sweep_point_directory(plan, outdir, point);
  char *checkpoint = directory ? aimc_path_join(directory, AIMC_CHECKPOINT_NAME) : NULL;
  if (checkpoint && access(checkpoint, F_OK) == 0) {
    /* An interrupted point kept by the sweep (runner.c): it continues from its
     * checkpoint under its own config.yaml, bit-identical to a run never stopped. */
    free(checkpoint);
    list_add(&list, "--resume");
    list_add(&list, "%s", directory);
    list_add(&list, "--threads");
    list_add(&list, "%d", plan->threads);
    list_add(&list, "--quiet");
    free(directory);
    return list_finish(&list, argv, NULL);
  }
  free(checkpoint);
  list_add(&list, "%s", plan->base);
  for (size_t i = 0; i < plan->set_count; ++i) {
    list_add(&list, "-p");
    list_add(&list, "%s", plan->set[i]);
  }
  const char *seed = NULL;
  for (size_t p = 0; p < plan->parameter_count; ++p) {
    const sweep_parameter *parameter = &plan->parameters[p];
    const char *value = parameter->values[sweep_value_index(plan, point, p)];
    if (parameter->is_seed) {
      seed = value;
      continue;
    }
    list_add(&list, "-p");
    list_add(&list, "%s=%s", parameter->key, value);
  }
  if (seed) {
    list_add(&list, "--seed");
    list_add(&list, "%s", seed);
  }
  list_add(&list, "--threads");
  list_add(&list, "%d", plan->threads);
  list_add(&list, "--quiet");
  list_add(&list, "-o");
  if (directory) list_add(&list, "%s", directory);
  else list.failed = 1;
  free(directory);
  return list_finish(&list, argv, NULL);
}
