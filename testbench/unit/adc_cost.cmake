# The ADC cost model (params.h, docs/hardware.md "ADC and DAC cost model"):
# closed forms per architecture, and what chip.adc.bits does to a whole run.
pkg_check_modules(AIMC_ADC_TEST_CJSON REQUIRED IMPORTED_TARGET libcjson)
aimc_add_test(test_adc_cost SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_adc_cost.cpp
  LIBS aimc_sim PkgConfig::AIMC_ADC_TEST_CJSON)
add_dependencies(test_adc_cost aimcsim)
target_compile_definitions(test_adc_cost PRIVATE AIMCSIM_EXE="$<TARGET_FILE:aimcsim>")
target_compile_definitions(test_adc_cost PRIVATE AIMC_GOLDEN_DIR="${PROJECT_SOURCE_DIR}/testbench/golden")
