/*
 * The value codec of one field: scalar text -> struct member (with type,
 * unit and bounds checks), and struct member -> YAML text. Parsing user input,
 * parsing default texts, dumps and the reference all go through here, so a
 * value is read and written one way only.
 */
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config_internal.h"

/* Enums longer than this are a schema bug (a name function that never ends). */
#define ENUM_MAX_VALUES 256

const char *cfg_type_name(aimc_cfg_type type)
{
  switch (type) {
  case AIMC_CFG_DOUBLE: return "number";
  case AIMC_CFG_INT: return "integer";
  case AIMC_CFG_UINT64: return "unsigned 64-bit integer";
  case AIMC_CFG_BOOL: return "bool";
  case AIMC_CFG_ENUM: return "enum";
  case AIMC_CFG_STRING: return "string";
  case AIMC_CFG_DOUBLE_LIST: return "list of numbers";
  case AIMC_CFG_SECTION: return "section";
  }
  return "value";
}

int cfg_is_null(const char *text, int quoted)
{
  return !quoted && (text[0] == '\0' || strcmp(text, "~") == 0 || strcmp(text, "null") == 0 ||
                     strcmp(text, "Null") == 0 || strcmp(text, "NULL") == 0);
}

int cfg_enum_count(const aimc_cfg_field *field)
{
  int count = 0;
  if (field->enum_name == NULL) return 0;
  while (count < ENUM_MAX_VALUES && field->enum_name(count) != NULL) count++;
  return count;
}

void cfg_format_enum_names(const aimc_cfg_field *field, const char *separator, char *buffer,
                           size_t size)
{
  size_t used = 0;
  buffer[0] = '\0';
  int count = cfg_enum_count(field);
  for (int i = 0; i < count && used < size; i++) {
    int n = snprintf(buffer + used, size - used, "%s%s", i > 0 ? separator : "", field->enum_name(i));
    if (n < 0) break;
    used += (size_t)n;
  }
}

static int has_min(const aimc_cfg_field *field) { return (field->flags & (AIMC_CFG_GE_MIN | AIMC_CFG_GT_MIN)) != 0; }
static int has_max(const aimc_cfg_field *field) { return (field->flags & (AIMC_CFG_LE_MAX | AIMC_CFG_LT_MAX)) != 0; }

static int within_bounds(const aimc_cfg_field *field, double value)
{
  if ((field->flags & AIMC_CFG_GE_MIN) && !(value >= field->min)) return 0;
  if ((field->flags & AIMC_CFG_GT_MIN) && !(value > field->min)) return 0;
  if ((field->flags & AIMC_CFG_LE_MAX) && !(value <= field->max)) return 0;
  if ((field->flags & AIMC_CFG_LT_MAX) && !(value < field->max)) return 0;
  return 1;
}

static void format_bound(const aimc_cfg_field *field, double bound, char *buffer, size_t size)
{
  if (field->type == AIMC_CFG_DOUBLE || field->type == AIMC_CFG_DOUBLE_LIST)
    aimc_cfg_format_quantity(buffer, size, bound, field->unit);
  else
    snprintf(buffer, size, "%.17g", bound);
}

void cfg_format_bounds(const aimc_cfg_field *field, char *buffer, size_t size)
{
  char low[64], high[64];
  format_bound(field, field->min, low, sizeof low);
  format_bound(field, field->max, high, sizeof high);
  int inclusive_low = (field->flags & AIMC_CFG_GE_MIN) != 0;
  int inclusive_high = (field->flags & AIMC_CFG_LE_MAX) != 0;
  if (has_min(field) && has_max(field))
    snprintf(buffer, size, "in %c%s, %s%c", inclusive_low ? '[' : '(', low, high,
             inclusive_high ? ']' : ')');
  else if (has_min(field))
    snprintf(buffer, size, "%s %s", inclusive_low ? ">=" : ">", low);
  else if (has_max(field))
    snprintf(buffer, size, "%s %s", inclusive_high ? "<=" : "<", high);
  else
    buffer[0] = '\0';
}

static aimc_status out_of_range(const aimc_cfg_field *field, const char *name, const char *text,
                                char *message, size_t message_size)
{
  char bounds[160];
  cfg_format_bounds(field, bounds, sizeof bounds);
  cfg_say(message, message_size, "'%s' = %s is out of range: must be %s", name, text, bounds);
  return AIMC_EINVAL;
}

