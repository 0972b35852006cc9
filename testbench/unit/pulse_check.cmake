# `aimcsim pulse-check` (sim/src/cli/cmd_pulse_check.c), run as a child process.
aimc_add_test(test_pulse_check SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_pulse_check.cpp LIBS aimc_sim)
add_dependencies(test_pulse_check aimcsim)
target_compile_definitions(test_pulse_check PRIVATE AIMCSIM_EXE="$<TARGET_FILE:aimcsim>")
