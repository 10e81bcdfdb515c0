// SPDX-License-Identifier: Apache-2.0
#include "app_tool_compat.h"

#include <filesystem>

namespace schemagate {

namespace {

std::string folder_of(const Migration& migration) {
    return std::filesystem::path(migration.file).parent_path().filename().string();
}

bool is_in_folder(const Migration& migration, const char* file_name) {
    return std::filesystem::path(migration.file).filename() == file_name &&
           !folder_of(migration).empty();
}

// diesel's version_from_string: the folder name up to the first '_', '-' dropped.
std::string diesel_version_text(const Migration& migration) {
    std::string version = folder_of(migration);
    version = version.substr(0, version.find('_'));
    std::erase(version, '-');
    return version;
}

bool sqlx_compatible(const Migration& migration) {
    const std::string version = migration.version.text();
    const bool fits =
        version.find('.') == std::string::npos &&
        (version.size() < 19 || (version.size() == 19 && version <= "9223372036854775807"));
    return fits && migration.tool_checksums.size() == 1 &&
           migration.tool_checksums.front().size() == 96;
}

}  // namespace

std::string app_tool_compat_sql(pqxx::transaction_base& work, OtherTool tool,
                                const Migration& migration, const std::string& duration_ms_sql) {
    if (migration.repeatable) return "";
    switch (tool) {
        case OtherTool::kPrisma:
            // Prisma's id is a random UUID; md5() makes one on every supported PostgreSQL
            // (gen_random_uuid() is core only from 13).
            return "CREATE TABLE IF NOT EXISTS \"_prisma_migrations\" (\"id\" VARCHAR(36) NOT "
                   "NULL, \"checksum\" VARCHAR(64) NOT NULL, \"finished_at\" TIMESTAMPTZ, "
                   "\"migration_name\" VARCHAR(255) NOT NULL, \"logs\" TEXT, \"rolled_back_at\" "
                   "TIMESTAMPTZ, \"started_at\" TIMESTAMPTZ NOT NULL DEFAULT now(), "
                   "\"applied_steps_count\" INTEGER NOT NULL DEFAULT 0, CONSTRAINT "
                   "\"_prisma_migrations_pkey\" PRIMARY KEY (\"id\")); INSERT INTO "
                   "\"_prisma_migrations\" (id, checksum, finished_at, migration_name, started_at, "
                   "applied_steps_count) VALUES (md5(random()::text || clock_timestamp()::text)"
                   "::uuid::text, " +
                   work.quote(migration.tool_checksums.at(0)) + ", clock_timestamp(), " +
                   work.quote(folder_of(migration)) + ", now(), 1)";
        case OtherTool::kDiesel:
            return "CREATE TABLE IF NOT EXISTS __diesel_schema_migrations (version VARCHAR(50) "
                   "PRIMARY KEY NOT NULL, run_on TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP); "
                   "INSERT INTO __diesel_schema_migrations (version) VALUES (" +
                   work.quote(diesel_version_text(migration)) + ") ON CONFLICT DO NOTHING";
        case OtherTool::kSqlx:
            return "CREATE TABLE IF NOT EXISTS _sqlx_migrations (version BIGINT PRIMARY KEY, "
                   "description TEXT NOT NULL, installed_on TIMESTAMPTZ NOT NULL DEFAULT now(), "
                   "success BOOLEAN NOT NULL, checksum BYTEA NOT NULL, execution_time BIGINT NOT "
                   "NULL); INSERT INTO _sqlx_migrations (version, description, success, checksum, "
                   "execution_time) VALUES (" +
                   migration.version.text() + ", " + work.quote(migration.description) +
                   ", true, decode(" + work.quote(migration.tool_checksums.at(0)) + ", 'hex'), (" +
                   duration_ms_sql + ")::bigint * 1000000)";
        default:
            return "";
    }
}

std::optional<std::string> app_tool_compat_problem(OtherTool tool, const MigrationSet& files) {
    for (const auto& migration : files.migrations) {
        const bool fits = tool == OtherTool::kPrisma   ? is_in_folder(migration, "migration.sql")
                          : tool == OtherTool::kDiesel ? is_in_folder(migration, "up.sql")
                          : tool == OtherTool::kSqlx   ? sqlx_compatible(migration)
                                                       : true;
        if (fits) continue;
        const std::string needs = tool == OtherTool::kSqlx
                                      ? "sqlx's <version>_<description>.sql names with a bigint "
                                        "version"
                                      : tool_name(tool) + "'s own folder layout";
        return "--compat " + tool_name(tool) + ": " + migration.file + " is not in " + needs;
    }
    return std::nullopt;
}

}  // namespace schemagate
