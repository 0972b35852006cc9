/*
 * YAML text -> document tree with positions, and -p overrides merged into it.
 *
 * libyaml's event parser is iterative; the tree is built with an explicit
 * stack, and a collection nested deeper than AIMC_CFG_MAX_DEPTH stops the read
 * at once, so no later walk of the tree can recurse deeper than that. The
 * input must be UTF-8 (checked first, so the report can point at the byte);
 * aliases are refused (no billion laughs), so are explicit tags (a type the
 * schema does not give) and control characters in values (messages quote
 * them), keys must be scalars and unique,
 * and a stream holds at most one document.
 */
#include <string.h>

#include <yaml.h>

#include "aimc/serial.h"

#include "config_internal.h"

const char *cfg_node_kind_name(cfg_node_kind kind)
{
  switch (kind) {
  case CFG_SCALAR: return "a scalar";
  case CFG_MAPPING: return "a mapping";
  case CFG_SEQUENCE: return "a sequence";
  }
  return "a node";
}

cfg_node *cfg_mapping_get(const cfg_node *mapping, const char *key, cfg_node **key_node)
{
  for (size_t i = 0; i + 1 < mapping->count; i += 2) {
    if (strcmp(mapping->items[i]->text, key) == 0) {
      if (key_node != NULL) *key_node = mapping->items[i];
      return mapping->items[i + 1];
    }
  }
  return NULL;
}

static cfg_node *new_node(cfg_arena *arena, cfg_node_kind kind, const cfg_source *source,
                          int line, int column)
{
  cfg_node *node = cfg_arena_alloc(arena, sizeof *node);
  if (node == NULL) return NULL;
  node->kind = kind;
  node->source = source;
  node->line = line;
  node->column = column;
  node->text = "";
  return node;
}

static int append_item(cfg_arena *arena, cfg_node *parent, cfg_node *item)
{
  cfg_node **items = cfg_arena_reserve(arena, parent->items, parent->count, &parent->capacity, sizeof *items);
  if (items == NULL) return 0;
  parent->items = items;
  parent->items[parent->count++] = item;
  return 1;
}

/* 1-based line and character column of byte `offset` of input. */
static void position_of(const char *input, size_t offset, int *line, int *column)
{
  *line = 1;
  *column = 1;
  for (size_t i = 0; i < offset;) {
    if (input[i] == '\n' || (input[i] == '\r' && input[i + 1] != '\n')) {
      (*line)++;
      *column = 1;
      i++;
      continue;
    }
    size_t width = cfg_utf8_sequence((const unsigned char *)input + i, offset - i);
    i += width > 0 ? width : 1;
    if (input[i - 1] != '\r') (*column)++;
  }
}

typedef struct reader {
  cfg_arena *arena;
  const cfg_source *source;
  cfg_node *stack[AIMC_CFG_MAX_DEPTH];
  int depth;
  cfg_node **root;
  aimc_cfg_error *error;
} reader;

static aimc_status out_of_memory(reader *r)
{
  return cfg_error_plain(r->error, AIMC_ENOMEM, r->source->origin, "out of memory");
}

static aimc_status attach(reader *r, cfg_node *node)
{
  if (r->depth == 0) {
    *r->root = node;
    return AIMC_OK;
  }
  cfg_node *parent = r->stack[r->depth - 1];
  if (parent->kind == CFG_MAPPING && parent->count % 2 == 0) {
    if (node->kind != CFG_SCALAR)
      return cfg_error_at(r->error, node, "a mapping key must be a plain name, not %s",
                          cfg_node_kind_name(node->kind));
    cfg_node *first = NULL;
    if (cfg_mapping_get(parent, node->text, &first) != NULL)
      return cfg_error_at(r->error, node, "duplicate key '%s' (first given at line %d, column %d)",
                          node->text, first->line, first->column);
  }
  return append_item(r->arena, parent, node) ? AIMC_OK : out_of_memory(r);
}

