# Every dependency is found the standard way for a Debian 12 machine; .ci/run and
# scripts/setup.sh install the packages.
find_package(PkgConfig REQUIRED)
find_package(OpenMP REQUIRED COMPONENTS C CXX)
find_package(ZLIB REQUIRED)

# SystemC: the CMake package where it is installed, else pkg-config (Debian ships the latter).
find_package(SystemCLanguage CONFIG QUIET)
if(SystemCLanguage_FOUND)
  add_library(aimc_systemc INTERFACE)
  target_link_libraries(aimc_systemc INTERFACE SystemC::systemc)
else()
  pkg_check_modules(SYSTEMC REQUIRED IMPORTED_TARGET systemc)
  add_library(aimc_systemc INTERFACE)
  target_link_libraries(aimc_systemc INTERFACE PkgConfig::SYSTEMC)
endif()

pkg_check_modules(YAML REQUIRED IMPORTED_TARGET yaml-0.1)
pkg_check_modules(OPENBLAS REQUIRED IMPORTED_TARGET openblas)

# Random123 is header-only.
find_path(RANDOM123_INCLUDE_DIR Random123/philox.h REQUIRED)
add_library(aimc_random123 INTERFACE)
target_include_directories(aimc_random123 SYSTEM INTERFACE ${RANDOM123_INCLUDE_DIR})

if(AIMC_WITH_MPI)
  find_package(MPI REQUIRED COMPONENTS C)
endif()
if(AIMC_BUILD_TESTS)
  find_package(GTest REQUIRED)
  include(GoogleTest)
endif()
if(AIMC_BUILD_BENCHMARKS)
  find_package(benchmark REQUIRED)
endif()
