/*
 * libFuzzer harness of the configuration engine: aimc_cfg_load_string with the
 * run configuration's schema, as `aimcsim run` and `aimcsim config` load a file.
 *
 * An input is a YAML document, optionally followed by a NUL byte and up to
 * MAX_OVERRIDES NUL-separated `section.key=value` overrides (as given after -p),
 * so one input reaches the UTF-8 check, libyaml, the tree builder, the override
 * merger, every field codec, presets, discriminators and validators.
 *
 * Besides what AddressSanitizer and UndefinedBehaviorSanitizer catch, the
 * harness aborts when one of the engine's documented contracts breaks:
 *   - a load returns AIMC_OK, AIMC_EFORMAT or AIMC_ENOMEM (AIMC_EINVAL means a
 *     bad schema, AIMC_EIO an unreadable file: neither can come from text);
 *   - a failed load leaves the caller's struct untouched and reports a
 *     newline-terminated text that starts with the origin;
 *   - the dump of a loaded config parses back to the identical struct.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aimc_sim/config.h"

#define MAX_OVERRIDES 8
#define ORIGIN "fuzz.yaml"

/* Reports a broken contract with what libFuzzer needs to reproduce it. */
static void fail(const char *what, const aimc_cfg_error *error)
{
  fprintf(stderr, "fuzz_config: %s\n%s", what, error != NULL ? error->text : "");
  abort();
}

/* Dumps config, loads the dump and requires the identical struct. */
static void check_round_trip(const aimc_config *config)
{
  char *dump = NULL;
  size_t length = 0;
  FILE *out = open_memstream(&dump, &length);
  if (out == NULL) return; /* out of memory: nothing to check */
  aimc_status status = aimc_cfg_dump(out, &aimc_config_schema, config);
  if (fclose(out) != 0 || status != AIMC_OK) {
    free(dump);
    return;
  }
  aimc_config *again = malloc(sizeof *again);
  aimc_cfg_error error;
  if (again != NULL) {
    status = aimc_cfg_load_string(&aimc_config_schema, again, "dump", dump, length, NULL, 0, &error);
    if (status != AIMC_OK && status != AIMC_ENOMEM) {
      fprintf(stderr, "--- dump ---\n%s--- end ---\n", dump);
      fail("the dump of a loaded config does not load", &error);
    }
    if (status == AIMC_OK && !aimc_cfg_equal(&aimc_config_schema, config, again)) {
      fprintf(stderr, "--- dump ---\n%s--- end ---\n", dump);
      fail("the dump of a loaded config loads as a different config", NULL);
    }
  }
  free(again);
  free(dump);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  /* The document ends at the first NUL; each further NUL ends an override. */
  const char *text = (const char *)data;
  size_t document_length = 0;
  while (document_length < size && text[document_length] != '\0') document_length++;
  char *tail = NULL;
  const char *overrides[MAX_OVERRIDES];
  size_t override_count = 0;
  if (document_length < size) {
    size_t tail_length = size - document_length - 1;
    tail = malloc(tail_length + 1);
    if (tail == NULL) return 0;
    memcpy(tail, text + document_length + 1, tail_length);
    tail[tail_length] = '\0';
    for (char *p = tail; p < tail + tail_length && override_count < MAX_OVERRIDES;
         p += strlen(p) + 1)
      overrides[override_count++] = p;
  }

  aimc_config *config = malloc(sizeof *config);
  aimc_config *before = malloc(sizeof *before);
  if (config == NULL || before == NULL) {
    free(config);
    free(before);
    free(tail);
    return 0;
  }
  memset(config, 0xA5, sizeof *config);
  memcpy(before, config, sizeof *config);
  aimc_cfg_error error;
  aimc_status status = aimc_cfg_load_string(&aimc_config_schema, config, ORIGIN, text,
                                            document_length, override_count ? overrides : NULL,
                                            override_count, &error);
  if (status == AIMC_OK) {
    check_round_trip(config);
  } else {
    if (status != AIMC_EFORMAT && status != AIMC_ENOMEM) fail("unexpected status", &error);
    if (memcmp(config, before, sizeof *config) != 0) fail("a failed load changed the config", &error);
    size_t text_length = strnlen(error.text, sizeof error.text);
    if (text_length == 0 || text_length == sizeof error.text || error.text[text_length - 1] != '\n')
      fail("the error report is empty, unterminated or has no final newline", &error);
    if (strncmp(error.text, error.origin, strlen(error.origin)) != 0)
      fail("the error report does not start with its origin", &error);
  }
  free(before);
  free(config);
  free(tail);
  return 0;
}
