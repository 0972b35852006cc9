# Training through `aimcsim run` (sim/src/train).
aimc_add_test(test_train SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_train.cpp LIBS aimc_sim)
add_dependencies(test_train aimcsim)
target_compile_definitions(test_train PRIVATE AIMCSIM_EXE="$<TARGET_FILE:aimcsim>")
