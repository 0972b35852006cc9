/*
 * Writers driven by the schema: the fully resolved YAML dump and the Markdown
 * config reference. Values are formatted by cfg_format_field, the inverse of
 * the parser, so a dump parses back to the identical struct and the reference
 * shows defaults exactly as a user would write them.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config_internal.h"

/* Room for the longest formatted value: a full list of prefixed numbers. */
#define VALUE_LENGTH 8192

static void dump_field(FILE *out, const aimc_cfg_field *field, const void *base, int indent,
                       char *value)
{
  if (field->type == AIMC_CFG_SECTION) return;
  cfg_format_field(field, base, value, VALUE_LENGTH);
  fprintf(out, "%*s%s: %s\n", indent, "", field->key, value);
}

static void dump_section(FILE *out, const aimc_cfg_section *section, const void *base, int indent,
                         char *value)
{
  /* The discriminator first: it is applied first anyway, and reads best there. */
  const aimc_cfg_field *discriminator = cfg_discriminator(section);
  if (discriminator != NULL) dump_field(out, discriminator, base, indent, value);
  for (size_t i = 0; i < section->field_count; i++) {
    const aimc_cfg_field *field = &section->fields[i];
    if (field == discriminator) continue;
    if (field->type == AIMC_CFG_SECTION) {
      fprintf(out, "%*s%s:\n", indent, "", field->key);
      dump_section(out, field->section, cfg_const_member(base, field), indent + 2, value);
    } else {
      dump_field(out, field, base, indent, value);
    }
  }
}

aimc_status aimc_cfg_dump(FILE *out, const aimc_cfg_section *schema, const void *config)
{
  char *value = malloc(VALUE_LENGTH);
  if (value == NULL) return aimc_error_set(AIMC_ENOMEM, "out of memory");
  fprintf(out, "# aimcsim configuration, fully resolved\nversion: %d\n", AIMC_CFG_VERSION);
  dump_section(out, schema, config, 0, value);
  free(value);
  if (ferror(out)) return aimc_error_set(AIMC_EIO, "writing the configuration failed");
  return AIMC_OK;
}

/* A Markdown table cell: '|' escaped, newlines flattened. */
static void cell(FILE *out, const char *text)
{
  for (const char *p = text; *p != '\0'; p++) {
    if (*p == '|') fputs("\\|", out);
    else if (*p == '\n') fputc(' ', out);
    else fputc(*p, out);
  }
}

static void code_cell(FILE *out, const char *text)
{
  if (text[0] == '\0') return;
  fputc('`', out);
  cell(out, text);
  fputc('`', out);
}

static void write_field_row(FILE *out, const char *path, const aimc_cfg_field *field,
                            const void *defaults, char *value)
{
  fputs("| `", out);
  cell(out, field->key);
  fputs("` | ", out);
  if (field->type == AIMC_CFG_ENUM) {
    cfg_format_enum_names(field, "`, `", value, VALUE_LENGTH);
    fputs("one of `", out);
    cell(out, value);
    fputs("`", out);
  } else if (field->type == AIMC_CFG_SECTION) {
    fprintf(out, "section, see `%s%s%s`", path, path[0] != '\0' ? "." : "", field->key);
  } else {
    cell(out, cfg_type_name(field->type));
    if (field->type == AIMC_CFG_DOUBLE_LIST) fprintf(out, " (at most %zu)", field->capacity);
    if (field->type == AIMC_CFG_STRING) fprintf(out, " (at most %zu bytes)", field->capacity - 1);
  }
  fputs(" | ", out);
  if (field->flags & AIMC_CFG_REQUIRED) {
    fputs("required", out);
  } else if (field->type != AIMC_CFG_SECTION) {
    cfg_format_field(field, defaults, value, VALUE_LENGTH);
    code_cell(out, value);
  }
  fputs(" | ", out);
  cfg_format_bounds(field, value, VALUE_LENGTH);
  cell(out, value);
  fputs(" | ", out);
  cell(out, aimc_cfg_unit_symbol(field->unit));
  fputs(" | ", out);
  cell(out, field->description != NULL ? field->description : "");
  fputs(" |\n", out);
}

