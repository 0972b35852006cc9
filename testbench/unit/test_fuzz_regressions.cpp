// Inputs that the libFuzzer harnesses of testbench/fuzz found to break a
// contract, kept as regressions: each is a file of the harness's seed corpus
// (testbench/fuzz/corpus/NAME/regression_*), fed to the same entry point with
// the outcome the contract requires spelled out (docs/reliability.md, "Fuzzing").
#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>

#include "aimc_sim/config.h"

namespace {

std::string corpus(const char *harness, const char *name) {
  return std::string(AIMC_SOURCE_DIR) + "/testbench/fuzz/corpus/" + harness + "/" + name;
}

std::string dump(const aimc_config &config) {
  char *data = nullptr;
  size_t size = 0;
  FILE *stream = open_memstream(&data, &size);
  EXPECT_NE(stream, nullptr);
  EXPECT_EQ(aimc_cfg_dump(stream, &aimc_config_schema, &config), AIMC_OK);
  fclose(stream);
  std::string text(data, size);
  free(data);
  return text;
}

}  // namespace

// fuzz_config: a string holding NEL (U+0085, here from the escape "\u0085") was
// dumped raw inside double quotes, where YAML folds it as a line break, so the
// dump loaded back as a different config. Such characters are dumped escaped.
TEST(FuzzRegression, ConfigStringWithNextLineRoundTrips) {
  auto config = std::make_unique<aimc_config>();
  auto again = std::make_unique<aimc_config>();
  aimc_cfg_error error;
  std::string path = corpus("config", "regression_nel_in_string.yaml");
  ASSERT_EQ(aimc_cfg_load_file(&aimc_config_schema, config.get(), path.c_str(), nullptr, 0, &error),
            AIMC_OK)
      << error.text;
  EXPECT_STREQ(config->data.train_images, "\xC2\x85");
  std::string text = dump(*config);
  EXPECT_NE(text.find("  train_images: \"\\u0085\"\n"), std::string::npos) << text;
  ASSERT_EQ(aimc_cfg_load_string(&aimc_config_schema, again.get(), "dump", text.data(), text.size(),
                                 nullptr, 0, &error),
            AIMC_OK)
      << error.text;
  EXPECT_TRUE(aimc_cfg_equal(&aimc_config_schema, config.get(), again.get()));
}

// The same for every character the dump must escape: C1 controls, which a YAML
// reader refuses raw, U+FFFE/U+FFFF, line and paragraph separators, the BOM.
TEST(FuzzRegression, ConfigStringsWithCharactersYamlRefusesRoundTrip) {
  const char *escapes[] = {"\\u0080", "\\u009F", "\\u2028", "\\u2029", "\\uFEFF", "\\uFFFE", "\\uFFFF"};
  for (const char *escape : escapes) {
    std::string text = std::string("data:\n  train_images: \"a") + escape + "b\"\n";
    auto config = std::make_unique<aimc_config>();
    auto again = std::make_unique<aimc_config>();
    aimc_cfg_error error;
    ASSERT_EQ(aimc_cfg_load_string(&aimc_config_schema, config.get(), "test.yaml", text.data(),
                                   text.size(), nullptr, 0, &error),
              AIMC_OK)
        << error.text;
    std::string dumped = dump(*config);
    EXPECT_NE(dumped.find(std::string("  train_images: \"a") + escape + "b\"\n"), std::string::npos)
        << escape << "\n" << dumped;
    ASSERT_EQ(aimc_cfg_load_string(&aimc_config_schema, again.get(), "dump", dumped.data(),
                                   dumped.size(), nullptr, 0, &error),
              AIMC_OK)
        << escape << ": " << error.text;
    EXPECT_TRUE(aimc_cfg_equal(&aimc_config_schema, config.get(), again.get())) << escape;
  }
}
