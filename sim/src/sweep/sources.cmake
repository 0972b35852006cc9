# Design-space sweeps: `aimcsim sweep` and the Pareto plot (docs/sweeps.md).
target_sources(aimc_sim PRIVATE
  ${CMAKE_CURRENT_LIST_DIR}/plan.c
  ${CMAKE_CURRENT_LIST_DIR}/points.c
  ${CMAKE_CURRENT_LIST_DIR}/children.c
  ${CMAKE_CURRENT_LIST_DIR}/results.c
  ${CMAKE_CURRENT_LIST_DIR}/pareto.c
  ${CMAKE_CURRENT_LIST_DIR}/runner.c
  ${CMAKE_CURRENT_LIST_DIR}/plot.c)
# With AIMC_WITH_MPI, `mpirun -n N aimcsim sweep` spreads the points over the ranks.
if(AIMC_WITH_MPI)
  target_sources(aimc_sim PRIVATE ${CMAKE_CURRENT_LIST_DIR}/mpi.c)
  set_source_files_properties(${CMAKE_CURRENT_LIST_DIR}/runner.c ${CMAKE_CURRENT_LIST_DIR}/mpi.c
                              PROPERTIES COMPILE_DEFINITIONS AIMC_WITH_MPI=1)
  target_link_libraries(aimc_sim PRIVATE MPI::MPI_C)
endif()
