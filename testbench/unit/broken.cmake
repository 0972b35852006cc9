# Broken inputs through the aimcsim executable (testbench/broken/expected.tsv).
aimc_add_test(test_broken SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_broken.cpp)
add_dependencies(test_broken aimcsim)
target_compile_definitions(test_broken PRIVATE AIMCSIM_EXE="$<TARGET_FILE:aimcsim>")
# The cases are read when the tests are listed: a new line rebuilds the suite.
set_property(SOURCE ${CMAKE_CURRENT_LIST_DIR}/test_broken.cpp APPEND PROPERTY OBJECT_DEPENDS
             ${PROJECT_SOURCE_DIR}/testbench/broken/expected.tsv)
