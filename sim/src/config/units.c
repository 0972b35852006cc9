/*
 * Numbers with SI units: `5ns`, `1GHz`, `1.7pJ`, `10uS`, `120kOhm`, `40 ns`.
 *
 * A prefix is applied by shifting the decimal exponent of the text, never by
 * multiplying, so `5ns` is exactly the double nearest to 5e-9 (as the literal
 * 5e-9 is), and formatting can pick the shortest digits that parse back to the
 * identical double. For areas the prefix scales the metre: 1um^2 = 1e-12 m^2.
 * Infinities, NaN, hexadecimal and anything after the unit are refused.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config_internal.h"

typedef struct unit_info {
  const char *symbols[3]; /* first: the one written by dumps */
  int power;              /* how often the prefix applies (2 for m^2) */
  const char *dimension;
} unit_info;

static const unit_info units[AIMC_UNIT_COUNT] = {
  [AIMC_UNIT_NONE] = {{"", NULL, NULL}, 1, "dimensionless"},
  [AIMC_UNIT_TIME] = {{"s", NULL, NULL}, 1, "time"},
  [AIMC_UNIT_FREQUENCY] = {{"Hz", NULL, NULL}, 1, "frequency"},
  [AIMC_UNIT_ENERGY] = {{"J", NULL, NULL}, 1, "energy"},
  [AIMC_UNIT_POWER] = {{"W", NULL, NULL}, 1, "power"},
  [AIMC_UNIT_VOLTAGE] = {{"V", NULL, NULL}, 1, "voltage"},
  [AIMC_UNIT_CURRENT] = {{"A", NULL, NULL}, 1, "current"},
  [AIMC_UNIT_CONDUCTANCE] = {{"S", NULL, NULL}, 1, "conductance"},
  [AIMC_UNIT_RESISTANCE] = {{"Ohm", "\xCE\xA9", "\xE2\x84\xA6"}, 1, "resistance"},
  [AIMC_UNIT_CAPACITANCE] = {{"F", NULL, NULL}, 1, "capacitance"},
  [AIMC_UNIT_LENGTH] = {{"m", NULL, NULL}, 1, "length"},
  [AIMC_UNIT_AREA] = {{"m^2", "m2", "m\xC2\xB2"}, 2, "area"},
  [AIMC_UNIT_ENERGY_PER_BIT] = {{"J/bit", NULL, NULL}, 1, "energy per bit"},
};

typedef struct prefix_info {
  const char *text;
  int exponent;
} prefix_info;

/* The first prefix of each exponent is the one dumps write. */
static const prefix_info prefixes[] = {
  {"f", -15}, {"p", -12}, {"n", -9}, {"u", -6}, {"\xC2\xB5", -6}, {"\xCE\xBC", -6},
  {"m", -3}, {"", 0}, {"k", 3}, {"M", 6}, {"G", 9}, {"T", 12},
};
#define PREFIX_MIN_EXPONENT (-15)
#define PREFIX_MAX_EXPONENT 12
/* Longest mantissa we rebuild in a buffer; longer numbers are refused. */
#define MANTISSA_MAX 400

const char *aimc_cfg_unit_symbol(aimc_cfg_unit unit)
{
  return unit < AIMC_UNIT_COUNT ? units[unit].symbols[0] : "";
}

const char *cfg_unit_dimension(aimc_cfg_unit unit)
{
  return unit < AIMC_UNIT_COUNT ? units[unit].dimension : "";
}

static int is_digit(char c) { return c >= '0' && c <= '9'; }

/* Decimal exponent of `suffix` read as a prefixed unit of `unit`; 0 if it is none. */
static int match_unit(const char *suffix, aimc_cfg_unit unit, int *exponent)
{
  size_t suffix_length = strlen(suffix);
  for (int s = 0; s < 3; s++) {
    const char *symbol = units[unit].symbols[s];
    if (symbol == NULL || symbol[0] == '\0') continue;
    size_t symbol_length = strlen(symbol);
    if (suffix_length < symbol_length || strcmp(suffix + suffix_length - symbol_length, symbol) != 0)
      continue;
    size_t prefix_length = suffix_length - symbol_length;
    for (size_t p = 0; p < sizeof prefixes / sizeof prefixes[0]; p++) {
      if (strlen(prefixes[p].text) == prefix_length &&
          strncmp(prefixes[p].text, suffix, prefix_length) == 0) {
        *exponent = prefixes[p].exponent * units[unit].power;
        return 1;
      }
    }
  }
  return 0;
}

