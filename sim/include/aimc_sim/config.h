/*
 * Schema-driven YAML configuration (in the manner of netplan and Ramulator 2).
 *
 * Every config section is described once, by a table of fields: key, type,
 * target member (offsetof), default, bounds, unit dimension, description and
 * flags. The same table drives parsing and validation, defaults, the fully
 * resolved dump (which parses back to the identical struct) and the Markdown
 * config reference. A document is a mapping of top-level sections plus an
 * optional `version: 1`; sections nest (`tile.adc`).
 *
 * Values may carry SI units with prefixes (`5ns`, `1GHz`, `1.7pJ`, `10uS`,
 * `120kOhm`, `40 ns`); a bare number is in the field's base SI unit.
 *
 * A section may offer presets (`device: {preset: ecram, dw_min: 0.002}`: the
 * preset is applied first, then the explicit keys, whatever their order) and a
 * discriminator, an enum field whose value resets the section's defaults before
 * the other keys apply (`device: {model: exp_step, ...}`). Command-line
 * overrides `section.key=value` replace or add nodes of the document before it
 * is applied, so they obey the same rules and win over the file.
 *
 * Errors read `file:line:col: message`, then the source line and a caret line.
 * Nothing here prints or exits; the caller reports aimc_cfg_error.text.
 */
#ifndef AIMC_SIM_CONFIG_H
#define AIMC_SIM_CONFIG_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "aimc/device.h"
#include "aimc/error.h"
#include "aimc/io.h"
#include "aimc/update.h"
#include "aimc_hw/params.h"
#include "aimc_sim/experiment.h"
#include "aimc_sim/pulse_check.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The document version this build reads and writes (`version:` key). */
#define AIMC_CFG_VERSION 1
/* Collections nested deeper than this are refused while reading. */
#define AIMC_CFG_MAX_DEPTH 32

typedef enum aimc_cfg_type {
  AIMC_CFG_DOUBLE = 0,   /* double; may carry a unit */
  AIMC_CFG_INT,          /* int */
  AIMC_CFG_UINT64,       /* uint64_t */
  AIMC_CFG_BOOL,         /* int, 0 or 1; YAML true/false */
  AIMC_CFG_ENUM,         /* int-sized enum, values 0..n-1 named by enum_name */
  AIMC_CFG_STRING,       /* char[capacity], NUL-terminated */
  AIMC_CFG_DOUBLE_LIST,  /* double[capacity] plus an int element count */
  AIMC_CFG_SECTION       /* a nested struct described by its own section */
} aimc_cfg_type;

typedef enum aimc_cfg_unit {
  AIMC_UNIT_NONE = 0,     /* dimensionless: no unit accepted */
  AIMC_UNIT_TIME,         /* s */
  AIMC_UNIT_FREQUENCY,    /* Hz */
  AIMC_UNIT_ENERGY,       /* J */
  AIMC_UNIT_POWER,        /* W */
  AIMC_UNIT_VOLTAGE,      /* V */
  AIMC_UNIT_CURRENT,      /* A */
  AIMC_UNIT_CONDUCTANCE,  /* S */
  AIMC_UNIT_RESISTANCE,   /* Ohm (also written as the Ohm sign) */
  AIMC_UNIT_CAPACITANCE,  /* F */
  AIMC_UNIT_LENGTH,       /* m */
  AIMC_UNIT_AREA,         /* m^2; a prefix scales the metre: 1um^2 = 1e-12 m^2 */
  AIMC_UNIT_ENERGY_PER_BIT, /* J/bit */
  AIMC_UNIT_COUNT
} aimc_cfg_unit;

/* Field flags. A bound is active only with its flag; GE/GT and LE/LT choose
 * inclusive or exclusive. */
enum {
  AIMC_CFG_REQUIRED = 1u << 0,      /* the key must appear in the document */
  AIMC_CFG_GE_MIN = 1u << 1,        /* value >= min */
  AIMC_CFG_GT_MIN = 1u << 2,        /* value > min */
  AIMC_CFG_LE_MAX = 1u << 3,        /* value <= max */
  AIMC_CFG_LT_MAX = 1u << 4,        /* value < max */
  AIMC_CFG_DISCRIMINATOR = 1u << 5  /* ENUM whose value resets the section's defaults */
};

