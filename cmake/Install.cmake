# `cmake --install` puts the JIT library, its headers and a CMake package in
# place, so another project can:
#   find_package(Einsum REQUIRED)
#   target_link_libraries(app PRIVATE Einsum::JIT)
include(CMakePackageConfigHelpers)

install(TARGETS EinsumJIT EXPORT EinsumTargets
  LIBRARY DESTINATION lib
  RUNTIME DESTINATION bin)
install(DIRECTORY ${EINSUM_SOURCE_DIR}/include/Einsum
  DESTINATION include
  FILES_MATCHING PATTERN "*.h")
install(TARGETS einsum-run einsum-opt RUNTIME DESTINATION bin)
install(EXPORT EinsumTargets
  NAMESPACE Einsum::
  DESTINATION lib/cmake/Einsum)

configure_package_config_file(
  ${EINSUM_SOURCE_DIR}/cmake/EinsumConfig.cmake.in
  ${EINSUM_BINARY_DIR}/EinsumConfig.cmake
  INSTALL_DESTINATION lib/cmake/Einsum)
write_basic_package_version_file(
  ${EINSUM_BINARY_DIR}/EinsumConfigVersion.cmake
  COMPATIBILITY SameMinorVersion)
install(FILES
  ${EINSUM_BINARY_DIR}/EinsumConfig.cmake
  ${EINSUM_BINARY_DIR}/EinsumConfigVersion.cmake
  DESTINATION lib/cmake/Einsum)
