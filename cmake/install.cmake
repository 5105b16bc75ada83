# SPDX-License-Identifier: MIT
# `cmake --install BUILD [--prefix P]`: the lunar executable, the Lua module
# lunar.so (where Lua's default cpath looks under the prefix), liblunar.a
# with lunar.h, a CMake package (`find_package(lunar)` -> lunar::lunar) and
# a pkg-config file (`pkg-config --cflags --libs lunar`). Both describe the
# static library with everything it links (OpenBLAS, LAPACKE, threads, the
# CUDA runtime of a CUDA build); the application brings its own Lua 5.4,
# which the pkg-config file names as a requirement (Debian's lua5.4.pc).
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

set_target_properties(liblunar PROPERTIES EXPORT_NAME lunar PUBLIC_HEADER src/lunar.h)
install(TARGETS liblunar EXPORT lunarTargets
        ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
        PUBLIC_HEADER DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(TARGETS lunar RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
# where `require "lunar"` finds lunar.so (the rockspec sets its own)
set(LUNAR_LUA_CMOD_DIR ${CMAKE_INSTALL_LIBDIR}/lua/5.4 CACHE PATH
    "Where lunar.so is installed (relative to the prefix, or absolute)")
install(TARGETS lunar_module LIBRARY DESTINATION ${LUNAR_LUA_CMOD_DIR})

set(LUNAR_CMAKE_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/lunar)
install(EXPORT lunarTargets NAMESPACE lunar:: FILE lunarTargets.cmake
        DESTINATION ${LUNAR_CMAKE_DIR})
configure_package_config_file(${CMAKE_SOURCE_DIR}/cmake/lunarConfig.cmake.in
  ${CMAKE_BINARY_DIR}/lunarConfig.cmake INSTALL_DESTINATION ${LUNAR_CMAKE_DIR})
write_basic_package_version_file(${CMAKE_BINARY_DIR}/lunarConfigVersion.cmake
  VERSION ${PROJECT_VERSION} COMPATIBILITY SameMinorVersion)
install(FILES ${CMAKE_BINARY_DIR}/lunarConfig.cmake ${CMAKE_BINARY_DIR}/lunarConfigVersion.cmake
        DESTINATION ${LUNAR_CMAKE_DIR})

# pkg-config: the prefix found from the file's own place, so that an
# install moved elsewhere (or made with --prefix) still describes itself
set(LUNAR_PC_LIBS "-lpthread -lm -ldl")   # OpenBLAS and LAPACKE: dlopen on first use
# lunar.image's codecs; libzip and zlib (lunar.load, loadtxt)
foreach(_lib ${LUNAR_PNG_LINK_LIBRARIES} ${JPEG_LIBRARIES} ${LIBZIP_LINK_LIBRARIES} ${ZLIB_LINK_LIBRARIES})
  string(APPEND LUNAR_PC_LIBS " ${_lib}")
endforeach()
if(LUNAR_HAVE_CUDA)
  set(LUNAR_PC_LIBS "${LUNAR_PC_LIBS} -L${CUDAToolkit_LIBRARY_DIR} -lcudart_static -lrt -lstdc++")
endif()
file(RELATIVE_PATH LUNAR_PC_UP ${CMAKE_INSTALL_PREFIX}/${CMAKE_INSTALL_LIBDIR}/pkgconfig
     ${CMAKE_INSTALL_PREFIX})
string(REGEX REPLACE "/$" "" LUNAR_PC_UP "${LUNAR_PC_UP}")
configure_file(${CMAKE_SOURCE_DIR}/cmake/lunar.pc.in ${CMAKE_BINARY_DIR}/lunar.pc @ONLY)
install(FILES ${CMAKE_BINARY_DIR}/lunar.pc DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)
