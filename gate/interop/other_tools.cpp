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
constexpr const char* kDetectSql =
    "SELECT to_regclass('flyway_schema_history')::text, to_regclass('goose_db_version')::text, "
    "to_regclass('schema_migrations')::text, "
    "(SELECT string_agg(attname || ' ' || format_type(atttypid, atttypmod), ',' ORDER BY attnum) "
    "FROM pg_attribute WHERE attrelid = to_regclass('schema_migrations') AND attnum > 0 "
    "AND NOT attisdropped)";

std::string iso(const std::string& column) {
    return "coalesce(" + iso_utc_sql(column + "::timestamptz") + ", '')";
}

MigrationVersion version_of(const std::string& text) {
    return MigrationVersion::parse(text).value_or(MigrationVersion{});
}

ForeignHistory read_flyway(pqxx::nontransaction& session, const std::string& table) {
    ForeignHistory history{OtherTool::kFlyway, table, {}, std::nullopt, false, ""};
    const auto rows = session.exec(
        "SELECT coalesce(version, ''), description, type, script, checksum, installed_by, " +
        iso("installed_on") + ", success FROM " + table + " ORDER BY installed_rank");
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
        "SELECT DISTINCT ON (version_id) version_id::text, is_applied, " + iso("tstamp") +
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
        case OtherTool::kDiesel:
        case OtherTool::kSqlx:
        case OtherTool::kAtlas:
        case OtherTool::kLiquibase:
            // Found by their own readers, on the search_path (app_tool_tables.h,
            // atlas_liquibase_history.h).
            return {};
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
        case OtherTool::kDiesel:
        case OtherTool::kSqlx:
        case OtherTool::kAtlas:
        case OtherTool::kLiquibase:
            break;  // tool_of() names none of these: they have readers of their own
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

}  // namespace

std::vector<ForeignHistory> find_other_histories(pqxx::connection& connection,
                                                 std::optional<OtherTool> tool,
                                                 const std::optional<std::string>& table) {
    std::vector<ToolTable> tables;
    if (table) {
        tables.push_back(named_table(connection, tool, *table));
    } else {
        std::vector<std::string> names;
        for (const OtherTool each : kOtherTools) {
            if (tool && each != *tool) continue;
            for (auto& name : default_tables(each)) {
                if (std::find(names.begin(), names.end(), name) == names.end()) {
                    names.push_back(std::move(name));
                }
            }
        }
        tables = find_tool_tables(connection, names);
    }
    return translate_db_errors([&] {
        pqxx::nontransaction session(connection);
        std::vector<ForeignHistory> histories;
        for (const auto& found : tables) {
            const auto found_tool = tool_of(found);
            if (!found_tool || (tool && *found_tool != *tool)) continue;
            histories.push_back(read_table(session, *found_tool, found.qualified));
        }
        if (!table) {
            std::vector<ForeignHistory> others;
            read_app_tool_histories(session, others);
            read_atlas_and_liquibase(session, others);
            for (auto& other : others) {
                if (!tool || other.tool == *tool) histories.push_back(std::move(other));
            }
        }
        return histories;
    });
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
    return translate_db_errors([&connection] {
        pqxx::nontransaction session(connection);
        const auto found = session.exec(kDetectSql).at(0);
        std::vector<ForeignHistory> histories;
        if (!found[0].is_null()) {
            histories.push_back(read_flyway(session, found[0].as<std::string>()));
        }
        if (!found[1].is_null()) {
            histories.push_back(read_goose(session, found[1].as<std::string>()));
        }
        if (!found[2].is_null()) {
            // Told apart by their columns: golang-migrate's version is a bigint next to a dirty
            // flag; dbmate's is text.
            const std::string columns = found[3].is_null() ? "" : found[3].as<std::string>();
            const auto table = found[2].as<std::string>();
            if (columns.find("version bigint") != std::string::npos &&
                columns.find("dirty boolean") != std::string::npos) {
                histories.push_back(read_golang_migrate(session, table));
            } else if (columns.find("version character varying") != std::string::npos ||
                       columns.find("version text") != std::string::npos) {
                histories.push_back(read_dbmate(session, table));
            }
        }
        read_app_tool_histories(session, histories);
        read_atlas_and_liquibase(session, histories);
        return histories;
    });
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
