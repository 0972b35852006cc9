# Numbers that are silently wrong must fail a test: the training layer's numbers
# against their definitions (through `aimcsim run`), and every quantity a golden
# file in testbench/golden pins, derived from the config and the timing model.
aimc_add_test(test_training_numbers SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_training_numbers.cpp LIBS aimc_sim)
add_dependencies(test_training_numbers aimcsim)
target_compile_definitions(test_training_numbers PRIVATE AIMCSIM_EXE="$<TARGET_FILE:aimcsim>")
pkg_check_modules(AIMC_GOLDEN_CJSON REQUIRED IMPORTED_TARGET libcjson)
aimc_add_test(test_golden_sources SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_golden_sources.cpp
  LIBS aimc_hw aimc_sim PkgConfig::AIMC_GOLDEN_CJSON)
