/*
 * Document tree -> struct, driven by the schema tables.
 *
 * Within one section mapping: `preset` (if any) first resets the section to
 * its defaults and applies the preset; otherwise the discriminator key (if
 * any) resets the defaults for its value; then every other key is applied in
 * file order. Afterwards required keys are checked, absent subsections are
 * checked the same way, and the section's validate hook runs; its message is
 * pinned to the key it names, if that key is in the document. A section's
 * derive hook sets, before that, the values that follow other fields unless
 * the document gave them (it also runs on the defaults, with nothing given).
 *
 * Default texts are YAML and go through cfg_apply_field like user input.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config_internal.h"

#define PATH_MAX_LENGTH 256
#define MESSAGE_LENGTH 512
#define PRESET_KEY "preset"
#define VERSION_KEY "version"

static void join_path(char *out, const char *path, const char *key)
{
  snprintf(out, PATH_MAX_LENGTH, "%s%s%s", path, path[0] != '\0' ? "." : "", key);
}

const aimc_cfg_field *cfg_discriminator(const aimc_cfg_section *section)
{
  for (size_t i = 0; i < section->field_count; i++)
    if (section->fields[i].flags & AIMC_CFG_DISCRIMINATOR) return &section->fields[i];
  return NULL;
}

static const aimc_cfg_field *find_field(const aimc_cfg_section *section, const char *key)
{
  for (size_t i = 0; i < section->field_count; i++)
    if (strcmp(section->fields[i].key, key) == 0) return &section->fields[i];
  return NULL;
}

struct aimc_cfg_given {
  const cfg_node *mapping; /* the section's mapping; NULL: nothing given */
};

const char *aimc_cfg_given_text(const aimc_cfg_given *given, const char *path)
{
  const cfg_node *node = given->mapping;
  while (node != NULL && *path != '\0') {
    if (node->kind != CFG_MAPPING) return NULL;
    size_t length = strcspn(path, ".");
    char key[PATH_MAX_LENGTH];
    if (length >= sizeof key) return NULL;
    memcpy(key, path, length);
    key[length] = '\0';
    node = cfg_mapping_get(node, key, NULL);
    path += length + (path[length] == '.');
  }
  if (node == NULL) return NULL;
  return node->kind == CFG_SCALAR ? node->text : "";
}

static void derive_section(const aimc_cfg_section *section, const cfg_node *mapping, void *base)
{
  aimc_cfg_given given = {mapping};
  if (section->derive != NULL) section->derive(base, &given);
}

static aimc_status apply_list(const aimc_cfg_field *field, const char *path, const cfg_node *node,
                              void *base, aimc_cfg_error *error)
{
  if (node->kind != CFG_SEQUENCE)
    return cfg_error_at(error, node, "'%s' expects a list of numbers such as [1, 0.5], got %s",
                        path, cfg_node_kind_name(node->kind));
  if (node->count > field->capacity)
    return cfg_error_at(error, node, "'%s' takes at most %zu values, got %zu", path,
                        field->capacity, node->count);
  double *values = cfg_member(base, field);
  for (size_t i = 0; i < node->count; i++) {
    const cfg_node *item = node->items[i];
    char name[PATH_MAX_LENGTH + 24], message[MESSAGE_LENGTH];
    snprintf(name, sizeof name, "%s[%zu]", path, i);
    if (item->kind != CFG_SCALAR)
      return cfg_error_at(error, item, "'%s' expects a number, got %s", name,
                          cfg_node_kind_name(item->kind));
    if (cfg_parse_list_element(field, name, item->text, item->quoted, &values[i], message,
                               sizeof message) != AIMC_OK)
      return cfg_error_at(error, item, "%s", message);
  }
  for (size_t i = node->count; i < field->capacity; i++) values[i] = 0.0;
  *(int *)((char *)base + field->count_offset) = (int)node->count;
  return AIMC_OK;
}