typedef struct aimc_cfg_section aimc_cfg_section;

/* Which keys a document (with its -p overrides) gave, for a section's derive
 * hook. Opaque; read with aimc_cfg_given_text. */
typedef struct aimc_cfg_given aimc_cfg_given;

/* The text of the key at `path` ("forward.out_res", relative to the section
 * being derived) as the document or an override wrote it: a scalar's text, ""
 * for a mapping or list; NULL when the document did not give the key. */
const char *aimc_cfg_given_text(const aimc_cfg_given *given, const char *path);

typedef struct aimc_cfg_field {
  const char *key;          /* YAML key, equal to the struct member's name */
  aimc_cfg_type type;
  size_t offset;            /* offsetof the member */
  const char *default_text; /* parsed like user input; NULL: set by the section's defaults hook */
  aimc_cfg_unit unit;       /* DOUBLE and DOUBLE_LIST only */
  double min, max;          /* bounds, active per flags (list elements too) */
  unsigned flags;
  const char *description;  /* one line, for the reference */
  const char *(*enum_name)(int value); /* ENUM: name of 0, 1, ...; NULL past the last */
  size_t capacity;          /* STRING: bytes with the NUL; DOUBLE_LIST: elements */
  size_t count_offset;      /* DOUBLE_LIST: offsetof its int count (lists may share one) */
  const aimc_cfg_section *section; /* SECTION: the nested section */
} aimc_cfg_field;

typedef struct aimc_cfg_preset {
  const char *name;
  const char *description;
  void (*apply)(void *target); /* called on a struct that holds the section's defaults */
} aimc_cfg_preset;

struct aimc_cfg_section {
  const char *name;         /* key under its parent ("" for the document root) */
  const char *description;
  size_t size;              /* sizeof the struct */
  const aimc_cfg_field *fields;
  size_t field_count;
  /* Optional: sets the defaults for `variant` (the discriminator's value, 0
   * without one) before the fields' default texts are applied. */
  void (*defaults)(void *target, int variant);
  const aimc_cfg_preset *presets; /* optional */
  size_t preset_count;
  /* Optional cross-field check after the section is applied; on failure the
   * message comes from aimc_error_message(). */
  aimc_status (*validate)(const void *target);
  /* Optional: sets values whose default follows other fields (forward.out_res
   * follows chip.adc.bits), for every key the document did not give. Runs on
   * the defaults (nothing given) and after the section's keys and overrides
   * are applied, before its validate hook. */
  void (*derive)(void *target, const aimc_cfg_given *given);
};

/* What went wrong: `text` is the full report (location, message, source line
 * and caret, newline-terminated); the parts are also given separately. */
typedef struct aimc_cfg_error {
  char origin[256];   /* file name, or "-p section.key=value" for an override */
  int line, column;   /* 1-based; 0 when the error has no position */
  char message[512];
  char text[2048];
} aimc_cfg_error;

/* Sizes of a member, for the field macros below. */
#define AIMC_CFG_MEMBER_SIZE(type, member) sizeof(((type *)0)->member)
#define AIMC_CFG_MEMBER_COUNT(type, member) \
  (sizeof(((type *)0)->member) / sizeof(((type *)0)->member[0]))

/* Field constructors (positional, so that C and C++ tables read the same). */
#define AIMC_CFG_DOUBLE_FIELD(type, member, default_text, unit, min, max, flags, description) \
  {#member, AIMC_CFG_DOUBLE, offsetof(type, member), default_text, unit, min, max, flags, \
   description, NULL, 0, 0, NULL}
#define AIMC_CFG_INT_FIELD(type, member, default_text, min, max, flags, description) \
  {#member, AIMC_CFG_INT, offsetof(type, member), default_text, AIMC_UNIT_NONE, min, max, \
   flags, description, NULL, 0, 0, NULL}
