// SPDX-License-Identifier: Apache-2.0
#include "state_store.h"

#include <pqxx/nontransaction>
#include <pqxx/result>
#include <pqxx/transaction>

#include "db_failure.h"
#include "errors.h"
#include "fence_function.h"
#include "hazard_deferral_writer.h"
#include "hazard_rules.h"
#include "plan.h"
#include "record_function.h"

namespace schemagate {

namespace {

// Any constant works; it only has to be the same in every schemagate process. ("sg" in hex.)
constexpr const char* kBootstrapLockKey = "7367000001";

// Our tables as they are created: each CREATE TABLE IF NOT EXISTS, `;`-separated.
std::string create_tables_sql(pqxx::connection& connection, const StateLocation& where) {
    const std::string history = qualified(connection, where, StateTable::kHistory);
    return "CREATE TABLE IF NOT EXISTS " + qualified(connection, where, StateTable::kLease) +
           " (name text PRIMARY KEY, holder text, token bigint NOT NULL,"
           " acquired_at timestamptz NOT NULL, renewed_at timestamptz NOT NULL,"
           " expires_at timestamptz NOT NULL, lease_id text)"
           // numeric[] orders versions part by part as whole numbers of any length, like
           // MigrationVersion: {1,2} < {1,10} < {2}; 20-digit timestamps fit.
           "; CREATE TABLE IF NOT EXISTS " +
           history +
           " (name text NOT NULL, version numeric[] NOT NULL, description text NOT NULL,"
           " file text NOT NULL, checksum text NOT NULL,"
           " applied_at timestamptz NOT NULL DEFAULT clock_timestamp(),"
           " applied_by text NOT NULL, duration_ms bigint NOT NULL DEFAULT 0,"
           " token bigint NOT NULL, success boolean NOT NULL, lease_id text,"
           " contract boolean NOT NULL DEFAULT false, PRIMARY KEY (name, version))"
           // Flyway's R__ files: the checksum each was last applied with, by description.
           "; CREATE TABLE IF NOT EXISTS " +
           qualified(connection, where, StateTable::kRepeatable) +
           " (name text NOT NULL, description text NOT NULL, file text NOT NULL,"
           " checksum text NOT NULL, applied_at timestamptz NOT NULL DEFAULT clock_timestamp(),"
           " applied_by text NOT NULL, duration_ms bigint NOT NULL DEFAULT 0,"
           " token bigint NOT NULL, PRIMARY KEY (name, description))"
           // Where the history came from when schemagate took over (adopt, baseline).
           "; CREATE TABLE IF NOT EXISTS " +
           qualified(connection, where, StateTable::kAdoption) +
           " (name text PRIMARY KEY, source text NOT NULL, up_to text NOT NULL,"
           " adopted_at timestamptz NOT NULL DEFAULT clock_timestamp(), adopted_by text NOT NULL)"
           // Remembered failures: a migration that failed deterministically is not run again
           // with the same checksum (see migration_failure.h); its row goes when it succeeds.
           "; CREATE TABLE IF NOT EXISTS " +
           qualified(connection, where, StateTable::kFailure) +
           " (name text NOT NULL, version numeric[] NOT NULL, file text NOT NULL,"
           " checksum text NOT NULL, line integer NOT NULL, sqlstate text NOT NULL,"
           " message text NOT NULL, holder text NOT NULL, token bigint NOT NULL,"
           " failed_at timestamptz NOT NULL DEFAULT clock_timestamp(),"
           " PRIMARY KEY (name, version))"
           // Where a batched migration stands: written with each batch, dropped when the
           // migration is recorded in history.
           "; CREATE TABLE IF NOT EXISTS " +
           qualified(connection, where, StateTable::kBatchProgress) +
           " (name text NOT NULL, version numeric[] NOT NULL, file text NOT NULL,"
           " statement_checksum text NOT NULL, batches bigint NOT NULL, rows bigint NOT NULL,"
           " last_key text, total bigint, elapsed_ms bigint NOT NULL,"
           " started_at timestamptz NOT NULL DEFAULT clock_timestamp(),"
           " updated_at timestamptz NOT NULL DEFAULT clock_timestamp(),"
           " holder text NOT NULL, token bigint NOT NULL, PRIMARY KEY (name, version))"
           // Hazardous migrations pods left for the Job (--hazards=defer), for the sidecar.
           "; " +
           create_hazard_deferral_sql(qualified(connection, where, StateTable::kHazardDeferral));
}

}  // namespace

std::string StateStore::add_column_if_missing(pqxx::transaction_base& work, StateTable table,
                                              const std::string& column) const {
    const std::string name = column.substr(0, column.find(' '));
    const std::string qualified_table = qualified(work.conn(), where_, table);
    // A table in use by an older gate's migration is not waited for (every reader of it would
    // queue behind the ALTER): the bootstrap fails with 55P03 and is tried again later.
    return " IF NOT EXISTS (SELECT 1 FROM pg_attribute WHERE attrelid = " +
           work.quote(qualified_table) + "::regclass AND attname = " + work.quote(name) +
           " AND NOT attisdropped) THEN PERFORM set_config('lock_timeout', '200ms', true); "
           "ALTER TABLE " +
           qualified_table + " ADD COLUMN " + column + "; END IF;";
}

void StateStore::bootstrap_unless_current(pqxx::connection& connection) const {
    // Nothing to create or add (the common case): no transaction, no lock, no catalog checks.
    // That took the server about 4 ms of every run that applied anything.
    if (!bootstrapped_ && state_schema_known_current(connection, where_)) bootstrapped_ = true;
    bootstrap(connection);
}

void StateStore::bootstrap(pqxx::connection& connection) const {
    if (bootstrapped_) return;
    const std::string schema = connection.quote_name(where_.schema);
    const std::string history = qualified(connection, where_, StateTable::kHistory);
    // The upgrade block quotes the user's --schema: a dollar-quote tag no name can contain.
    const std::string tag = "$sgup" + new_lease_id() + "$";
    // One query string, one round trip, one transaction.
    const auto run = [&] {
        pqxx::nontransaction session(connection);
        session.exec(
            // "already exists, skipping" NOTICEs would go raw to stderr, outside our log
            // format. (Not a connection option: PgBouncer refuses an `options` parameter.)
            "BEGIN; SET LOCAL client_min_messages = warning; SELECT pg_advisory_xact_lock(" +
            std::string(kBootstrapLockKey) + "); CREATE SCHEMA IF NOT EXISTS " + schema + "; " +
            create_tables_sql(connection, where_) +
            // schemagate 0.1 stored versions as bigint: convert them in place, once.
            "; DO " + tag +
            " BEGIN IF (SELECT atttypid = 'bigint'::regtype FROM pg_attribute"
            " WHERE attrelid = " +
            session.quote(history) +
            "::regclass AND attname = 'version')"
            " THEN ALTER TABLE " +
            history +
            " ALTER COLUMN version TYPE numeric[] USING ARRAY[version]::numeric[]; END IF;" +
            // Before 0.4 a lease was proven by its token alone (lease_grant.h). Altered only
            // when missing: ALTER TABLE would otherwise queue behind a migration holding the row.
            add_column_if_missing(session, StateTable::kLease, "lease_id text") +
            add_column_if_missing(session, StateTable::kHistory, "lease_id text") +
            // The hazards a `-- schemagate:allow` let through, with their reasons (status).
            add_column_if_missing(session, StateTable::kHistory, "allowed_hazards jsonb") +
            // 0.5: contract migrations (a constant default: no table rewrite).
            add_column_if_missing(session, StateTable::kHistory,
                                  "contract boolean NOT NULL DEFAULT false") +
            // Readers take record_v1's presence as proof of every column above, holders as
            // proof that there is nothing to do: whatever a bootstrap adds needs a function
            // of a new name (state_tables.h, kRecordFunctionName).
            create_fence_function_if_missing(session, where_, tag) +
            create_record_function_if_missing(session, where_, tag) + " END " + tag + "; COMMIT");
    };
    try {
        translate_db_errors(run);
    } catch (const DbError&) {
        // The failed statement left the BEGIN's transaction open and aborted: end it, so the
        // session can be used again (a lock timeout of the upgrade is tried again later).
        pqxx::nontransaction session(connection);
        session.exec("ROLLBACK");
        throw;
    }
    bootstrapped_ = true;
}

std::optional<std::int64_t> StateStore::running_token(
    pqxx::connection& connection, const std::vector<AppliedMigration>& history) const {
    // Nothing unfinished (the common case): no second look at the database.
    if (!unfinished_token(history, false)) return std::nullopt;
    return unfinished_token(history, read_schema_state(connection, where_).dirty.has_value());
}

std::optional<std::vector<AppliedMigration>> StateStore::read_history(
    pqxx::connection& connection) const {
    if (!state_tables_exist(connection, where_)) return std::nullopt;
    const std::string query = "SELECT version::text, description, file, checksum, " +
                              iso_utc_sql("applied_at") +
                              ", applied_by, duration_ms, token, success, " +
                              history_contract_sql(connection, where_, "h") + " FROM " +
                              qualified(connection, where_, StateTable::kHistory) +
                              " AS h WHERE name = $1 ORDER BY version";
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
            version_from_sql(row[0].as<std::string>()), row[1].as<std::string>(),
            row[2].as<std::string>(), row[3].as<std::string>(), row[4].as<std::string>(),
            row[5].as<std::string>(), row[6].as<std::int64_t>(), row[7].as<std::int64_t>(),
            row[8].as<bool>(), row[9].as<bool>()});
    }
    return history;
}

