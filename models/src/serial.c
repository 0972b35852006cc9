/* Checkpoint byte streams (serial.h). */
#include "aimc/serial.h"

#include <stdlib.h>
#include <string.h>

void aimc_writer_init(aimc_writer *writer) { memset(writer, 0, sizeof *writer); }

void aimc_writer_free(aimc_writer *writer) {
  free(writer->data);
  memset(writer, 0, sizeof *writer);
}

static unsigned char *reserve(aimc_writer *writer, size_t n) {
  if (writer->failed) return NULL;
  if (n > writer->capacity - writer->size) {
    size_t capacity = writer->capacity ? writer->capacity : 4096;
    while (capacity - writer->size < n) {
      if (capacity > SIZE_MAX / 2) {
        writer->failed = 1;
        return NULL;
      }
      capacity *= 2;
    }
    unsigned char *data = realloc(writer->data, capacity);
    if (!data) {
      writer->failed = 1;
      return NULL;
    }
    writer->data = data;
    writer->capacity = capacity;
  }
  unsigned char *at = writer->data + writer->size;
  writer->size += n;
  return at;
}

void aimc_write_bytes(aimc_writer *writer, const void *bytes, size_t n) {
  unsigned char *at = reserve(writer, n);
  if (at && n) memcpy(at, bytes, n);
}

static void put_le(unsigned char *at, uint64_t value, int bytes) {
  for (int k = 0; k < bytes; ++k) at[k] = (unsigned char)(value >> (8 * k));
}

static uint64_t get_le(const unsigned char *at, int bytes) {
  uint64_t value = 0;
  for (int k = 0; k < bytes; ++k) value |= (uint64_t)at[k] << (8 * k);
  return value;
}

void aimc_write_u8(aimc_writer *writer, uint8_t value) {
  unsigned char *at = reserve(writer, 1);
  if (at) *at = value;
}

void aimc_write_u32(aimc_writer *writer, uint32_t value) {
  unsigned char *at = reserve(writer, 4);
  if (at) put_le(at, value, 4);
}

void aimc_write_u64(aimc_writer *writer, uint64_t value) {
  unsigned char *at = reserve(writer, 8);
  if (at) put_le(at, value, 8);
}

void aimc_write_f64(aimc_writer *writer, double value) {
  uint64_t bits;
  memcpy(&bits, &value, sizeof bits);
  aimc_write_u64(writer, bits);
}

void aimc_write_f32s(aimc_writer *writer, const float *values, size_t n) {
  if (n > SIZE_MAX / 4) {
    writer->failed = 1;
    return;
  }
  unsigned char *at = reserve(writer, 4 * n);
  for (size_t k = 0; at && k < n; ++k) {
    uint32_t bits;
    memcpy(&bits, &values[k], sizeof bits);
    put_le(at + 4 * k, bits, 4);
  }
}

void aimc_write_f64s(aimc_writer *writer, const double *values, size_t n) {
  for (size_t k = 0; k < n && !writer->failed; ++k) aimc_write_f64(writer, values[k]);
}

void aimc_write_string(aimc_writer *writer, const char *text) {
  size_t n = strlen(text);
  if (n > UINT32_MAX) {
    writer->failed = 1;
    return;
  }
  aimc_write_u32(writer, (uint32_t)n);
  aimc_write_bytes(writer, text, n);
}

aimc_status aimc_writer_status(const aimc_writer *writer, const char *what) {
  return writer->failed ? aimc_error_set(AIMC_ENOMEM, "%s: out of memory", what) : AIMC_OK;
}

void aimc_reader_init(aimc_reader *reader, const void *data, size_t size) {
  memset(reader, 0, sizeof *reader);
  reader->data = data;
  reader->size = size;
}

void aimc_reader_fail(aimc_reader *reader) {
  if (!reader->failed) reader->failed_at = reader->pos;
  reader->failed = 1;
}

const unsigned char *aimc_read_view(aimc_reader *reader, size_t n) {
  if (reader->failed) return NULL;
  if (n > reader->size - reader->pos) {
    aimc_reader_fail(reader);
    return NULL;
  }
  const unsigned char *at = reader->data + reader->pos;
  reader->pos += n;
  return at;
}

