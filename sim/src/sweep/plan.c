/*
 * The sweep file -> the plan of points (docs/sweeps.md).
 *
 *     base: ../experiments/ls-fig1.yaml      # relative to the sweep file
 *     set: {experiment.steps: 50}            # the same for every point
 *     grid:                                  # cartesian product, first key slowest
 *       experiment.lr: [0.1, 0.05]
 *       device.w_max: {start: 1, stop: 3, step: 1}
 *     zip: {update.desired_bl: [10, 100], fast_update.desired_bl: [10, 100]}
 *     seeds: [1, 2]                          # or repeat: N; innermost
 *
 * grid keys and zip groups are the factors of a cartesian product in the order
 * they appear (the first varies slowest); the seeds vary fastest.
 *
 * The file is read by the config engine's tree reader, so its errors carry
 * file:line:col and the offending line exactly as a config's do. Varied keys
 * are checked against the config schema here (a typo would fail every point),
 * their values are not: a value the engine refuses fails that point only, as
 * the run reports it. Range values take the key's unit (`5ns`) and are
 * rounded to 12 significant digits, so that 0.1 steps give 0.3 and not
 * 0.30000000000000004, and a logspace over decades gives 10ns, not 9.99999999999998ns.
 */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "aimc_sim/fileio.h"
#include "aimc_sim/config.h"
#include "sweep_internal.h"

/* Larger sweep files are refused; no hand-written one comes near. */
#define SWEEP_FILE_MAX_BYTES (1u << 20)
#define MAX_POINTS 1000000
#define MAX_RANGE_VALUES 100000
#define SEED_MAX 0x7fffffffL

static const char *const sweep_keys[] = {"version", "base",   "set",     "grid",      "zip",
                                         "seeds",   "repeat", "threads", "objectives"};

/* Parameters and dimensions grow while the file is read. */
typedef struct builder {
  sweep_plan *plan;
  size_t parameter_capacity, dimension_capacity;
  const cfg_node *keys[64 + 1]; /* key nodes of the varied and set keys, for duplicates */
  size_t key_count;
  aimc_cfg_error *error;
} builder;

static aimc_status out_of_memory(builder *b) {
  return cfg_error_plain(b->error, AIMC_ENOMEM, b->plan->path, "out of memory");
}

static char *arena_printf(cfg_arena *arena, const char *format, ...) __attribute__((format(printf, 2, 3)));
static char *arena_printf(cfg_arena *arena, const char *format, ...) {
  va_list args;
  va_start(args, format);
  int length = vsnprintf(NULL, 0, format, args);
  va_end(args);
  if (length < 0) return NULL;
  char *text = cfg_arena_alloc(arena, (size_t)length + 1);
  if (!text) return NULL;
  va_start(args, format);
  vsnprintf(text, (size_t)length + 1, format, args);
  va_end(args);
  return text;
}

static char *read_text_file(const char *path, size_t limit, size_t *length, aimc_cfg_error *error) {
  /* A FIFO, socket or device would block the read or never end: refused before it is opened. */
  aimc_status regular = aimc_require_regular_file("sweep file", path);
  if (regular == AIMC_EINVAL) { /* a missing file: fopen names it */
    const char *reason = aimc_error_message(); /* "sweep file PATH: REASON" */
    size_t prefix = strlen("sweep file ") + strlen(path) + strlen(": ");
    cfg_error_plain(error, regular, path, "%s", strlen(reason) > prefix ? reason + prefix : reason);
    return NULL;
  }
  FILE *file = fopen(path, "rb");
  if (!file) {
    cfg_error_plain(error, AIMC_EIO, path, "cannot open: %s", strerror(errno));
    return NULL;
  }
  char *text = malloc(limit + 1);
  size_t n = text ? fread(text, 1, limit + 1, file) : 0;
  int failed = ferror(file);
  fclose(file);
  if (!text) {
    cfg_error_plain(error, AIMC_ENOMEM, path, "out of memory");
  } else if (failed) {
    cfg_error_plain(error, AIMC_EIO, path, "cannot read: %s", strerror(errno));
  } else if (n > limit) {
    cfg_error_plain(error, AIMC_EFORMAT, path, "larger than %zu bytes; not a sweep file", limit);
  } else {
    text[n] = '\0';
    *length = n;
    return text;
  }
  free(text);
  return NULL;
}