static aimc_status parse_double(const aimc_cfg_field *field, const char *name, const char *text,
                                int quoted, double *value, char *message, size_t message_size)
{
  if (quoted) {
    cfg_say(message, message_size, "'%s' expects a number, got the quoted string \"%s\"", name, text);
    return AIMC_EINVAL;
  }
  char reason[300];
  if (aimc_cfg_parse_quantity(text, field->unit, value, reason, sizeof reason) != AIMC_OK) {
    if (strncmp(reason, "expected a number", 17) == 0)
      cfg_say(message, message_size, "'%s' expects a number%s%s, got '%s'", name,
          field->unit != AIMC_UNIT_NONE ? " in " : "", aimc_cfg_unit_symbol(field->unit), text);
    else
      cfg_say(message, message_size, "'%s': %s", name, reason);
    return AIMC_EINVAL;
  }
  if (!within_bounds(field, *value)) return out_of_range(field, name, text, message, message_size);
  return AIMC_OK;
}

aimc_status cfg_parse_list_element(const aimc_cfg_field *field, const char *name, const char *text,
                                   int quoted, double *value, char *message, size_t message_size)
{
  if (cfg_is_null(text, quoted)) {
    cfg_say(message, message_size, "'%s' has no value", name);
    return AIMC_EINVAL;
  }
  return parse_double(field, name, text, quoted, value, message, message_size);
}

/* Digits with an optional leading sign: the only integer syntax. */
static int is_integer_text(const char *text, int allow_sign)
{
  const char *p = text;
  if (allow_sign && (*p == '-' || *p == '+')) p++;
  if (*p == '\0') return 0;
  for (; *p != '\0'; p++)
    if (*p < '0' || *p > '9') return 0;
  return 1;
}

aimc_status cfg_parse_field_scalar(const aimc_cfg_field *field, const char *name, const char *text,
                                   int quoted, void *base, char *message, size_t message_size)
{
  if (cfg_is_null(text, quoted)) {
    cfg_say(message, message_size, "'%s' has no value", name);
    return AIMC_EINVAL;
  }
  switch (field->type) {
  case AIMC_CFG_DOUBLE: {
    double value;
    aimc_status status = parse_double(field, name, text, quoted, &value, message, message_size);
    if (status == AIMC_OK) *(double *)cfg_member(base, field) = value;
    return status;
  }
  case AIMC_CFG_INT: {
    if (quoted || !is_integer_text(text, 1)) {
      cfg_say(message, message_size, "'%s' expects an integer, got %s'%s'", name,
          quoted ? "the quoted string " : "", text);
      return AIMC_EINVAL;
    }
    errno = 0;
    long long value = strtoll(text, NULL, 10);
    if (errno == ERANGE || value < INT_MIN || value > INT_MAX) {
      cfg_say(message, message_size, "'%s' = %s does not fit in an int", name, text);
      return AIMC_EINVAL;
    }
    if (!within_bounds(field, (double)value)) return out_of_range(field, name, text, message, message_size);
    *(int *)cfg_member(base, field) = (int)value;
    return AIMC_OK;
  }
  case AIMC_CFG_UINT64: {
    if (quoted || !is_integer_text(text, 0)) {
      cfg_say(message, message_size, "'%s' expects an unsigned integer, got %s'%s'", name,
          quoted ? "the quoted string " : "", text);
      return AIMC_EINVAL;
    }
    errno = 0;
    unsigned long long value = strtoull(text, NULL, 10);
    if (errno == ERANGE) {
      cfg_say(message, message_size, "'%s' = %s does not fit in 64 bits", name, text);
      return AIMC_EINVAL;
    }
    if (!within_bounds(field, (double)value)) return out_of_range(field, name, text, message, message_size);
    *(uint64_t *)cfg_member(base, field) = (uint64_t)value;
    return AIMC_OK;
  }
  case AIMC_CFG_BOOL:
    if (!quoted && (strcmp(text, "true") == 0 || strcmp(text, "false") == 0)) {
      *(int *)cfg_member(base, field) = text[0] == 't';
      return AIMC_OK;
    }
    cfg_say(message, message_size, "'%s' expects true or false, got %s'%s'", name,
        quoted ? "the quoted string " : "", text);
    return AIMC_EINVAL;
  case AIMC_CFG_ENUM: {
    int count = cfg_enum_count(field), closest = -1, best = 1 << 20;
    for (int i = 0; i < count; i++) {
      const char *candidate = field->enum_name(i);
      if (strcmp(candidate, text) == 0) {
        *(int *)cfg_member(base, field) = i;
        return AIMC_OK;
      }
      int distance = cfg_edit_distance(text, candidate);
      if (distance < best && cfg_is_close(distance, strlen(candidate))) {
        best = distance;
        closest = i;
      }
    }
    char names[1024];
    cfg_format_enum_names(field, ", ", names, sizeof names);
    if (closest >= 0)
      cfg_say(message, message_size, "'%s' must be one of %s; got '%s' (did you mean '%s'?)", name,
          names, text, field->enum_name(closest));
    else
      cfg_say(message, message_size, "'%s' must be one of %s; got '%s'", name, names, text);
    return AIMC_EINVAL;
  }
  case AIMC_CFG_STRING: {
    size_t length = strlen(text);
    if (length + 1 > field->capacity) {
      cfg_say(message, message_size, "'%s' is too long: at most %zu bytes, got %zu", name,
          field->capacity - 1, length);
      return AIMC_EINVAL;
    }
    memcpy(cfg_member(base, field), text, length + 1);
    return AIMC_OK;
  }
  case AIMC_CFG_DOUBLE_LIST:
  case AIMC_CFG_SECTION:
    break;
  }
  cfg_say(message, message_size, "'%s' expects %s %s, got a scalar", name, cfg_article(cfg_type_name(field->type)),
          cfg_type_name(field->type));
  return AIMC_EINVAL;
}

