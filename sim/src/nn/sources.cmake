# Digital building blocks of the training workloads (sim/include/aimc_sim/nn.h).
target_sources(aimc_sim PRIVATE ${CMAKE_CURRENT_LIST_DIR}/activation.c ${CMAKE_CURRENT_LIST_DIR}/loss.c ${CMAKE_CURRENT_LIST_DIR}/conv.c ${CMAKE_CURRENT_LIST_DIR}/pool.c ${CMAKE_CURRENT_LIST_DIR}/linear.c ${CMAKE_CURRENT_LIST_DIR}/out_scale.c ${CMAKE_CURRENT_LIST_DIR}/tile_scale.c ${CMAKE_CURRENT_LIST_DIR}/shuffle.c)
# The fully connected layer's products are cblas_sgemm.
target_link_libraries(aimc_sim PRIVATE PkgConfig::OPENBLAS)