static const char *closest(const char *word, const char *const *candidates, size_t count) {
  const char *best = NULL;
  int best_distance = 1 << 30;
  for (size_t i = 0; i < count; ++i) {
    int distance = cfg_edit_distance(word, candidates[i]);
    if (distance < best_distance && cfg_is_close(distance, strlen(candidates[i]))) {
      best = candidates[i];
      best_distance = distance;
    }
  }
  return best;
}

/* The config field a dotted key names; *field is NULL for a section's
 * `preset`. Errors point at key_node. */
static aimc_status find_config_key(builder *b, const cfg_node *key_node, const aimc_cfg_field **field) {
  const aimc_cfg_section *section = &aimc_config_schema;
  const char *key = key_node->text;
  char path[256] = "";
  for (const char *segment = key;;) {
    const char *dot = strchr(segment, '.');
    size_t length = dot ? (size_t)(dot - segment) : strlen(segment);
    char name[128];
    if (length == 0 || length >= sizeof name)
      return cfg_error_at(b->error, key_node, "'%s' is not a config key such as experiment.lr", key);
    memcpy(name, segment, length);
    name[length] = '\0';
    int last = dot == NULL;
    if (last && section->preset_count > 0 && strcmp(name, "preset") == 0) {
      *field = NULL;
      return AIMC_OK;
    }
    const aimc_cfg_field *found = NULL;
    const char *names[256];
    size_t name_count = 0;
    for (size_t i = 0; i < section->field_count; ++i) {
      if (strcmp(section->fields[i].key, name) == 0) found = &section->fields[i];
      if (name_count < 256) names[name_count++] = section->fields[i].key;
    }
    if (!found) {
      const char *hint = closest(name, names, name_count);
      if (path[0] == '\0')
        return cfg_error_at(b->error, key_node, "unknown config key '%s': no section '%s'%s%s%s", key, name,
                            hint ? "; did you mean '" : "", hint ? hint : "", hint ? "'?" : "");
      return cfg_error_at(b->error, key_node, "unknown config key '%s': section '%s' has no key '%s'%s%s%s", key,
                          path, name, hint ? "; did you mean '" : "", hint ? hint : "", hint ? "'?" : "");
    }
    if (found->type == AIMC_CFG_SECTION && last)
      return cfg_error_at(b->error, key_node, "'%s' is a section; vary one of its keys (%s.<key>)", key, key);
    if (found->type != AIMC_CFG_SECTION && !last)
      return cfg_error_at(b->error, key_node, "unknown config key '%s': '%s%s%s' is not a section", key, path,
                          path[0] ? "." : "", name);
    if (last) {
      *field = found;
      return AIMC_OK;
    }
    snprintf(path + strlen(path), sizeof path - strlen(path), "%s%s", path[0] ? "." : "", name);
    section = found->section;
    segment = dot + 1;
  }
}

/* Refuses a key given twice among set, grid and zip, and the thread count,
 * which the sweep's own threads: key sets. */
static aimc_status check_unique(builder *b, const cfg_node *key_node) {
  if (strcmp(key_node->text, "experiment.threads") == 0)
    return cfg_error_at(b->error, key_node, "the runs' thread count is the sweep file's threads: key (default 1)");
  for (size_t i = 0; i < b->key_count; ++i) {
    if (strcmp(b->keys[i]->text, key_node->text) == 0)
      return cfg_error_at(b->error, key_node, "'%s' is given twice (first at line %d, column %d)", key_node->text,
                          b->keys[i]->line, b->keys[i]->column);
  }
  if (b->key_count == sizeof b->keys / sizeof b->keys[0] - 1)
    return cfg_error_at(b->error, key_node, "more than %zu keys set or varied", sizeof b->keys / sizeof b->keys[0] - 1);
  b->keys[b->key_count++] = key_node;
  return AIMC_OK;
}

/* The text after "key=" for a scalar: as written, or re-quoted when the file
 * quoted it (so that "1" stays a string). */
static const char *override_text(builder *b, const cfg_node *node) {
  if (!node->quoted) return node->text;
  size_t length = strlen(node->text);
  char *text = cfg_arena_alloc(&b->plan->arena, 2 * length + 3);
  if (!text) return NULL;
  size_t n = 0;
  text[n++] = '"';
  for (const char *c = node->text; *c; ++c) {
    if (*c == '"' || *c == '\\') text[n++] = '\\';
    text[n++] = *c == '\n' ? ' ' : *c;
  }
  text[n++] = '"';
  text[n] = '\0';
  return text;
}

