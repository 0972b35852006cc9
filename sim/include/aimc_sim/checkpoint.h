/*
 * Checkpoint files of `aimcsim run` (docs/reliability.md, "Checkpoints").
 *
 * Layout, all integers little-endian:
 *   "AIMCCKPT"                8 bytes of magic
 *   u32 version               AIMC_CHECKPOINT_VERSION
 *   u32 sections              at most AIMC_CHECKPOINT_MAX_SECTIONS
 *   sections                  each: u32 tag (four ASCII letters), u64 length, length bytes
 *   u32 crc32                 zlib CRC-32 of every byte before it
 * The sections are the run's progress (RUN_), the metrics log (MTRC), the
 * workload's own state (WORK), the hardware model (CHIP) and the identity of
 * the configuration (CONF). Files are written atomically, so a run killed at
 * any moment leaves the previous checkpoint or the new one, never a mixture.
 * Behind the CRC every value is range-checked against the run that reads it
 * (docs/training.md, "Checkpoints and resume").
 */
#ifndef AIMC_SIM_CHECKPOINT_H
#define AIMC_SIM_CHECKPOINT_H

#include <stddef.h>
#include <stdint.h>

#include "aimc/error.h"
#include "aimc/serial.h"

#ifdef __cplusplus
extern "C" {
#endif

#define AIMC_CHECKPOINT_VERSION 1u
#define AIMC_CHECKPOINT_MAX_SECTIONS 16
#define AIMC_CHECKPOINT_NAME "checkpoint.bin"

/* Section tags. */
#define AIMC_CKPT_TAG(a, b, c, d) ((uint32_t)(a) | (uint32_t)(b) << 8 | (uint32_t)(c) << 16 | (uint32_t)(d) << 24)
#define AIMC_CKPT_CONFIG AIMC_CKPT_TAG('C', 'O', 'N', 'F')
#define AIMC_CKPT_RUN AIMC_CKPT_TAG('R', 'U', 'N', '_')
#define AIMC_CKPT_METRICS AIMC_CKPT_TAG('M', 'T', 'R', 'C')
#define AIMC_CKPT_WORKLOAD AIMC_CKPT_TAG('W', 'O', 'R', 'K')
#define AIMC_CKPT_CHIP AIMC_CKPT_TAG('C', 'H', 'I', 'P')

typedef struct aimc_checkpoint_section {
  uint32_t tag;
  const unsigned char *data; /* into the checkpoint's bytes */
  size_t size;
} aimc_checkpoint_section;

/* A parsed checkpoint: the bytes and the sections found in them. */
typedef struct aimc_checkpoint {
  unsigned char *bytes; /* owned when read from a file, else NULL */
  size_t size;
  aimc_checkpoint_section sections[AIMC_CHECKPOINT_MAX_SECTIONS];
  int n_sections;
} aimc_checkpoint;

/* Parses size bytes (not copied; they must outlive *checkpoint). With
 * verify_crc 0 a wrong CRC is accepted (the fuzzer uses it to reach the
 * sections). Errors are AIMC_EFORMAT with what is wrong and where. */
aimc_status aimc_checkpoint_parse(const void *data, size_t size, int verify_crc, aimc_checkpoint *checkpoint);

/* Reads and parses a file (CRC verified); files larger than max_bytes are
 * refused before they are read. */
aimc_status aimc_checkpoint_read_file(const char *path, size_t max_bytes, aimc_checkpoint *checkpoint);
void aimc_checkpoint_free(aimc_checkpoint *checkpoint);

/* The section with the tag, or NULL. */
const aimc_checkpoint_section *aimc_checkpoint_find(const aimc_checkpoint *checkpoint, uint32_t tag);

/* Range checks of values read back behind a valid CRC (a CRC only says the
 * bytes are those written, not that they mean something possible). Each
 * returns AIMC_OK or AIMC_EFORMAT with "checkpoint.bin: FIELD is VALUE, not
 * ..."; FIELD is a printf format ("energy of layer %d"). */
aimc_status aimc_checkpoint_check_nonnegative(double value, const char *unit, const char *field, ...)
    __attribute__((format(printf, 3, 4)));
/* value finite (NaN allowed with nan_ok: a quantity not measured yet). */
aimc_status aimc_checkpoint_check_finite(double value, int nan_ok, const char *field, ...)
    __attribute__((format(printf, 3, 4)));
/* value <= limit; `limit_what` says where the limit comes from ("the 100 steps planned"). */
aimc_status aimc_checkpoint_check_count(uint64_t value, uint64_t limit, const char *limit_what, const char *field, ...)
    __attribute__((format(printf, 4, 5)));
/* Every value finite; field names the array ("weights of layer 0"). */
aimc_status aimc_checkpoint_check_floats(const float *values, size_t n, const char *field, ...)
    __attribute__((format(printf, 3, 4)));
/* A refusal of its own wording, prefixed with the file name. */
aimc_status aimc_checkpoint_refuse(const char *format, ...) __attribute__((format(printf, 1, 2)));

/* Building a checkpoint: start, then for each section begin, write into the
 * writer, end; finish appends the CRC. */
void aimc_checkpoint_start(aimc_writer *out);
size_t aimc_checkpoint_begin_section(aimc_writer *out, uint32_t tag);
void aimc_checkpoint_end_section(aimc_writer *out, size_t begun);
aimc_status aimc_checkpoint_finish(aimc_writer *out);

#ifdef __cplusplus
}
#endif
#endif
