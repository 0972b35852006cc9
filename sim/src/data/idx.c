/*
 * IDX reader and writer (format in aimc_sim/idx.h).
 *
 * Reading goes through zlib's gz* API for both kinds of file: zlib decompresses
 * a file that starts with the gzip magic and copies any other file unchanged.
 * The header is validated field by field before the data is touched. A plain
 * regular file's size is known, so truncation and trailing bytes are found by
 * arithmetic before anything is allocated. A gzip file's uncompressed size is
 * not known (the trailer's ISIZE is modulo 2^32 and easily forged), so its data
 * is read into a buffer that grows by at most READ_CHUNK_MAX bytes at a time:
 * memory stays within the bytes actually present plus one chunk, however large
 * a count the header claims.
 */
#define _XOPEN_SOURCE 700

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "aimc_sim/fileio.h"
#include "data_internal.h"

/* A gzip file's data buffer starts at READ_CHUNK_MIN bytes and grows by its own
 * size, but by no more than READ_CHUNK_MAX at a time. */
#define READ_CHUNK_MIN ((size_t)64 << 10)
#define READ_CHUNK_MAX ((size_t)16 << 20)
/* gzread takes an unsigned int length; stay well inside it. */
#define GZ_IO_MAX ((size_t)1 << 30)
/* Staging buffer for byte-order conversion when writing. */
#define WRITE_BUFFER_SIZE ((size_t)64 << 10)

size_t aimc_idx_type_size(aimc_idx_type type) {
  switch (type) {
    case AIMC_IDX_UBYTE:
    case AIMC_IDX_BYTE: return 1;
    case AIMC_IDX_SHORT: return 2;
    case AIMC_IDX_INT:
    case AIMC_IDX_FLOAT: return 4;
    case AIMC_IDX_DOUBLE: return 8;
  }
  return 0;
}

const char *aimc_idx_type_name(aimc_idx_type type) {
  switch (type) {
    case AIMC_IDX_UBYTE: return "ubyte";
    case AIMC_IDX_BYTE: return "byte";
    case AIMC_IDX_SHORT: return "short";
    case AIMC_IDX_INT: return "int";
    case AIMC_IDX_FLOAT: return "float";
    case AIMC_IDX_DOUBLE: return "double";
  }
  return "unknown";
}

uint32_t aimc_idx_magic(const aimc_idx *idx) {
  return ((uint32_t)idx->type << 8) | (uint32_t)idx->ndims;
}

char *aimc_idx_shape_string(const aimc_idx *idx, char *buffer, size_t size) {
  if (size == 0) return buffer;
  buffer[0] = '\0';
  size_t used = 0;
  for (int i = 0; i < idx->ndims && i < AIMC_IDX_MAX_DIMS && used < size; ++i) {
    int n = snprintf(buffer + used, size - used, i == 0 ? "%" PRIu32 : " x %" PRIu32,
                     idx->dims[i]);
    if (n < 0) break;
    used += (size_t)n;
  }
  return buffer;
}

void aimc_idx_free(aimc_idx *idx) {
  free(idx->data);
  memset(idx, 0, sizeof *idx);
}

/* ---- reading ---- */

/* zlib's message for the last error, without the "<fd:N>: " that gzerror puts
 * before it for a stream opened with gzdopen. */
static const char *zlib_message(gzFile gz, int *code) {
  const char *message = gzerror(gz, code);
  if (strncmp(message, "<fd:", 4) == 0) {
    const char *rest = strstr(message, ": ");
    if (rest != NULL) return rest + 2;
  }
  return message;
}

/* Reads up to size bytes, stopping early only at the end of the stream.
 * Returns the count, or -1 after recording an error. */
static long long read_fully(aimc_idx_reader *reader, void *buffer, size_t size) {
  unsigned char *bytes = buffer;
  size_t total = 0;
  while (total < size) {
    size_t want = size - total < GZ_IO_MAX ? size - total : GZ_IO_MAX;
    int got = gzread(reader->gz, bytes + total, (unsigned)want);
    if (got < 0) {
      int code;
      const char *message = zlib_message(reader->gz, &code);
      if (code == Z_ERRNO)
        aimc_error_set(AIMC_EIO, "%s: read failed: %s", reader->path, strerror(errno));
      else
        aimc_error_set(AIMC_EFORMAT, "%s: corrupt gzip data: %s", reader->path, message);
      return -1;
    }
    if (got == 0) break;
    total += (size_t)got;
  }
  return (long long)total;
}

/* A note for truncation messages when the gzip stream itself ended without
 * its end-of-stream marker (an interrupted download), else "". */