static int looks_non_finite(const char *text)
{
  const char *p = text;
  if (*p == '+' || *p == '-') p++;
  if (*p == '.') p++;
  return strncmp(p, "inf", 3) == 0 || strncmp(p, "Inf", 3) == 0 || strncmp(p, "INF", 3) == 0 ||
         strncmp(p, "nan", 3) == 0 || strncmp(p, "NaN", 3) == 0 || strncmp(p, "NAN", 3) == 0;
}

aimc_status aimc_cfg_parse_quantity(const char *text, aimc_cfg_unit unit, double *value,
                                    char *message, size_t message_size)
{
  if (unit >= AIMC_UNIT_COUNT) unit = AIMC_UNIT_NONE;
  const char *p = text;
  const char *mantissa = p;
  if (*p == '+' || *p == '-') p++;
  int digits = 0, nonzero = 0;
  while (is_digit(*p)) { nonzero |= *p != '0'; p++; digits++; }
  if (*p == '.') {
    p++;
    while (is_digit(*p)) { nonzero |= *p != '0'; p++; digits++; }
  }
  if (digits == 0) {
    if (looks_non_finite(text))
      cfg_say(message, message_size, "'%s' is not a finite number", text);
    else
      cfg_say(message, message_size, "expected a number, got '%s'", text);
    return AIMC_EINVAL;
  }
  size_t mantissa_length = (size_t)(p - mantissa);
  long exponent = 0;
  if ((*p == 'e' || *p == 'E') && (is_digit(p[1]) || ((p[1] == '+' || p[1] == '-') && is_digit(p[2])))) {
    p++;
    int negative = *p == '-';
    if (*p == '+' || *p == '-') p++;
    while (is_digit(*p)) {
      if (exponent < 100000) exponent = exponent * 10 + (*p - '0');
      p++;
    }
    if (negative) exponent = -exponent;
  }
  if (mantissa_length > MANTISSA_MAX) {
    cfg_say(message, message_size, "number '%s' has too many digits", text);
    return AIMC_EINVAL;
  }
  const char *suffix = p;
  while (*suffix == ' ') suffix++;
  char unit_text[64];
  size_t unit_length = strlen(suffix);
  while (unit_length > 0 && suffix[unit_length - 1] == ' ') unit_length--;
  if (unit_length >= sizeof unit_text) unit_length = sizeof unit_text - 1;
  memcpy(unit_text, suffix, unit_length);
  unit_text[unit_length] = '\0';

  int prefix_exponent = 0;
  if (unit_text[0] != '\0' && !match_unit(unit_text, unit, &prefix_exponent)) {
    aimc_cfg_unit other = AIMC_UNIT_COUNT;
    for (int u = 1; u < AIMC_UNIT_COUNT && other == AIMC_UNIT_COUNT; u++) {
      int ignored;
      if (match_unit(unit_text, (aimc_cfg_unit)u, &ignored)) other = (aimc_cfg_unit)u;
    }
    if (unit == AIMC_UNIT_NONE && other != AIMC_UNIT_COUNT)
      cfg_say(message, message_size, "'%s' is %s %s unit, but this value is dimensionless", unit_text,
          cfg_article(units[other].dimension), units[other].dimension);
    else if (unit == AIMC_UNIT_NONE)
      cfg_say(message, message_size, "unexpected '%s' after the number", unit_text);
    else if (other != AIMC_UNIT_COUNT)
      cfg_say(message, message_size, "'%s' is %s %s unit, but this value is %s %s in %s", unit_text,
          cfg_article(units[other].dimension), units[other].dimension, cfg_article(units[unit].dimension),
          units[unit].dimension, units[unit].symbols[0]);
    else
      cfg_say(message, message_size,
          "unknown unit '%s'; %s %s takes %s with an optional prefix f, p, n, u, m, k, M, G or T",
          unit_text, cfg_article(units[unit].dimension), units[unit].dimension, units[unit].symbols[0]);
    return AIMC_EINVAL;
  }

  char buffer[MANTISSA_MAX + 32];
  snprintf(buffer, sizeof buffer, "%.*se%ld", (int)mantissa_length, mantissa,
           exponent + prefix_exponent);
  errno = 0;
  double parsed = strtod(buffer, NULL);
  if (!isfinite(parsed)) {
    cfg_say(message, message_size, "'%s' is too large for a double", text);
    return AIMC_EINVAL;
  }
  if (nonzero && parsed == 0.0) {
    cfg_say(message, message_size, "'%s' is too small for a double", text);
    return AIMC_EINVAL;
  }
  *value = parsed;
  return AIMC_OK;
}

