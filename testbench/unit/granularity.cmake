# Device granularity and construction precision against AIHWKIT's formulas.
aimc_add_test(test_granularity SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_granularity.cpp LIBS aimc_sim)
# `aimcsim response` with --w0, --up and --down.
aimc_add_test(test_response SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_response.cpp LIBS aimc_sim)
add_dependencies(test_response aimcsim)
target_compile_definitions(test_response PRIVATE AIMCSIM_EXE="$<TARGET_FILE:aimcsim>")
