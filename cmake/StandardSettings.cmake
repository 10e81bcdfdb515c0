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