std::map<std::string, std::string> StateStore::read_repeatables(
    pqxx::connection& connection) const {
    std::map<std::string, std::string> applied;
    if (!state_tables_exist(connection, where_)) return applied;
    try {
        const auto rows = translate_db_errors([&] {
            pqxx::nontransaction work(connection);
            return work.exec_params("SELECT description, checksum FROM " +
                                        qualified(connection, where_, StateTable::kRepeatable) +
                                        " WHERE name = $1",
                                    where_.name);
        });
        for (const auto& row : rows) applied[row[0].as<std::string>()] = row[1].as<std::string>();
    } catch (const DbError& e) {
        if (!e.is(sqlstate::kUndefinedTable) && !e.is(sqlstate::kInvalidSchemaName)) throw;
    }
    return applied;
}

std::string StateStore::record_row_sql(pqxx::transaction_base& work, const Migration& migration,
                                       const std::string& holder, const LeaseGrant& grant,
                                       const std::string& duration, bool success) const {
    auto& connection = work.conn();
    if (migration.repeatable) {
        return "INSERT INTO " + qualified(connection, where_, StateTable::kRepeatable) +
               kRepeatableRowColumns + " VALUES (" + work.quote(where_.name) + ", " +
               work.quote(migration.description) + ", " + work.quote(migration.file) + ", " +
               work.quote(migration.checksum) + ", " + work.quote(holder) + ", " + duration + ", " +
               std::to_string(grant.token) + ")" + kRepeatableRowUpsert;
    }
    const std::string allowed = allowed_hazards_json(migration);
    return "INSERT INTO " + qualified(connection, where_, StateTable::kHistory) +
           kHistoryRowColumns + " VALUES (" + work.quote(where_.name) + ", " +
           work.quote(migration.version.sql_array()) + "::numeric[], " +
           work.quote(migration.description) + ", " + work.quote(migration.file) + ", " +
           work.quote(migration.checksum) + ", " + work.quote(holder) + ", " + duration + ", " +
           std::to_string(grant.token) + ", " + work.quote(grant.id) + ", " +
           (allowed.empty() ? std::string("NULL") : work.quote(allowed) + "::jsonb") + ", " +
           (migration.contract ? "true, " : "false, ") + (success ? "true" : "false") + ")";
}

