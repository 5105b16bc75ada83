-- SPDX-License-Identifier: MIT
-- `luarocks make` in a checkout builds lunar.so (and installs it where
-- that Lua finds C modules) with the project's CMake build. The source URL
-- is this checkout: the rock is built from where it is.
rockspec_format = "3.0"
package = "lunar"
version = "scm-1"
source = { url = "git+file://." }
description = {
  summary = "GPU array computing for Lua: NumPy's vocabulary on CUDA and the CPU",
  license = "MIT",
}
dependencies = { "lua >= 5.4, < 5.5" }
build = {
  type = "cmake",
  variables = {
    CMAKE_BUILD_TYPE = "Release",
    CMAKE_INSTALL_PREFIX = "$(PREFIX)",
    -- lunar.so into the rock's C-module folder
    LUNAR_LUA_CMOD_DIR = "$(LIBDIR)",
    -- AUTO: the CUDA backend when a toolkit is found
    LUNAR_CUDA = "AUTO",
  },
}