static aimc_status apply_section(const aimc_cfg_section *section, const char *path,
                                 const cfg_node *mapping, void *base, const cfg_node *anchor,
                                 aimc_cfg_error *error);

aimc_status cfg_apply_field(const aimc_cfg_field *field, const char *path, const cfg_node *key,
                            const cfg_node *node, void *base, aimc_cfg_error *error)
{
  if (field->type == AIMC_CFG_SECTION)
    return apply_section(field->section, path, node, cfg_member(base, field), key != NULL ? key : node,
                         error);
  if (field->type == AIMC_CFG_DOUBLE_LIST) return apply_list(field, path, node, base, error);
  if (node->kind != CFG_SCALAR)
    return cfg_error_at(error, node, "'%s' expects %s %s, got %s", path, cfg_article(cfg_type_name(field->type)),
                        cfg_type_name(field->type), cfg_node_kind_name(node->kind));
  char message[MESSAGE_LENGTH];
  if (cfg_parse_field_scalar(field, path, node->text, node->quoted, base, message, sizeof message) !=
      AIMC_OK)
    return cfg_error_at(error, node, "%s", message);
  return AIMC_OK;
}

aimc_status cfg_section_defaults(const aimc_cfg_section *section, void *base, int variant,
                                 aimc_cfg_error *error)
{
  memset(base, 0, section->size);
  const aimc_cfg_field *discriminator = cfg_discriminator(section);
  if (variant < 0) {
    variant = 0;
    if (discriminator != NULL && discriminator->default_text != NULL) {
      char message[MESSAGE_LENGTH];
      if (cfg_parse_field_scalar(discriminator, discriminator->key, discriminator->default_text, 0,
                                 base, message, sizeof message) != AIMC_OK)
        return cfg_error_plain(error, AIMC_EINVAL, section->name, "bad default: %s", message);
      variant = *(int *)cfg_member(base, discriminator);
    }
  }
  if (section->defaults != NULL) section->defaults(base, variant);
  if (discriminator != NULL) *(int *)cfg_member(base, discriminator) = variant;
  for (size_t i = 0; i < section->field_count; i++) {
    const aimc_cfg_field *field = &section->fields[i];
    aimc_status status = AIMC_OK;
    if (field->type == AIMC_CFG_SECTION) {
      status = cfg_section_defaults(field->section, cfg_member(base, field), -1, error);
    } else if (field->default_text != NULL && field != discriminator) {
      char origin[PATH_MAX_LENGTH];
      snprintf(origin, sizeof origin, "default of '%s.%s'", section->name, field->key);
      cfg_source source = {.origin = origin, .text = field->default_text,
                           .length = strlen(field->default_text)};
      cfg_arena arena = {NULL};
      cfg_node *node = NULL;
      status = cfg_read_document(&arena, &source, source.text, source.length, &node, error);
      if (status == AIMC_OK && node == NULL)
        status = cfg_error_plain(error, AIMC_EINVAL, origin, "empty default text");
      if (status == AIMC_OK) status = cfg_apply_field(field, field->key, NULL, node, base, error);
      cfg_arena_free(&arena);
      if (status != AIMC_OK) status = AIMC_EINVAL;
    }
    if (status != AIMC_OK) return status;
  }
  derive_section(section, NULL, base);
  return AIMC_OK;
}

void aimc_cfg_defaults(const aimc_cfg_section *schema, void *config)
{
  aimc_cfg_error ignored;
  cfg_section_defaults(schema, config, -1, &ignored);
}

static aimc_status error_at_anchor(aimc_cfg_error *error, const cfg_node *anchor,
                                   const char *origin, const char *message)
{
  if (anchor != NULL) return cfg_error_at(error, anchor, "%s", message);
  return cfg_error_plain(error, AIMC_EFORMAT, origin, "%s", message);
}

