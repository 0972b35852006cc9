# Digital building blocks of the training workloads (sim/src/nn).
aimc_add_test(test_nn SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_nn.cpp LIBS aimc_sim)
