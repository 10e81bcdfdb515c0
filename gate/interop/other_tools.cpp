// SPDX-License-Identifier: Apache-2.0
#include "other_tools.h"

#include <algorithm>
#include <array>
#include <pqxx/nontransaction>
#include <pqxx/result_iterator.hxx>

#include "app_tool_tables.h"
#include "atlas_liquibase_history.h"
#include "db_failure.h"
#include "errors.h"
#include "schema_state.h"
#include "tool_tables.h"

namespace schemagate {

namespace {

// The tables as each tool creates them on PostgreSQL, by default in the first schema of the
// search_path:
// - Flyway (flyway-core, PostgreSQLDatabase createSchemaHistoryTable): flyway_schema_history
//   (installed_rank INT PRIMARY KEY, version VARCHAR(50), description VARCHAR(200),
//   type VARCHAR(20), script VARCHAR(1000), checksum INTEGER, installed_by VARCHAR(100),
//   installed_on TIMESTAMP DEFAULT now(), execution_time INTEGER, success BOOLEAN); one row per
//   run, type BASELINE for a baseline, version NULL for repeatables.
// - golang-migrate (database/postgres): schema_migrations (version bigint not null primary key,
//   dirty boolean not null); one row, the latest version, rewritten by TRUNCATE + INSERT.
// - dbmate (pkg/driver/postgres): schema_migrations (version varchar(128) primary key); one row
//   per applied migration, the file name's leading digits as written.
// - goose (dialect postgres): goose_db_version (id serial primary key, version_id bigint not
//   null, is_applied boolean not null, tstamp timestamp default now()); a row per up or down,
//   the first one (0, true); a version is applied when its newest row says is_applied.
MigrationVersion version_of(const std::string& text) {
    return MigrationVersion::parse(text).value_or(MigrationVersion{});
}

ForeignHistory read_flyway(pqxx::nontransaction& session, const std::string& table) {
    ForeignHistory history{OtherTool::kFlyway, table, {}, std::nullopt, false, ""};
    const auto rows = session.exec(
        "SELECT coalesce(version, ''), description, type, script, checksum, installed_by, " +
        iso_text_sql("installed_on") + ", success FROM " + table + " ORDER BY installed_rank");
    for (const auto& row : rows) {
        const auto type = row[2].as<std::string>();
        if (type == "SCHEMA" || type == "DELETE" || type.rfind("UNDO", 0) == 0) continue;
        ForeignMigration migration;
        migration.version = version_of(row[0].as<std::string>());
        migration.description = row[1].as<std::string>();
        migration.script = row[3].as<std::string>();
        if (!row[4].is_null()) migration.checksum = row[4].as<std::int32_t>();
        migration.installed_by = row[5].as<std::string>();
        migration.installed_on = row[6].as<std::string>();
        migration.success = row[7].as<bool>();
        migration.baseline = type == "BASELINE";
        migration.sql_baseline = type == "SQL_BASELINE";
        if (!migration.success) {
            history.problem = "a failed Flyway migration " + migration.script +
                              " (fix the database, then `flyway repair`)";
        }
        if (!migration.version.none() && migration.success &&
            (!history.latest || migration.version > *history.latest)) {
            history.latest = migration.version;
        }
        history.applied.push_back(std::move(migration));
    }
    return history;
}

ForeignHistory read_golang_migrate(pqxx::nontransaction& session, const std::string& table) {
    ForeignHistory history{OtherTool::kGolangMigrate, table, {}, std::nullopt, false, ""};
    const auto rows = session.exec("SELECT version::text, dirty FROM " + table + " LIMIT 1");
    if (rows.empty()) return history;
    history.latest = version_of(rows[0][0].as<std::string>());
    history.dirty = rows[0][1].as<bool>();
    if (history.dirty) {
        history.problem = "golang-migrate is dirty at " + version_label(*history.latest) +
                          " (check the database, then `migrate force N`)";
    }
    return history;
}

ForeignHistory read_dbmate(pqxx::nontransaction& session, const std::string& table) {
    ForeignHistory history{OtherTool::kDbmate, table, {}, std::nullopt, false, ""};
    for (const auto& row : session.exec("SELECT version::text FROM " + table)) {
        ForeignMigration migration;
        migration.version = version_of(row[0].as<std::string>());
        if (!history.latest || migration.version > *history.latest) {
            history.latest = migration.version;
        }
        history.applied.push_back(std::move(migration));
    }
    return history;
}

ForeignHistory read_goose(pqxx::nontransaction& session, const std::string& table) {
    ForeignHistory history{OtherTool::kGoose, table, {}, std::nullopt, false, ""};
    const auto rows = session.exec(
        "SELECT DISTINCT ON (version_id) version_id::text, is_applied, " + iso_text_sql("tstamp") +
        " FROM " + table + " WHERE version_id > 0 ORDER BY version_id, id DESC");
    for (const auto& row : rows) {
        if (!row[1].as<bool>()) continue;
        ForeignMigration migration;
        migration.version = version_of(row[0].as<std::string>());
        migration.installed_on = row[2].as<std::string>();
        if (!history.latest || migration.version > *history.latest) {
            history.latest = migration.version;
        }
        history.applied.push_back(std::move(migration));
    }
    return history;
}

// Which tool's table this is, by its columns (golang-migrate's and dbmate's share a name).
std::optional<OtherTool> tool_of(const ToolTable& table) {
    const std::string columns = "," + table.columns + ",";
    const auto has = [&columns](const std::string& column) {
        return columns.find("," + column) != std::string::npos;
    };
    if (has("installed_rank ") && has("script ") && has("success ")) return OtherTool::kFlyway;
    if (has("migration_name ") && has("applied_steps_count ")) return OtherTool::kPrisma;
    if (has("version character varying") && has("run_on ")) return OtherTool::kDiesel;
    if (has("checksum bytea,") && has("execution_time bigint")) return OtherTool::kSqlx;
    if (has("partial_hashes ") && has("operator_version ")) return OtherTool::kAtlas;
    if (has("orderexecuted ") && has("md5sum ")) return OtherTool::kLiquibase;
    if (has("version_id ") && has("is_applied ")) return OtherTool::kGoose;
    if (has("version bigint,") && has("dirty boolean,")) return OtherTool::kGolangMigrate;
    if ((has("version character varying") || has("version text,")) && !has("dirty ")) {
        return OtherTool::kDbmate;
    }
    return std::nullopt;
}

std::vector<std::string> default_tables(OtherTool tool) {
    switch (tool) {
        case OtherTool::kFlyway:
            return {"flyway_schema_history", "schema_version"};
        case OtherTool::kGolangMigrate:
        case OtherTool::kDbmate:
            return {"schema_migrations"};
        case OtherTool::kGoose:
            return {"goose_db_version"};
        case OtherTool::kPrisma:
            return {"_prisma_migrations"};
        case OtherTool::kDiesel:
            return {"__diesel_schema_migrations"};
        case OtherTool::kSqlx:
            return {"_sqlx_migrations"};
        case OtherTool::kAtlas:
            return {"atlas_schema_revisions"};
        case OtherTool::kLiquibase:
            return {"databasechangelog"};
    }
    return {};
}

ForeignHistory read_table(pqxx::nontransaction& session, OtherTool tool, const std::string& table) {
    switch (tool) {
        case OtherTool::kFlyway:
            return read_flyway(session, table);
        case OtherTool::kGolangMigrate:
            return read_golang_migrate(session, table);
        case OtherTool::kDbmate:
            return read_dbmate(session, table);
        case OtherTool::kGoose:
            return read_goose(session, table);
        case OtherTool::kPrisma:
            return read_prisma_history(session, table);
        case OtherTool::kDiesel:
            return read_diesel_history(session, table);
        case OtherTool::kSqlx:
            return read_sqlx_history(session, table);
        case OtherTool::kAtlas:
            return read_atlas_history(session, table);
        case OtherTool::kLiquibase:
            return read_liquibase_history(session, table);
    }
    return {};
}

// The table --table names, which must be `tool`'s.
ToolTable named_table(pqxx::connection& connection, std::optional<OtherTool> tool,
                      const std::string& spec) {
    const auto found = locate_tool_table(connection, spec);
    if (!found) {
        throw FatalError(ExitCode::kBadInput,
                         "--table " + spec +
                             ": no such table (a name without a schema is looked up on the "
                             "search_path, as PostgreSQL does)");
    }
    if (tool && tool_of(*found) != tool) {
        throw FatalError(ExitCode::kBadInput,
                         "--table " + spec + ": " + found->qualified + " is not " +
                             tool_name(*tool) + "'s history table (its columns: " + found->columns +
                             ")");
    }
    return *found;
}

// Every default table name of `tool` (of all nine tools when none), each once.
std::vector<std::string> default_names(std::optional<OtherTool> tool) {
    std::vector<std::string> names;
    for (const OtherTool each : kOtherTools) {
        if (tool && each != *tool) continue;
        for (auto& name : default_tables(each)) {
            if (std::find(names.begin(), names.end(), name) == names.end()) {
                names.push_back(std::move(name));
            }
        }
    }
    return names;
}

// The one way every tool's table is read: recognised by its columns (tool_of), then read by
// that tool's reader; tables of no tool, or not `tool`'s when given, are passed over.
std::vector<ForeignHistory> read_tables(pqxx::connection& connection,
                                        const std::vector<ToolTable>& tables,
                                        std::optional<OtherTool> tool) {
    return translate_db_errors([&] {
        pqxx::nontransaction session(connection);
        std::vector<ForeignHistory> histories;
        for (const auto& found : tables) {
            const auto found_tool = tool_of(found);
            if (!found_tool || (tool && *found_tool != *tool)) continue;
            histories.push_back(read_table(session, *found_tool, found.qualified));
        }
        return histories;
    });
}

}  // namespace

std::vector<ForeignHistory> find_other_histories(pqxx::connection& connection,
                                                 std::optional<OtherTool> tool,
                                                 const std::optional<std::string>& table) {
    if (table) return read_tables(connection, {named_table(connection, tool, *table)}, tool);
    return read_tables(connection, find_tool_tables(connection, default_names(tool)), tool);
}

std::string ForeignHistory::summary() const {
    std::string out = table + " (" + tool_name(tool) + ") at " +
                      (latest ? version_label(*latest) : std::string("no migration"));
    if (tool == OtherTool::kLiquibase) {
        out = table + " (liquibase), " + std::to_string(applied.size()) + " changesets";
    }
    if (dirty) out += ", dirty";
    if (!problem.empty() && !dirty) out += ", " + problem;
    return out;
}

std::vector<ForeignHistory> read_other_histories(pqxx::connection& connection) {
    // Each default name as the search_path resolves it, and Atlas's default schema of its own.
    std::vector<std::string> specs = default_names(std::nullopt);
    specs.emplace_back("atlas_schema_revisions.atlas_schema_revisions");
    return read_tables(connection, locate_tool_tables(connection, specs), std::nullopt);
}

std::vector<std::string> user_tables(pqxx::connection& connection, const std::string& state_schema,
                                     std::size_t limit) {
    return translate_db_errors([&] {
        pqxx::nontransaction session(connection);
        const auto rows = session.exec_params(
            "SELECT format('%I.%I', n.nspname, c.relname) FROM pg_class c "
            "JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE c.relkind IN ('r', 'p') AND n.nspname = current_schema() "
            "AND n.nspname <> $1 ORDER BY 1 LIMIT $2",
            state_schema, static_cast<int>(limit));
        std::vector<std::string> tables;
        for (const auto& row : rows) tables.push_back(row[0].as<std::string>());
        return tables;
    });
}

}  // namespace schemagate