/* libyaml marks an error at the end of input on the line past it; clamp such
 * marks to just after the last character, as compilers do, so that the report
 * can quote that line. */
static void clamp_to_end(const char *input, size_t length, int *line, int *column)
{
  while (length > 0 && (input[length - 1] == '\n' || input[length - 1] == '\r')) length--;
  int end_line, end_column;
  position_of(input, length, &end_line, &end_column);
  if (*line > end_line || (*line == end_line && *column > end_column)) {
    *line = end_line;
    *column = end_column;
  }
}

static aimc_status syntax_error(reader *r, yaml_parser_t *parser, const char *input, size_t length)
{
  if (parser->error == YAML_MEMORY_ERROR) return out_of_memory(r);
  int line, column;
  if (parser->error == YAML_READER_ERROR) {
    position_of(input, parser->problem_offset, &line, &column);
  } else {
    line = (int)parser->problem_mark.line + 1;
    column = (int)parser->problem_mark.column + 1;
    clamp_to_end(input, length, &line, &column);
  }
  int offset = r->source->column_offset;
  const char *problem = parser->problem != NULL ? parser->problem : "malformed input";
  if (parser->context != NULL) {
    int context_line = (int)parser->context_mark.line + 1;
    int context_column = (int)parser->context_mark.column + 1;
    clamp_to_end(input, length, &context_line, &context_column);
    return cfg_error_at_position(r->error, r->source, line, column + offset,
                                 "YAML syntax error: %s (%s at line %d, column %d)", problem,
                                 parser->context, context_line, context_column + offset);
  }
  return cfg_error_at_position(r->error, r->source, line, column + offset,
                               "YAML syntax error: %s", problem);
}

/* An explicit tag (!!str, !custom, !!python/object:...) asks for a type the
 * schema does not give; it would be ignored, so it is refused. The tag is
 * shown as written where libyaml resolved a !! shorthand. */
static aimc_status explicit_tag(reader *r, int line, int column, const yaml_char_t *tag)
{
  static const char core[] = "tag:yaml.org,2002:";
  char quoted[160], shown[200];
  if (strncmp((const char *)tag, core, sizeof core - 1) == 0)
    snprintf(shown, sizeof shown, "!!%s", aimc_escape(tag + sizeof core - 1, SIZE_MAX, quoted, sizeof quoted));
  else
    snprintf(shown, sizeof shown, "%s", aimc_escape(tag, SIZE_MAX, quoted, sizeof quoted));
  return cfg_error_at_position(r->error, r->source, line, column,
                               "YAML tags (%s) are not supported in config files: values take the type of "
                               "their key", shown);
}

