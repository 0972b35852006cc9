# Device granularity and construction precision against AIHWKIT's formulas.
aimc_add_test(test_granularity SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_granularity.cpp LIBS aimc_sim)