std::string StateStore::announce_sql(pqxx::transaction_base& work,
                                     const Migration& migration) const {
    return notify_call_sql(work.conn(), where_,
                           migration.repeatable
                               ? StateChange{StateEvent::kRepeatable, {}}
                               : StateChange{StateEvent::kApplied, migration.version});
}

std::string StateStore::record_sql(pqxx::transaction_base& work, const Migration& migration,
                                   const std::string& holder, const LeaseGrant& grant,
                                   std::int64_t duration_ms, bool success) const {
    const std::string duration = std::to_string(duration_ms);
    const bool clears_failure = success && !migration.repeatable;
    return record_row_sql(work, migration, holder, grant, duration, success) + "; " +
           (clears_failure ? clear_failure_sql(work, migration.version) + "; " : std::string()) +
           "SELECT " + announce_sql(work, migration);
}

std::string StateStore::record_applied_sql(pqxx::transaction_base& work, const Migration& migration,
                                           const std::string& holder, const LeaseGrant& grant,
                                           const std::string& settings, Millis ttl) const {
    const std::string allowed = allowed_hazards_json(migration);
    const auto change = migration.repeatable ? StateChange{StateEvent::kRepeatable, {}}
                                             : StateChange{StateEvent::kApplied, migration.version};
    return "SELECT " + record_function_name(work, where_) + "(" + settings + ", " +
           work.quote(where_.name) + ", " + std::to_string(grant.token) + ", " +
           work.quote(grant.id) + ", " + std::to_string(ttl.count()) + ", " +
           (migration.repeatable ? "true, NULL"
                                 : "false, " + work.quote(migration.version.sql_array())) +
           "::numeric[], " + work.quote(migration.description) + ", " + work.quote(migration.file) +
           ", " + work.quote(migration.checksum) + ", " + work.quote(holder) + ", " +
           (allowed.empty() ? std::string("NULL") : work.quote(allowed)) + "::jsonb, " +
           (migration.contract ? "true, " : "false, ") +
           work.quote(change_payload(where_.name, change)) + ")";
}

