/*
 * Error reports in compiler form, and the allocation arena of one load.
 *
 *     configs/run.yaml:4:11: unknown key 'dw_mni' in section 'device'; did you mean 'dw_min'?
 *       dw_mni: 0.002
 *       ^
 *
 * Columns count characters (as libyaml's marks do), so the caret line copies
 * the tabs of the source line and uses one space per other character. Bytes
 * that are not valid UTF-8 are echoed as '?' so that the report itself is
 * valid text. Very long lines are shown as a window around the column.
 */
#include <stdarg.h>
#include <stdalign.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config_internal.h"

#define ARENA_BLOCK_SIZE 16384
/* Characters of a source line shown before the caret when the line is long. */
#define ECHO_LEAD 60
#define ECHO_WIDTH 160

struct cfg_arena_block {
  cfg_arena_block *next;
  size_t used, size;
  alignas(max_align_t) unsigned char data[];
};

void *cfg_arena_alloc(cfg_arena *arena, size_t size)
{
  size = (size + alignof(max_align_t) - 1) & ~(alignof(max_align_t) - 1);
  cfg_arena_block *block = arena->blocks;
  if (block == NULL || block->size - block->used < size) {
    size_t capacity = size > ARENA_BLOCK_SIZE ? size : ARENA_BLOCK_SIZE;
    block = malloc(sizeof *block + capacity);
    if (block == NULL) return NULL;
    block->used = 0;
    block->size = capacity;
    block->next = arena->blocks;
    arena->blocks = block;
  }
  void *memory = block->data + block->used;
  block->used += size;
  memset(memory, 0, size);
  return memory;
}

char *cfg_arena_strndup(cfg_arena *arena, const char *text, size_t length)
{
  char *copy = cfg_arena_alloc(arena, length + 1);
  if (copy == NULL) return NULL;
  memcpy(copy, text, length);
  copy[length] = '\0';
  return copy;
}

void *cfg_arena_reserve(cfg_arena *arena, void *items, size_t count, size_t *capacity, size_t size)
{
  if (count < *capacity) return items;
  size_t larger = *capacity ? 2 * *capacity : 8;
  void *grown = cfg_arena_alloc(arena, larger * size);
  if (grown == NULL) return NULL;
  if (count > 0) memcpy(grown, items, count * size);
  *capacity = larger;
  return grown;
}

void cfg_arena_free(cfg_arena *arena)
{
  while (arena->blocks != NULL) {
    cfg_arena_block *next = arena->blocks->next;
    free(arena->blocks);
    arena->blocks = next;
  }
}

size_t cfg_utf8_sequence(const unsigned char *p, size_t available)
{
  if (available == 0) return 0;
  unsigned c = p[0];
  if (c < 0x80) return 1;
  size_t length;
  unsigned minimum, code;
  if (c >= 0xC2 && c <= 0xDF) { length = 2; code = c & 0x1F; minimum = 0x80; }
  else if (c >= 0xE0 && c <= 0xEF) { length = 3; code = c & 0x0F; minimum = 0x800; }
  else if (c >= 0xF0 && c <= 0xF4) { length = 4; code = c & 0x07; minimum = 0x10000; }
  else return 0;
  if (available < length) return 0;
  for (size_t i = 1; i < length; i++) {
    if ((p[i] & 0xC0) != 0x80) return 0;
    code = (code << 6) | (p[i] & 0x3F);
  }
  if (code < minimum || code > 0x10FFFF || (code >= 0xD800 && code <= 0xDFFF)) return 0;
  return length;
}

typedef struct text_buffer {
  char *data;
  size_t size, length;
} text_buffer;

static void append(text_buffer *out, const char *text, size_t length)
{
  if (out->length + 1 >= out->size) return;
  size_t room = out->size - 1 - out->length;
  if (length > room) length = room;
  memcpy(out->data + out->length, text, length);
  out->length += length;
  out->data[out->length] = '\0';
}

static void append_text(text_buffer *out, const char *text) { append(out, text, strlen(text)); }

