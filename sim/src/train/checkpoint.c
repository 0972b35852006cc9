/* Checkpoint container: parse, read, build (aimc_sim/checkpoint.h). */
#include "aimc_sim/checkpoint.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <zlib.h>

static const char magic[8] = {'A', 'I', 'M', 'C', 'C', 'K', 'P', 'T'};
enum { HEADER = 16, TRAILER = 4, SECTION_HEADER = 12 };

static uint32_t crc_of(const unsigned char *data, size_t size) {
  uLong crc = crc32(0L, Z_NULL, 0);
  while (size > 0) { /* zlib takes uInt lengths */
    uInt chunk = size > 0x40000000u ? 0x40000000u : (uInt)size;
    crc = crc32(crc, data, chunk);
    data += chunk;
    size -= chunk;
  }
  return (uint32_t)crc;
}

/* A section tag as text, escaped (it comes from the file). */
static void tag_text(uint32_t tag, char text[17]) {
  unsigned char bytes[4];
  for (int k = 0; k < 4; ++k) bytes[k] = (unsigned char)(tag >> (8 * k));
  aimc_escape(bytes, 4, text, 17);
}

/* Whether the sections the header announces need more bytes than the file
 * has (before its CRC). */
static int ends_early(const unsigned char *bytes, size_t size, uint32_t count) {
  size_t end = HEADER;
  for (uint32_t k = 0; k < count; ++k) {
    if (size - end < SECTION_HEADER) return 1;
    uint64_t length = 0;
    for (int b = 0; b < 8; ++b) length |= (uint64_t)bytes[end + 4 + b] << (8 * b);
    if (length > size - end - SECTION_HEADER) return 1;
    end += SECTION_HEADER + (size_t)length;
  }
  return size - end < TRAILER;
}

aimc_status aimc_checkpoint_parse(const void *data, size_t size, int verify_crc, aimc_checkpoint *checkpoint) {
  memset(checkpoint, 0, sizeof *checkpoint);
  const unsigned char *bytes = data;
  if (size < sizeof magic || memcmp(bytes, magic, sizeof magic) != 0)
    return aimc_error_set(AIMC_EFORMAT, "not an aimcsim checkpoint (no AIMCCKPT header)");
  if (size < HEADER + TRAILER)
    return aimc_error_set(AIMC_EFORMAT, "checkpoint: truncated (%zu bytes; a checkpoint has at least %d)", size,
                          HEADER + TRAILER);
  aimc_reader in;
  aimc_reader_init(&in, bytes, size - TRAILER);
  aimc_read_view(&in, sizeof magic);
  uint32_t version = aimc_read_u32(&in), count = aimc_read_u32(&in);
  if (version != AIMC_CHECKPOINT_VERSION)
    return aimc_error_set(AIMC_EFORMAT, "checkpoint version %u; this aimcsim reads version %u", version,
                          AIMC_CHECKPOINT_VERSION);
  if (count > AIMC_CHECKPOINT_MAX_SECTIONS)
    return aimc_error_set(AIMC_EFORMAT, "checkpoint: %u sections (at most %d)", count, AIMC_CHECKPOINT_MAX_SECTIONS);
  aimc_reader tail;
  aimc_reader_init(&tail, bytes + size - TRAILER, TRAILER);
  uint32_t stored = aimc_read_u32(&tail);
  if (verify_crc && stored != crc_of(bytes, size - TRAILER)) {
    /* A file cut short (a copy that stopped, a full disk) ends inside its
     * sections: say so rather than only that the CRC differs. */
    if (ends_early(bytes, size, count))
      return aimc_error_set(AIMC_EFORMAT, "checkpoint: truncated (its %zu bytes end inside its sections, or a section "
                            "length is damaged)", size);
    return aimc_error_set(AIMC_EFORMAT, "checkpoint: CRC mismatch (the file is damaged)");
  }
  for (uint32_t k = 0; k < count; ++k) {
    size_t at = in.pos;
    uint32_t tag = aimc_read_u32(&in);
    uint64_t length = aimc_read_u64(&in);
    const unsigned char *body = in.failed || length > in.size - in.pos ? NULL : aimc_read_view(&in, (size_t)length);
    if (!body)
      return aimc_error_set(AIMC_EFORMAT, "checkpoint: section %u at byte %zu runs past the end of the file", k, at);
    char text[17];
    tag_text(tag, text);
    if (aimc_checkpoint_find(checkpoint, tag))
      return aimc_error_set(AIMC_EFORMAT, "checkpoint: section %s appears twice", text);
    checkpoint->sections[k].tag = tag;
    checkpoint->sections[k].data = body;
    checkpoint->sections[k].size = (size_t)length;
    checkpoint->n_sections = (int)k + 1;
  }
  if (in.pos != in.size)
    return aimc_error_set(AIMC_EFORMAT, "checkpoint: %zu bytes after the last section", in.size - in.pos);
  checkpoint->size = size;
  return AIMC_OK;
}