static aimc_status new_parameter(builder *b, const char *key, size_t count, sweep_parameter **parameter) {
  sweep_plan *plan = b->plan;
  sweep_parameter *parameters = cfg_arena_reserve(&plan->arena, plan->parameters, plan->parameter_count,
                                                  &b->parameter_capacity, sizeof *parameters);
  if (!parameters) return out_of_memory(b);
  plan->parameters = parameters;
  sweep_parameter *p = &plan->parameters[plan->parameter_count++];
  p->key = key;
  p->count = count;
  p->values = cfg_arena_alloc(&plan->arena, count * sizeof *p->values);
  p->labels = cfg_arena_alloc(&plan->arena, count * sizeof *p->labels);
  if (!p->values || !p->labels) return out_of_memory(b);
  *parameter = p;
  return AIMC_OK;
}

static aimc_status new_dimension(builder *b, size_t first_parameter, size_t parameter_count, size_t length) {
  sweep_plan *plan = b->plan;
  sweep_dimension *dimensions = cfg_arena_reserve(&plan->arena, plan->dimensions, plan->dimension_count,
                                                  &b->dimension_capacity, sizeof *dimensions);
  if (!dimensions) return out_of_memory(b);
  plan->dimensions = dimensions;
  plan->dimensions[plan->dimension_count++] = (sweep_dimension){first_parameter, parameter_count, length};
  return AIMC_OK;
}

static const cfg_node *range_member(const cfg_node *range, const char *key) { return cfg_mapping_get(range, key, NULL); }

/* A number of a range, with the key's unit. */
static aimc_status range_number(builder *b, const cfg_node *node, const char *what, aimc_cfg_unit unit, double *value) {
  if (node->kind != CFG_SCALAR) return cfg_error_at(b->error, node, "%s must be a number", what);
  char reason[256];
  if (aimc_cfg_parse_quantity(node->text, unit, value, reason, sizeof reason) != AIMC_OK)
    return cfg_error_at(b->error, node, "%s: %s", what, reason);
  return AIMC_OK;
}

static aimc_status range_count(builder *b, const cfg_node *range, long *count) {
  const cfg_node *node = range_member(range, "count");
  if (!node) return cfg_error_at(b->error, range, "this range needs count: N (the number of values)");
  char *end = NULL;
  errno = 0;
  *count = node->kind == CFG_SCALAR ? strtol(node->text, &end, 10) : 0;
  if (node->kind != CFG_SCALAR || errno || !end || *end || end == node->text || *count < 1 ||
      *count > MAX_RANGE_VALUES)
    return cfg_error_at(b->error, node, "count must be an integer in [1, %d]", MAX_RANGE_VALUES);
  return AIMC_OK;
}

/* The values of a range mapping: {start, stop, step}, {linspace: [a, b],
 * count} or {logspace: [a, b], count}. */