/* The first key of the mapping that the validator's message names. */
static const cfg_node *named_key_value(const cfg_node *mapping, const char *message)
{
  if (mapping == NULL) return NULL;
  for (const char *p = message; *p != '\0';) {
    size_t length = strspn(p, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_");
    if (length == 0) { p++; continue; }
    char word[64];
    if (length < sizeof word) {
      memcpy(word, p, length);
      word[length] = '\0';
      const cfg_node *value = cfg_mapping_get(mapping, word, NULL);
      /* section.key (a check across sections): the key within its section, if given there,
       * else the section's preset, which set it. */
      if (value != NULL && value->kind == CFG_MAPPING && p[length] == '.') {
        const cfg_node *inner = named_key_value(value, p + length + 1);
        if (inner == NULL) inner = cfg_mapping_get(value, PRESET_KEY, NULL);
        if (inner != NULL) return inner;
      }
      if (value != NULL) return value;
    }
    p += length;
  }
  return NULL;
}

/* Required keys, absent subsections and the validate hook of a section whose
 * mapping (possibly NULL: absent) has been applied. */
static aimc_status finish_section(const aimc_cfg_section *section, const char *path,
                                  const cfg_node *mapping, void *base, const cfg_node *anchor,
                                  const char *origin, aimc_cfg_error *error)
{
  for (size_t i = 0; i < section->field_count; i++) {
    const aimc_cfg_field *field = &section->fields[i];
    int present = mapping != NULL && cfg_mapping_get(mapping, field->key, NULL) != NULL;
    char child[PATH_MAX_LENGTH];
    join_path(child, path, field->key);
    if ((field->flags & AIMC_CFG_REQUIRED) && !present) {
      char message[MESSAGE_LENGTH];
      if (path[0] != '\0')
        snprintf(message, sizeof message, "missing required key '%s' in section '%s'", field->key, path);
      else
        snprintf(message, sizeof message, "missing required key '%s'", field->key);
      return error_at_anchor(error, anchor, origin, message);
    }
    if (field->type == AIMC_CFG_SECTION && !present) {
      aimc_status status = finish_section(field->section, child, NULL, cfg_member(base, field), anchor,
                                          origin, error);
      if (status != AIMC_OK) return status;
    }
  }
  if (section->validate != NULL && section->validate(base) != AIMC_OK) {
    char message[MESSAGE_LENGTH];
    const char *reason = aimc_error_message();
    const char *text = reason[0] != '\0' ? reason : "rejected by its validator";
    if (path[0] != '\0')
      snprintf(message, sizeof message, "invalid section '%s': %s", path, text);
    else /* the root's check across sections */
      snprintf(message, sizeof message, "invalid configuration: %s", text);
    const cfg_node *named = named_key_value(mapping, reason);
    return error_at_anchor(error, named != NULL ? named : anchor, origin, message);
  }
  return AIMC_OK;
}

static aimc_status unknown_key(const aimc_cfg_section *section, const char *path,
                               const cfg_node *key, int is_root, aimc_cfg_error *error)
{
  const char *best = NULL;
  int best_distance = 1 << 20;
  for (size_t i = 0; i <= section->field_count + 1; i++) {
    const char *candidate = i < section->field_count ? section->fields[i].key
                            : i == section->field_count ? (section->preset_count > 0 ? PRESET_KEY : NULL)
                            : (is_root ? VERSION_KEY : NULL);
    if (candidate == NULL) continue;
    int distance = cfg_edit_distance(key->text, candidate);
    if (distance < best_distance && cfg_is_close(distance, strlen(candidate))) {
      best_distance = distance;
      best = candidate;
    }
  }
  char hint[PATH_MAX_LENGTH];
  hint[0] = '\0';
  if (best != NULL) snprintf(hint, sizeof hint, "; did you mean '%s'?", best);
  if (is_root) return cfg_error_at(error, key, "unknown section '%s'%s", key->text, hint);
  return cfg_error_at(error, key, "unknown key '%s' in section '%s'%s", key->text, path, hint);
}

static aimc_status apply_preset(const aimc_cfg_section *section, const char *path,
                                const cfg_node *value, void *base, aimc_cfg_error *error)
{
  char names[1024];
  size_t used = 0;
  names[0] = '\0';
  const aimc_cfg_preset *best = NULL;
  int best_distance = 1 << 20;
  for (size_t i = 0; i < section->preset_count; i++) {
    const aimc_cfg_preset *preset = &section->presets[i];
    if (value->kind == CFG_SCALAR && strcmp(preset->name, value->text) == 0) {
      aimc_status status = cfg_section_defaults(section, base, -1, error);
      if (status == AIMC_OK) preset->apply(base);
      return status;
    }
    int n = snprintf(names + used, sizeof names - used, "%s%s", i > 0 ? ", " : "", preset->name);
    if (n > 0 && used + (size_t)n < sizeof names) used += (size_t)n;
    if (value->kind == CFG_SCALAR) {
      int distance = cfg_edit_distance(value->text, preset->name);
      if (distance < best_distance && cfg_is_close(distance, strlen(preset->name))) {
        best_distance = distance;
        best = preset;
      }
    }
  }
  if (value->kind != CFG_SCALAR)
    return cfg_error_at(error, value, "'%s.preset' expects a preset name, got %s", path,
                        cfg_node_kind_name(value->kind));
  if (cfg_is_null(value->text, value->quoted))
    return cfg_error_at(error, value, "'%s.preset' has no value", path);
  if (best != NULL)
    return cfg_error_at(error, value, "unknown preset '%s' for section '%s' (did you mean '%s'?); presets: %s",
                        value->text, path, best->name, names);
  return cfg_error_at(error, value, "unknown preset '%s' for section '%s'; presets: %s", value->text,
                      path, names);
}

static aimc_status apply_version(const cfg_node *value, aimc_cfg_error *error)
{
  if (value->kind != CFG_SCALAR || value->quoted || strcmp(value->text, "1") != 0) {
    if (value->kind == CFG_SCALAR)
      return cfg_error_at(error, value, "unsupported config version '%s'; this build reads version %d",
                          value->text, AIMC_CFG_VERSION);
    return cfg_error_at(error, value, "'version' expects an integer, got %s",
                        cfg_node_kind_name(value->kind));
  }
  return AIMC_OK;
}

static size_t key_index(const cfg_node *mapping, const char *key)
{
  for (size_t i = 0; i + 1 < mapping->count; i += 2)
    if (strcmp(mapping->items[i]->text, key) == 0) return i;
  return mapping->count;
}

/* Lists that share one count field must keep one length: a list given alone
 * must match the count its partners have, two lists given together must
 * match each other (reported at the later one). */
static aimc_status check_list_partners(const aimc_cfg_section *section, const char *path,
                                       const cfg_node *mapping, const aimc_cfg_field *list,
                                       const cfg_node *value, const void *base,
                                       aimc_cfg_error *error)
{
  if (value->kind != CFG_SEQUENCE) return AIMC_OK;
  int current = *(const int *)((const char *)base + list->count_offset);
  for (size_t j = 0; j < section->field_count; j++) {
    const aimc_cfg_field *other = &section->fields[j];
    if (other == list || other->type != AIMC_CFG_DOUBLE_LIST || other->count_offset != list->count_offset)
      continue;
    const cfg_node *other_given = cfg_mapping_get(mapping, other->key, NULL);
    if (other_given == NULL && (int)value->count != current)
      return cfg_error_at(error, value,
                          "'%s.%s' has %zu values but '%s.%s' keeps %d; give both lists with the same length",
                          path, list->key, value->count, path, other->key, current);
    if (other_given != NULL && other_given->kind == CFG_SEQUENCE &&
        other_given->count != value->count &&
        key_index(mapping, other->key) < key_index(mapping, list->key))
      return cfg_error_at(error, value,
                          "'%s.%s' has %zu values but '%s.%s' has %zu; the two lists share one length",
                          path, list->key, value->count, path, other->key, other_given->count);
  }
  return AIMC_OK;
}

static aimc_status apply_section(const aimc_cfg_section *section, const char *path,
                                 const cfg_node *mapping, void *base, const cfg_node *anchor,
                                 aimc_cfg_error *error)
{
  int is_root = path[0] == '\0';
  if (mapping->kind != CFG_MAPPING) {
    if (is_root)
      return cfg_error_at(error, mapping, "a config document must be a mapping of sections, got %s",
                          cfg_node_kind_name(mapping->kind));
    return cfg_error_at(error, mapping, "'%s' is a section and expects a mapping of keys, got %s",
                        path, cfg_node_kind_name(mapping->kind));
  }
  const aimc_cfg_field *discriminator = cfg_discriminator(section);
  const cfg_node *preset_key = NULL, *preset_value = NULL, *discriminator_key = NULL;
  for (size_t i = 0; i + 1 < mapping->count; i += 2) {
    const cfg_node *key = mapping->items[i];
    if (section->preset_count > 0 && strcmp(key->text, PRESET_KEY) == 0) {
      preset_key = key;
      preset_value = mapping->items[i + 1];
      continue;
    }
    if (is_root && strcmp(key->text, VERSION_KEY) == 0) continue;
    const aimc_cfg_field *field = find_field(section, key->text);
    if (field == NULL) return unknown_key(section, path, key, is_root, error);
    if (field == discriminator) discriminator_key = key;
  }
  if (preset_key != NULL && discriminator_key != NULL) {
    const cfg_node *later = preset_key->line > discriminator_key->line ||
                            (preset_key->line == discriminator_key->line &&
                             preset_key->column > discriminator_key->column) ? preset_key
                                                                             : discriminator_key;
    return cfg_error_at(error, later, "'%s' and 'preset' cannot be combined in section '%s': "
                        "the preset chooses the %s", discriminator->key, path, discriminator->key);
  }

  aimc_status status = AIMC_OK;
  if (preset_value != NULL) status = apply_preset(section, path, preset_value, base, error);
  if (status != AIMC_OK) return status;

  for (int pass = 0; pass < 2; pass++) {
    /* Pass 0 applies the discriminator, pass 1 everything else. */
    for (size_t i = 0; i + 1 < mapping->count; i += 2) {
      const cfg_node *key = mapping->items[i], *value = mapping->items[i + 1];
      if (key == preset_key) continue;
      if (is_root && strcmp(key->text, VERSION_KEY) == 0) {
        if (pass == 1) status = apply_version(value, error);
        if (status != AIMC_OK) return status;
        continue;
      }
      const aimc_cfg_field *field = find_field(section, key->text);
      if ((field == discriminator) != (pass == 0)) continue;
      char child[PATH_MAX_LENGTH];
      join_path(child, path, field->key);
      if (field->type == AIMC_CFG_DOUBLE_LIST)
        status = check_list_partners(section, path, mapping, field, value, base, error);
      if (status == AIMC_OK) status = cfg_apply_field(field, child, key, value, base, error);
      if (status == AIMC_OK && field == discriminator)
        status = cfg_section_defaults(section, base, *(int *)cfg_member(base, field), error);
      if (status != AIMC_OK) return status;
    }
  }
  derive_section(section, mapping, base);
  return finish_section(section, path, mapping, base, anchor, mapping->source->origin, error);
}

aimc_status cfg_apply_document(const aimc_cfg_section *schema, const cfg_node *root, void *config,
                               const char *origin, aimc_cfg_error *error)
{
  if (root == NULL || (root->kind == CFG_SCALAR && cfg_is_null(root->text, root->quoted)))
    return finish_section(schema, "", NULL, config, NULL, origin, error);
  return apply_section(schema, "", root, config, root, error);
}
