# `aimcsim sweep` (sim/src/sweep), run through the executable as a user runs it.
aimc_add_test(test_sweep SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_sweep.cpp LIBS aimc_sim)
add_dependencies(test_sweep aimcsim)
target_compile_definitions(test_sweep PRIVATE AIMCSIM_EXE="$<TARGET_FILE:aimcsim>")
# The mpirun test runs when aimcsim is built with MPI; it is skipped otherwise.
if(AIMC_WITH_MPI AND MPIEXEC_EXECUTABLE)
  target_compile_definitions(test_sweep PRIVATE AIMC_TEST_MPIEXEC="${MPIEXEC_EXECUTABLE}")
endif()
