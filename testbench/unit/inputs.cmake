# Inputs that hang or run away (issue 11 §4): special files given as inputs,
# the resource estimates of every command, strict limit variables and options.
aimc_add_test(test_inputs SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_inputs.cpp LIBS aimc_sim)
add_dependencies(test_inputs aimcsim)
target_compile_definitions(test_inputs PRIVATE AIMCSIM_EXE="$<TARGET_FILE:aimcsim>")