static aimc_status range_values(builder *b, const cfg_node *range, const aimc_cfg_field *field, double **values,
                                size_t *count) {
  static const char *const forms = "a range is {start: A, stop: B, step: S}, {linspace: [A, B], count: N} or "
                                   "{logspace: [A, B], count: N}";
  const char *known[] = {"start", "stop", "step", "linspace", "logspace", "count"};
  for (size_t i = 0; i + 1 < range->count; i += 2) {
    const cfg_node *key = range->items[i];
    int found = 0;
    for (size_t k = 0; k < sizeof known / sizeof known[0]; ++k) found |= strcmp(key->text, known[k]) == 0;
    if (!found) {
      const char *hint = closest(key->text, known, sizeof known / sizeof known[0]);
      return cfg_error_at(b->error, key, "unknown range key '%s'%s%s%s; %s", key->text, hint ? " (did you mean '" : "",
                          hint ? hint : "", hint ? "'?)" : "", forms);
    }
  }
  aimc_cfg_unit unit = AIMC_UNIT_NONE;
  if (!field || (field->type != AIMC_CFG_DOUBLE && field->type != AIMC_CFG_INT && field->type != AIMC_CFG_UINT64))
    return cfg_error_at(b->error, range, "a range needs a numeric key; give a list of values instead");
  if (field->type == AIMC_CFG_DOUBLE) unit = field->unit;
  const cfg_node *start = range_member(range, "start"), *stop = range_member(range, "stop");
  const cfg_node *step = range_member(range, "step"), *linear = range_member(range, "linspace");
  const cfg_node *logarithmic = range_member(range, "logspace");
  double *v = NULL;
  long n = 0;
  aimc_status status = AIMC_OK;
  if (step || start || stop) {
    if (!start || !stop || !step || linear || logarithmic || range_member(range, "count"))
      return cfg_error_at(b->error, range, "%s", forms);
    double a, z, s;
    if ((status = range_number(b, start, "start", unit, &a)) != AIMC_OK) return status;
    if ((status = range_number(b, stop, "stop", unit, &z)) != AIMC_OK) return status;
    if ((status = range_number(b, step, "step", unit, &s)) != AIMC_OK) return status;
    if (s == 0.0 || (z - a) / s < 0.0)
      return cfg_error_at(b->error, step, "step %g never gets from %g to %g", s, a, z);
    /* The stop value is included when it lies on the grid (up to rounding). */
    double spans = floor((z - a) / s + 1e-9);
    if (spans + 1.0 > MAX_RANGE_VALUES)
      return cfg_error_at(b->error, range, "this range has more than %d values", MAX_RANGE_VALUES);
    n = (long)spans + 1;
    v = cfg_arena_alloc(&b->plan->arena, (size_t)n * sizeof *v);
    if (!v) return out_of_memory(b);
    for (long k = 0; k < n; ++k) v[k] = a + (double)k * s;
  } else if ((linear != NULL) != (logarithmic != NULL)) {
    const cfg_node *ends = linear ? linear : logarithmic;
    const char *name = linear ? "linspace" : "logspace";
    if (ends->kind != CFG_SEQUENCE || ends->count != 2)
      return cfg_error_at(b->error, ends, "%s takes the two end values, [A, B]", name);
    double a, z;
    if ((status = range_number(b, ends->items[0], name, unit, &a)) != AIMC_OK) return status;
    if ((status = range_number(b, ends->items[1], name, unit, &z)) != AIMC_OK) return status;
    if (logarithmic && (a <= 0.0 || z <= 0.0))
      return cfg_error_at(b->error, ends, "logspace needs positive end values, got %g and %g", a, z);
    if ((status = range_count(b, range, &n)) != AIMC_OK) return status;
    v = cfg_arena_alloc(&b->plan->arena, (size_t)n * sizeof *v);
    if (!v) return out_of_memory(b);
    for (long k = 0; k < n; ++k) {
      double t = n > 1 ? (double)k / (double)(n - 1) : 0.0;
      v[k] = linear ? a + (z - a) * t : pow(10.0, log10(a) + (log10(z) - log10(a)) * t);
    }
    v[n - 1] = n > 1 ? z : a;
  } else {
    return cfg_error_at(b->error, range, "%s", forms);
  }
  for (long k = 0; k < n; ++k) {
    char text[64];
    snprintf(text, sizeof text, "%.12g", v[k]);
    v[k] = strtod(text, NULL);
    if (field->type != AIMC_CFG_DOUBLE) {
      double whole = round(v[k]);
      if (fabs(v[k] - whole) > 1e-9 * fmax(1.0, fabs(whole)))
        return cfg_error_at(b->error, range, "'%s' takes integers, but this range gives %.12g", field->key, v[k]);
      v[k] = whole;
    }
  }
  *values = v;
  *count = (size_t)n;
  return AIMC_OK;
}

/* A parameter from `key: [values]` or `key: {range}`. */
static aimc_status add_parameter(builder *b, const cfg_node *key, const cfg_node *value, size_t *length) {
  aimc_status status = check_unique(b, key);
  const aimc_cfg_field *field = NULL;
  if (status == AIMC_OK) status = find_config_key(b, key, &field);
  if (status != AIMC_OK) return status;
  sweep_parameter *p;
  if (value->kind == CFG_SEQUENCE) {
    if (value->count == 0) return cfg_error_at(b->error, value, "'%s' needs at least one value", key->text);
    if ((status = new_parameter(b, key->text, value->count, &p)) != AIMC_OK) return status;
    for (size_t i = 0; i < value->count; ++i) {
      const cfg_node *item = value->items[i];
      if (item->kind != CFG_SCALAR)
        return cfg_error_at(b->error, item, "a value of '%s' must be a scalar, got %s", key->text,
                            cfg_node_kind_name(item->kind));
      p->values[i] = override_text(b, item);
      p->labels[i] = item->text;
      if (!p->values[i]) return out_of_memory(b);
    }
  } else if (value->kind == CFG_MAPPING) {
    double *numbers;
    size_t n = 0;
    if ((status = range_values(b, value, field, &numbers, &n)) != AIMC_OK) return status;
    if ((status = new_parameter(b, key->text, n, &p)) != AIMC_OK) return status;
    for (size_t i = 0; i < n; ++i) {
      char text[64];
      if (field->type == AIMC_CFG_DOUBLE)
        aimc_cfg_format_quantity(text, sizeof text, numbers[i], field->unit);
      else
        snprintf(text, sizeof text, "%.0f", numbers[i]);
      p->values[i] = p->labels[i] = cfg_arena_strndup(&b->plan->arena, text, strlen(text));
      if (!p->values[i]) return out_of_memory(b);
    }
  } else {
    return cfg_error_at(b->error, value,
                        "'%s' needs a list of values or a range such as {start: 1, stop: 3, step: 1}; "
                        "a single value goes under set:",
                        key->text);
  }
  *length = p->count;
  return AIMC_OK;
}