aimc_status aimc_checkpoint_read_file(const char *path, size_t max_bytes, aimc_checkpoint *checkpoint) {
  memset(checkpoint, 0, sizeof *checkpoint);
  FILE *file = fopen(path, "rb");
  if (!file) return aimc_error_set(AIMC_EIO, "%s: %s", path, strerror(errno));
  struct stat info;
  if (fstat(fileno(file), &info) != 0 || !S_ISREG(info.st_mode)) {
    fclose(file);
    return aimc_error_set(AIMC_EIO, "%s: not a regular file", path);
  }
  if ((uint64_t)info.st_size > (uint64_t)max_bytes) {
    fclose(file);
    return aimc_error_set(AIMC_EFORMAT, "%s: %lld bytes, more than the %zu this run's state can take", path,
                          (long long)info.st_size, max_bytes);
  }
  size_t size = (size_t)info.st_size;
  unsigned char *bytes = malloc(size ? size : 1);
  if (!bytes) {
    fclose(file);
    return aimc_error_set(AIMC_ENOMEM, "%s: out of memory for %zu bytes", path, size);
  }
  size_t got = fread(bytes, 1, size, file);
  fclose(file);
  if (got != size) {
    free(bytes);
    return aimc_error_set(AIMC_EIO, "%s: read %zu of %zu bytes", path, got, size);
  }
  aimc_status status = aimc_checkpoint_parse(bytes, size, 1, checkpoint);
  if (status != AIMC_OK) {
    char reason[512];
    snprintf(reason, sizeof reason, "%s", aimc_error_message());
    free(bytes);
    memset(checkpoint, 0, sizeof *checkpoint);
    return aimc_error_set(status, "%s: %s", path, reason);
  }
  checkpoint->bytes = bytes;
  return AIMC_OK;
}

void aimc_checkpoint_free(aimc_checkpoint *checkpoint) {
  free(checkpoint->bytes);
  memset(checkpoint, 0, sizeof *checkpoint);
}

const aimc_checkpoint_section *aimc_checkpoint_find(const aimc_checkpoint *checkpoint, uint32_t tag) {
  for (int k = 0; k < checkpoint->n_sections; ++k)
    if (checkpoint->sections[k].tag == tag) return &checkpoint->sections[k];
  return NULL;
}

/* The field's name from the variadic function's format and arguments. */
#define FIELD_NAME(name, field)                \
  char name[160];                              \
  do {                                         \
    va_list args;                              \
    va_start(args, field);                     \
    vsnprintf(name, sizeof name, field, args); \
    va_end(args);                              \
  } while (0)

aimc_status aimc_checkpoint_check_nonnegative(double value, const char *unit, const char *field, ...) {
  if (isfinite(value) && value >= 0.0) return AIMC_OK;
  FIELD_NAME(name, field);
  return aimc_error_set(AIMC_EFORMAT, AIMC_CHECKPOINT_NAME ": %s is %g%s%s, not a finite non-negative number", name,
                        value, *unit ? " " : "", unit);
}

aimc_status aimc_checkpoint_check_finite(double value, int nan_ok, const char *field, ...) {
  if (isfinite(value) || (nan_ok && isnan(value))) return AIMC_OK;
  FIELD_NAME(name, field);
  return aimc_error_set(AIMC_EFORMAT, AIMC_CHECKPOINT_NAME ": %s is %g, not a finite number", name, value);
}

aimc_status aimc_checkpoint_check_count(uint64_t value, uint64_t limit, const char *limit_what, const char *field,
                                        ...) {
  if (value <= limit) return AIMC_OK;
  FIELD_NAME(name, field);
  return aimc_error_set(AIMC_EFORMAT, AIMC_CHECKPOINT_NAME ": %s is %llu, more than %s", name,
                        (unsigned long long)value, limit_what);
}

aimc_status aimc_checkpoint_check_floats(const float *values, size_t n, const char *field, ...) {
  for (size_t k = 0; k < n; ++k) {
    if (isfinite(values[k])) continue;
    FIELD_NAME(name, field);
    return aimc_error_set(AIMC_EFORMAT, AIMC_CHECKPOINT_NAME ": %s: value %zu is %g, not a finite number", name, k,
                          (double)values[k]);
  }
  return AIMC_OK;
}

aimc_status aimc_checkpoint_refuse(const char *format, ...) {
  char text[400];
  va_list args;
  va_start(args, format);
  vsnprintf(text, sizeof text, format, args);
  va_end(args);
  return aimc_error_set(AIMC_EFORMAT, AIMC_CHECKPOINT_NAME ": %s", text);
}

void aimc_checkpoint_start(aimc_writer *out) {
  aimc_write_bytes(out, magic, sizeof magic);
  aimc_write_u32(out, AIMC_CHECKPOINT_VERSION);
  aimc_write_u32(out, 0); /* sections, counted by begin_section */
}

size_t aimc_checkpoint_begin_section(aimc_writer *out, uint32_t tag) {
  if (!out->failed && out->size >= HEADER) {
    uint32_t count = (uint32_t)out->data[12] | (uint32_t)out->data[13] << 8 | (uint32_t)out->data[14] << 16 |
                     (uint32_t)out->data[15] << 24;
    ++count;
    for (int k = 0; k < 4; ++k) out->data[12 + k] = (unsigned char)(count >> (8 * k));
  }
  aimc_write_u32(out, tag);
  size_t begun = out->size;
  aimc_write_u64(out, 0); /* length, patched by end_section */
  return begun;
}

void aimc_checkpoint_end_section(aimc_writer *out, size_t begun) {
  if (out->failed) return;
  uint64_t length = out->size - begun - 8;
  for (int k = 0; k < 8; ++k) out->data[begun + k] = (unsigned char)(length >> (8 * k));
}

aimc_status aimc_checkpoint_finish(aimc_writer *out) {
  if (!out->failed) aimc_write_u32(out, crc_of(out->data, out->size));
  return aimc_writer_status(out, "checkpoint");
}
