/*
 * libFuzzer harness of the checkpoint reader (aimc_sim/checkpoint.h) and of
 * the readers of the state inside it (aimc/serial.h, an array's state). An
 * input is the bytes of a checkpoint file.
 *
 * The container is parsed without the CRC check (with it, almost every input
 * would stop at the CRC), then every section is fed to the array-state reader
 * of a small array, as `aimcsim run --resume` feeds the hardware section to
 * the arrays of its chip. Besides what AddressSanitizer and
 * UndefinedBehaviorSanitizer catch, the harness aborts when a contract breaks:
 *   - parsing returns AIMC_OK or AIMC_EFORMAT; with the CRC checked, AIMC_OK
 *     implies it held;
 *   - the sections found lie inside the input, are at most
 *     AIMC_CHECKPOINT_MAX_SECTIONS with distinct tags, and rebuilding a
 *     checkpoint from them with the writer gives back the input's bytes
 *     (the CRC aside);
 *   - the array reader returns AIMC_OK or AIMC_EFORMAT and never reads past
 *     the section.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aimc/array.h"
#include "aimc_sim/checkpoint.h"

static void fail(const char *what) {
  fprintf(stderr, "fuzz_checkpoint: %s (last message: %s)\n", what, aimc_error_message());
  abort();
}

static aimc_array target;
static int target_ready;

static void feed_array(const aimc_checkpoint_section *section) {
  if (!target_ready) {
    aimc_device_params params;
    aimc_device_params_default(&params, AIMC_DEVICE_SOFT_BOUNDS);
    if (aimc_array_create(&target, 2, 3, &params, 1, 0) != AIMC_OK) fail("cannot build the target array");
    target_ready = 1;
  }
  aimc_reader in;
  aimc_reader_init(&in, section->data, section->size);
  aimc_status status = aimc_array_load_state(&target, &in);
  if (status != AIMC_OK && status != AIMC_EFORMAT) fail("the array reader returned neither OK nor EFORMAT");
  if (in.pos > in.size) fail("the array reader read past its section");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  aimc_checkpoint checkpoint;
  aimc_status status = aimc_checkpoint_parse(data, size, 0, &checkpoint);
  if (status != AIMC_OK && status != AIMC_EFORMAT) fail("parse returned neither OK nor EFORMAT");
  aimc_checkpoint checked;
  aimc_status with_crc = aimc_checkpoint_parse(data, size, 1, &checked);
  if (with_crc == AIMC_OK && status != AIMC_OK) fail("the CRC check accepted what the parser refused");
  if (status != AIMC_OK) return 0;
  if (checkpoint.n_sections < 0 || checkpoint.n_sections > AIMC_CHECKPOINT_MAX_SECTIONS) fail("section count");
  aimc_writer out;
  aimc_writer_init(&out);
  aimc_checkpoint_start(&out);
  for (int k = 0; k < checkpoint.n_sections; ++k) {
    const aimc_checkpoint_section *s = &checkpoint.sections[k];
    if (s->size > size || s->data < data || s->data + s->size > data + size) fail("a section lies outside the input");
    for (int j = 0; j < k; ++j)
      if (checkpoint.sections[j].tag == s->tag) fail("two sections with one tag");
    size_t at = aimc_checkpoint_begin_section(&out, s->tag);
    aimc_write_bytes(&out, s->data, s->size);
    aimc_checkpoint_end_section(&out, at);
    feed_array(s);
  }
  if (aimc_checkpoint_finish(&out) != AIMC_OK) fail("the writer ran out of memory");
  /* The same sections give the same bytes; only the CRC may differ. */
  if (out.size != size || memcmp(out.data, data, size - 4) != 0) fail("rebuilding the sections changed the bytes");
  if (with_crc == AIMC_OK && memcmp(out.data + size - 4, data + size - 4, 4) != 0) fail("CRC accepted but differs");
  aimc_writer_free(&out);
  return 0;
}