#define AIMC_CFG_UINT64_FIELD(type, member, default_text, flags, description) \
  {#member, AIMC_CFG_UINT64, offsetof(type, member), default_text, AIMC_UNIT_NONE, 0, 0, \
   flags, description, NULL, 0, 0, NULL}
#define AIMC_CFG_BOOL_FIELD(type, member, default_text, flags, description) \
  {#member, AIMC_CFG_BOOL, offsetof(type, member), default_text, AIMC_UNIT_NONE, 0, 0, flags, \
   description, NULL, 0, 0, NULL}
#define AIMC_CFG_ENUM_FIELD(type, member, default_text, enum_name, flags, description) \
  {#member, AIMC_CFG_ENUM, offsetof(type, member), default_text, AIMC_UNIT_NONE, 0, 0, flags, \
   description, enum_name, 0, 0, NULL}
#define AIMC_CFG_STRING_FIELD(type, member, default_text, flags, description) \
  {#member, AIMC_CFG_STRING, offsetof(type, member), default_text, AIMC_UNIT_NONE, 0, 0, \
   flags, description, NULL, AIMC_CFG_MEMBER_SIZE(type, member), 0, NULL}
#define AIMC_CFG_DOUBLE_LIST_FIELD(type, member, count_member, default_text, unit, min, max, \
                                   flags, description) \
  {#member, AIMC_CFG_DOUBLE_LIST, offsetof(type, member), default_text, unit, min, max, flags, \
   description, NULL, AIMC_CFG_MEMBER_COUNT(type, member), offsetof(type, count_member), NULL}
#define AIMC_CFG_SECTION_FIELD(type, member, section_schema, description) \
  {#member, AIMC_CFG_SECTION, offsetof(type, member), NULL, AIMC_UNIT_NONE, 0, 0, 0, \
   description, NULL, 0, 0, &(section_schema)}

/* Checks a schema once (unique keys, every default parses and is in bounds,
 * discriminators are enums with a default, lists and strings have room).
 * AIMC_EINVAL with the reason in error->message otherwise. Loading runs it. */
aimc_status aimc_cfg_check_schema(const aimc_cfg_section *schema, aimc_cfg_error *error);

/* Sets every field of the section (and its subsections) to its default. The
 * schema must pass aimc_cfg_check_schema. */
void aimc_cfg_defaults(const aimc_cfg_section *schema, void *config);

/*
 * Defaults, then the YAML document, then the overrides ("section.key=value",
 * as after -p; the value is YAML, e.g. `device.piecewise_up=[1, 0.5]`), then
 * each section's validate hook. `path` NULL means no file. On failure *config
 * is untouched and error holds the report: AIMC_EFORMAT for a bad document or
 * override, AIMC_EIO for an unreadable file, AIMC_EINVAL for a bad schema,
 * AIMC_ENOMEM.
 */
aimc_status aimc_cfg_load_file(const aimc_cfg_section *schema, void *config, const char *path,
                               const char *const *overrides, size_t override_count,
                               aimc_cfg_error *error);
/* The same for a document held in memory; `name` is the origin in messages. */
aimc_status aimc_cfg_load_string(const aimc_cfg_section *schema, void *config, const char *name,
                                 const char *text, size_t length,
                                 const char *const *overrides, size_t override_count,
                                 aimc_cfg_error *error);

/* Writes the fully resolved document: `version`, then every field of every
 * section, numbers in shortest round-trip form with a prefixed unit. */
aimc_status aimc_cfg_dump(FILE *out, const aimc_cfg_section *schema, const void *config);

/* Writes the Markdown reference: one table per section (key, type, default,
 * bounds, unit, description) and its presets. */
aimc_status aimc_cfg_write_reference_md(FILE *out, const aimc_cfg_section *schema);

/* 1 if every field (lists up to their count, doubles bitwise) is equal. */
int aimc_cfg_equal(const aimc_cfg_section *schema, const void *a, const void *b);

