# What `aimcsim run` and `sweep` may write, and when: the waveform path, one
# writer per run directory, refused starts that change nothing (issue 11 §1-§3).
aimc_add_test(test_run_safety SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_run_safety.cpp LIBS aimc_sim)
add_dependencies(test_run_safety aimcsim)
target_compile_definitions(test_run_safety PRIVATE AIMCSIM_EXE="$<TARGET_FILE:aimcsim>")