static const char *cut_short_note(aimc_idx_reader *reader) {
  int code = Z_OK;
  if (reader->header.gzip) gzerror(reader->gz, &code);
  return code == Z_BUF_ERROR ? " (the gzip stream is cut short)" : "";
}

static aimc_status short_read_error(aimc_idx_reader *reader, const char *what,
                                    uint64_t expected, uint64_t got) {
  return aimc_error_set(AIMC_EFORMAT, "%s: truncated %s: expected %" PRIu64 " bytes, got %" PRIu64
                        "%s", reader->path, what, expected, got, cut_short_note(reader));
}

static uint32_t big_endian_32(const unsigned char *bytes) {
  return ((uint32_t)bytes[0] << 24) | ((uint32_t)bytes[1] << 16) | ((uint32_t)bytes[2] << 8) |
         (uint32_t)bytes[3];
}

/* Validates the 4-byte magic and the dimension sizes into reader->header. */
static aimc_status read_header(aimc_idx_reader *reader) {
  unsigned char magic[4];
  long long got = read_fully(reader, magic, sizeof magic);
  if (got < 0) return AIMC_EFORMAT;
  /* zlib has looked for the gzip magic by now. */
  reader->header.gzip = !gzdirect(reader->gz);
  if (got == 0) return aimc_error_set(AIMC_EFORMAT, "%s: empty file, not an IDX file", reader->path);
  if (got < 4) return short_read_error(reader, "header (magic number)", 4, (uint64_t)got);
  uint32_t magic_number = big_endian_32(magic);
  if (magic[0] != 0 || magic[1] != 0)
    return aimc_error_set(AIMC_EFORMAT,
                          "%s: wrong magic number 0x%08" PRIX32
                          ": not an IDX file (its first two bytes must be zero)",
                          reader->path, magic_number);
  aimc_idx_type type = (aimc_idx_type)magic[2];
  if (aimc_idx_type_size(type) == 0)
    return aimc_error_set(AIMC_EFORMAT,
                          "%s: unsupported IDX data type 0x%02X in magic number 0x%08" PRIX32
                          " (supported: 0x08 ubyte, 0x09 byte, 0x0B short, 0x0C int, 0x0D float,"
                          " 0x0E double)",
                          reader->path, magic[2], magic_number);
  int ndims = magic[3];
  if (ndims == 0)
    return aimc_error_set(AIMC_EFORMAT, "%s: IDX header declares zero dimensions", reader->path);
  if (ndims > AIMC_IDX_MAX_DIMS)
    return aimc_error_set(AIMC_EFORMAT,
                          "%s: IDX header declares %d dimensions, more than the %d supported",
                          reader->path, ndims, AIMC_IDX_MAX_DIMS);
  unsigned char sizes[4 * AIMC_IDX_MAX_DIMS];
  got = read_fully(reader, sizes, 4 * (size_t)ndims);
  if (got < 0) return AIMC_EFORMAT;
  if (got < 4 * (long long)ndims)
    return short_read_error(reader, "header (dimension sizes)", 4 * (uint64_t)ndims,
                            (uint64_t)got);

  aimc_idx *header = &reader->header;
  header->type = type;
  header->ndims = ndims;
  int any_zero = 0;
  for (int i = 0; i < ndims; ++i) {
    header->dims[i] = big_endian_32(sizes + 4 * i);
    if (header->dims[i] == 0) any_zero = 1;
  }
  /* The product of the sizes can overflow 64 bits; stop as soon as it passes
   * the limit. */
  uint64_t element_size = aimc_idx_type_size(type);
  uint64_t bytes = any_zero ? 0 : element_size;
  for (int i = 0; i < ndims && bytes > 0; ++i) {
    if (bytes > AIMC_IDX_MAX_DATA_BYTES / header->dims[i]) {
      char shape[16 * AIMC_IDX_MAX_DIMS];
      return aimc_error_set(AIMC_EFORMAT,
                            "%s: IDX header declares %s %s elements, more than the %" PRIu64
                            "-byte limit (corrupt header?)",
                            reader->path, aimc_idx_shape_string(header, shape, sizeof shape),
                            aimc_idx_type_name(type), AIMC_IDX_MAX_DATA_BYTES);
    }
    bytes *= header->dims[i];
  }
  reader->data_bytes = bytes;
  header->count = (size_t)(bytes / element_size);
  return AIMC_OK;
}

