# Writes the version header (run by the aimc_version target at every build).
# In: GIT_EXECUTABLE (may be empty), SOURCE_DIR, PROJECT_VERSION, OUTPUT.
set(AIMC_GIT_REVISION "unknown")
if(GIT_EXECUTABLE AND EXISTS "${SOURCE_DIR}/.git")
  execute_process(COMMAND ${GIT_EXECUTABLE} describe --always --dirty --abbrev=12
                  WORKING_DIRECTORY ${SOURCE_DIR}
                  OUTPUT_VARIABLE AIMC_GIT_REVISION OUTPUT_STRIP_TRAILING_WHITESPACE
                  ERROR_QUIET RESULT_VARIABLE git_result)
  if(NOT git_result EQUAL 0 OR AIMC_GIT_REVISION STREQUAL "")
    set(AIMC_GIT_REVISION "unknown")
  endif()
endif()
configure_file(${SOURCE_DIR}/cmake/version.h.in ${OUTPUT} @ONLY)
