// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstdint>
#include <optional>
#include <pqxx/connection>
#include <string>
#include <string_view>
#include <vector>

#include "flyway_checksum.h"
#include "migration_version.h"
#include "other_tool.h"

namespace schemagate {

// One migration another tool recorded as applied.
struct ForeignMigration {
    MigrationVersion version;  // none for a Flyway repeatable row
    std::string description;
    std::string script;                    // Flyway: the file name it ran
    std::optional<std::int32_t> checksum;  // Flyway: CRC32 of the script (see flyway_checksum)
    std::string tool_checksum;             // Prisma, sqlx: hex, see tool_checksums
    std::string installed_by;              // Flyway
    std::string installed_on;              // Flyway, goose, Prisma, diesel, sqlx: ISO 8601 UTC
    bool success = true;                   // Flyway: false for a failed run
    bool baseline = false;                 // Flyway: a BASELINE row; Atlas: a baseline revision
    bool sql_baseline = false;             // Flyway: a SQL_BASELINE row (a B file it ran)
    // Liquibase: the changeset (databasechangelog's author, id; `script` holds its filename),
    // its MD5SUM ("9:...", empty when cleared) and EXECTYPE.
    std::string changeset_author;
    std::string changeset_id;
    std::string md5sum;
    std::string exec_type;
};

// What one tool's table says.
struct ForeignHistory {
    OtherTool tool = OtherTool::kFlyway;
    std::string table;  // as found on the search_path, quoted
    // flyway, dbmate, goose: every version applied. golang-migrate keeps only the latest.
    std::vector<ForeignMigration> applied;
    std::optional<MigrationVersion> latest;  // the highest version applied, if any
    bool dirty = false;                      // golang-migrate: its dirty flag
    std::string problem;  // why a takeover must wait (a dirty state, a failed Flyway row)

    // "flyway_schema_history (Flyway) at V5" or "... at V3, dirty".
    std::string summary() const;
};

// Every other tool's history table visible on the session's search_path, where each tool
// creates it by default. One round trip to detect, one more per table found.
std::vector<ForeignHistory> read_other_histories(pqxx::connection& connection);

// The history tables of other tools in every schema the role can read (find_tool_tables with
// each tool's default names: Flyway's flyway_schema_history and, from Flyway before 5,
// schema_version), only `tool`'s when given; or only the table `table` names
// ([schema.]name), which must be `tool`'s. Throws FatalError(kBadInput) naming --table when
// that table does not exist or is not the tool's (its columns say).
std::vector<ForeignHistory> find_other_histories(pqxx::connection& connection,
                                                 std::optional<OtherTool> tool,
                                                 const std::optional<std::string>& table);

// Up to `limit` tables in the schema migrations create their objects in by default (the first
// of the search_path, as Flyway's "non-empty schema" check), schemagate's own `state_schema`
// excepted: a schema with these and no history is managed by someone.
std::vector<std::string> user_tables(pqxx::connection& connection, const std::string& state_schema,
                                     std::size_t limit);

}  // namespace schemagate
