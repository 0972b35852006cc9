/*
 * Entry points: schema self-check, loading a document with overrides, and
 * field-wise equality. A load works on a scratch copy and writes the caller's
 * struct only when everything (file, overrides, validators) has succeeded.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aimc_sim/fileio.h"
#include "config_internal.h"

/* Larger config files are refused (they are certainly not hand-written). */
#define FILE_MAX_BYTES (16u << 20)

static aimc_status schema_error(aimc_cfg_error *error, const char *path, const char *what)
{
  return cfg_error_plain(error, AIMC_EINVAL, "schema", "section '%s': %s", path, what);
}

static aimc_status check_section(const aimc_cfg_section *section, const char *path, int depth,
                                 aimc_cfg_error *error)
{
  char what[512];
  if (depth > AIMC_CFG_MAX_DEPTH) return schema_error(error, path, "sections nest too deeply");
  if (section->fields == NULL && section->field_count > 0) return schema_error(error, path, "no field table");
  int discriminators = 0;
  for (size_t i = 0; i < section->field_count; i++) {
    const aimc_cfg_field *field = &section->fields[i];
    if (field->key == NULL || field->key[0] == '\0') return schema_error(error, path, "a field has no key");
    for (size_t j = 0; j < i; j++) {
      if (strcmp(section->fields[j].key, field->key) == 0) {
        snprintf(what, sizeof what, "key '%s' appears twice", field->key);
        return schema_error(error, path, what);
      }
    }
    int reserved = (section->preset_count > 0 && strcmp(field->key, "preset") == 0) ||
                   (depth == 0 && strcmp(field->key, "version") == 0);
    int bad_offset = field->offset >= section->size ||
                     (field->type == AIMC_CFG_DOUBLE_LIST && field->count_offset >= section->size);
    int bad_capacity = (field->type == AIMC_CFG_STRING || field->type == AIMC_CFG_DOUBLE_LIST) &&
                       field->capacity == 0;
    int bad_enum = field->type == AIMC_CFG_ENUM && cfg_enum_count(field) == 0;
    int bad_discriminator = (field->flags & AIMC_CFG_DISCRIMINATOR) &&
                            (field->type != AIMC_CFG_ENUM || field->default_text == NULL ||
                             ++discriminators > 1);
    int bad_bounds = (field->flags & (AIMC_CFG_GE_MIN | AIMC_CFG_GT_MIN)) &&
                     (field->flags & (AIMC_CFG_LE_MAX | AIMC_CFG_LT_MAX)) && field->min > field->max;
    int bad_section = field->type == AIMC_CFG_SECTION && field->section == NULL;
    int bad_default = field->default_text != NULL && section->defaults != NULL &&
                      !(field->flags & AIMC_CFG_DISCRIMINATOR);
    const char *problem = reserved ? "uses a reserved key"
                          : bad_offset ? "lies outside the struct"
                          : bad_capacity ? "has no capacity"
                          : bad_enum ? "is an enum without names"
                          : bad_discriminator ? "is a discriminator but not the one enum with a default"
                          : bad_bounds ? "has min > max"
                          : bad_section ? "is a section without a schema"
                          : bad_default ? "has a default text although the section's defaults hook sets it"
                          : NULL;
    if (problem != NULL) {
      snprintf(what, sizeof what, "field '%s' %s", field->key, problem);
      return schema_error(error, path, what);
    }
    if (field->type == AIMC_CFG_SECTION) {
      char child[256];
      snprintf(child, sizeof child, "%s%s%s", path, path[0] != '\0' ? "." : "", field->key);
      aimc_status status = check_section(field->section, child, depth + 1, error);
      if (status != AIMC_OK) return status;
    }
  }
  for (size_t i = 0; i < section->preset_count; i++) {
    const aimc_cfg_preset *preset = &section->presets[i];
    if (preset->name == NULL || preset->apply == NULL)
      return schema_error(error, path, "a preset has no name or no function");
    for (size_t j = 0; j < i; j++) {
      if (strcmp(section->presets[j].name, preset->name) == 0) {
        snprintf(what, sizeof what, "preset '%s' appears twice", preset->name);
        return schema_error(error, path, what);
      }
    }
  }
  return AIMC_OK;
}

aimc_status aimc_cfg_check_schema(const aimc_cfg_section *schema, aimc_cfg_error *error)
{
  aimc_status status = check_section(schema, "", 0, error);
  if (status != AIMC_OK) return status;
  /* Every default text must parse and lie within its bounds. */
  void *scratch = malloc(schema->size);
  if (scratch == NULL) return cfg_error_plain(error, AIMC_ENOMEM, "schema", "out of memory");
  status = cfg_section_defaults(schema, scratch, -1, error);
  free(scratch);
  return status;
}