std::string StateStore::finish_sql(pqxx::transaction_base& work, const Migration& migration,
                                   std::int64_t duration_ms) const {
    auto& connection = work.conn();
    return "UPDATE " + qualified(connection, where_, StateTable::kHistory) +
           " SET success = true, duration_ms = " + std::to_string(duration_ms) +
           " WHERE name = " + work.quote(where_.name) +
           " AND version = " + work.quote(migration.version.sql_array()) + "::numeric[]; " +
           clear_failure_sql(work, migration.version) + "; SELECT " +
           notify_call_sql(connection, where_, {StateEvent::kApplied, migration.version});
}

std::string StateStore::clear_failure_sql(pqxx::transaction_base& work,
                                          const MigrationVersion& version) const {
    return "DELETE FROM " + qualified(work.conn(), where_, StateTable::kFailure) +
           " WHERE name = " + work.quote(where_.name) +
           " AND version = " + work.quote(version.sql_array()) + "::numeric[]";
}

void StateStore::record_failure(pqxx::connection& connection, const RecordedFailure& failure,
                                const std::string& holder, const LeaseGrant& grant) const {
    pqxx::nontransaction work(connection);
    // One statement: written only while `grant` still holds the lease (a fenced-off holder's
    // failure is not the set's), replacing an older record of the same version.
    work.exec_params(
        "INSERT INTO " + qualified(connection, where_, StateTable::kFailure) +
            " (name, version, file, checksum, line, sqlstate, message, holder, token) "
            "SELECT $1, $2::numeric[], $3, $4, $5, $6, $7, $8, $9 WHERE EXISTS (SELECT 1 FROM " +
            qualified(connection, where_, StateTable::kLease) +
            " WHERE name = $1 AND token = $9 AND lease_id = $10) ON CONFLICT (name, version) DO "
            "UPDATE SET "
            "file = EXCLUDED.file, checksum = EXCLUDED.checksum, line = EXCLUDED.line, "
            "sqlstate = EXCLUDED.sqlstate, message = EXCLUDED.message, holder = EXCLUDED.holder, "
            "token = EXCLUDED.token, failed_at = clock_timestamp()",
        where_.name, failure.version.sql_array(), failure.file, failure.checksum, failure.line,
        failure.sqlstate, failure.message, holder, grant.token, grant.id);
    work.exec_params("SELECT pg_notify($1, $2)", std::string(kNotifyChannel),
                     change_payload(where_.name, {StateEvent::kFailed, {}}));
}

std::vector<RecordedFailure> StateStore::read_failures(pqxx::connection& connection) const {
    std::vector<RecordedFailure> failures;
    if (!failure_table_exists(connection, where_)) return failures;
    const auto rows = translate_db_errors([&] {
        pqxx::nontransaction work(connection);
        return work.exec_params("SELECT " + recorded_failure_columns_sql("f") + " FROM " +
                                    qualified(connection, where_, StateTable::kFailure) +
                                    " AS f WHERE name = $1 ORDER BY version",
                                where_.name);
    });
    for (const auto& row : rows) failures.push_back(recorded_failure_from(row, 0));
    return failures;
}