static aimc_status read_grid(builder *b, const cfg_node *grid) {
  if (grid->kind != CFG_MAPPING)
    return cfg_error_at(b->error, grid, "grid: must be a mapping of config keys to lists or ranges");
  for (size_t i = 0; i + 1 < grid->count; i += 2) {
    size_t length = 0, first = b->plan->parameter_count;
    aimc_status status = add_parameter(b, grid->items[i], grid->items[i + 1], &length);
    if (status == AIMC_OK) status = new_dimension(b, first, 1, length);
    if (status != AIMC_OK) return status;
  }
  return AIMC_OK;
}

static aimc_status read_zip_group(builder *b, const cfg_node *group) {
  if (group->kind != CFG_MAPPING || group->count == 0)
    return cfg_error_at(b->error, group, "a zip group is a mapping of config keys to lists or ranges of equal length");
  size_t first = b->plan->parameter_count, length = 0;
  for (size_t i = 0; i + 1 < group->count; i += 2) {
    size_t n = 0;
    aimc_status status = add_parameter(b, group->items[i], group->items[i + 1], &n);
    if (status != AIMC_OK) return status;
    if (i > 0 && n != length)
      return cfg_error_at(b->error, group->items[i],
                          "zipped keys need the same number of values: '%s' has %zu, '%s' (line %d) has %zu",
                          group->items[i]->text, n, group->items[0]->text, group->items[0]->line, length);
    length = n;
  }
  return new_dimension(b, first, b->plan->parameter_count - first, length);
}

static aimc_status read_set(builder *b, const cfg_node *set) {
  if (set->kind != CFG_MAPPING) return cfg_error_at(b->error, set, "set: must be a mapping of config keys to values");
  sweep_plan *plan = b->plan;
  plan->set = cfg_arena_alloc(&plan->arena, (set->count / 2 + 1) * sizeof *plan->set);
  if (!plan->set) return out_of_memory(b);
  for (size_t i = 0; i + 1 < set->count; i += 2) {
    const cfg_node *key = set->items[i], *value = set->items[i + 1];
    const aimc_cfg_field *field;
    aimc_status status = check_unique(b, key);
    if (status == AIMC_OK) status = find_config_key(b, key, &field);
    if (status != AIMC_OK) return status;
    if (value->kind != CFG_SCALAR)
      return cfg_error_at(b->error, value, "set: '%s' takes one value; vary it under grid: or zip:", key->text);
    const char *text = override_text(b, value);
    plan->set[plan->set_count] = text ? arena_printf(&plan->arena, "%s=%s", key->text, text) : NULL;
    if (!plan->set[plan->set_count++]) return out_of_memory(b);
  }
  return AIMC_OK;
}

static aimc_status read_integer(builder *b, const cfg_node *node, const char *what, long lo, long hi, long *value) {
  char *end = NULL;
  errno = 0;
  *value = node->kind == CFG_SCALAR && !node->quoted ? strtol(node->text, &end, 10) : 0;
  if (node->kind != CFG_SCALAR || node->quoted || errno || !end || *end || end == node->text || *value < lo ||
      *value > hi)
    return cfg_error_at(b->error, node, "%s must be an integer in [%ld, %ld]", what, lo, hi);
  return AIMC_OK;
}

