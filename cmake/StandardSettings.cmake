# SPDX-License-Identifier: Apache-2.0
# Settings every schemagate target links to, instead of global flags.
add_library(schemagate_settings INTERFACE)
target_compile_options(schemagate_settings INTERFACE
  -Wall -Wextra -Wpedantic -Wshadow -Wconversion -Wsign-conversion
  -Wnon-virtual-dtor -Wold-style-cast -Woverloaded-virtual
  -Wimplicit-fallthrough)
if(SCHEMAGATE_WERROR)
  target_compile_options(schemagate_settings INTERFACE -Werror)
endif()
if(SCHEMAGATE_SANITIZE)
  target_compile_options(schemagate_settings INTERFACE
    -fsanitize=${SCHEMAGATE_SANITIZE} -fno-omit-frame-pointer -fno-sanitize-recover=all)
  target_link_options(schemagate_settings INTERFACE -fsanitize=${SCHEMAGATE_SANITIZE})
endif()
target_compile_definitions(schemagate_settings INTERFACE
  SCHEMAGATE_VERSION="${PROJECT_VERSION}")
# The image holds the binaries (README: at most 25 MB with every library): optimised for size
# (the gate's work is round trips, not CPU: bench/ measures it), every function and datum in
# its own section, and the linker drops the ones nothing reaches. Measured on the stripped gate:
# 2,594,872 bytes at -O2, 2,353,176 with the sections dropped, 1,264,456 at -Os as well.
if(NOT SCHEMAGATE_SANITIZE)
  target_compile_options(schemagate_settings INTERFACE
    $<$<CONFIG:RelWithDebInfo,Release>:-Os> -ffunction-sections -fdata-sections)
  target_link_options(schemagate_settings INTERFACE -Wl,--gc-sections)
endif()