std::size_t StateStore::clear_failure(pqxx::connection& connection,
                                      const MigrationVersion& version) const {
    if (!failure_table_exists(connection, where_)) return 0;
    pqxx::work work(connection);
    const auto result = work.exec(clear_failure_sql(work, version));
    work.exec_params("SELECT pg_notify($1, $2)", std::string(kNotifyChannel),
                     change_payload(where_.name, {StateEvent::kRetry, {}}));
    work.commit();
    return result.affected_rows();
}

// A version the other tool applied from no file here (adopt --accept-missing): its script's
// name as the file, no checksum (no file here can match it).
std::string StateStore::adopted_without_file_sql(pqxx::transaction_base& work,
                                                 const AdoptedWithoutFile& adopted,
                                                 const LeaseGrant& grant) const {
    const std::string applied_at = adopted.applied_at.empty()
                                       ? "clock_timestamp()"
                                       : work.quote(adopted.applied_at) + "::timestamptz";
    return "INSERT INTO " + qualified(work.conn(), where_, StateTable::kHistory) +
           " (name, version, description, file, checksum, applied_at, applied_by, token, "
           "lease_id, success) VALUES (" +
           work.quote(where_.name) + ", " + work.quote(adopted.version.sql_array()) +
           "::numeric[], " + work.quote(adopted.description) + ", " + work.quote(adopted.script) +
           ", '', " + applied_at + ", " + work.quote(adopted.applied_by) + ", " +
           std::to_string(grant.token) + ", " + work.quote(grant.id) + ", true); ";
}

std::string StateStore::adopt_sql(pqxx::transaction_base& work, const Adoption& adoption,
                                  const std::string& holder, const LeaseGrant& grant) const {
    auto& connection = work.conn();
    std::string sql;
    for (const auto& adopted : adoption.migrations) {
        const std::string applied_at = adopted.applied_at.empty()
                                           ? "clock_timestamp()"
                                           : work.quote(adopted.applied_at) + "::timestamptz";
        const Migration& file = *adopted.file;
        if (file.repeatable) {
            sql += "INSERT INTO " + qualified(connection, where_, StateTable::kRepeatable) +
                   " (name, description, file, checksum, applied_at, applied_by, token) VALUES (" +
                   work.quote(where_.name) + ", " + work.quote(file.description) + ", " +
                   work.quote(file.file) + ", " + work.quote(file.checksum) + ", " + applied_at +
                   ", " + work.quote(adopted.applied_by) + ", " + std::to_string(grant.token) +
                   "); ";
            continue;
        }
        sql += "INSERT INTO " + qualified(connection, where_, StateTable::kHistory) +
               " (name, version, description, file, checksum, applied_at, applied_by, token, "
               "lease_id, success) VALUES (" +
               work.quote(where_.name) + ", " + work.quote(file.version.sql_array()) +
               "::numeric[], " + work.quote(file.description) + ", " + work.quote(file.file) +
               ", " + work.quote(file.checksum) + ", " + applied_at + ", " +
               work.quote(adopted.applied_by) + ", " + std::to_string(grant.token) + ", " +
               work.quote(grant.id) + ", true); ";
    }
    for (const auto& adopted : adoption.without_file) {
        sql += adopted_without_file_sql(work, adopted, grant);
    }
    return sql + "INSERT INTO " + qualified(connection, where_, StateTable::kAdoption) +
           " (name, source, up_to, adopted_by) VALUES (" + work.quote(where_.name) + ", " +
           work.quote(adoption.source) + ", " + work.quote(adoption.up_to.text()) + ", " +
           work.quote(holder) + "); SELECT " +
           notify_call_sql(connection, where_, {StateEvent::kApplied, adoption.up_to});
}

