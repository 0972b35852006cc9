/*
 * Private interface of the configuration engine: the document tree read from
 * YAML (with positions), the arena that owns it, error reporting, and the
 * per-field value codec shared by parsing, defaults, dumps and the reference.
 */
#ifndef AIMC_SIM_CONFIG_INTERNAL_H
#define AIMC_SIM_CONFIG_INTERNAL_H

#include <stddef.h>

#include "aimc_sim/config.h"

/* Every allocation of one load lives in one arena and is freed at once. */
typedef struct cfg_arena_block cfg_arena_block;
typedef struct cfg_arena {
  cfg_arena_block *blocks;
} cfg_arena;

void *cfg_arena_alloc(cfg_arena *arena, size_t size); /* zeroed; NULL when out of memory */
char *cfg_arena_strndup(cfg_arena *arena, const char *text, size_t length);
/* Room for one more item in an arena-backed array of `count` items of `size` bytes:
 * `items` itself while count < *capacity, else a copy twice as large (8 at first),
 * with *capacity updated. NULL when out of memory (the old array stays valid). */
void *cfg_arena_reserve(cfg_arena *arena, void *items, size_t count, size_t *capacity, size_t size);
void cfg_arena_free(cfg_arena *arena);

/* Where text came from: a file or one -p override. */
typedef struct cfg_source {
  const char *origin;  /* "configs/x.yaml" or "-p device.dw_min=abc" */
  const char *text;    /* the whole input, for quoting the offending line */
  size_t length;
  int is_override;     /* reports name the origin without line:column */
  int column_offset;   /* characters of text before the parsed part (overrides) */
} cfg_source;

typedef enum cfg_node_kind { CFG_SCALAR, CFG_MAPPING, CFG_SEQUENCE } cfg_node_kind;

typedef struct cfg_node {
  cfg_node_kind kind;
  const cfg_source *source;
  int line, column;          /* 1-based */
  const char *text;          /* scalars: the value */
  int quoted;                /* scalars: written in quotes or as a block scalar */
  struct cfg_node **items;   /* mappings: key, value, key, value...; sequences: items */
  size_t count, capacity;    /* number of items (twice the pairs for mappings) */
} cfg_node;

/* Reads one YAML document (UTF-8) from input, a part of source->text that
 * starts source->column_offset characters into its first line. *root is NULL
 * for an empty input. AIMC_EFORMAT with error set on any syntax, encoding,
 * nesting, alias or duplicate-key problem. */
aimc_status cfg_read_document(cfg_arena *arena, const cfg_source *source, const char *input,
                              size_t length, cfg_node **root, aimc_cfg_error *error);

/* Puts the value of one override "a.b.c=value" into the tree at a.b.c,
 * replacing what the file had there; creates *root and sections as needed. */
aimc_status cfg_merge_override(cfg_arena *arena, cfg_node **root, const char *override_text,
                               aimc_cfg_error *error);

/* Value node of `key` in a mapping, or NULL; *key_node gets the key if asked. */
cfg_node *cfg_mapping_get(const cfg_node *mapping, const char *key, cfg_node **key_node);
const char *cfg_node_kind_name(cfg_node_kind kind);

/* Error reports: at a node (with source line and caret), at an origin only. */
aimc_status cfg_error_at(aimc_cfg_error *error, const cfg_node *node, const char *format, ...)
    __attribute__((format(printf, 3, 4)));
aimc_status cfg_error_at_position(aimc_cfg_error *error, const cfg_source *source, int line,
                                  int column, const char *format, ...)
    __attribute__((format(printf, 5, 6)));
aimc_status cfg_error_plain(aimc_cfg_error *error, aimc_status status, const char *origin,
                            const char *format, ...) __attribute__((format(printf, 4, 5)));

/* snprintf into a reason buffer of `size` bytes (nothing when size is 0). */
void cfg_say(char *message, size_t size, const char *format, ...) __attribute__((format(printf, 3, 4)));

/* The member of `field` inside the section struct at `base`. */
static inline void *cfg_member(void *base, const aimc_cfg_field *field)
{
  return (char *)base + field->offset;
}
static inline const void *cfg_const_member(const void *base, const aimc_cfg_field *field)
{
  return (const char *)base + field->offset;
}

/* Optimal-string-alignment distance, for "did you mean" hints. */
int cfg_edit_distance(const char *a, const char *b);
/* 1 if `distance` between a typo and a candidate of that length is close enough. */
int cfg_is_close(int distance, size_t candidate_length);

const char *cfg_unit_dimension(aimc_cfg_unit unit);
/* Bytes of the valid UTF-8 character at p, or 0 if the bytes are not one. */
size_t cfg_utf8_sequence(const unsigned char *p, size_t available);

/* Field codec (values.c). `base` is the section's struct; `name` is how
 * messages call the value ("device.dw_min", "device.piecewise_up[2]"). */
/* Parses a scalar into the field (not lists or sections); on failure writes
 * the complete message. `quoted` refuses numbers and bools. */
aimc_status cfg_parse_field_scalar(const aimc_cfg_field *field, const char *name, const char *text,
                                   int quoted, void *base, char *message, size_t message_size);
/* Parses one element of a DOUBLE_LIST field and checks its bounds. */
aimc_status cfg_parse_list_element(const aimc_cfg_field *field, const char *name, const char *text,
                                   int quoted, double *value, char *message, size_t message_size);
/* 1 for an empty plain scalar, `~` or `null`. */
int cfg_is_null(const char *text, int quoted);
int cfg_enum_count(const aimc_cfg_field *field);
/* Formats the field's current value as YAML text (lists in flow style,
 * strings double-quoted). Returns the length, as snprintf. */
int cfg_format_field(const aimc_cfg_field *field, const void *base, char *buffer, size_t size);
/* "in (0, 1]", "> 0", ">= 1ns" ...; "" when unbounded. */
void cfg_format_bounds(const aimc_cfg_field *field, char *buffer, size_t size);
/* Comma-separated names of an enum. */
void cfg_format_enum_names(const aimc_cfg_field *field, const char *separator, char *buffer,
                           size_t size);
const char *cfg_type_name(aimc_cfg_type type);
/* "an" before a word that starts with a vowel, else "a". */
const char *cfg_article(const char *word);

/* Discriminator field of a section, or NULL. */
const aimc_cfg_field *cfg_discriminator(const aimc_cfg_section *section);

/* Tree -> struct (apply.c). Applies one node to one field; a SECTION field
 * takes a mapping and everything in it. `key` (may be NULL) is where
 * section-wide errors such as a missing required key point. */
aimc_status cfg_apply_field(const aimc_cfg_field *field, const char *path, const cfg_node *key,
                            const cfg_node *node, void *base, aimc_cfg_error *error);
/* Applies a whole document (NULL: empty) to the root section; checks required
 * keys and runs every validate hook. */
aimc_status cfg_apply_document(const aimc_cfg_section *schema, const cfg_node *root, void *config,
                               const char *origin, aimc_cfg_error *error);
/* Defaults for a given discriminator value (variant < 0: the default one).
 * AIMC_EINVAL if a default text does not parse (a schema bug). */
aimc_status cfg_section_defaults(const aimc_cfg_section *section, void *base, int variant,
                                 aimc_cfg_error *error);

#endif
