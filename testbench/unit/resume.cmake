# Checkpoints, resume after SIGKILL, resource checks and divergence (sim/src/train).
aimc_add_test(test_resume SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_resume.cpp LIBS aimc_sim)
add_dependencies(test_resume aimcsim)
target_compile_definitions(test_resume PRIVATE AIMCSIM_EXE="$<TARGET_FILE:aimcsim>")