/* Parses a number with an optional SI-prefixed unit of dimension `unit` into
 * *value in the base unit. On failure returns AIMC_EINVAL and writes a
 * one-line reason to message (if message_size > 0). */
aimc_status aimc_cfg_parse_quantity(const char *text, aimc_cfg_unit unit, double *value,
                                    char *message, size_t message_size);
/* Formats value with a readable prefix (`5ns`) so that aimc_cfg_parse_quantity
 * gives back the identical double. Returns the length, as snprintf. */
int aimc_cfg_format_quantity(char *buffer, size_t size, double value, aimc_cfg_unit unit);
/* Base symbol of a unit ("s", "Hz", ...; "" for none). */
const char *aimc_cfg_unit_symbol(aimc_cfg_unit unit);

/*
 * The run configuration. To add a section: a member here, a table next to
 * its struct's owner (as schema_models.c does for the C core's parameters),
 * and one AIMC_CFG_SECTION_FIELD line in aimc_config_schema (schema_root.c).
 */
typedef struct aimc_config {
  aimc_train_params experiment;        /* workload, algorithm, schedule */
  aimc_device_params device;           /* the pulsed device of every crossbar */
  aimc_update_params update;           /* pulsed outer-product update */
  aimc_io_params forward;              /* periphery of the forward MVM */
  aimc_io_params backward;             /* periphery of the backward (transposed) MVM */
  aimc_tiki_taka_params tiki_taka;     /* Tiki-Taka's rates and transfers */
  aimc_device_params fast_device;      /* Tiki-Taka: devices of the fast array A */
  aimc_update_params fast_update;      /* Tiki-Taka: pulsed update of A */
  aimc_io_params transfer_forward;     /* Tiki-Taka: one-hot column reads of A */
  aimc_least_squares_params least_squares;
  aimc_data_params data;
  aimc_mapping_params mapping;
  aimc_hw_chip_params chip;            /* the hardware model */
  aimc_trace_config trace;             /* waveforms */
  aimc_pulse_check_params pulse_check; /* aimcsim pulse-check: draws and limits */
} aimc_config;

extern const aimc_cfg_section aimc_config_schema;

/* mapping.scheme aihwkit on the fcn or cnn with an analog algorithm: AIMC_EINVAL
 * naming mapping.max_input_size / mapping.max_output_size when the split needs
 * more tiles per layer side or more chip layers than the chip holds (the root
 * section's cross-section check, before any output). */
aimc_status aimc_mapping_check_chip(const aimc_config *config);

/* The chip layers the workload programs, out x in each, in the order the run
 * adds them: least squares one (1 x dim); the fcn and cnn one per weight layer,
 * or under mapping.scheme aihwkit one per tile of its split (input-split-major,
 * the first size mod n parts one larger, as sim/src/train/network.c builds
 * them). Fills at most max and returns how many there are; a config that
 * aimc_mapping_check_chip accepts has at most AIMC_MAX_CHIP_LAYERS. */
int aimc_workload_chip_layers(const aimc_config *config, int out[], int in[], int max);
extern const aimc_cfg_section aimc_experiment_schema;
extern const aimc_cfg_section aimc_tiki_taka_schema;
extern const aimc_cfg_section aimc_least_squares_schema;
extern const aimc_cfg_section aimc_data_schema;
extern const aimc_cfg_section aimc_mapping_schema;
extern const aimc_cfg_section aimc_chip_schema;
extern const aimc_cfg_section aimc_trace_schema;
extern const aimc_cfg_section aimc_pulse_check_schema;
extern const aimc_cfg_section aimc_device_schema;
extern const aimc_cfg_section aimc_update_schema;
extern const aimc_cfg_section aimc_io_schema;
/* 1 if the io preset `name` sets inp_res and out_res itself (AIHWKIT's named
 * parameter sets with their own converter bits): they count as given and do not
 * follow the chip. */
int aimc_io_preset_fixes_resolution(const char *name);

#ifdef __cplusplus
}
#endif
#endif
