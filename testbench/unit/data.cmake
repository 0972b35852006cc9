# IDX reading and writing, data-set loading, `aimcsim data` (sim/src/data).
aimc_add_test(test_data SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_data.cpp LIBS aimc_sim)
