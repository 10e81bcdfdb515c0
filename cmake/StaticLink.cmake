# SPDX-License-Identifier: Apache-2.0
# SCHEMAGATE_STATIC_LINK: the binaries link what Debian ships as static archives (libpq with
# PostgreSQL's libpgcommon/libpgport, libpqxx, OpenSSL, nettle, libstdc++, libgcc) and use spdlog, fmt
# and toml++ header-only, so only glibc (and, for the sidecar, libmicrohttpd with its GnuTLS)
# stays shared. Why: the dynamic loader's work for ~31 libraries was as long as a whole libpq
# connect + SELECT 1 (README, Benchmarks). libpq.a's Kerberos (GSSAPI) and LDAP calls, which
# Debian ships shared only, go to core/libpq_static_shims.c, which fails them
# (docs/static-build.md). Set it OFF to link every library shared, GSSAPI and LDAP included.
option(SCHEMAGATE_STATIC_LINK "Link libpq, libpqxx, OpenSSL and libstdc++ statically" ON)
if(SCHEMAGATE_SANITIZE)
  set(SCHEMAGATE_STATIC_LINK OFF) # the sanitizer runtimes expect the shared C++ library
endif()

if(SCHEMAGATE_STATIC_LINK)
  string(REGEX MATCH "^[0-9]+" pg_major "${PostgreSQL_VERSION_STRING}")
  find_library(SCHEMAGATE_LIBPQ_A libpq.a REQUIRED)
  find_library(SCHEMAGATE_LIBPQXX_A libpqxx.a REQUIRED)
  find_library(SCHEMAGATE_PGCOMMON_A libpgcommon_shlib.a REQUIRED
    PATHS /usr/lib/postgresql/${pg_major}/lib NO_DEFAULT_PATH)
  find_library(SCHEMAGATE_PGPORT_A libpgport_shlib.a REQUIRED
    PATHS /usr/lib/postgresql/${pg_major}/lib NO_DEFAULT_PATH)
  find_library(SCHEMAGATE_LIBSSL_A libssl.a REQUIRED)
  find_library(SCHEMAGATE_LIBCRYPTO_A libcrypto.a REQUIRED)
  find_library(SCHEMAGATE_LIBNETTLE_A libnettle.a REQUIRED)

  add_library(schemagate_libpq_shims STATIC ${PROJECT_SOURCE_DIR}/core/libpq_static_shims.c)
  set_target_properties(schemagate_libpq_shims PROPERTIES C_STANDARD 11)
  target_compile_options(schemagate_libpq_shims PRIVATE -Wall -Wextra)

  set_target_properties(OpenSSL::Crypto PROPERTIES IMPORTED_LOCATION "${SCHEMAGATE_LIBCRYPTO_A}"
    INTERFACE_LINK_LIBRARIES "Threads::Threads;${CMAKE_DL_LIBS}")
  set_target_properties(PkgConfig::NETTLE PROPERTIES INTERFACE_LINK_LIBRARIES "${SCHEMAGATE_LIBNETTLE_A}")
  set_target_properties(OpenSSL::SSL PROPERTIES IMPORTED_LOCATION "${SCHEMAGATE_LIBSSL_A}"
    INTERFACE_LINK_LIBRARIES OpenSSL::Crypto)
  # libpq.a, then what it calls: PostgreSQL's common code, the shims, OpenSSL.
  set_target_properties(PostgreSQL::PostgreSQL PROPERTIES IMPORTED_LOCATION "${SCHEMAGATE_LIBPQ_A}"
    INTERFACE_LINK_LIBRARIES
      "${SCHEMAGATE_PGCOMMON_A};${SCHEMAGATE_PGPORT_A};schemagate_libpq_shims;OpenSSL::SSL;Threads::Threads")
  set_target_properties(PkgConfig::PQXX PROPERTIES
    INTERFACE_LINK_LIBRARIES "${SCHEMAGATE_LIBPQXX_A};PostgreSQL::PostgreSQL")

  # The C++ runtime too: its symbol relocations are a good part of the loader's work.
  target_link_options(schemagate_settings INTERFACE -static-libstdc++ -static-libgcc)
endif()

# spdlog, fmt and toml++ as the code links them: Debian has no static archive of any, so the
# static build compiles their header-only forms in.
add_library(schemagate_spdlog INTERFACE)
add_library(schemagate_toml INTERFACE)
if(SCHEMAGATE_STATIC_LINK)
  set_target_properties(spdlog::spdlog_header_only PROPERTIES
    INTERFACE_LINK_LIBRARIES "Threads::Threads;fmt::fmt-header-only")
  target_link_libraries(schemagate_spdlog INTERFACE spdlog::spdlog_header_only)
  get_target_property(toml_include tomlplusplus::tomlplusplus INTERFACE_INCLUDE_DIRECTORIES)
  target_include_directories(schemagate_toml SYSTEM INTERFACE ${toml_include})
  target_compile_definitions(schemagate_toml INTERFACE TOML_HEADER_ONLY=1)
else()
  target_link_libraries(schemagate_spdlog INTERFACE spdlog::spdlog)
  target_link_libraries(schemagate_toml INTERFACE tomlplusplus::tomlplusplus)
endif()