aimc_status aimc_cfg_load_string(const aimc_cfg_section *schema, void *config, const char *name,
                                 const char *text, size_t length,
                                 const char *const *overrides, size_t override_count,
                                 aimc_cfg_error *error)
{
  aimc_status status = aimc_cfg_check_schema(schema, error);
  if (status != AIMC_OK) return status;
  if (name == NULL) name = "<config>";
  cfg_arena arena = {NULL};
  cfg_source source = {.origin = name};
  cfg_node *root = NULL;
  void *scratch = NULL;
  if (text != NULL) {
    /* A NUL-terminated copy: the line finder may look one byte ahead. */
    source.text = cfg_arena_strndup(&arena, text, length);
    source.length = length;
    if (source.text == NULL) status = cfg_error_plain(error, AIMC_ENOMEM, name, "out of memory");
    if (status == AIMC_OK)
      status = cfg_read_document(&arena, &source, source.text, length, &root, error);
  }
  for (size_t i = 0; i < override_count && status == AIMC_OK; i++)
    status = cfg_merge_override(&arena, &root, overrides[i], error);
  if (status == AIMC_OK) {
    scratch = malloc(schema->size);
    if (scratch == NULL) status = cfg_error_plain(error, AIMC_ENOMEM, name, "out of memory");
  }
  if (status == AIMC_OK) status = cfg_section_defaults(schema, scratch, -1, error);
  if (status == AIMC_OK) status = cfg_apply_document(schema, root, scratch, name, error);
  if (status == AIMC_OK) memcpy(config, scratch, schema->size);
  free(scratch);
  cfg_arena_free(&arena);
  return status;
}

aimc_status aimc_cfg_load_file(const aimc_cfg_section *schema, void *config, const char *path,
                               const char *const *overrides, size_t override_count,
                               aimc_cfg_error *error)
{
  if (path == NULL)
    return aimc_cfg_load_string(schema, config, "-p", NULL, 0, overrides, override_count, error);
  /* A FIFO, socket or device would block the read or never end: refused before it is opened. */
  aimc_status regular = aimc_require_regular_file("config", path);
  if (regular == AIMC_EINVAL) { /* a missing file: fopen names it */
    const char *reason = aimc_error_message(); /* "config PATH: REASON" */
    size_t prefix = strlen("config ") + strlen(path) + strlen(": ");
    if (strlen(reason) > prefix) reason += prefix;
    return cfg_error_plain(error, AIMC_EINVAL, path, "%s", reason);
  }
  FILE *file = fopen(path, "rb");
  if (file == NULL)
    return cfg_error_plain(error, AIMC_EIO, path, "cannot open: %s", strerror(errno));
  size_t length = 0, capacity = 65536;
  char *text = malloc(capacity);
  while (text != NULL && length <= FILE_MAX_BYTES) {
    length += fread(text + length, 1, capacity - length, file);
    if (length < capacity) break;
    char *larger = realloc(text, 2 * capacity);
    if (larger == NULL) free(text);
    text = larger;
    capacity *= 2;
  }
  int failed = ferror(file);
  fclose(file);
  if (text == NULL) return cfg_error_plain(error, AIMC_ENOMEM, path, "out of memory");
  aimc_status status;
  if (failed)
    status = cfg_error_plain(error, AIMC_EIO, path, "cannot read: %s", strerror(errno));
  else if (length > FILE_MAX_BYTES)
    status = cfg_error_plain(error, AIMC_EFORMAT, path, "larger than %u bytes", FILE_MAX_BYTES);
  else
    status = aimc_cfg_load_string(schema, config, path, text, length, overrides, override_count, error);
  free(text);
  return status;
}

int aimc_cfg_equal(const aimc_cfg_section *schema, const void *a, const void *b)
{
  for (size_t i = 0; i < schema->field_count; i++) {
    const aimc_cfg_field *field = &schema->fields[i];
    const char *x = (const char *)a + field->offset, *y = (const char *)b + field->offset;
    int same = 1;
    switch (field->type) {
    case AIMC_CFG_DOUBLE: same = memcmp(x, y, sizeof(double)) == 0; break;
    case AIMC_CFG_INT:
    case AIMC_CFG_BOOL:
    case AIMC_CFG_ENUM: same = memcmp(x, y, sizeof(int)) == 0; break;
    case AIMC_CFG_UINT64: same = memcmp(x, y, sizeof(uint64_t)) == 0; break;
    case AIMC_CFG_STRING: same = strncmp(x, y, field->capacity) == 0; break;
    case AIMC_CFG_DOUBLE_LIST: {
      int count_a = *(const int *)((const char *)a + field->count_offset);
      int count_b = *(const int *)((const char *)b + field->count_offset);
      same = count_a == count_b && count_a >= 0 && (size_t)count_a <= field->capacity &&
             memcmp(x, y, (size_t)count_a * sizeof(double)) == 0;
      break;
    }
    case AIMC_CFG_SECTION: same = aimc_cfg_equal(field->section, x, y); break;
    }
    if (!same) return 0;
  }
  return 1;
}