/* Appends the source line and a caret under `column`. */
static void append_source_line(text_buffer *out, const cfg_source *source, int line, int column)
{
  const char *text = source->text, *end = source->text + source->length;
  const char *start = text;
  for (int current = 1; current < line && start < end; start++) {
    if (*start == '\r' && start + 1 < end && start[1] == '\n') start++;
    if (*start == '\n' || *start == '\r') current++;
  }
  const char *stop = start;
  while (stop < end && *stop != '\n' && *stop != '\r') stop++;

  int skip = column > ECHO_LEAD + ECHO_LEAD / 2 ? column - 1 - ECHO_LEAD : 0;
  char echo[ECHO_WIDTH * 4 + 16], caret[ECHO_WIDTH + 16];
  size_t echo_length = 0, caret_length = 0;
  if (skip > 0) {
    memcpy(echo, "...", 3);
    memcpy(caret, "   ", 3);
    echo_length = caret_length = 3;
  }
  int character = 0, shown = 0;
  for (const char *p = start; p < stop; character++) {
    size_t width = cfg_utf8_sequence((const unsigned char *)p, (size_t)(stop - p));
    int valid = width > 0 && !(width == 1 && (unsigned char)*p < 0x20 && *p != '\t');
    if (width == 0) width = 1;
    if (character >= skip) {
      if (shown == ECHO_WIDTH) {
        memcpy(echo + echo_length, "...", 3);
        echo_length += 3;
        break;
      }
      if (valid) {
        memcpy(echo + echo_length, p, width);
        echo_length += width;
      } else {
        echo[echo_length++] = '?';
      }
      if (character < column - 1) caret[caret_length++] = *p == '\t' ? '\t' : ' ';
      shown++;
    }
    p += width;
  }
  /* A column past the end of the line (e.g. an unexpected end of input). */
  for (int i = character; i < column - 1 && caret_length < ECHO_WIDTH; i++) caret[caret_length++] = ' ';
  caret[caret_length++] = '^';
  append(out, echo, echo_length);
  append_text(out, "\n");
  append(out, caret, caret_length);
  append_text(out, "\n");
}

static aimc_status report(aimc_cfg_error *error, const cfg_source *source, const char *origin,
                          int line, int column, const char *format, va_list args)
{
  memset(error, 0, sizeof *error);
  snprintf(error->origin, sizeof error->origin, "%s", origin);
  error->line = line;
  error->column = column;
  vsnprintf(error->message, sizeof error->message, format, args);
  text_buffer out = {error->text, sizeof error->text, 0};
  char location[300];
  int is_override = source != NULL && source->is_override;
  if (line > 0 && !is_override)
    snprintf(location, sizeof location, "%s:%d:%d: ", origin, line, column);
  else
    snprintf(location, sizeof location, "%s: ", origin);
  append_text(&out, location);
  append_text(&out, error->message);
  append_text(&out, "\n");
  if (source != NULL && line > 0) append_source_line(&out, source, line, column);
  return AIMC_EFORMAT;
}

aimc_status cfg_error_at(aimc_cfg_error *error, const cfg_node *node, const char *format, ...)
{
  va_list args;
  va_start(args, format);
  aimc_status status = report(error, node->source, node->source->origin, node->line,
                              node->column, format, args);
  va_end(args);
  return status;
}

aimc_status cfg_error_at_position(aimc_cfg_error *error, const cfg_source *source, int line,
                                  int column, const char *format, ...)
{
  va_list args;
  va_start(args, format);
  aimc_status status = report(error, source, source->origin, line, column, format, args);
  va_end(args);
  return status;
}

aimc_status cfg_error_plain(aimc_cfg_error *error, aimc_status status, const char *origin,
                            const char *format, ...)
{
  va_list args;
  va_start(args, format);
  report(error, NULL, origin, 0, 0, format, args);
  va_end(args);
  return status;
}

void cfg_say(char *message, size_t size, const char *format, ...)
{
  if (size == 0) return;
  va_list args;
  va_start(args, format);
  vsnprintf(message, size, format, args);
  va_end(args);
}

int cfg_edit_distance(const char *a, const char *b)
{
  size_t n = strlen(a), m = strlen(b);
  if (n > 63 || m > 63) return 64;
  int d[64][64];
  for (size_t i = 0; i <= n; i++) d[i][0] = (int)i;
  for (size_t j = 0; j <= m; j++) d[0][j] = (int)j;
  for (size_t i = 1; i <= n; i++) {
    for (size_t j = 1; j <= m; j++) {
      int cost = a[i - 1] != b[j - 1];
      int best = d[i - 1][j] + 1;
      if (d[i][j - 1] + 1 < best) best = d[i][j - 1] + 1;
      if (d[i - 1][j - 1] + cost < best) best = d[i - 1][j - 1] + cost;
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
          d[i - 2][j - 2] + 1 < best)
        best = d[i - 2][j - 2] + 1;
      d[i][j] = best;
    }
  }
  return d[n][m];
}

int cfg_is_close(int distance, size_t candidate_length)
{
  int limit = 1 + (int)candidate_length / 4;
  if (limit > 3) limit = 3;
  return distance <= limit;
}
