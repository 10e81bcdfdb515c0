// SPDX-License-Identifier: Apache-2.0
#include "app_tool_tables.h"

#include <fmt/format.h>

#include <pqxx/result_iterator.hxx>

#include "folder_layouts.h"
#include "schema_state.h"

namespace schemagate {

namespace {

constexpr const char* kDetectSql =
    "SELECT to_regclass('_prisma_migrations')::text, "
    "to_regclass('__diesel_schema_migrations')::text, to_regclass('_sqlx_migrations')::text";

std::string iso(const std::string& column) {
    return "coalesce(" + iso_utc_sql(column + "::timestamptz") + ", '')";
}

void note_latest(ForeignHistory& history, const MigrationVersion& version) {
    if (!history.latest || version > *history.latest) history.latest = version;
}

// A row whose name is no version cannot be matched to a file: kept as version "none", which
// adoption ignores; named in the history's problem so that it is not silently dropped.
void unreadable(ForeignHistory& history, const std::string& what) {
    if (history.problem.empty()) {
        history.problem = what + " is not a version schemagate can match to a file";
    }
}

ForeignHistory read_prisma(pqxx::nontransaction& session, const std::string& table) {
    ForeignHistory history{OtherTool::kPrisma, table, {}, std::nullopt, false, ""};
    const auto rows = session.exec(
        "SELECT migration_name, checksum, finished_at IS NOT NULL, rolled_back_at IS NOT NULL, " +
        iso("finished_at") + " FROM " + table + " ORDER BY started_at, migration_name");
    for (const auto& row : rows) {
        const auto name = row[0].as<std::string>();
        if (row[3].as<bool>()) continue;  // rolled back: not applied
        if (!row[2].as<bool>()) {
            history.problem = fmt::format(
                "a failed Prisma migration {0} (fix the database, then `prisma migrate resolve "
                "--rolled-back {0}` or `--applied {0}`)",
                name);
            continue;
        }
        const auto version = prisma_version_of(name);
        if (!version) {
            unreadable(history, "Prisma migration " + name);
            continue;
        }
        ForeignMigration migration;
        migration.version = *version;
        migration.description = name;
        migration.script = name;
        migration.tool_checksum = row[1].as<std::string>();
        migration.installed_on = row[4].as<std::string>();
        note_latest(history, *version);
        history.applied.push_back(std::move(migration));
    }
    return history;
}

ForeignHistory read_diesel(pqxx::nontransaction& session, const std::string& table) {
    ForeignHistory history{OtherTool::kDiesel, table, {}, std::nullopt, false, ""};
    const auto rows =
        session.exec("SELECT version::text, " + iso("run_on") + " FROM " + table + " ORDER BY 1");
    for (const auto& row : rows) {
        const auto text = row[0].as<std::string>();
        const auto version = diesel_version_of(text);
        if (!version) {
            unreadable(history, "diesel version " + text);
            continue;
        }
        ForeignMigration migration;
        migration.version = *version;
        migration.script = text;
        migration.installed_on = row[1].as<std::string>();
        note_latest(history, *version);
        history.applied.push_back(std::move(migration));
    }
    return history;
}

ForeignHistory read_sqlx(pqxx::nontransaction& session, const std::string& table) {
    ForeignHistory history{OtherTool::kSqlx, table, {}, std::nullopt, false, ""};
    const auto rows = session.exec(
        "SELECT version::text, description, success, "
        "encode(checksum, 'hex'), " +
        iso("installed_on") + " FROM " + table + " ORDER BY version");
    for (const auto& row : rows) {
        const auto text = row[0].as<std::string>();
        const auto version = MigrationVersion::parse(text);
        if (!row[2].as<bool>()) {
            history.dirty = true;
            history.problem = fmt::format(
                "sqlx migration {} ({}) failed partway (success = false): fix the database, "
                "then delete its row from {}",
                text, row[1].as<std::string>(), table);
            continue;
        }
        if (!version || version->none()) {
            unreadable(history, "sqlx version " + text);
            continue;
        }
        ForeignMigration migration;
        migration.version = *version;
        migration.description = row[1].as<std::string>();
        migration.tool_checksum = row[3].as<std::string>();
        migration.installed_on = row[4].as<std::string>();
        note_latest(history, *version);
        history.applied.push_back(std::move(migration));
    }
    return history;
}

}  // namespace

void read_app_tool_histories(pqxx::nontransaction& session,
                             std::vector<ForeignHistory>& histories) {
    const auto found = session.exec(kDetectSql).at(0);
    if (!found[0].is_null()) histories.push_back(read_prisma(session, found[0].as<std::string>()));
    if (!found[1].is_null()) histories.push_back(read_diesel(session, found[1].as<std::string>()));
    if (!found[2].is_null()) histories.push_back(read_sqlx(session, found[2].as<std::string>()));
}

}  // namespace schemagate
