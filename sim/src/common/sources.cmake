# Utilities shared by the application's parts.
target_sources(aimc_sim PRIVATE ${CMAKE_CURRENT_LIST_DIR}/fileio.c ${CMAKE_CURRENT_LIST_DIR}/trace_params.c)