/* Appends "key=value" for every field where preset and defaults differ. */
static void write_differences(FILE *out, const char *prefix, const aimc_cfg_section *section,
                              const void *preset, const void *defaults, int *written, char *a, char *b)
{
  for (size_t i = 0; i < section->field_count; i++) {
    const aimc_cfg_field *field = &section->fields[i];
    if (field->type == AIMC_CFG_SECTION) {
      char child[256];
      snprintf(child, sizeof child, "%s%s.", prefix, field->key);
      write_differences(out, child, field->section, cfg_const_member(preset, field),
                        cfg_const_member(defaults, field), written, a, b);
      continue;
    }
    cfg_format_field(field, preset, a, VALUE_LENGTH);
    cfg_format_field(field, defaults, b, VALUE_LENGTH);
    if (strcmp(a, b) == 0) continue;
    fprintf(out, "%s", (*written)++ > 0 ? ", " : "");
    cell(out, prefix);
    cell(out, field->key);
    fputs(": ", out);
    cell(out, a);
  }
}

static aimc_status write_section(FILE *out, const aimc_cfg_section *section, const char *path,
                                 char *value, char *other)
{
  void *defaults = malloc(section->size), *preset = malloc(section->size);
  if (defaults == NULL || preset == NULL) {
    free(defaults);
    free(preset);
    return aimc_error_set(AIMC_ENOMEM, "out of memory");
  }
  aimc_cfg_error ignored;
  cfg_section_defaults(section, defaults, -1, &ignored);

  fprintf(out, "## `%s`\n\n", path[0] != '\0' ? path : "(top level)");
  if (section->description != NULL && section->description[0] != '\0')
    fprintf(out, "%s\n\n", section->description);
  const aimc_cfg_field *discriminator = cfg_discriminator(section);
  if (discriminator != NULL) {
    cfg_format_field(discriminator, defaults, value, VALUE_LENGTH);
    fprintf(out, "`%s` resets every default of this section before the other keys apply; the "
            "defaults below are those of `%s`.\n\n", discriminator->key, value);
  }
  fputs("| Key | Type | Default | Bounds | Unit | Description |\n", out);
  fputs("|---|---|---|---|---|---|\n", out);
  if (path[0] == '\0')
    fprintf(out, "| `version` | integer | `%d` | in [%d, %d] |  | version of the config "
            "format |\n", AIMC_CFG_VERSION, AIMC_CFG_VERSION, AIMC_CFG_VERSION);
  for (size_t i = 0; i < section->field_count; i++)
    write_field_row(out, path, &section->fields[i], defaults, value);
  fputs("\n", out);

  if (section->preset_count > 0) {
    fputs("Presets (`preset: NAME`, applied before the other keys of the section):\n\n", out);
    fputs("| Preset | Description | Differences from the defaults |\n|---|---|---|\n", out);
    for (size_t i = 0; i < section->preset_count; i++) {
      const aimc_cfg_preset *p = &section->presets[i];
      cfg_section_defaults(section, preset, -1, &ignored);
      p->apply(preset);
      fputs("| `", out);
      cell(out, p->name);
      fputs("` | ", out);
      cell(out, p->description != NULL ? p->description : "");
      fputs(" | ", out);
      int written = 0;
      write_differences(out, "", section, preset, defaults, &written, value, other);
      fputs(" |\n", out);
    }
    fputs("\n", out);
  }
  free(preset);

  aimc_status status = AIMC_OK;
  for (size_t i = 0; i < section->field_count && status == AIMC_OK; i++) {
    const aimc_cfg_field *field = &section->fields[i];
    if (field->type != AIMC_CFG_SECTION) continue;
    char child[256];
    snprintf(child, sizeof child, "%s%s%s", path, path[0] != '\0' ? "." : "", field->key);
    status = write_section(out, field->section, child, value, other);
  }
  free(defaults);
  return status;
}

aimc_status aimc_cfg_write_reference_md(FILE *out, const aimc_cfg_section *schema)
{
  char *value = malloc(VALUE_LENGTH), *other = malloc(VALUE_LENGTH);
  aimc_status status = AIMC_OK;
  if (value == NULL || other == NULL) status = aimc_error_set(AIMC_ENOMEM, "out of memory");
  if (status == AIMC_OK) {
    fputs("# Configuration reference\n\n"
          "Generated from the schema tables by `aimc_cfg_write_reference_md()`; do not edit by "
          "hand.\n\n"
          "A config file is a YAML mapping of the sections below. Numbers with a unit may carry an "
          "SI prefix (f, p, n, u or \xC2\xB5, m, k, M, G, T) and may be separated from it by a "
          "space: `5ns`, `1GHz`, `1.7pJ`, `10uS`, `120kOhm`, `40 ns`; a bare number is in the base "
          "unit. Booleans are `true` or `false`. Any key can be overridden from the command line "
          "with `-p section.key=value`.\n\n", out);
    status = write_section(out, schema, "", value, other);
  }
  free(value);
  free(other);
  if (status == AIMC_OK && ferror(out)) status = aimc_error_set(AIMC_EIO, "writing the reference failed");
  return status;
}