static aimc_status handle_event(reader *r, const yaml_event_t *event, int *documents)
{
  char quoted[80];
  int line = (int)event->start_mark.line + 1;
  int column = (int)event->start_mark.column + 1 + r->source->column_offset;
  cfg_node *node = NULL;
  aimc_status status;
  switch (event->type) {
  case YAML_DOCUMENT_START_EVENT:
    if (++*documents > 1)
      return cfg_error_at_position(r->error, r->source, line, column,
                                   "a config file holds one YAML document, found a second");
    return AIMC_OK;
  case YAML_ALIAS_EVENT:
    return cfg_error_at_position(r->error, r->source, line, column,
                                 "aliases (*%s) are not supported in config files",
                                 aimc_escape(event->data.alias.anchor, SIZE_MAX, quoted, sizeof quoted));
  case YAML_SCALAR_EVENT:
    if (event->data.scalar.tag)
      return explicit_tag(r, line, column, event->data.scalar.tag);
    node = new_node(r->arena, CFG_SCALAR, r->source, line, column);
    if (node == NULL) return out_of_memory(r);
    node->text = cfg_arena_strndup(r->arena, (const char *)event->data.scalar.value,
                                   event->data.scalar.length);
    if (node->text == NULL) return out_of_memory(r);
    if (strlen(node->text) != event->data.scalar.length)
      return cfg_error_at(r->error, node, "a value must not contain a NUL character");
    /* Messages quote values; a control character (an escape sequence, a
     * carriage return) would reach the terminal raw. No setting needs one. */
    for (const unsigned char *c = (const unsigned char *)node->text; *c; ++c)
      if ((*c < 0x20 && *c != '\t') || *c == 0x7f)
        return cfg_error_at(r->error, node, "a value must not contain the control character %s",
                            aimc_escape(c, 1, quoted, sizeof quoted));
    node->quoted = event->data.scalar.style != YAML_PLAIN_SCALAR_STYLE;
    return attach(r, node);
  case YAML_SEQUENCE_START_EVENT:
  case YAML_MAPPING_START_EVENT:
    if (event->type == YAML_SEQUENCE_START_EVENT ? event->data.sequence_start.tag != NULL
                                                 : event->data.mapping_start.tag != NULL)
      return explicit_tag(r, line, column,
                          event->type == YAML_SEQUENCE_START_EVENT ? event->data.sequence_start.tag
                                                                   : event->data.mapping_start.tag);
    node = new_node(r->arena, event->type == YAML_MAPPING_START_EVENT ? CFG_MAPPING : CFG_SEQUENCE,
                    r->source, line, column);
    if (node == NULL) return out_of_memory(r);
    if (r->depth == AIMC_CFG_MAX_DEPTH)
      return cfg_error_at(r->error, node, "nesting deeper than %d levels", AIMC_CFG_MAX_DEPTH);
    status = attach(r, node);
    if (status != AIMC_OK) return status;
    r->stack[r->depth++] = node;
    return AIMC_OK;
  case YAML_SEQUENCE_END_EVENT:
  case YAML_MAPPING_END_EVENT:
    r->depth--;
    return AIMC_OK;
  default:
    return AIMC_OK;
  }
}

aimc_status cfg_read_document(cfg_arena *arena, const cfg_source *source, const char *input,
                              size_t length, cfg_node **root, aimc_cfg_error *error)
{
  *root = NULL;
  for (size_t i = 0; i < length;) {
    size_t width = cfg_utf8_sequence((const unsigned char *)input + i, length - i);
    if (width == 0) {
      int line, column;
      position_of(input, i, &line, &column);
      return cfg_error_at_position(error, source, line, column + source->column_offset,
                                   "invalid UTF-8 byte 0x%02X; config files must be UTF-8",
                                   (unsigned)(unsigned char)input[i]);
    }
    i += width;
  }

  reader r = {.arena = arena, .source = source, .root = root, .error = error};
  yaml_parser_t parser;
  if (!yaml_parser_initialize(&parser)) return out_of_memory(&r);
  yaml_parser_set_input_string(&parser, (const unsigned char *)input, length);
  yaml_parser_set_encoding(&parser, YAML_UTF8_ENCODING);
  int documents = 0;
  aimc_status status = AIMC_OK;
  for (int done = 0; !done && status == AIMC_OK;) {
    yaml_event_t event;
    if (!yaml_parser_parse(&parser, &event)) {
      status = syntax_error(&r, &parser, input, length);
      break;
    }
    done = event.type == YAML_STREAM_END_EVENT;
    status = handle_event(&r, &event, &documents);
    yaml_event_delete(&event);
  }
  yaml_parser_delete(&parser);
  if (status != AIMC_OK) *root = NULL;
  return status;
}

