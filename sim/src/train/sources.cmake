# Training on the simulated chip: workloads, algorithms and `aimcsim run`.
target_sources(aimc_sim PRIVATE
  ${CMAKE_CURRENT_LIST_DIR}/run.c
  ${CMAKE_CURRENT_LIST_DIR}/algorithm.c
  ${CMAKE_CURRENT_LIST_DIR}/least_squares.c
  ${CMAKE_CURRENT_LIST_DIR}/network.c
  ${CMAKE_CURRENT_LIST_DIR}/checkpoint.c
  ${CMAKE_CURRENT_LIST_DIR}/resume.c
  ${CMAKE_CURRENT_LIST_DIR}/resources.c
  ${CMAKE_CURRENT_LIST_DIR}/preflight.c
  ${CMAKE_CURRENT_LIST_DIR}/outdir.c)
