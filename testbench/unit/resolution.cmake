# One source of truth for resolution (issue 13 §2): chip.adc.bits and
# chip.dac.bits set the quantisation of every analog pass unless the config
# gives it, and a given resolution finer than its converter is refused at load.
aimc_add_test(test_resolution SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_resolution.cpp LIBS aimc_sim)
add_dependencies(test_resolution aimcsim)
target_compile_definitions(test_resolution PRIVATE AIMCSIM_EXE="$<TARGET_FILE:aimcsim>")