/* For a plain regular file, the data size is checked against the file size. */
static aimc_status check_data_size(aimc_idx_reader *reader) {
  if (!reader->size_known) return AIMC_OK;
  uint64_t expected = reader->data_bytes;
  uint64_t available = reader->data_available;
  char shape[16 * AIMC_IDX_MAX_DIMS];
  aimc_idx_shape_string(&reader->header, shape, sizeof shape);
  if (available < expected)
    return aimc_error_set(AIMC_EFORMAT,
                          "%s: truncated data: the header declares %s %s, expected %" PRIu64
                          " bytes of data, got %" PRIu64,
                          reader->path, shape, aimc_idx_type_name(reader->header.type), expected,
                          available);
  if (available > expected)
    return aimc_error_set(AIMC_EFORMAT,
                          "%s: %" PRIu64 " trailing bytes after the %" PRIu64
                          " bytes of data the header declares (%s %s)",
                          reader->path, available - expected, expected, shape,
                          aimc_idx_type_name(reader->header.type));
  return AIMC_OK;
}

aimc_status aimc_idx_reader_open(aimc_idx_reader *reader, const char *path) {
  memset(reader, 0, sizeof *reader);
  reader->path = path;
  /* A FIFO, socket or device would block the read or never end: refused before it is opened. */
  struct stat kind;
  if (stat(path, &kind) == 0 && !S_ISDIR(kind.st_mode)) { /* a directory: reported below */
    aimc_status regular = aimc_require_regular_file("IDX file", path);
    if (regular != AIMC_OK) return regular;
  }
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return aimc_error_set(AIMC_EIO, "%s: cannot open: %s", path, strerror(errno));
  struct stat info;
  if (fstat(fd, &info) != 0) {
    int error = errno;
    close(fd);
    return aimc_error_set(AIMC_EIO, "%s: cannot stat: %s", path, strerror(error));
  }
  if (S_ISDIR(info.st_mode)) {
    close(fd);
    return aimc_error_set(AIMC_EIO, "%s: is a directory, not an IDX file", path);
  }
  reader->gz = gzdopen(fd, "rb");
  if (reader->gz == NULL) {
    close(fd);
    return aimc_error_set(AIMC_ENOMEM, "%s: out of memory opening the file", path);
  }
  aimc_status status = read_header(reader);
  if (status == AIMC_OK && S_ISREG(info.st_mode) && !reader->header.gzip) {
    uint64_t header_bytes = 4 + 4 * (uint64_t)reader->header.ndims;
    uint64_t file_bytes = (uint64_t)info.st_size;
    reader->size_known = 1;
    reader->data_available = file_bytes > header_bytes ? file_bytes - header_bytes : 0;
    status = check_data_size(reader);
  }
  if (status != AIMC_OK) aimc_idx_reader_close(reader);
  return status;
}

void aimc_idx_reader_close(aimc_idx_reader *reader) {
  if (reader->gz != NULL) gzclose_r(reader->gz);
  reader->gz = NULL;
}

/* Converts count big-endian elements of size bytes to host order in place. */
static void big_endian_to_host(unsigned char *data, size_t count, size_t size) {
  for (size_t i = 0; i < count; ++i) {
    unsigned char *element = data + i * size;
    if (size == 2) {
      uint16_t value = (uint16_t)(((unsigned)element[0] << 8) | element[1]);
      memcpy(element, &value, 2);
    } else if (size == 4) {
      uint32_t value = big_endian_32(element);
      memcpy(element, &value, 4);
    } else if (size == 8) {
      uint64_t value = ((uint64_t)big_endian_32(element) << 32) | big_endian_32(element + 4);
      memcpy(element, &value, 8);
    }
  }
}

/* Reads the data into a buffer grown chunk by chunk; *data_out receives it on
 * success. */
