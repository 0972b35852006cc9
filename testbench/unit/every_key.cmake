# Every numeric key of the device, update, periphery and chip sections changes a
# tiny run or is refused (issue 12 §2): the walk over the schema's field tables.
aimc_add_test(test_every_key SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_every_key.cpp LIBS aimc_sim)
add_dependencies(test_every_key aimcsim)
target_compile_definitions(test_every_key PRIVATE AIMCSIM_EXE="$<TARGET_FILE:aimcsim>")
