// The schema-driven configuration engine: units, error reports of broken
// files (position, message, caret), presets and discriminators, -p overrides,
// dump -> parse round trips and the generated reference.
#include <gtest/gtest.h>

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ostream>
#include <string>
#include <vector>

#include "aimc_sim/config.h"

namespace {

// ---- A test schema with every value type, a nested section and required keys.

struct AdcParams {
  int bits;
  double conversion_time;
  double energy;
};

struct TileParams {
  char name[16];
  int rows;
  uint64_t seed;
  double period;
  double area;
  double resistance;
  int kind;
  int enabled;
  double levels[4];
  int level_count;
  AdcParams adc;
};

struct TestConfig {
  TileParams tile;
  aimc_device_params device;
};

const char *kind_name(int value)
{
  static const char *const names[] = {"sram", "rram"};
  return value >= 0 && value < 2 ? names[value] : nullptr;
}

const aimc_cfg_field adc_fields[] = {
    AIMC_CFG_INT_FIELD(AdcParams, bits, "8", 1, 16, AIMC_CFG_GE_MIN | AIMC_CFG_LE_MAX, "resolution"),
    AIMC_CFG_DOUBLE_FIELD(AdcParams, conversion_time, "5ns", AIMC_UNIT_TIME, 0, 0, AIMC_CFG_GT_MIN,
                          "time of one conversion"),
    AIMC_CFG_DOUBLE_FIELD(AdcParams, energy, "1.7pJ", AIMC_UNIT_ENERGY, 0, 0, AIMC_CFG_GE_MIN,
                          "energy of one conversion"),
};
const aimc_cfg_section adc_schema = {"adc", "the ADC", sizeof(AdcParams), adc_fields,
                                     sizeof adc_fields / sizeof adc_fields[0], nullptr, nullptr, 0,
                                     nullptr, nullptr};

const aimc_cfg_field tile_fields[] = {
    AIMC_CFG_STRING_FIELD(TileParams, name, nullptr, AIMC_CFG_REQUIRED, "name of the tile"),
    AIMC_CFG_INT_FIELD(TileParams, rows, "512", 1, 4096, AIMC_CFG_GE_MIN | AIMC_CFG_LE_MAX, "rows"),
    AIMC_CFG_UINT64_FIELD(TileParams, seed, "7", 0, "seed"),
    AIMC_CFG_DOUBLE_FIELD(TileParams, period, "10ns", AIMC_UNIT_TIME, 1e-9, 1e-3,
                          AIMC_CFG_GE_MIN | AIMC_CFG_LT_MAX, "pulse period"),
    AIMC_CFG_DOUBLE_FIELD(TileParams, area, "25um^2", AIMC_UNIT_AREA, 0, 0, AIMC_CFG_GE_MIN, "area"),
    AIMC_CFG_DOUBLE_FIELD(TileParams, resistance, "120kOhm", AIMC_UNIT_RESISTANCE, 0, 0,
                          AIMC_CFG_GT_MIN, "line | resistance"),
    AIMC_CFG_ENUM_FIELD(TileParams, kind, "rram", kind_name, 0, "memory technology"),
    AIMC_CFG_BOOL_FIELD(TileParams, enabled, "true", 0, "whether the tile is used"),
    AIMC_CFG_DOUBLE_LIST_FIELD(TileParams, levels, level_count, "[0.5V, 1V]", AIMC_UNIT_VOLTAGE, 0,
                               2, AIMC_CFG_GE_MIN | AIMC_CFG_LE_MAX, "read voltages"),
    AIMC_CFG_SECTION_FIELD(TileParams, adc, adc_schema, "the tile's ADC"),
};
const aimc_cfg_section tile_schema = {"tile", "a tile", sizeof(TileParams), tile_fields,
                                      sizeof tile_fields / sizeof tile_fields[0], nullptr, nullptr, 0,
                                      nullptr, nullptr};

const aimc_cfg_field test_root_fields[] = {
    AIMC_CFG_SECTION_FIELD(TestConfig, tile, tile_schema, "the tile"),
    AIMC_CFG_SECTION_FIELD(TestConfig, device, aimc_device_schema, "the device"),
};
const aimc_cfg_section test_schema = {"", "test root", sizeof(TestConfig), test_root_fields,
                                      sizeof test_root_fields / sizeof test_root_fields[0], nullptr,
                                      nullptr, 0, nullptr, nullptr};

// ---- Helpers.

std::string fixture(const char *name) { return std::string(AIMC_SOURCE_DIR) + "/testbench/config/" + name; }

aimc_status load_text(const aimc_cfg_section *schema, void *config, const std::string &text,
                      const std::vector<const char *> &overrides, aimc_cfg_error *error)
{
  return aimc_cfg_load_string(schema, config, "test.yaml", text.data(), text.size(),
                              overrides.empty() ? nullptr : overrides.data(), overrides.size(), error);
}

aimc_config load_ok(const std::string &text, const std::vector<const char *> &overrides = {})
{
  aimc_config config;
  aimc_cfg_error error;
  aimc_status status = load_text(&aimc_config_schema, &config, text, overrides, &error);
  EXPECT_EQ(status, AIMC_OK) << error.text;
  return config;
}

template <typename Write>
std::string capture(Write write)
{
  char *data = nullptr;
  size_t size = 0;
  FILE *stream = open_memstream(&data, &size);
  EXPECT_NE(stream, nullptr);
  EXPECT_EQ(write(stream), AIMC_OK);
  fclose(stream);
  std::string text(data, size);
  free(data);
  return text;
}

std::string dump(const aimc_cfg_section *schema, const void *config)
{
  return capture([&](FILE *out) { return aimc_cfg_dump(out, schema, config); });
}

std::vector<std::string> lines_of(const std::string &text)
{
  std::vector<std::string> lines;
  size_t start = 0;
  for (size_t end; (end = text.find('\n', start)) != std::string::npos; start = end + 1)
    lines.push_back(text.substr(start, end - start));
  if (start < text.size()) lines.push_back(text.substr(start));
  return lines;
}

bool same_bits(double a, double b) { return std::memcmp(&a, &b, sizeof a) == 0; }

// ---- Units.

struct QuantityCase {
  const char *text;
  aimc_cfg_unit unit;
  double expected;
};

TEST(ConfigUnits, ParsesPrefixedValuesToTheExactDouble)
{
  const QuantityCase cases[] = {
      {"5ns", AIMC_UNIT_TIME, 5e-9},
      {"40 ns", AIMC_UNIT_TIME, 40e-9},
      {"2", AIMC_UNIT_TIME, 2.0},
      {"2.5e-3ms", AIMC_UNIT_TIME, 2.5e-6},
      {"1GHz", AIMC_UNIT_FREQUENCY, 1e9},
      {"250MHz", AIMC_UNIT_FREQUENCY, 250e6},
      {"1.7pJ", AIMC_UNIT_ENERGY, 1.7e-12},
      {"3fJ", AIMC_UNIT_ENERGY, 3e-15},
      {"5mW", AIMC_UNIT_POWER, 5e-3},
      {"0.5V", AIMC_UNIT_VOLTAGE, 0.5},
      {"-2mA", AIMC_UNIT_CURRENT, -2e-3},
      {"10uS", AIMC_UNIT_CONDUCTANCE, 10e-6},
      {"10\xC2\xB5S", AIMC_UNIT_CONDUCTANCE, 10e-6},
      {"120kOhm", AIMC_UNIT_RESISTANCE, 120e3},
      {"1M\xCE\xA9", AIMC_UNIT_RESISTANCE, 1e6},
      {"100fF", AIMC_UNIT_CAPACITANCE, 100e-15},
      {"7.5mm", AIMC_UNIT_LENGTH, 7.5e-3},
      {"3um^2", AIMC_UNIT_AREA, 3e-12},
      {"2mm2", AIMC_UNIT_AREA, 2e-6},
      {"1.5pJ/bit", AIMC_UNIT_ENERGY_PER_BIT, 1.5e-12},
      {"2.5e-3", AIMC_UNIT_NONE, 2.5e-3},
      {".5", AIMC_UNIT_NONE, 0.5},
      {"+4", AIMC_UNIT_NONE, 4.0},
      {"0.1", AIMC_UNIT_NONE, 0.1},
      {"1E3", AIMC_UNIT_NONE, 1000.0},
  };
  for (const QuantityCase &c : cases) {
    double value = -1.0;
    char message[256] = "";
    ASSERT_EQ(aimc_cfg_parse_quantity(c.text, c.unit, &value, message, sizeof message), AIMC_OK)
        << c.text << ": " << message;
    EXPECT_TRUE(same_bits(value, c.expected)) << c.text << " gave " << value;
  }
}

struct BadQuantityCase {
  const char *text;
  aimc_cfg_unit unit;
  const char *message_part;
};

TEST(ConfigUnits, RejectsBadNumbersAndUnits)
{
  const BadQuantityCase cases[] = {
      {"abc", AIMC_UNIT_NONE, "expected a number"},
      {"", AIMC_UNIT_TIME, "expected a number"},
      {"5ns", AIMC_UNIT_VOLTAGE, "'ns' is a time unit, but this value is a voltage in V"},
      {"5V", AIMC_UNIT_NONE, "'V' is a voltage unit, but this value is dimensionless"},
      {"5x", AIMC_UNIT_NONE, "unexpected 'x' after the number"},
      {"5 nsx", AIMC_UNIT_TIME, "unknown unit 'nsx'"},
      {"5NS", AIMC_UNIT_TIME, "unknown unit 'NS'"},
      {"5m", AIMC_UNIT_TIME, "'m' is a length unit"},
      {"nan", AIMC_UNIT_NONE, "not a finite number"},
      {"inf", AIMC_UNIT_NONE, "not a finite number"},
      {"-.inf", AIMC_UNIT_TIME, "not a finite number"},
      {"1e999", AIMC_UNIT_NONE, "too large"},
      {"1e-999", AIMC_UNIT_NONE, "too small"},
      {"0x10", AIMC_UNIT_NONE, "unexpected 'x10'"},
      {"1..2", AIMC_UNIT_NONE, "unexpected '.2'"},
      {"--1", AIMC_UNIT_NONE, "expected a number"},
      {"1,5", AIMC_UNIT_NONE, "unexpected ',5'"},
  };
  for (const BadQuantityCase &c : cases) {
    double value = 0.0;
    char message[256] = "";
    EXPECT_EQ(aimc_cfg_parse_quantity(c.text, c.unit, &value, message, sizeof message), AIMC_EINVAL)
        << c.text;
    EXPECT_NE(std::string(message).find(c.message_part), std::string::npos)
        << c.text << ": " << message;
  }
}

TEST(ConfigUnits, FormatsWithReadablePrefixes)
{
  const struct {
    double value;
    aimc_cfg_unit unit;
    const char *text;
  } cases[] = {
      {5e-9, AIMC_UNIT_TIME, "5ns"},       {1e9, AIMC_UNIT_FREQUENCY, "1GHz"},
      {1.7e-12, AIMC_UNIT_ENERGY, "1.7pJ"}, {120e3, AIMC_UNIT_RESISTANCE, "120kOhm"},
      {25e-12, AIMC_UNIT_AREA, "25um^2"},   {10e-6, AIMC_UNIT_CONDUCTANCE, "10uS"},
      {0.0, AIMC_UNIT_TIME, "0s"},          {-2e-3, AIMC_UNIT_CURRENT, "-2mA"},
      {0.001, AIMC_UNIT_NONE, "0.001"},     {1e-20, AIMC_UNIT_TIME, "1e-20s"},
      {250e6, AIMC_UNIT_FREQUENCY, "250MHz"}, {1.5e-12, AIMC_UNIT_ENERGY_PER_BIT, "1.5pJ/bit"},
      {1000.0, AIMC_UNIT_NONE, "1000"},     {1e-6, AIMC_UNIT_NONE, "1e-6"},
      {-0.0, AIMC_UNIT_NONE, "-0"},         {1.0 / 3.0, AIMC_UNIT_NONE, "0.3333333333333333"},
  };
  for (const auto &c : cases) {
    char text[64];
    aimc_cfg_format_quantity(text, sizeof text, c.value, c.unit);
    EXPECT_STREQ(text, c.text);
  }
}

TEST(ConfigUnits, FormatThenParseIsExactForManyDoubles)
{
  uint64_t state = 0x9E3779B97F4A7C15ull;
  int checked = 0;
  while (checked < 20000) {
    state = state * 6364136223846793005ull + 1442695040888963407ull;
    double value;
    uint64_t bits = state;
    std::memcpy(&value, &bits, sizeof value);
    if (!std::isfinite(value)) continue;
    aimc_cfg_unit unit = static_cast<aimc_cfg_unit>(checked % AIMC_UNIT_COUNT);
    char text[64];
    aimc_cfg_format_quantity(text, sizeof text, value, unit);
    double back = 0.0;
    char message[256] = "";
    ASSERT_EQ(aimc_cfg_parse_quantity(text, unit, &back, message, sizeof message), AIMC_OK)
        << text << ": " << message;
    ASSERT_TRUE(same_bits(back, value)) << text;
    checked++;
  }
}

// ---- Broken files: exact position, message, source line and caret.

struct BrokenCase {
  const char *file;
  bool test_schema;
  int line, column;
  const char *message_part;
};

void PrintTo(const BrokenCase &c, std::ostream *out) { *out << c.file; }

class ConfigBrokenFile : public ::testing::TestWithParam<BrokenCase> {};

TEST_P(ConfigBrokenFile, ReportsPositionMessageAndCaret)
{
  const BrokenCase &c = GetParam();
  std::string path = fixture(c.file);
  TestConfig test_config;
  aimc_config config;
  std::memset(&config, 0x5A, sizeof config);
  aimc_config before = config;
  aimc_cfg_error error;
  aimc_status status =
      c.test_schema ? aimc_cfg_load_file(&test_schema, &test_config, path.c_str(), nullptr, 0, &error)
                    : aimc_cfg_load_file(&aimc_config_schema, &config, path.c_str(), nullptr, 0, &error);
  ASSERT_EQ(status, AIMC_EFORMAT) << error.text;
  EXPECT_EQ(std::memcmp(&before, &config, sizeof config), 0) << "a failed load changed the config";

  std::string prefix = path + ":" + std::to_string(c.line) + ":" + std::to_string(c.column) + ": ";
  std::vector<std::string> lines = lines_of(error.text);
  ASSERT_EQ(lines.size(), 3u) << error.text;
  EXPECT_EQ(lines[0].rfind(prefix, 0), 0u) << error.text;
  EXPECT_NE(lines[0].find(c.message_part), std::string::npos) << error.text;
  EXPECT_EQ(error.line, c.line);
  EXPECT_EQ(error.column, c.column);
  // The caret sits under the column (fixtures use no tabs before it).
  EXPECT_EQ(lines[2].find('^'), static_cast<size_t>(c.column - 1)) << error.text;
  EXPECT_EQ(lines[2].find_first_not_of(' '), static_cast<size_t>(c.column - 1)) << error.text;
}

const BrokenCase broken_cases[] = {
    {"syntax_error.yaml", false, 4, 2, "YAML syntax error: did not find expected key"},
    {"unknown_key.yaml", false, 4, 3, "unknown key 'dw_mni' in section 'device'; did you mean 'dw_min'?"},
    {"unknown_section.yaml", false, 1, 1, "unknown section 'devise'; did you mean 'device'?"},
    {"wrong_type.yaml", false, 2, 15, "'update.desired_bl' expects an integer, got '3.5'"},
    {"bool_as_number.yaml", false, 2, 13, "'update.fixed_bl' expects true or false, got '1'"},
    {"out_of_range.yaml", false, 2, 12, "'device.up_down' = 1.5 is out of range: must be in (-1, 1)"},
    {"bad_unit.yaml", true, 3, 11, "'tile.period': 'V' is a voltage unit, but this value is a time in s"},
    {"unit_out_of_range.yaml", true, 3, 11, "'tile.period' = 5ms is out of range: must be in [1ns, 1ms)"},
    {"missing_required.yaml", true, 1, 1, "missing required key 'name' in section 'tile'"},
    {"duplicate_key.yaml", false, 4, 3, "duplicate key 'out_noise' (first given at line 2, column 3)"},
    {"deep_nesting.yaml", false, 1, 40, "nesting deeper than 32 levels"},
    {"non_utf8.yaml", false, 2, 20, "invalid UTF-8 byte 0xE9"},
    {"unknown_preset.yaml", false, 2, 11, "unknown preset 'ecrm' for section 'device' (did you mean 'ecram'?)"},
    {"section_as_scalar.yaml", false, 1, 9, "'device' is a section and expects a mapping of keys, got a scalar"},
    {"mapping_as_scalar.yaml", false, 3, 5, "'device.dw_min' expects a number, got a mapping"},
    {"list_as_scalar.yaml", false, 3, 17, "'device.piecewise_up' expects a list of numbers"},
    {"invalid_section.yaml", false, 3, 10, "invalid section 'device': device.w_min (0) must be < device.w_max (0)"},
    {"preset_and_model.yaml", false, 1, 25, "'model' and 'preset' cannot be combined in section 'device'"},
    {"wrong_version.yaml", false, 1, 10, "unsupported config version '2'; this build reads version 1"},
    {"not_finite.yaml", false, 2, 14, "'.nan' is not a finite number"},
    {"alias.yaml", false, 3, 11, "aliases (*io) are not supported"},
    {"piecewise_mismatch.yaml", false, 4, 19,
     "'device.piecewise_down' has 2 values but 'device.piecewise_up' has 3"},
};

std::string broken_case_name(const ::testing::TestParamInfo<BrokenCase> &info)
{
  std::string name = info.param.file;
  return name.substr(0, name.find('.'));
}

INSTANTIATE_TEST_SUITE_P(Fixtures, ConfigBrokenFile, ::testing::ValuesIn(broken_cases), broken_case_name);

TEST(ConfigErrors, MissingRequiredKeyOfAnAbsentSectionPointsAtTheDocument)
{
  TestConfig config;
  aimc_cfg_error error;
  ASSERT_EQ(load_text(&test_schema, &config, "version: 1\n", {}, &error), AIMC_EFORMAT);
  EXPECT_EQ(std::string(error.text).rfind("test.yaml:1:1: missing required key 'name' in section 'tile'", 0), 0u)
      << error.text;
}

TEST(ConfigErrors, EndOfInputPointsAfterTheLastCharacter)
{
  aimc_config config;
  aimc_cfg_error error;
  ASSERT_EQ(load_text(&aimc_config_schema, &config, "forward:\n  inp_res: [0.1, 0.2\n\n", {}, &error),
            AIMC_EFORMAT);
  std::vector<std::string> lines = lines_of(error.text);
  ASSERT_EQ(lines.size(), 3u) << error.text;
  EXPECT_EQ(lines[0].rfind("test.yaml:2:21: YAML syntax error: did not find expected ',' or ']'", 0), 0u)
      << error.text;
  EXPECT_EQ(lines[1], "  inp_res: [0.1, 0.2");
  EXPECT_EQ(lines[2], std::string(20, ' ') + "^");
}

TEST(ConfigErrors, CaretLineKeepsTabsAndCountsCharacters)
{
  TestConfig config;
  aimc_cfg_error error;
  ASSERT_EQ(load_text(&test_schema, &config, "tile: {\tname: \"\xC2\xB5\xC2\xB5\", rows: abc}\n", {}, &error),
            AIMC_EFORMAT);
  std::vector<std::string> lines = lines_of(error.text);
  ASSERT_EQ(lines.size(), 3u) << error.text;
  // Each mu is one character (two bytes): columns count characters, as libyaml's do.
  EXPECT_EQ(lines[0].rfind("test.yaml:1:27: 'tile.rows' expects an integer, got 'abc'", 0), 0u) << error.text;
  EXPECT_EQ(lines[2], std::string(7, ' ') + "\t" + std::string(18, ' ') + "^");
}

TEST(ConfigErrors, UnreadableFileIsAnIoError)
{
  aimc_config config;
  aimc_cfg_error error;
  EXPECT_EQ(aimc_cfg_load_file(&aimc_config_schema, &config, "/nonexistent/x.yaml", nullptr, 0, &error),
            AIMC_EIO);
  EXPECT_NE(std::string(error.text).find("/nonexistent/x.yaml: cannot open"), std::string::npos);
}

TEST(ConfigErrors, LongLinesAreShownAsAWindowAroundTheColumn)
{
  std::string text = "forward: {" + std::string(300, ' ') + "out_noise: abc}\n";
  aimc_config config;
  aimc_cfg_error error;
  ASSERT_EQ(load_text(&aimc_config_schema, &config, text, {}, &error), AIMC_EFORMAT);
  std::vector<std::string> lines = lines_of(error.text);
  ASSERT_EQ(lines.size(), 3u);
  EXPECT_EQ(lines[0].rfind("test.yaml:1:322: ", 0), 0u) << error.text;
  size_t caret = lines[2].find('^');
  ASSERT_NE(caret, std::string::npos);
  EXPECT_EQ(lines[1].substr(caret, 3), "abc");
  EXPECT_LT(lines[1].size(), 250u);
}

TEST(ConfigErrors, QuotedNumbersAndEmptyValuesAreRefused)
{
  aimc_config config;
  aimc_cfg_error error;
  ASSERT_EQ(load_text(&aimc_config_schema, &config, "device:\n  dw_min: \"0.1\"\n", {}, &error), AIMC_EFORMAT);
  EXPECT_NE(std::string(error.message).find("expects a number, got the quoted string"), std::string::npos);
  ASSERT_EQ(load_text(&aimc_config_schema, &config, "device:\n  dw_min:\n", {}, &error), AIMC_EFORMAT);
  EXPECT_NE(std::string(error.message).find("'device.dw_min' has no value"), std::string::npos);
}

// An explicit tag asks for a type the schema does not give: refused where it
// stands, in the file and in -p overrides, never silently ignored.
TEST(ConfigErrors, ExplicitYamlTagsAreRefusedWithFileLineAndColumn)
{
  struct Case {
    const char *text, *tag;
    int line, column;
  } cases[] = {
      {"device:\n  dw_min: !!str 0.1\n", "(!!str)", 2, 11},
      {"device:\n  dw_min: !!float 0.1\n", "(!!float)", 2, 11},
      {"experiment:\n  algorithm: !custom tiki_taka\n", "(!custom)", 2, 14},
      {"experiment:\n  lr: !!python/object:os.system x\n", "(!!python/object:os.system)", 2, 7},
      {"device: !!map\n  dw_min: 0.1\n", "(!!map)", 1, 9},
      {"device:\n  piecewise_up: !!seq [1, 2]\n", "(!!seq)", 2, 17},
  };
  for (const Case &c : cases) {
    aimc_config config;
    aimc_cfg_error error;
    ASSERT_EQ(load_text(&aimc_config_schema, &config, c.text, {}, &error), AIMC_EFORMAT) << c.text;
    std::string where = "test.yaml:" + std::to_string(c.line) + ":" + std::to_string(c.column) + ": YAML tags " + c.tag +
                        " are not supported in config files";
    EXPECT_EQ(std::string(error.text).rfind(where, 0), 0u) << error.text;
  }
  aimc_config config;
  aimc_cfg_error error;
  ASSERT_EQ(load_text(&aimc_config_schema, &config, "", {"device.dw_min=!!str 0.1"}, &error), AIMC_EFORMAT);
  EXPECT_NE(std::string(error.text).find("YAML tags (!!str) are not supported"), std::string::npos) << error.text;
}

// Messages quote values; a control character in one (here ESC, written as a
// YAML escape) is refused, shown escaped, so none reaches the terminal raw.
TEST(ConfigErrors, ControlCharactersInValuesAreRefusedAndShownEscaped)
{
  aimc_config config;
  aimc_cfg_error error;
  ASSERT_EQ(load_text(&aimc_config_schema, &config, "experiment:\n  algorithm: \"tiki\\e[2J\\rtaka\"\n", {}, &error),
            AIMC_EFORMAT);
  std::string text = error.text;
  EXPECT_EQ(text.rfind("test.yaml:2:14: a value must not contain the control character \\x1b", 0), 0u) << text;
  for (char c : text) EXPECT_TRUE(c == '\n' || static_cast<unsigned char>(c) >= 0x20) << text;
}

// ---- Presets and discriminators.

TEST(ConfigPresets, ExplicitKeyWinsWhateverItsOrder)
{
  aimc_config before = load_ok("device:\n  dw_min: 0.003\n  preset: ecram\n");
  aimc_config after = load_ok("device:\n  preset: ecram\n  dw_min: 0.003\n");
  EXPECT_EQ(before.device.dw_min, 0.003);
  EXPECT_EQ(before.device.model, AIMC_DEVICE_LINEAR_STEP);
  EXPECT_EQ(before.device.gamma_down, 0.5085);
  EXPECT_EQ(before.device.w_max, 1.1724);
  EXPECT_TRUE(aimc_cfg_equal(&aimc_config_schema, &before, &after));
}

TEST(ConfigPresets, PresetAloneMatchesItsTable)
{
  aimc_config config = load_ok("device: {preset: pcm}\n");
  EXPECT_EQ(config.device.model, AIMC_DEVICE_EXP_STEP);
  EXPECT_EQ(config.device.dw_min, 0.01);
  EXPECT_EQ(config.device.A_up, -27.235);
  EXPECT_EQ(config.device.w_min, 0.0);
  EXPECT_EQ(config.device.dw_min_std_slope, 0.108);
  aimc_config ald = load_ok("device: {preset: ald, w_max: 0.5, w_min: -0.5}\n");
  aimc_device_params expected;
  aimc_device_params_ald(&expected, 0.5, 0.001);
  EXPECT_TRUE(aimc_cfg_equal(&aimc_device_schema, &ald.device, &expected));
}

TEST(ConfigPresets, EveryDevicePresetValidates)
{
  for (size_t i = 0; i < aimc_device_schema.preset_count; i++) {
    std::string text = std::string("device: {preset: ") + aimc_device_schema.presets[i].name + "}\n";
    aimc_config config;
    aimc_cfg_error error;
    EXPECT_EQ(load_text(&aimc_config_schema, &config, text, {}, &error), AIMC_OK) << error.text;
  }
}

TEST(ConfigPresets, DiscriminatorResetsTheModelDefaultsBeforeOtherKeys)
{
  aimc_config config = load_ok("device:\n  dw_min: 0.003\n  gamma_up: 2\n  model: exp_step\n");
  aimc_device_params expected;
  aimc_device_params_default(&expected, AIMC_DEVICE_EXP_STEP);
  expected.dw_min = 0.003;
  expected.gamma_up = 2.0;
  EXPECT_TRUE(aimc_cfg_equal(&aimc_device_schema, &config.device, &expected));
  EXPECT_EQ(config.device.A_down, expected.A_down);
  // Without keys of its own, a model is exactly the core's defaults for it.
  aimc_config bare = load_ok("device: {model: soft_bounds}\n");
  aimc_device_params_default(&expected, AIMC_DEVICE_SOFT_BOUNDS);
  EXPECT_TRUE(aimc_cfg_equal(&aimc_device_schema, &bare.device, &expected));
}

TEST(ConfigPresets, PeripheryPresetsApplyPerSection)
{
  aimc_config config = load_ok("forward: {out_noise: 0.5, preset: aihwkit_standard}\nbackward: {preset: perfect}\n"
                               "chip: {dac: {bits: 8}}\n");
  EXPECT_EQ(config.forward.out_noise, 0.5);
  EXPECT_EQ(config.forward.out_bound, 10.0);
  EXPECT_EQ(config.backward.is_perfect, 1);
  // AIHWKIT's defaults, quantised as the default chip's 7-bit DAC and 8-bit ADC convert.
  aimc_io_params defaults;
  aimc_io_params_default(&defaults);
  aimc_hw_chip_params chip;
  aimc_hw_chip_params_default(&chip);
  aimc_hw_io_match_converters(&chip, &defaults);
  aimc_config plain = load_ok("");
  EXPECT_TRUE(aimc_cfg_equal(&aimc_io_schema, &plain.forward, &defaults));
}

TEST(ConfigPresets, SharedListLengthMustBeKept)
{
  aimc_config config = load_ok("device: {model: piecewise_step, piecewise_up: [1, 0.5], piecewise_down: [0.5, 1]}\n");
  EXPECT_EQ(config.device.piecewise_nodes, 2);
  EXPECT_EQ(config.device.piecewise_down[1], 1.0);
  aimc_cfg_error error;
  ASSERT_EQ(load_text(&aimc_config_schema, &config, "device: {piecewise_up: [1, 0.5, 0.2]}\n", {}, &error),
            AIMC_EFORMAT);
  EXPECT_NE(std::string(error.message).find("'device.piecewise_up' has 3 values but 'device.piecewise_down' keeps 2"),
            std::string::npos) << error.text;
}

// ---- Command-line overrides.

TEST(ConfigOverrides, ApplyAfterTheFileWithTheSameRules)
{
  const char *text = "device:\n  preset: ecram\n  dw_min: 0.002\nforward:\n  out_noise: 0.1\n";
  aimc_config config = load_ok(text, {"device.dw_min=0.004", "forward.out_noise=0", "update.desired_bl=7"});
  EXPECT_EQ(config.device.dw_min, 0.004);
  EXPECT_EQ(config.device.model, AIMC_DEVICE_LINEAR_STEP);
  EXPECT_EQ(config.forward.out_noise, 0.0);
  EXPECT_EQ(config.update.desired_bl, 7);
  // A preset given with -p is still applied before the file's explicit keys.
  aimc_config pcm = load_ok(text, {"device.preset=pcm"});
  EXPECT_EQ(pcm.device.model, AIMC_DEVICE_EXP_STEP);
  EXPECT_EQ(pcm.device.dw_min, 0.002);
  // The last of two overrides of one key wins; lists are YAML values.
  aimc_config lists = load_ok("", {"device.model=piecewise_step", "device.piecewise_up=[1, 2, 3]",
                                   "device.piecewise_down=[3, 2, 1]", "update.desired_bl=3",
                                   "update.desired_bl=5"});
  EXPECT_EQ(lists.device.piecewise_nodes, 3);
  EXPECT_EQ(lists.device.piecewise_up[2], 3.0);
  EXPECT_EQ(lists.update.desired_bl, 5);
  // An explicitly empty document takes overrides too.
  aimc_config empty = load_ok("---\n", {"update.desired_bl=9"});
  EXPECT_EQ(empty.update.desired_bl, 9);
  aimc_config none;
  aimc_cfg_error error;
  ASSERT_EQ(aimc_cfg_load_file(&aimc_config_schema, &none, nullptr, nullptr, 0, &error), AIMC_OK);
  aimc_config defaults;
  aimc_cfg_defaults(&aimc_config_schema, &defaults);
  EXPECT_TRUE(aimc_cfg_equal(&aimc_config_schema, &none, &defaults));
}

TEST(ConfigOverrides, NestedKeysOfTheTestSchema)
{
  TestConfig config;
  aimc_cfg_error error;
  ASSERT_EQ(load_text(&test_schema, &config, "tile: {name: t}\n", {"tile.adc.bits=6", "tile.adc.conversion_time=40 ns"},
                      &error),
            AIMC_OK)
      << error.text;
  EXPECT_EQ(config.tile.adc.bits, 6);
  EXPECT_EQ(config.tile.adc.conversion_time, 40e-9);
}

struct OverrideErrorCase {
  const char *override_text;
  const char *first_line;
  int caret_column;
};

TEST(ConfigOverrides, ErrorsNameTheOverrideAndPointIntoIt)
{
  const OverrideErrorCase cases[] = {
      {"device.dw_min=abc", "-p device.dw_min=abc: 'device.dw_min' expects a number, got 'abc'", 18},
      {"device.dw_mni=1", "-p device.dw_mni=1: unknown key 'dw_mni' in section 'device'; did you mean 'dw_min'?", 11},
      {"devise.dw_min=1", "-p devise.dw_min=1: unknown section 'devise'; did you mean 'device'?", 4},
      {"device.dw_min", "-p device.dw_min: expected section.key=value", 4},
      {"device..dw_min=1", "-p device..dw_min=1: expected section.key=value", 11},
      {"device.up_down=2", "-p device.up_down=2: 'device.up_down' = 2 is out of range: must be in (-1, 1)", 19},
      {"device.piecewise_up=[1,", "-p device.piecewise_up=[1,: YAML syntax error:", 27},
      {"device.lifetime=0.5", "-p device.lifetime=0.5: invalid section 'device': device.lifetime must be 0 (off) or >= 1", 20},
      {"device.dw_min=", "-p device.dw_min=: 'device.dw_min' has no value", 18},
  };
  for (const OverrideErrorCase &c : cases) {
    aimc_config config;
    aimc_cfg_error error;
    ASSERT_EQ(load_text(&aimc_config_schema, &config, "device: {dw_min: 0.002}\n", {c.override_text}, &error),
              AIMC_EFORMAT)
        << c.override_text;
    std::vector<std::string> lines = lines_of(error.text);
    ASSERT_EQ(lines.size(), 3u) << error.text;
    EXPECT_EQ(lines[0].rfind(c.first_line, 0), 0u) << error.text;
    EXPECT_EQ(lines[1], std::string("-p ") + c.override_text);
    EXPECT_EQ(lines[2].find('^'), static_cast<size_t>(c.caret_column - 1)) << error.text;
  }
}

// ---- Dump, round trips and the reference.

TEST(ConfigDump, DefaultsRoundTrip)
{
  aimc_config defaults;
  aimc_cfg_defaults(&aimc_config_schema, &defaults);
  std::string text = dump(&aimc_config_schema, &defaults);
  aimc_config parsed = load_ok(text);
  EXPECT_TRUE(aimc_cfg_equal(&aimc_config_schema, &defaults, &parsed)) << text;
  EXPECT_EQ(dump(&aimc_config_schema, &parsed), text);
  EXPECT_NE(text.find("version: 1\n"), std::string::npos);
  EXPECT_NE(text.find("device:\n  model: constant_step\n  dw_min: 0.001\n"), std::string::npos) << text;
  EXPECT_NE(text.find("  inp_res: 0.007936507936507936\n"), std::string::npos) << text;
}

TEST(ConfigDump, NonTrivialFilesRoundTrip)
{
  for (const char *name : {"good_full.yaml", "good_piecewise.yaml"}) {
    std::string path = fixture(name);
    aimc_config config;
    aimc_cfg_error error;
    ASSERT_EQ(aimc_cfg_load_file(&aimc_config_schema, &config, path.c_str(), nullptr, 0, &error), AIMC_OK)
        << error.text;
    std::string text = dump(&aimc_config_schema, &config);
    aimc_config parsed = load_ok(text);
    EXPECT_TRUE(aimc_cfg_equal(&aimc_config_schema, &config, &parsed)) << name << "\n" << text;
    EXPECT_EQ(dump(&aimc_config_schema, &parsed), text);
  }
  aimc_config config;
  aimc_cfg_error error;
  std::string path = fixture("good_full.yaml");
  ASSERT_EQ(aimc_cfg_load_file(&aimc_config_schema, &config, path.c_str(), nullptr, 0, &error), AIMC_OK);
  EXPECT_EQ(config.device.dw_min, 0.0015);
  EXPECT_EQ(config.device.gamma_up, 0.1153);
  EXPECT_EQ(config.device.construction_seed, UINT64_MAX);
  EXPECT_EQ(config.update.pulse_type, AIMC_PULSE_MEAN_COUNT);
  EXPECT_EQ(config.forward.out_res, 1.0 / 254.0);
  EXPECT_EQ(config.backward.noise_management, AIMC_NM_CONSTANT);
}

TEST(ConfigDump, EveryValueTypeRoundTrips)
{
  const char *text =
      "tile:\n"
      "  name: \"a \\\"quoted\\\" name\"\n"
      "  rows: 128\n"
      "  seed: 12345678901234567\n"
      "  period: 2.5 ns\n"
      "  area: 0.1mm^2\n"
      "  kind: sram\n"
      "  enabled: false\n"
      "  levels: [0.1V, 250mV, 1.3V]\n"
      "  adc: {bits: 10, conversion_time: 1us, energy: 3.3fJ}\n"
      "device: {preset: reram_es}\n";
  TestConfig config;
  aimc_cfg_error error;
  ASSERT_EQ(load_text(&test_schema, &config, text, {}, &error), AIMC_OK) << error.text;
  EXPECT_STREQ(config.tile.name, "a \"quoted\" name");
  EXPECT_EQ(config.tile.seed, 12345678901234567ull);
  EXPECT_EQ(config.tile.period, 2.5e-9);
  EXPECT_EQ(config.tile.area, 0.1e-6);
  EXPECT_EQ(config.tile.level_count, 3);
  EXPECT_EQ(config.tile.levels[1], 0.25);
  EXPECT_EQ(config.tile.adc.energy, 3.3e-15);
  EXPECT_EQ(config.tile.resistance, 120e3);  // default text "120kOhm"
  std::string dumped = dump(&test_schema, &config);
  EXPECT_NE(dumped.find("  period: 2.5ns\n"), std::string::npos) << dumped;
  EXPECT_NE(dumped.find("  levels: [100mV, 250mV, 1.3V]\n"), std::string::npos) << dumped;
  EXPECT_NE(dumped.find("  adc:\n    bits: 10\n    conversion_time: 1us\n"), std::string::npos) << dumped;
  TestConfig parsed;
  ASSERT_EQ(load_text(&test_schema, &parsed, dumped, {}, &error), AIMC_OK) << error.text << dumped;
  EXPECT_TRUE(aimc_cfg_equal(&test_schema, &config, &parsed)) << dumped;
}

TEST(ConfigReference, HasARowForEveryFieldAndPreset)
{
  for (const aimc_cfg_section *schema : {&aimc_config_schema, &test_schema}) {
    std::string md = capture([&](FILE *out) { return aimc_cfg_write_reference_md(out, schema); });
    std::vector<const aimc_cfg_section *> pending = {schema};
    std::vector<std::string> paths = {""};
    size_t rows = 0;
    while (!pending.empty()) {
      const aimc_cfg_section *section = pending.back();
      std::string path = paths.back();
      pending.pop_back();
      paths.pop_back();
      std::string heading = "## `" + (path.empty() ? std::string("(top level)") : path) + "`\n";
      size_t start = md.find(heading);
      ASSERT_NE(start, std::string::npos) << heading;
      size_t end = md.find("\n## ", start + 1);
      std::string body = md.substr(start, end == std::string::npos ? std::string::npos : end - start);
      for (size_t i = 0; i < section->field_count; i++) {
        const aimc_cfg_field &field = section->fields[i];
        EXPECT_NE(body.find(std::string("\n| `") + field.key + "` | "), std::string::npos)
            << path << "." << field.key;
        rows++;
        if (field.type == AIMC_CFG_SECTION) {
          pending.push_back(field.section);
          paths.push_back(path.empty() ? field.key : path + "." + field.key);
        }
      }
      for (size_t i = 0; i < section->preset_count; i++)
        EXPECT_NE(body.find(std::string("\n| `") + section->presets[i].name + "` | "), std::string::npos)
            << section->presets[i].name;
    }
    EXPECT_GT(rows, 3u);
    if (schema == &test_schema) {
      EXPECT_NE(md.find("| `period` | number | `10ns` | in [1ns, 1ms) | s | pulse period |"), std::string::npos)
          << md;
      EXPECT_NE(md.find("line \\| resistance"), std::string::npos);
      EXPECT_NE(md.find("| `name` | string (at most 15 bytes) | required |"), std::string::npos) << md;
    } else {
      EXPECT_NE(md.find("| `ecram` | "), std::string::npos);
      EXPECT_NE(md.find("model: linear_step, dw_min: 0.002"), std::string::npos) << md;
    }
  }
}

// ---- The schema self-check.

TEST(ConfigSchema, RealSchemaPassesAndBrokenOnesAreRefused)
{
  aimc_cfg_error error;
  EXPECT_EQ(aimc_cfg_check_schema(&aimc_config_schema, &error), AIMC_OK) << error.text;
  EXPECT_EQ(aimc_cfg_check_schema(&test_schema, &error), AIMC_OK) << error.text;

  const aimc_cfg_field duplicated[] = {
      AIMC_CFG_INT_FIELD(AdcParams, bits, "8", 0, 0, 0, "a"),
      AIMC_CFG_INT_FIELD(AdcParams, bits, "8", 0, 0, 0, "b"),
  };
  const aimc_cfg_section duplicated_schema = {"adc", "", sizeof(AdcParams), duplicated, 2, nullptr,
                                              nullptr, 0, nullptr, nullptr};
  EXPECT_EQ(aimc_cfg_check_schema(&duplicated_schema, &error), AIMC_EINVAL);
  EXPECT_NE(std::string(error.message).find("key 'bits' appears twice"), std::string::npos) << error.text;

  const aimc_cfg_field bad_default[] = {
      AIMC_CFG_INT_FIELD(AdcParams, bits, "40", 1, 16, AIMC_CFG_GE_MIN | AIMC_CFG_LE_MAX, "a"),
  };
  const aimc_cfg_section bad_default_schema = {"adc", "", sizeof(AdcParams), bad_default, 1, nullptr,
                                               nullptr, 0, nullptr, nullptr};
  EXPECT_EQ(aimc_cfg_check_schema(&bad_default_schema, &error), AIMC_EINVAL);
  EXPECT_NE(std::string(error.text).find("out of range"), std::string::npos) << error.text;
  AdcParams adc;
  EXPECT_EQ(aimc_cfg_load_string(&bad_default_schema, &adc, "x", "", 0, nullptr, 0, &error), AIMC_EINVAL);
}

}  // namespace