static aimc_status read_data(aimc_idx_reader *reader, unsigned char **data_out) {
  size_t expected = (size_t)reader->data_bytes;
  /* A plain regular file was checked to hold exactly this many bytes. */
  size_t capacity = reader->size_known ? expected
                                       : (expected < READ_CHUNK_MIN ? expected : READ_CHUNK_MIN);
  unsigned char *data = malloc(capacity > 0 ? capacity : 1);
  if (data == NULL)
    return aimc_error_set(AIMC_ENOMEM, "%s: out of memory for %zu bytes of data", reader->path,
                          capacity);
  size_t total = 0;
  while (total < expected) {
    if (total == capacity) {
      size_t growth = capacity < READ_CHUNK_MAX ? capacity : READ_CHUNK_MAX;
      size_t grown = expected - capacity < growth ? expected : capacity + growth;
      unsigned char *larger = realloc(data, grown);
      if (larger == NULL) {
        free(data);
        return aimc_error_set(AIMC_ENOMEM, "%s: out of memory for %zu bytes of data",
                              reader->path, grown);
      }
      data = larger;
      capacity = grown;
    }
    long long got = read_fully(reader, data + total, capacity - total);
    if (got < 0) {
      free(data);
      return AIMC_EFORMAT;
    }
    total += (size_t)got;
    if (total < capacity) break; /* end of stream */
  }
  if (total < expected) {
    char shape[16 * AIMC_IDX_MAX_DIMS];
    aimc_status status = aimc_error_set(
        AIMC_EFORMAT,
        "%s: truncated data: the header declares %s %s, expected %zu bytes of data, got %zu%s",
        reader->path, aimc_idx_shape_string(&reader->header, shape, sizeof shape),
        aimc_idx_type_name(reader->header.type), expected, total, cut_short_note(reader));
    free(data);
    return status;
  }
  *data_out = data;
  return AIMC_OK;
}

/* Requires the stream to end right after the data; counts any excess. */
static aimc_status check_end_of_stream(aimc_idx_reader *reader) {
  unsigned char scratch[4096];
  uint64_t trailing = 0;
  for (;;) {
    long long got = read_fully(reader, scratch, sizeof scratch);
    if (got < 0) return AIMC_EFORMAT;
    trailing += (uint64_t)got;
    if ((size_t)got < sizeof scratch) break;
  }
  if (trailing > 0)
    return aimc_error_set(AIMC_EFORMAT,
                          "%s: %" PRIu64 " trailing bytes after the %" PRIu64
                          " bytes of data the header declares",
                          reader->path, trailing, reader->data_bytes);
  if (cut_short_note(reader)[0] != '\0')
    return aimc_error_set(AIMC_EFORMAT, "%s: truncated gzip stream after the complete data",
                          reader->path);
  return AIMC_OK;
}

aimc_status aimc_idx_reader_finish(aimc_idx_reader *reader, aimc_idx *idx) {
  memset(idx, 0, sizeof *idx);
  unsigned char *data = NULL;
  aimc_status status = read_data(reader, &data);
  if (status == AIMC_OK) status = check_end_of_stream(reader);
  aimc_idx_reader_close(reader);
  if (status != AIMC_OK) {
    free(data);
    return status;
  }
  big_endian_to_host(data, reader->header.count, aimc_idx_type_size(reader->header.type));
  *idx = reader->header;
  idx->data = data;
  return AIMC_OK;
}

aimc_status aimc_idx_read(const char *path, aimc_idx *idx) {
  memset(idx, 0, sizeof *idx);
  aimc_idx_reader reader;
  aimc_status status = aimc_idx_reader_open(&reader, path);
  if (status != AIMC_OK) return status;
  return aimc_idx_reader_finish(&reader, idx);
}

/* ---- writing ---- */

static void put_big_endian_32(unsigned char *out, uint32_t value) {
  out[0] = (unsigned char)(value >> 24);
  out[1] = (unsigned char)(value >> 16);
  out[2] = (unsigned char)(value >> 8);
  out[3] = (unsigned char)value;
}

static void host_to_big_endian(unsigned char *out, const unsigned char *in, size_t count,
                               size_t size) {
  for (size_t i = 0; i < count; ++i) {
    const unsigned char *element = in + i * size;
    unsigned char *target = out + i * size;
    if (size == 1) {
      target[0] = element[0];
    } else if (size == 2) {
      uint16_t value;
      memcpy(&value, element, 2);
      target[0] = (unsigned char)(value >> 8);
      target[1] = (unsigned char)value;
    } else {
      uint64_t value;
      if (size == 4) {
        uint32_t narrow;
        memcpy(&narrow, element, 4);
        value = narrow;
      } else {
        memcpy(&value, element, 8);
      }
      for (size_t b = 0; b < size; ++b) target[b] = (unsigned char)(value >> (8 * (size - 1 - b)));
    }
  }
}

/* Sink for either kind of output. */
typedef struct writer {
  aimc_atomic_file *file;
  gzFile gz; /* NULL for plain output */
} writer;

static aimc_status writer_put(writer *out, const void *bytes, size_t size) {
  if (out->gz == NULL) return aimc_atomic_write(out->file, bytes, size);
  const unsigned char *cursor = bytes;
  while (size > 0) {
    size_t chunk = size < GZ_IO_MAX ? size : GZ_IO_MAX;
    if (gzwrite(out->gz, cursor, (unsigned)chunk) != (int)chunk) {
      int code;
      const char *message = zlib_message(out->gz, &code);
      return aimc_error_set(AIMC_EIO, "%s: gzip write failed: %s", out->file->temp_path,
                            code == Z_ERRNO ? strerror(errno) : message);
    }
    cursor += chunk;
    size -= chunk;
  }
  return AIMC_OK;
}