/* Shortest "%.*e" text of value that strtod reads back exactly. */
static void shortest_digits(double value, char *buffer, size_t size)
{
  for (int precision = 1; precision <= 17; precision++) {
    snprintf(buffer, size, "%.*e", precision - 1, value);
    if (strtod(buffer, NULL) == value) return;
  }
}

static int floor_divide(int a, int b) { return a >= 0 ? a / b : -((-a + b - 1) / b); }

int aimc_cfg_format_quantity(char *buffer, size_t size, double value, aimc_cfg_unit unit)
{
  if (unit >= AIMC_UNIT_COUNT) unit = AIMC_UNIT_NONE;
  if (!isfinite(value)) return snprintf(buffer, size, "%g", value);
  char scientific[40];
  shortest_digits(value, scientific, sizeof scientific);
  if (value == 0.0) return snprintf(buffer, size, "%s0%s", signbit(value) ? "-" : "", units[unit].symbols[0]);

  /* scientific is "[-]d[.ddd]e[+-]xx": collect sign, digits and exponent. */
  const char *p = scientific;
  int negative = *p == '-';
  if (negative) p++;
  char digits[24];
  int count = 0;
  for (; *p != 'e'; p++)
    if (is_digit(*p)) digits[count++] = *p;
  int exponent = atoi(p + 1);

  int power = units[unit].power;
  int prefix = unit == AIMC_UNIT_NONE ? 0 : floor_divide(exponent, 3 * power) * 3;
  if (prefix < PREFIX_MIN_EXPONENT || prefix > PREFIX_MAX_EXPONENT) prefix = 0;
  int shift = exponent - prefix * power; /* decimal exponent of the first digit */
  const char *prefix_text = "";
  for (size_t i = 0; i < sizeof prefixes / sizeof prefixes[0]; i++) {
    if (prefixes[i].exponent == prefix) { prefix_text = prefixes[i].text; break; }
  }

  char mantissa[64];
  int n = 0;
  if (negative) mantissa[n++] = '-';
  if (shift >= 0 && shift <= 15) {
    for (int i = 0; i < count || i <= shift; i++) {
      if (i == shift + 1) mantissa[n++] = '.';
      mantissa[n++] = i < count ? digits[i] : '0';
    }
  } else if (shift < 0 && shift >= -5) {
    mantissa[n++] = '0';
    mantissa[n++] = '.';
    for (int i = -1; i > shift; i--) mantissa[n++] = '0';
    for (int i = 0; i < count; i++) mantissa[n++] = digits[i];
  } else {
    mantissa[n++] = digits[0];
    if (count > 1) mantissa[n++] = '.';
    for (int i = 1; i < count; i++) mantissa[n++] = digits[i];
    n += snprintf(mantissa + n, sizeof mantissa - (size_t)n, "e%d", shift);
  }
  mantissa[n] = '\0';
  return snprintf(buffer, size, "%s%s%s", mantissa, prefix_text, units[unit].symbols[0]);
}

const char *cfg_article(const char *word) {
  return word && strchr("aeiouAEIOU", word[0]) && word[0] ? "an" : "a";
}