std::optional<AdoptionRecord> StateStore::read_adoption(pqxx::connection& connection) const {
    if (!state_tables_exist(connection, where_)) return std::nullopt;
    try {
        const auto rows = translate_db_errors([&] {
            pqxx::nontransaction work(connection);
            return work.exec_params(
                "SELECT source, up_to, " + iso_utc_sql("adopted_at") + ", adopted_by FROM " +
                    qualified(connection, where_, StateTable::kAdoption) + " WHERE name = $1",
                where_.name);
        });
        if (rows.empty()) return std::nullopt;
        return AdoptionRecord{rows[0][0].as<std::string>(), rows[0][1].as<std::string>(),
                              rows[0][2].as<std::string>(), rows[0][3].as<std::string>()};
    } catch (const DbError& e) {
        if (e.is(sqlstate::kUndefinedTable) || e.is(sqlstate::kInvalidSchemaName)) {
            return std::nullopt;
        }
        throw;
    }
}

std::optional<BatchProgress> StateStore::read_batch_progress(
    pqxx::connection& connection, const MigrationVersion& version) const {
    const auto rows = translate_db_errors([&] {
        pqxx::nontransaction work(connection);
        return work.exec_params("SELECT " + batch_progress_columns_sql("b") + " FROM " +
                                    qualified(connection, where_, StateTable::kBatchProgress) +
                                    " AS b WHERE name = $1 AND version = $2::numeric[]",
                                where_.name, version.sql_array());
    });
    if (rows.empty()) return std::nullopt;
    return batch_progress_from(rows[0], 0);
}

std::string StateStore::batch_progress_sql(pqxx::transaction_base& work,
                                           const BatchProgress& progress, const std::string& holder,
                                           const LeaseGrant& grant) const {
    const auto optional_text = [&work](const std::optional<std::string>& value) {
        return value ? work.quote(*value) : std::string("NULL");
    };
    return "INSERT INTO " + qualified(work.conn(), where_, StateTable::kBatchProgress) +
           " AS p (name, version, file, statement_checksum, batches, rows, last_key, total, "
           "elapsed_ms, holder, token) VALUES (" +
           work.quote(where_.name) + ", " + work.quote(progress.version.sql_array()) +
           "::numeric[], " + work.quote(progress.file) + ", " +
           work.quote(progress.statement_checksum) + ", " + std::to_string(progress.batches) +
           ", " + std::to_string(progress.rows) + ", " + optional_text(progress.last_key) + ", " +
           (progress.total ? std::to_string(*progress.total) : std::string("NULL")) + ", " +
           std::to_string(progress.elapsed_ms) + ", " + work.quote(holder) + ", " +
           std::to_string(grant.token) +
           ") ON CONFLICT (name, version) DO UPDATE SET file = EXCLUDED.file, "
           "statement_checksum = EXCLUDED.statement_checksum, batches = EXCLUDED.batches, "
           "rows = EXCLUDED.rows, last_key = EXCLUDED.last_key, total = EXCLUDED.total, "
           "elapsed_ms = EXCLUDED.elapsed_ms, updated_at = clock_timestamp(), "
           "holder = EXCLUDED.holder, token = EXCLUDED.token";
}

std::string StateStore::forget_batch_progress_sql(pqxx::transaction_base& work,
                                                  const MigrationVersion& version) const {
    return "DELETE FROM " + qualified(work.conn(), where_, StateTable::kBatchProgress) +
           " WHERE name = " + work.quote(where_.name) +
           " AND version = " + work.quote(version.sql_array()) + "::numeric[]";
}

std::size_t StateStore::repair(pqxx::connection& connection, const MigrationVersion& version,
                               bool mark_applied) const {
    const std::string history = qualified(connection, where_, StateTable::kHistory);
    pqxx::work work(connection);
    const auto result =
        mark_applied
            ? work.exec_params(
                  "UPDATE " + history +
                      " SET success = true WHERE name = $1 AND version = $2::numeric[] "
                      "AND NOT success",
                  where_.name, version.sql_array())
            : work.exec_params("DELETE FROM " + history +
                                   " WHERE name = $1 AND version = $2::numeric[] AND NOT success",
                               where_.name, version.sql_array());
    work.exec_params("SELECT pg_notify($1, $2)", std::string(kNotifyChannel),
                     change_payload(where_.name, {StateEvent::kRepaired, {}}));
    work.commit();
    return result.affected_rows();
}

}  // namespace schemagate