static aimc_status validate_for_write(const char *path, const aimc_idx *idx) {
  if (aimc_idx_type_size(idx->type) == 0)
    return aimc_error_set(AIMC_EINVAL, "%s: cannot write IDX data type 0x%02X", path,
                          (unsigned)idx->type);
  if (idx->ndims < 1 || idx->ndims > AIMC_IDX_MAX_DIMS)
    return aimc_error_set(AIMC_EINVAL, "%s: cannot write %d dimensions (1..%d)", path,
                          idx->ndims, AIMC_IDX_MAX_DIMS);
  uint64_t count = 1;
  for (int i = 0; i < idx->ndims; ++i) {
    if (idx->dims[i] != 0 && count > AIMC_IDX_MAX_DATA_BYTES / idx->dims[i])
      return aimc_error_set(AIMC_EINVAL, "%s: array too large to write", path);
    count *= idx->dims[i];
  }
  if (count * aimc_idx_type_size(idx->type) > AIMC_IDX_MAX_DATA_BYTES)
    return aimc_error_set(AIMC_EINVAL, "%s: array too large to write", path);
  if (count != idx->count)
    return aimc_error_set(AIMC_EINVAL, "%s: count %zu is not the product of the dimensions",
                          path, idx->count);
  if (count > 0 && idx->data == NULL)
    return aimc_error_set(AIMC_EINVAL, "%s: no data to write", path);
  return AIMC_OK;
}

static aimc_status write_header_and_data(writer *out, const aimc_idx *idx) {
  unsigned char header[4 + 4 * AIMC_IDX_MAX_DIMS];
  size_t header_size = 4 + 4 * (size_t)idx->ndims;
  put_big_endian_32(header, aimc_idx_magic(idx));
  for (int i = 0; i < idx->ndims; ++i) put_big_endian_32(header + 4 + 4 * i, idx->dims[i]);
  aimc_status status = writer_put(out, header, header_size);
  size_t element_size = aimc_idx_type_size(idx->type);
  size_t per_block = WRITE_BUFFER_SIZE / element_size;
  unsigned char buffer[WRITE_BUFFER_SIZE];
  const unsigned char *data = idx->data;
  for (size_t done = 0; status == AIMC_OK && done < idx->count; done += per_block) {
    size_t block = idx->count - done < per_block ? idx->count - done : per_block;
    host_to_big_endian(buffer, data + done * element_size, block, element_size);
    status = writer_put(out, buffer, block * element_size);
  }
  return status;
}

aimc_status aimc_idx_write_to(aimc_atomic_file *file, const aimc_idx *idx) {
  aimc_status status = validate_for_write(file->final_path, idx);
  if (status != AIMC_OK) return status;
  writer out = {file, NULL};
  if (idx->gzip) {
    /* gzclose closes the descriptor it was given; the file's own stays open
     * for fsync. */
    int gz_fd = dup(file->fd);
    if (gz_fd < 0)
      return aimc_error_set(AIMC_EIO, "%s: dup failed: %s", file->temp_path, strerror(errno));
    out.gz = gzdopen(gz_fd, "wb");
    if (out.gz == NULL) {
      close(gz_fd);
      return aimc_error_set(AIMC_ENOMEM, "%s: out of memory for gzip output", file->temp_path);
    }
  }
  status = write_header_and_data(&out, idx);
  if (out.gz != NULL) {
    int code = gzclose_w(out.gz);
    if (status == AIMC_OK && code != Z_OK)
      status = aimc_error_set(AIMC_EIO, "%s: finishing the gzip stream failed (zlib error %d)",
                              file->temp_path, code);
  }
  if (status == AIMC_OK) status = aimc_atomic_sync(file);
  return status;
}

aimc_status aimc_idx_write(const char *path, const aimc_idx *idx) {
  aimc_status status = validate_for_write(path, idx);
  if (status != AIMC_OK) return status;
  aimc_atomic_file file;
  status = aimc_atomic_open(&file, path);
  if (status != AIMC_OK) return status;
  status = aimc_idx_write_to(&file, idx);
  if (status != AIMC_OK) {
    aimc_atomic_abort(&file);
    return status;
  }
  return aimc_atomic_commit(&file);
}
