# The git revision is read at every build, not only at configure time, so that
# `aimcsim --version` names the commit it was built from. The header is
# rewritten only when the revision changes (configure_file leaves an equal file
# alone), so an unchanged tree recompiles nothing. A tree without git reports
# "unknown".
find_package(Git QUIET)
set(AIMC_VERSION_HEADER ${PROJECT_BINARY_DIR}/generated/aimc_version.h)
add_custom_target(aimc_version
  COMMAND ${CMAKE_COMMAND} -DGIT_EXECUTABLE=${GIT_EXECUTABLE} -DSOURCE_DIR=${PROJECT_SOURCE_DIR}
          -DPROJECT_VERSION=${PROJECT_VERSION} -DOUTPUT=${AIMC_VERSION_HEADER}
          -P ${PROJECT_SOURCE_DIR}/cmake/WriteVersion.cmake
  BYPRODUCTS ${AIMC_VERSION_HEADER}
  COMMENT "Reading the git revision"
  VERBATIM)