int aimc_reader_has(const aimc_reader *reader, size_t n) {
  return !reader->failed && n <= reader->size - reader->pos;
}

int aimc_read_bytes(aimc_reader *reader, void *bytes, size_t n) {
  const unsigned char *at = aimc_read_view(reader, n);
  if (!at) return 0;
  if (n) memcpy(bytes, at, n);
  return 1;
}

uint8_t aimc_read_u8(aimc_reader *reader) {
  const unsigned char *at = aimc_read_view(reader, 1);
  return at ? *at : 0;
}

uint32_t aimc_read_u32(aimc_reader *reader) {
  const unsigned char *at = aimc_read_view(reader, 4);
  return at ? (uint32_t)get_le(at, 4) : 0;
}

uint64_t aimc_read_u64(aimc_reader *reader) {
  const unsigned char *at = aimc_read_view(reader, 8);
  return at ? get_le(at, 8) : 0;
}

double aimc_read_f64(aimc_reader *reader) {
  uint64_t bits = aimc_read_u64(reader);
  double value;
  memcpy(&value, &bits, sizeof value);
  return value;
}

int aimc_read_f32s(aimc_reader *reader, float *values, size_t n) {
  if (n > SIZE_MAX / 4) {
    aimc_reader_fail(reader);
    return 0;
  }
  const unsigned char *at = aimc_read_view(reader, 4 * n);
  for (size_t k = 0; at && k < n; ++k) {
    uint32_t bits = (uint32_t)get_le(at + 4 * k, 4);
    memcpy(&values[k], &bits, sizeof bits);
  }
  return at != NULL;
}

int aimc_read_f64s(aimc_reader *reader, double *values, size_t n) {
  if (n > SIZE_MAX / 8 || !aimc_reader_has(reader, 8 * n)) {
    aimc_reader_fail(reader);
    return 0;
  }
  for (size_t k = 0; k < n; ++k) values[k] = aimc_read_f64(reader);
  return 1;
}

int aimc_read_string(aimc_reader *reader, char *text, size_t capacity) {
  size_t start = reader->pos;
  uint32_t n = aimc_read_u32(reader);
  if (reader->failed) return 0;
  if (capacity == 0 || n > capacity - 1) {
    reader->pos = start;
    aimc_reader_fail(reader);
    return 0;
  }
  if (!aimc_read_bytes(reader, text, n)) return 0;
  text[n] = '\0';
  return 1;
}

aimc_status aimc_reader_status(const aimc_reader *reader, const char *what) {
  if (!reader->failed) return AIMC_OK;
  return aimc_error_set(AIMC_EFORMAT, "%s: truncated or malformed at byte %zu of %zu", what, reader->failed_at,
                        reader->size);
}

const char *aimc_escape(const void *bytes, size_t n, char *out, size_t capacity) {
  static const char hex[] = "0123456789abcdef";
  const unsigned char *p = bytes;
  size_t at = 0;
  if (capacity < 4) {
    if (capacity) out[0] = '\0';
    return out;
  }
  for (size_t k = 0; k < n; ++k) {
    if (n == SIZE_MAX && p[k] == '\0') break;
    char piece[5];
    size_t len;
    if (p[k] == '\\') {
      piece[0] = piece[1] = '\\';
      len = 2;
    } else if (p[k] >= 0x20 && p[k] < 0x7f) {
      piece[0] = (char)p[k];
      len = 1;
    } else {
      piece[0] = '\\';
      piece[1] = 'x';
      piece[2] = hex[p[k] >> 4];
      piece[3] = hex[p[k] & 15];
      len = 4;
    }
    if (at + len + 4 > capacity) { /* room for "..." and the NUL */
      memcpy(out + at, "...", 3);
      at += 3;
      break;
    }
    memcpy(out + at, piece, len);
    at += len;
  }
  out[at] = '\0';
  return out;
}

uint64_t aimc_hash64(const void *data, size_t n, uint64_t seed) {
  const unsigned char *p = data;
  uint64_t h = 0xcbf29ce484222325ull ^ seed;
  for (size_t k = 0; k < n; ++k) {
    h ^= p[k];
    h *= 0x100000001b3ull;
  }
  return h;
}