/* The seed parameter from seeds: [..] or repeat: N (from the base seed on). */
static aimc_status read_seeds(builder *b, const cfg_node *seeds, const cfg_node *repeat, unsigned long long base_seed) {
  size_t n;
  long repeat_count = 0;
  if (seeds) {
    if (seeds->kind != CFG_SEQUENCE || seeds->count == 0)
      return cfg_error_at(b->error, seeds, "seeds: must be a list of integers such as [1, 2, 3]");
    n = seeds->count;
  } else {
    aimc_status status = read_integer(b, repeat, "repeat", 1, MAX_RANGE_VALUES, &repeat_count);
    if (status != AIMC_OK) return status;
    if (base_seed + (unsigned long long)repeat_count - 1 > (unsigned long long)SEED_MAX)
      return cfg_error_at(b->error, repeat, "repeat: seeds from experiment.seed = %llu on would pass %ld", base_seed,
                          SEED_MAX);
    n = (size_t)repeat_count;
  }
  sweep_parameter *p;
  size_t first = b->plan->parameter_count;
  aimc_status status = new_parameter(b, "seed", n, &p);
  if (status != AIMC_OK) return status;
  p->is_seed = 1;
  for (size_t i = 0; i < n; ++i) {
    long seed;
    if (seeds) {
      status = read_integer(b, seeds->items[i], "a seed", 0, SEED_MAX, &seed);
      if (status != AIMC_OK) return status;
    } else {
      seed = (long)(base_seed + i);
    }
    p->values[i] = p->labels[i] = arena_printf(&b->plan->arena, "%ld", seed);
    if (!p->values[i]) return out_of_memory(b);
  }
  return new_dimension(b, first, 1, n);
}

/* objectives: [error, energy, latency, area] (any of them, each once, in any
 * order); all four, in that order, when node is NULL. */
static aimc_status read_objectives(const cfg_node *node, int *objectives, size_t *count, aimc_cfg_error *error) {
  *count = 0;
  if (!node) {
    for (int k = 0; k < AIMC_SWEEP_OBJECTIVES; ++k) objectives[(*count)++] = k;
    return AIMC_OK;
  }
  if (node->kind != CFG_SEQUENCE || node->count == 0)
    return cfg_error_at(error, node, "objectives: must be a list of one or more of error, energy, latency, area");
  const char *names[AIMC_SWEEP_OBJECTIVES];
  for (int k = 0; k < AIMC_SWEEP_OBJECTIVES; ++k) names[k] = aimc_sweep_objective_name(k);
  for (size_t i = 0; i < node->count; ++i) {
    const cfg_node *item = node->items[i];
    if (item->kind != CFG_SCALAR)
      return cfg_error_at(error, item, "an objective must be one of error, energy, latency, area");
    int k = aimc_sweep_objective_find(item->text);
    if (k < 0) {
      const char *hint = closest(item->text, names, AIMC_SWEEP_OBJECTIVES);
      return cfg_error_at(error, item, "unknown objective '%s'%s%s%s; objectives: error, energy, latency, area",
                          item->text, hint ? " (did you mean '" : "", hint ? hint : "", hint ? "'?)" : "");
    }
    for (size_t j = 0; j < i; ++j) {
      if (objectives[j] == k)
        return cfg_error_at(error, item, "objective '%s' is listed twice (first at line %d, column %d)", item->text,
                            node->items[j]->line, node->items[j]->column);
    }
    objectives[(*count)++] = k;
  }
  return AIMC_OK;
}

/* A sweep file's tree, read into arena; NULL root for an empty file. */
static aimc_status read_tree(cfg_arena *arena, const char *path, const char *text, size_t length, cfg_node **root,
                             aimc_cfg_error *error) {
  cfg_source *source = cfg_arena_alloc(arena, sizeof *source);
  char *copy = cfg_arena_strndup(arena, text, length);
  char *origin = cfg_arena_strndup(arena, path, strlen(path));
  if (!source || !copy || !origin) return cfg_error_plain(error, AIMC_ENOMEM, path, "out of memory");
  memset(source, 0, sizeof *source);
  source->origin = origin;
  source->text = copy;
  source->length = length;
  return cfg_read_document(arena, source, copy, length, root, error);
}

aimc_status sweep_read_objectives(const char *path, int *objectives, size_t *count, aimc_cfg_error *error) {
  if (access(path, F_OK) != 0) return read_objectives(NULL, objectives, count, error);
  size_t length = 0;
  char *text = read_text_file(path, SWEEP_FILE_MAX_BYTES, &length, error);
  if (!text) return AIMC_EIO;
  cfg_arena arena;
  memset(&arena, 0, sizeof arena);
  cfg_node *root = NULL;
  aimc_status status = read_tree(&arena, path, text, length, &root, error);
  free(text);
  if (status == AIMC_OK && (!root || root->kind != CFG_MAPPING))
    status = cfg_error_plain(error, AIMC_EFORMAT, path, "not a sweep file");
  if (status == AIMC_OK) status = read_objectives(cfg_mapping_get(root, "objectives", NULL), objectives, count, error);
  cfg_arena_free(&arena);
  return status;
}

