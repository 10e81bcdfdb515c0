// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <string>
#include <string_view>
#include <variant>

#include "migration_version.h"

namespace schemagate {

// Which family of tools a file name belongs to. One directory holds one family: a Flyway
// name beside a numbered one is refused (migration_set.cpp).
enum class NameLayout {
    kFlyway,    // V<version>__<description>.sql, R__<description>.sql
    kNumbered,  // <digits>_<description>[.up].sql: golang-migrate, dbmate, goose
    kPrisma,    // <timestamp>_<name>/migration.sql (gate/folder_layouts.h)
    kDiesel,    // <version>_<name>/up.sql (gate/folder_layouts.h)
};

// What a file name in the migrations directory says.
struct MigrationName {
    MigrationVersion version;  // none for a repeatable migration
    bool repeatable = false;   // Flyway's R__: re-applied whenever its checksum changes
    std::string description;   // "add users" from V3__add_users.sql
    NameLayout layout = NameLayout::kNumbered;
    // Flyway's baseline migration B<version>__: on a database with no history it replaces
    // the versioned files up to its version (plan.h).
    bool baseline = false;
};
// Not a migration: hidden entries and ConfigMap internals, other extensions (no reason: not
// worth a log line), and other tools' reverse migrations (a reason, logged at debug level).
struct IgnoredFile {
    std::string reason;
};
struct BadMigrationName {
    std::string reason;
};

using ParsedName = std::variant<MigrationName, IgnoredFile, BadMigrationName>;

// Accepts Flyway's `V3__add_users.sql`, `V1.1__x.sql`, `V1_1__x.sql`, `R__views.sql`, its
// baseline migrations `B5__baseline.sql`, and the
// numbered names of golang-migrate (`0003_add_users.up.sql`), dbmate and goose
// (`20240101120000_add_users.sql`). Ignores `U3__x.sql` (Flyway undo) and `*.down.sql`.
// Pure; no file system access.
ParsedName parse_migration_name(std::string_view file_name);

inline constexpr const char* kAcceptedNamePatterns =
    "V<version>__<description>.sql, R__<description>.sql, B<version>__<description>.sql, "
    "<version>_<description>[.up].sql, or folders <version>_<name>/migration.sql (Prisma) "
    "and <version>_<name>/up.sql (diesel)";

}  // namespace schemagate