/* Characters that a string can hold (through escapes) but that must not appear
 * raw in YAML: the C1 controls and U+FFFE/U+FFFF, which a YAML reader refuses,
 * NEL, LS and PS, which are line breaks to it (NEL folds to a space even inside
 * quotes), and the byte-order mark. */
static int needs_unicode_escape(unsigned code)
{
  return (code >= 0x80 && code <= 0x9F) || code == 0x2028 || code == 0x2029 || code == 0xFEFF ||
         code == 0xFFFE || code == 0xFFFF;
}

/* YAML double-quoted form: escapes quotes, backslashes, control characters and
 * the characters above, so that the text parses back to the same bytes. */
static int format_string(const char *text, char *buffer, size_t size)
{
  size_t used = 0;
  int total = 0;
#define EMIT(...) do { \
    int n_ = snprintf(buffer + used, used < size ? size - used : 0, __VA_ARGS__); \
    total += n_; used = used + (size_t)n_ < size ? used + (size_t)n_ : size; \
  } while (0)
  EMIT("\"");
  const unsigned char *end = (const unsigned char *)text + strlen(text);
  for (const unsigned char *p = (const unsigned char *)text; *p != '\0'; p++) {
    size_t width = *p >= 0x80 ? cfg_utf8_sequence(p, (size_t)(end - p)) : 0;
    unsigned code = width == 2 ? ((p[0] & 0x1Fu) << 6) | (p[1] & 0x3Fu)
                    : width == 3 ? ((p[0] & 0x0Fu) << 12) | ((p[1] & 0x3Fu) << 6) | (p[2] & 0x3Fu)
                    : 0;
    if (*p == '"' || *p == '\\') EMIT("\\%c", *p);
    else if (*p == '\n') EMIT("\\n");
    else if (*p == '\t') EMIT("\\t");
    else if (*p < 0x20 || *p == 0x7F) EMIT("\\x%02X", *p);
    else if (needs_unicode_escape(code)) {
      EMIT("\\u%04X", code);
      p += width - 1;
    }
    else EMIT("%c", *p);
  }
  EMIT("\"");
#undef EMIT
  return total;
}

int cfg_format_field(const aimc_cfg_field *field, const void *base, char *buffer, size_t size)
{
  const void *value = cfg_const_member(base, field);
  switch (field->type) {
  case AIMC_CFG_DOUBLE:
    return aimc_cfg_format_quantity(buffer, size, *(const double *)value, field->unit);
  case AIMC_CFG_INT:
    return snprintf(buffer, size, "%d", *(const int *)value);
  case AIMC_CFG_UINT64:
    return snprintf(buffer, size, "%" PRIu64, *(const uint64_t *)value);
  case AIMC_CFG_BOOL:
    return snprintf(buffer, size, "%s", *(const int *)value ? "true" : "false");
  case AIMC_CFG_ENUM: {
    int index = *(const int *)value;
    const char *name = index >= 0 && index < cfg_enum_count(field) ? field->enum_name(index) : NULL;
    return name != NULL ? snprintf(buffer, size, "%s", name) : snprintf(buffer, size, "%d", index);
  }
  case AIMC_CFG_STRING:
    return format_string((const char *)value, buffer, size);
  case AIMC_CFG_DOUBLE_LIST: {
    int count = *(const int *)((const char *)base + field->count_offset);
    if (count < 0) count = 0;
    if ((size_t)count > field->capacity) count = (int)field->capacity;
    size_t used = 0;
    int total = 0;
    for (int i = -1; i <= count; i++) {
      char item[64];
      if (i == -1) snprintf(item, sizeof item, "[");
      else if (i == count) snprintf(item, sizeof item, "]");
      else {
        int n = snprintf(item, sizeof item, "%s", i > 0 ? ", " : "");
        aimc_cfg_format_quantity(item + n, sizeof item - (size_t)n, ((const double *)value)[i],
                                 field->unit);
      }
      int n = snprintf(buffer + used, used < size ? size - used : 0, "%s", item);
      total += n;
      used = used + (size_t)n < size ? used + (size_t)n : size;
    }
    return total;
  }
  case AIMC_CFG_SECTION:
    break;
  }
  if (size > 0) buffer[0] = '\0';
  return 0;
}