static int is_objectives_key(const cfg_node *key) {
  return key->kind == CFG_SCALAR && key->text != NULL && strcmp(key->text, "objectives") == 0;
}

static int same_tree(const cfg_node *a, const cfg_node *b, int top) {
  if (!a || !b) return a == b;
  if (a->kind != b->kind) return 0;
  if (a->kind == CFG_SCALAR) return a->quoted == b->quoted && strcmp(a->text, b->text) == 0;
  size_t i = 0, j = 0;
  for (;;) {
    /* At the top, the objectives: entries are skipped on either side (a key
     * sits at an even position; a value, maybe a mapping, is never a key). */
    while (top && i % 2 == 0 && i + 1 < a->count && is_objectives_key(a->items[i])) i += 2;
    while (top && j % 2 == 0 && j + 1 < b->count && is_objectives_key(b->items[j])) j += 2;
    if (i >= a->count || j >= b->count) return i >= a->count && j >= b->count;
    if (!same_tree(a->items[i], b->items[j], 0)) return 0;
    ++i;
    ++j;
  }
}

int sweep_same_but_objectives(const char *path, const char *a, size_t a_length, const char *b, size_t b_length) {
  cfg_arena arena;
  memset(&arena, 0, sizeof arena);
  cfg_node *x = NULL, *y = NULL;
  aimc_cfg_error error;
  int same = read_tree(&arena, path, a, a_length, &x, &error) == AIMC_OK &&
             read_tree(&arena, path, b, b_length, &y, &error) == AIMC_OK && x && y && x->kind == CFG_MAPPING &&
             y->kind == CFG_MAPPING && same_tree(x, y, 1);
  cfg_arena_free(&arena);
  return same;
}

/* Loads the base config with `set` once: a broken base or set value would fail
 * every point, so it is reported now, at the set entry it comes from. */
static aimc_status check_base(builder *b, const cfg_node *set, unsigned long long *seed) {
  sweep_plan *plan = b->plan;
  aimc_config *config = malloc(sizeof *config);
  if (!config) return out_of_memory(b);
  aimc_cfg_error error;
  aimc_status status = aimc_cfg_load_file(&aimc_config_schema, config, plan->base, plan->set, plan->set_count, &error);
  if (status == AIMC_OK) {
    *seed = (unsigned long long)config->experiment.seed;
  } else {
    *b->error = error;
    for (size_t i = 0; set && i < plan->set_count; ++i) {
      /* An override's report names it as "-p key=value". */
      if (strncmp(error.origin, "-p ", 3) == 0 && strcmp(error.origin + 3, plan->set[i]) == 0)
        cfg_error_at(b->error, set->items[2 * i + 1], "%s", error.message);
    }
  }
  free(config);
  return status;
}

