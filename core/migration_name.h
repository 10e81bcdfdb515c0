// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <variant>

namespace schemagate {

// What a file name in the migrations directory says.
struct MigrationName {
    std::int64_t version = 0;
    std::string description;  // "add users" from V3__add_users.sql
};
struct IgnoredFile {};  // not a migration: .down.sql, non-.sql, hidden/ConfigMap internals
struct BadMigrationName {
    std::string reason;
};

using ParsedName = std::variant<MigrationName, IgnoredFile, BadMigrationName>;

// Accepts Flyway style `V3__add_users.sql` and golang-migrate style `0003_add_users.up.sql`
// (and `0003_add_users.sql`). Pure; no file system access.
ParsedName parse_migration_name(std::string_view file_name);

// How a version is written in every log line and message: "V7"; 0 is "no migration".
std::string version_label(std::int64_t version);

inline constexpr const char* kAcceptedNamePatterns =
    "V<version>__<description>.sql or <version>_<description>.up.sql";

}  // namespace schemagate
