# Weight mapping onto devices (mapping.scheme, sim/src/train/network.c), through `aimcsim run`.
aimc_add_test(test_mapping SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_mapping.cpp LIBS aimc_sim)
add_dependencies(test_mapping aimcsim)
target_compile_definitions(test_mapping PRIVATE AIMCSIM_EXE="$<TARGET_FILE:aimcsim>")
