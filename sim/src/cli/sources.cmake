# Sub-commands of the aimcsim executable that sit on the configuration engine.
target_sources(aimc_sim PRIVATE
  ${CMAKE_CURRENT_LIST_DIR}/cli_common.c
  ${CMAKE_CURRENT_LIST_DIR}/cmd_config.c
  ${CMAKE_CURRENT_LIST_DIR}/cmd_response.c
  ${CMAKE_CURRENT_LIST_DIR}/cmd_plot.c
  ${CMAKE_CURRENT_LIST_DIR}/cmd_pulse_check.c)
