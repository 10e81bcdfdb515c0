// SPDX-License-Identifier: Apache-2.0
#include "atlas_compat.h"

#include <filesystem>

#include "tool_tables.h"

namespace schemagate {

namespace {

constexpr const char* kDefaultTable = "atlas_schema_revisions.atlas_schema_revisions";

// Atlas's File.Version and File.Desc: the name without ".sql", split at the first '_'.
std::pair<std::string, std::string> version_and_description(const Migration& migration) {
    std::string name = std::filesystem::path(migration.file).filename().string();
    if (name.ends_with(".sql")) name.resize(name.size() - 4);
    const auto underscore = name.find('_');
    if (underscore == std::string::npos) return {name, ""};
    return {name.substr(0, underscore), name.substr(underscore + 1)};
}

}  // namespace

std::string atlas_compat_sql(pqxx::transaction_base& work, const Migration& migration,
                             const std::string& duration_ms_sql, const std::string& spec) {
    if (migration.repeatable) return "";
    const std::string table = spec.empty() ? kDefaultTable : quoted_table_spec(work.conn(), spec);
    const auto [version, description] = version_and_description(migration);
    const std::string count = std::to_string(migration.statements.size());
    // The columns as Atlas's ent schema (revision.go) creates them on PostgreSQL.
    return std::string(spec.empty() ? "CREATE SCHEMA IF NOT EXISTS atlas_schema_revisions; " : "") +
           "CREATE TABLE IF NOT EXISTS " + table +
           " (version character varying NOT NULL, description character varying NOT NULL, type "
           "bigint NOT NULL DEFAULT 2, applied bigint NOT NULL DEFAULT 0, total bigint NOT NULL "
           "DEFAULT 0, executed_at timestamptz NOT NULL, execution_time bigint NOT NULL, error "
           "text NULL, error_stmt text NULL, hash character varying NOT NULL, partial_hashes "
           "jsonb NULL, operator_version character varying NOT NULL, PRIMARY KEY (version)); "
           "INSERT INTO " +
           table +
           " (version, description, type, applied, total, executed_at, execution_time, hash, "
           "operator_version) VALUES (" +
           work.quote(version) + ", " + work.quote(description) + ", 2, " + count + ", " + count +
           ", clock_timestamp(), (" + duration_ms_sql + ")::bigint * 1000000, " +
           work.quote(migration.atlas_hash) + ", 'schemagate') ON CONFLICT (version) DO NOTHING";
}

std::optional<std::string> atlas_compat_problem(const MigrationSet& files) {
    for (const auto& migration : files.migrations) {
        if (migration.atlas_hash.empty()) {
            return "--compat atlas: " + migration.file +
                   " is not in an Atlas migration directory (no atlas.sum entry for it), so no "
                   "hash Atlas would record exists for it; run `atlas migrate hash` first";
        }
    }
    return std::nullopt;
}

std::string liquibase_compat_refusal() {
    return "--compat liquibase is not offered: Liquibase knows a changeset by id, author and the "
           "FILENAME its master changelog includes the file by (XML, YAML or JSON, which "
           "schemagate does not read); a row under another FILENAME would make `liquibase "
           "update` run the changeset again. Keep Liquibase's own table by running `liquibase "
           "changelog-sync` after schemagate, or adopt the history once and leave Liquibase";
}

}  // namespace schemagate
