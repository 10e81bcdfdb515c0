// SPDX-License-Identifier: Apache-2.0
#include "compat_writer.h"

#include <filesystem>

#include "app_tool_compat.h"
#include "tool_tables.h"

namespace schemagate {

namespace {

// bigint's range: 9223372036854775807 has 19 digits.
bool fits_bigint(const MigrationVersion& version) {
    const std::string text = version.text();
    return text.find('.') == std::string::npos &&
           (text.size() < 19 || (text.size() == 19 && text <= "9223372036854775807"));
}

// dbmate keeps the file name's leading digits as written (leading zeros included).
std::string leading_digits(const std::string& file) {
    const std::string name = std::filesystem::path(file).filename().string();
    std::size_t end = 0;
    while (end < name.size() && name[end] >= '0' && name[end] <= '9') ++end;
    return name.substr(0, end);
}

// Flyway names the table's key and index after the table: <table>_pk, <table>_s_idx.
std::string flyway_sql(pqxx::transaction_base& work, const Migration& migration,
                       const std::string& duration_ms_sql, const std::string& spec) {
    const std::string name = spec.empty() ? "flyway_schema_history" : table_name_of(spec);
    const std::string table = spec.empty() ? name : quoted_table_spec(work.conn(), spec);
    return "CREATE TABLE IF NOT EXISTS " + table +
           " (installed_rank INT NOT NULL "
           "CONSTRAINT " +
           work.conn().quote_name(name + "_pk") +
           " PRIMARY KEY, version VARCHAR(50), "
           "description VARCHAR(200) NOT NULL, type VARCHAR(20) NOT NULL, script VARCHAR(1000) "
           "NOT NULL, checksum INTEGER, installed_by VARCHAR(100) NOT NULL, installed_on "
           "TIMESTAMP NOT NULL DEFAULT now(), execution_time INTEGER NOT NULL, success BOOLEAN "
           "NOT NULL); CREATE INDEX IF NOT EXISTS " +
           work.conn().quote_name(name + "_s_idx") + " ON " + table + " (success); INSERT INTO " +
           table +
           " (installed_rank, "
           "version, description, type, script, checksum, installed_by, execution_time, "
           "success) SELECT coalesce(max(installed_rank), 0) + 1, " +
           (migration.repeatable ? std::string("NULL") : work.quote(migration.version.text())) +
           ", " + work.quote(migration.description) +
           (migration.baseline ? ", 'SQL_BASELINE', " : ", 'SQL', ") +
           work.quote(std::filesystem::path(migration.file).filename().string()) + ", " +
           std::to_string(migration.flyway_checksum) + ", current_user, (" + duration_ms_sql +
           ")::int, true FROM " + table;
}

}  // namespace

std::string compat_sql(pqxx::transaction_base& work, OtherTool tool, const Migration& migration,
                       const std::string& duration_ms_sql, const std::string& spec) {
    // Each tool only tracks versioned migrations, except Flyway, which also logs repeatables.
    if (migration.repeatable && tool != OtherTool::kFlyway) return "";
    const std::string version = migration.version.text();
    const auto table = [&](const char* name) {
        return spec.empty() ? std::string(name) : quoted_table_spec(work.conn(), spec);
    };
    switch (tool) {
        case OtherTool::kGolangMigrate:
            // Like its postgres driver's SetVersion: one row, rewritten.
            return "CREATE TABLE IF NOT EXISTS " + table("schema_migrations") +
                   " (version bigint not null primary key, dirty boolean not null); TRUNCATE " +
                   table("schema_migrations") + "; INSERT INTO " + table("schema_migrations") +
                   " (version, dirty) VALUES (" + version + ", false)";
        case OtherTool::kDbmate:
            return "CREATE TABLE IF NOT EXISTS " + table("schema_migrations") +
                   " (version varchar(128) primary key); INSERT INTO " +
                   table("schema_migrations") + " (version) VALUES (" +
                   work.quote(leading_digits(migration.file)) + ") ON CONFLICT DO NOTHING";
        case OtherTool::kGoose:
            return "CREATE TABLE IF NOT EXISTS " + table("goose_db_version") +
                   " (id serial NOT NULL, version_id bigint NOT NULL, is_applied boolean NOT "
                   "NULL, tstamp timestamp NULL default now(), PRIMARY KEY(id)); INSERT INTO " +
                   table("goose_db_version") +
                   " (version_id, is_applied) SELECT 0, true WHERE NOT EXISTS (SELECT 1 FROM " +
                   table("goose_db_version") + "); INSERT INTO " + table("goose_db_version") +
                   " (version_id, is_applied) VALUES (" + version + ", true)";
        case OtherTool::kFlyway:
            return flyway_sql(work, migration, duration_ms_sql, spec);
        case OtherTool::kPrisma:
        case OtherTool::kDiesel:
        case OtherTool::kSqlx:
            return app_tool_compat_sql(work, tool, migration, duration_ms_sql);
        case OtherTool::kAtlas:
        case OtherTool::kLiquibase:
            return "";  // taken over, not kept in step (--compat does not offer them)
    }
    return "";
}

std::optional<std::string> compat_problem(OtherTool tool, const MigrationSet& files) {
    if (tool == OtherTool::kPrisma || tool == OtherTool::kDiesel || tool == OtherTool::kSqlx) {
        return app_tool_compat_problem(tool, files);
    }
    if (tool != OtherTool::kGolangMigrate && tool != OtherTool::kGoose) return std::nullopt;
    for (const auto& migration : files.migrations) {
        if (!fits_bigint(migration.version)) {
            return "--compat " + tool_name(tool) + ": " + migration.file + " has version " +
                   migration.version.text() + ", which " + tool_name(tool) +
                   "'s bigint version column cannot hold";
        }
    }
    return std::nullopt;
}

}  // namespace schemagate
