# The hardware model (hw/): parameters, Tile, split layers, energy by hand,
# timed vs untimed identity, waveforms, reports, area, and the chips of the
# literature configs (loaded by aimc_sim's config engine). Each TEST runs in
# its own process, so each may elaborate and simulate SystemC once.
pkg_check_modules(AIMC_HW_TEST_CJSON REQUIRED IMPORTED_TARGET libcjson)
aimc_add_test(test_hw
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/hw_params.cpp ${CMAKE_CURRENT_LIST_DIR}/hw_tile.cpp
          ${CMAKE_CURRENT_LIST_DIR}/hw_energy.cpp ${CMAKE_CURRENT_LIST_DIR}/hw_split.cpp
          ${CMAKE_CURRENT_LIST_DIR}/hw_identical.cpp ${CMAKE_CURRENT_LIST_DIR}/hw_trace.cpp
          ${CMAKE_CURRENT_LIST_DIR}/hw_reports.cpp ${CMAKE_CURRENT_LIST_DIR}/hw_area.cpp
          ${CMAKE_CURRENT_LIST_DIR}/hw_literature.cpp ${CMAKE_CURRENT_LIST_DIR}/hw_device_processes.cpp
          ${CMAKE_CURRENT_LIST_DIR}/hw_leakage.cpp ${CMAKE_CURRENT_LIST_DIR}/hw_line_energy.cpp
  LIBS aimc_hw aimc_sim PkgConfig::AIMC_HW_TEST_CJSON)
find_program(AIMC_VCD2FST vcd2fst)
target_compile_definitions(test_hw PRIVATE AIMC_VCD2FST="${AIMC_VCD2FST}"
                           AIMC_GOLDEN_DIR="${PROJECT_SOURCE_DIR}/testbench/golden")
