// SPDX-License-Identifier: Apache-2.0
#include "state_store.h"

#include <pqxx/nontransaction>
#include <pqxx/result>
#include <pqxx/transaction>

#include "db_failure.h"

namespace schemagate {

namespace {

// Any constant works; it only has to be the same in every schemagate process. ("sg" in hex.)
constexpr const char* kBootstrapLockKey = "7367000001";

}  // namespace

void StateStore::bootstrap(pqxx::connection& connection) const {
    const std::string schema = connection.quote_name(where_.schema);
    pqxx::work work(connection);
    // "already exists, skipping" NOTICEs would go raw to stderr, outside our log format.
    // (Not a connection option: PgBouncer refuses an `options` startup parameter.)
    work.exec("SET LOCAL client_min_messages = warning");
    work.exec("SELECT pg_advisory_xact_lock(" + std::string(kBootstrapLockKey) + ")");
    work.exec("CREATE SCHEMA IF NOT EXISTS " + schema);
    work.exec("CREATE TABLE IF NOT EXISTS " + qualified(connection, where_, "lease") +
              " (name text PRIMARY KEY,"
              " holder text,"
              " token bigint NOT NULL,"
              " acquired_at timestamptz NOT NULL,"
              " renewed_at timestamptz NOT NULL,"
              " expires_at timestamptz NOT NULL)");
    work.exec("CREATE TABLE IF NOT EXISTS " + qualified(connection, where_, "history") +
              " (name text NOT NULL,"
              " version bigint NOT NULL,"
              " description text NOT NULL,"
              " file text NOT NULL,"
              " checksum text NOT NULL,"
              " applied_at timestamptz NOT NULL DEFAULT clock_timestamp(),"
              " applied_by text NOT NULL,"
              " duration_ms bigint NOT NULL DEFAULT 0,"
              " token bigint NOT NULL,"
              " success boolean NOT NULL,"
              " PRIMARY KEY (name, version))");
    work.commit();
}

std::optional<std::vector<AppliedMigration>> StateStore::read_history(
    pqxx::connection& connection) const {
    const std::string query =
        "SELECT version, description, file, checksum, " + iso_utc_sql("applied_at") +
        ", applied_by, duration_ms, token, success FROM " +
        qualified(connection, where_, "history") + " WHERE name = $1 ORDER BY version";
    pqxx::result rows;
    try {
        rows = translate_db_errors([&] {
            pqxx::nontransaction work(connection);
            return work.exec_params(query, where_.name);
        });
    } catch (const DbError& e) {
        if (e.is(sqlstate::kUndefinedTable) || e.is(sqlstate::kInvalidSchemaName)) {
            return std::nullopt;
        }
        throw;
    }
    std::vector<AppliedMigration> history;
    history.reserve(rows.size());
    for (const auto& row : rows) {
        history.push_back(AppliedMigration{
            row[0].as<std::int64_t>(), row[1].as<std::string>(), row[2].as<std::string>(),
            row[3].as<std::string>(), row[4].as<std::string>(), row[5].as<std::string>(),
            row[6].as<std::int64_t>(), row[7].as<std::int64_t>(), row[8].as<bool>()});
    }
    return history;
}

std::string StateStore::record_sql(pqxx::transaction_base& work, const Migration& migration,
                                   const std::string& holder, std::int64_t token,
                                   std::optional<std::int64_t> duration_ms, bool success) const {
    auto& connection = work.conn();
    return "INSERT INTO " + qualified(connection, where_, "history") +
           " (name, version, description, file, checksum, applied_by, duration_ms, token, "
           "success) VALUES (" +
           work.quote(where_.name) + ", " + std::to_string(migration.version) + ", " +
           work.quote(migration.description) + ", " + work.quote(migration.file) + ", " +
           work.quote(migration.checksum) + ", " + work.quote(holder) + ", " +
           (duration_ms
                ? std::to_string(*duration_ms)
                : std::string("(extract(epoch FROM clock_timestamp() - now()) * 1000)::bigint")) +
           ", " + std::to_string(token) + ", " + (success ? "true" : "false") + ");" +
           " SELECT pg_notify(" + work.quote(std::string(kNotifyChannel)) + ", " +
           work.quote(notify_payload(where_.name, std::to_string(migration.version))) + ")";
}

std::string StateStore::finish_sql(pqxx::transaction_base& work, const Migration& migration,
                                   std::int64_t duration_ms) const {
    auto& connection = work.conn();
    return "UPDATE " + qualified(connection, where_, "history") +
           " SET success = true, duration_ms = " + std::to_string(duration_ms) +
           " WHERE name = " + work.quote(where_.name) +
           " AND version = " + std::to_string(migration.version) + "; SELECT pg_notify(" +
           work.quote(std::string(kNotifyChannel)) + ", " +
           work.quote(notify_payload(where_.name, std::to_string(migration.version))) + ")";
}

std::size_t StateStore::repair(pqxx::connection& connection, std::int64_t version,
                               bool mark_applied) const {
    const std::string history = qualified(connection, where_, "history");
    pqxx::work work(connection);
    const auto result =
        mark_applied
            ? work.exec_params("UPDATE " + history +
                                   " SET success = true WHERE name = $1 AND version = $2 AND "
                                   "NOT success",
                               where_.name, version)
            : work.exec_params(
                  "DELETE FROM " + history + " WHERE name = $1 AND version = $2 AND NOT success",
                  where_.name, version);
    work.exec_params("SELECT pg_notify($1, $2)", std::string(kNotifyChannel),
                     notify_payload(where_.name, "repaired"));
    work.commit();
    return result.affected_rows();
}

}  // namespace schemagate
