/*
 * Byte streams for checkpoints: a growing writer and a bounds-checked reader of
 * little-endian integers, IEEE doubles and floats (bit patterns, so that values
 * come back exactly) and length-prefixed strings. A reader never reads past its
 * end: the first short read marks it failed and every later read returns 0, so
 * a caller checks aimc_reader_status once after a group of reads.
 */
#ifndef AIMC_SERIAL_H
#define AIMC_SERIAL_H

#include <stddef.h>
#include <stdint.h>

#include "aimc/error.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct aimc_writer {
  unsigned char *data;
  size_t size, capacity;
  int failed; /* an allocation failed; the content is incomplete */
} aimc_writer;

void aimc_writer_init(aimc_writer *writer);
void aimc_writer_free(aimc_writer *writer);
void aimc_write_bytes(aimc_writer *writer, const void *bytes, size_t n);
void aimc_write_u8(aimc_writer *writer, uint8_t value);
void aimc_write_u32(aimc_writer *writer, uint32_t value);
void aimc_write_u64(aimc_writer *writer, uint64_t value);
void aimc_write_f64(aimc_writer *writer, double value);
void aimc_write_f32s(aimc_writer *writer, const float *values, size_t n);
void aimc_write_f64s(aimc_writer *writer, const double *values, size_t n);
void aimc_write_string(aimc_writer *writer, const char *text); /* u32 length + bytes */
/* AIMC_OK, or AIMC_ENOMEM if an allocation failed. */
aimc_status aimc_writer_status(const aimc_writer *writer, const char *what);

typedef struct aimc_reader {
  const unsigned char *data;
  size_t size, pos;
  int failed;        /* a read went past the end or a value was out of range */
  size_t failed_at;  /* offset of the first failed read */
} aimc_reader;

void aimc_reader_init(aimc_reader *reader, const void *data, size_t size);
/* Marks the reader failed at its position (a value read was out of range). */
void aimc_reader_fail(aimc_reader *reader);
int aimc_read_bytes(aimc_reader *reader, void *bytes, size_t n);
/* A pointer to the next n bytes (NULL and failed if fewer remain). */
const unsigned char *aimc_read_view(aimc_reader *reader, size_t n);
uint8_t aimc_read_u8(aimc_reader *reader);
uint32_t aimc_read_u32(aimc_reader *reader);
uint64_t aimc_read_u64(aimc_reader *reader);
double aimc_read_f64(aimc_reader *reader);
int aimc_read_f32s(aimc_reader *reader, float *values, size_t n);
int aimc_read_f64s(aimc_reader *reader, double *values, size_t n);
/* A string of at most capacity - 1 bytes into text (NUL-terminated). */
int aimc_read_string(aimc_reader *reader, char *text, size_t capacity);
/* Whether at least n more bytes remain (without consuming them). */
int aimc_reader_has(const aimc_reader *reader, size_t n);
/* AIMC_OK, or AIMC_EFORMAT naming `what` and the offset of the first bad read. */
aimc_status aimc_reader_status(const aimc_reader *reader, const char *what);

/* Bytes read from a file, made safe to quote in a message: printable ASCII
 * stays, a backslash becomes "\\", every other byte (control characters,
 * DEL, bytes >= 0x80) becomes "\xNN"; a text that does not fit ends in "...".
 * Stops at the first NUL when n is SIZE_MAX (a C string). Returns out, always
 * NUL-terminated (capacity >= 4). */
const char *aimc_escape(const void *bytes, size_t n, char *out, size_t capacity);

/* 64-bit FNV-1a hash of a byte range (identity checks of derived state). */
uint64_t aimc_hash64(const void *data, size_t n, uint64_t seed);

#ifdef __cplusplus
}
#endif
#endif