static aimc_status read_plan(builder *b, const cfg_node *root) {
  sweep_plan *plan = b->plan;
  if (!root || root->kind != CFG_MAPPING)
    return root ? cfg_error_at(b->error, root, "a sweep file is a mapping with base: and the keys to vary")
                : cfg_error_plain(b->error, AIMC_EFORMAT, plan->path, "empty sweep file; it needs at least base:");
  const size_t key_count = sizeof sweep_keys / sizeof sweep_keys[0];
  for (size_t i = 0; i + 1 < root->count; i += 2) {
    const cfg_node *key = root->items[i];
    int known = 0;
    for (size_t k = 0; k < key_count; ++k) known |= strcmp(key->text, sweep_keys[k]) == 0;
    if (!known) {
      const char *hint = closest(key->text, sweep_keys, key_count);
      return cfg_error_at(b->error, key, "unknown key '%s' in a sweep file%s%s%s; keys: version, base, set, grid, zip, "
                          "seeds, repeat, threads, objectives", key->text, hint ? "; did you mean '" : "", hint ? hint : "",
                          hint ? "'?" : "");
    }
  }
  aimc_status status = AIMC_OK;
  const cfg_node *version = cfg_mapping_get(root, "version", NULL);
  long number;
  if (version && (status = read_integer(b, version, "version", 1, 1, &number)) != AIMC_OK) return status;
  cfg_node *base_key = NULL;
  const cfg_node *base = cfg_mapping_get(root, "base", &base_key);
  if (!base) return cfg_error_at(b->error, root, "a sweep file needs base: CONFIG (relative to the sweep file)");
  if (base->kind != CFG_SCALAR || base->text[0] == '\0')
    return cfg_error_at(b->error, base, "base: must be the path of a config file");
  const char *slash = strrchr(plan->path, '/');
  if (base->text[0] == '/' || !slash)
    plan->base = base->text;
  else
    plan->base = arena_printf(&plan->arena, "%.*s/%s", (int)(slash - plan->path), plan->path, base->text);
  if (!plan->base) return out_of_memory(b);
  if (access(plan->base, R_OK) != 0)
    return cfg_error_at(b->error, base, "cannot read the base config %s: %s", plan->base, strerror(errno));
  plan->threads = 1;
  const cfg_node *threads = cfg_mapping_get(root, "threads", NULL);
  if (threads && (status = read_integer(b, threads, "threads", 1, 1024, &number)) != AIMC_OK) return status;
  if (threads) plan->threads = (int)number;

  const cfg_node *set = cfg_mapping_get(root, "set", NULL);
  if (set && (status = read_set(b, set)) != AIMC_OK) return status;
  /* grid and zip add their dimensions in the order they appear in the file. */
  for (size_t i = 0; i + 1 < root->count && status == AIMC_OK; i += 2) {
    const cfg_node *value = root->items[i + 1];
    if (strcmp(root->items[i]->text, "grid") == 0) {
      status = read_grid(b, value);
    } else if (strcmp(root->items[i]->text, "zip") == 0 && value->kind == CFG_SEQUENCE) {
      for (size_t g = 0; g < value->count && status == AIMC_OK; ++g) status = read_zip_group(b, value->items[g]);
    } else if (strcmp(root->items[i]->text, "zip") == 0) {
      status = read_zip_group(b, value);
    }
  }
  if (status != AIMC_OK) return status;
  cfg_node *seeds_key = NULL, *repeat_key = NULL;
  const cfg_node *seeds = cfg_mapping_get(root, "seeds", &seeds_key);
  const cfg_node *repeat = cfg_mapping_get(root, "repeat", &repeat_key);
  if (seeds && repeat) return cfg_error_at(b->error, repeat_key, "give seeds: or repeat:, not both");
  for (size_t i = 0; i < b->key_count && (seeds || repeat); ++i) {
    if (strcmp(b->keys[i]->text, "experiment.seed") == 0)
      return cfg_error_at(b->error, b->keys[i], "experiment.seed is set by %s: (line %d)", seeds ? "seeds" : "repeat",
                          seeds ? seeds_key->line : repeat_key->line);
  }
  const cfg_node *objectives = cfg_mapping_get(root, "objectives", NULL);
  if ((status = read_objectives(objectives, plan->objectives, &plan->objective_count, b->error)) != AIMC_OK)
    return status;
  unsigned long long base_seed = 0;
  if ((status = check_base(b, set, &base_seed)) != AIMC_OK) return status;
  if ((seeds || repeat) && (status = read_seeds(b, seeds, repeat, base_seed)) != AIMC_OK) return status;
  plan->point_count = 1;
  for (size_t d = 0; d < plan->dimension_count; ++d) {
    plan->point_count *= plan->dimensions[d].length;
    if (plan->point_count > MAX_POINTS)
      return cfg_error_at(b->error, root, "this sweep has more than %d points", MAX_POINTS);
  }
  return AIMC_OK;
}

aimc_status sweep_plan_load(sweep_plan *plan, const char *path, aimc_cfg_error *error) {
  memset(plan, 0, sizeof *plan);
  builder b = {.plan = plan, .error = error};
  size_t length = 0;
  char *text = read_text_file(path, SWEEP_FILE_MAX_BYTES, &length, error);
  if (!text) return error->line == 0 && strstr(error->message, "memory") ? AIMC_ENOMEM : AIMC_EIO;
  cfg_source *source = cfg_arena_alloc(&plan->arena, sizeof *source);
  plan->path = cfg_arena_strndup(&plan->arena, path, strlen(path));
  plan->text = cfg_arena_strndup(&plan->arena, text, length);
  free(text);
  if (!source || !plan->path || !plan->text) {
    sweep_plan_free(plan);
    return cfg_error_plain(error, AIMC_ENOMEM, path, "out of memory");
  }
  plan->text_length = length;
  source->origin = plan->path;
  source->text = plan->text;
  source->length = length;
  cfg_node *root = NULL;
  aimc_status status = cfg_read_document(&plan->arena, source, plan->text, length, &root, error);
  if (status == AIMC_OK) status = read_plan(&b, root);
  if (status != AIMC_OK) sweep_plan_free(plan);
  return status;
}

void sweep_plan_free(sweep_plan *plan) {
  cfg_arena_free(&plan->arena);
  memset(plan, 0, sizeof *plan);
}
