# Inputs found by the libFuzzer harnesses, kept as regressions (testbench/fuzz).
aimc_add_test(test_fuzz_regressions SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_fuzz_regressions.cpp
              LIBS aimc_sim)