static int is_key_character(char c)
{
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

aimc_status cfg_merge_override(cfg_arena *arena, cfg_node **root, const char *override_text,
                               aimc_cfg_error *error)
{
  static const char prefix[] = "-p ";
  const int prefix_length = (int)sizeof prefix - 1;
  size_t text_length = strlen(override_text);
  cfg_source *source = cfg_arena_alloc(arena, sizeof *source);
  char *echo = cfg_arena_alloc(arena, prefix_length + text_length + 1);
  if (source == NULL || echo == NULL) return cfg_error_plain(error, AIMC_ENOMEM, "-p", "out of memory");
  memcpy(echo, prefix, (size_t)prefix_length);
  memcpy(echo + prefix_length, override_text, text_length + 1);
  source->origin = echo;
  source->text = echo;
  source->length = (size_t)prefix_length + text_length;
  source->is_override = 1;

  const char *equals = strchr(override_text, '=');
  if (equals == NULL || equals == override_text)
    return cfg_error_at_position(error, source, 1, prefix_length + 1,
                                 "expected section.key=value");
  const char *path_end = equals;
  int segments = 1;
  for (const char *p = override_text; p < path_end; p++) {
    if (*p == '.') segments++;
    if (*p == '.' ? (p == override_text || p[-1] == '.' || p + 1 == path_end) : !is_key_character(*p))
      return cfg_error_at_position(error, source, 1, prefix_length + 1 + (int)(p - override_text),
                                   "expected section.key=value with keys of letters, digits "
                                   "and '_' joined by '.'");
  }
  if (segments > AIMC_CFG_MAX_DEPTH)
    return cfg_error_at_position(error, source, 1, prefix_length + 1,
                                 "a key path deeper than %d levels", AIMC_CFG_MAX_DEPTH);

  const char *value_text = equals + 1;
  source->column_offset = prefix_length + (int)(value_text - override_text);
  cfg_node *value = NULL;
  aimc_status status = cfg_read_document(arena, source, value_text, strlen(value_text), &value, error);
  if (status != AIMC_OK) return status;
  if (value == NULL) {
    value = new_node(arena, CFG_SCALAR, source, 1, source->column_offset + 1);
    if (value == NULL) return cfg_error_plain(error, AIMC_ENOMEM, echo, "out of memory");
  }

  /* An empty document ("", "---", "~") becomes a mapping for the override. */
  if (*root == NULL || ((*root)->kind == CFG_SCALAR && cfg_is_null((*root)->text, (*root)->quoted))) {
    *root = new_node(arena, CFG_MAPPING, source, 1, prefix_length + 1);
    if (*root == NULL) return cfg_error_plain(error, AIMC_ENOMEM, echo, "out of memory");
  }
  /* A document that is not a mapping is reported when it is applied. */
  if ((*root)->kind != CFG_MAPPING) return AIMC_OK;
  cfg_node *mapping = *root;
  for (const char *segment = override_text; segment < path_end;) {
    const char *stop = segment;
    while (stop < path_end && *stop != '.') stop++;
    int column = prefix_length + 1 + (int)(segment - override_text);
    char *key = cfg_arena_strndup(arena, segment, (size_t)(stop - segment));
    if (key == NULL) return cfg_error_plain(error, AIMC_ENOMEM, echo, "out of memory");
    int last = stop == path_end;
    cfg_node *found = NULL;
    size_t index = 0;
    for (; index + 1 < mapping->count; index += 2) {
      if (strcmp(mapping->items[index]->text, key) == 0) { found = mapping->items[index + 1]; break; }
    }
    cfg_node *replacement = last ? value : found;
    if (!last && (found == NULL || found->kind != CFG_MAPPING)) {
      /* The override replaces whatever the file had at this path. */
      replacement = new_node(arena, CFG_MAPPING, source, 1, column);
      if (replacement == NULL) return cfg_error_plain(error, AIMC_ENOMEM, echo, "out of memory");
    }
    if (found != NULL) {
      mapping->items[index + 1] = replacement;
    } else {
      cfg_node *key_node = new_node(arena, CFG_SCALAR, source, 1, column);
      if (key_node == NULL) return cfg_error_plain(error, AIMC_ENOMEM, echo, "out of memory");
      key_node->text = key;
      if (!append_item(arena, mapping, key_node) || !append_item(arena, mapping, replacement))
        return cfg_error_plain(error, AIMC_ENOMEM, echo, "out of memory");
    }
    mapping = replacement;
    segment = last ? stop : stop + 1;
  }
  return AIMC_OK;
}
