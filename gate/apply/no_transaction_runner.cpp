// SPDX-License-Identifier: Apache-2.0
#include "no_transaction_runner.h"

#include <spdlog/spdlog.h>

#include <pqxx/nontransaction>
#include <pqxx/transaction>

#include "errors.h"
#include "migration_failure.h"
#include "migration_sql.h"

namespace schemagate {

std::optional<NoTransactionRunner::Session> NoTransactionRunner::mark_started(
    pqxx::connection& connection, const Migration& migration, const LeaseGrant& grant) const {
    try {
        return translate_db_errors([&] {
            pqxx::work work(connection);
            const auto fenced = work.exec(lease_.fence_sql(work, grant));
            if (fenced.affected_rows() != 1) lease_lost_error(migration);
            const auto server_pid =
                work.exec(store_.record_sql(work, migration, lease_.holder(), grant, 0, false) +
                          "; SELECT pg_backend_pid()");
            work.commit();
            // A pooler answers the connection's startup with a backend pid of its own.
            return server_pid.at(0).at(0).as<int>() == connection.backendpid() ? Session::kOwn
                                                                               : Session::kPooled;
        });
    } catch (const ConnectionLost& e) {
        // Nothing of the migration ran yet: not dirty, whatever happened.
        fail(migration, nullptr, false, e.failure());
    } catch (const DbError& e) {
        if (e.is(sqlstate::kLockNotAvailable)) return std::nullopt;
        fail(migration, nullptr, false, e.failure());
    }
}

// Behind a pooler the session is not ours: a session setting would stay on the server
// connection for its next, unrelated client (PgBouncer's transaction pooling hands it over
// between two statements), and the statements may not even run where it was set. There the
// statements run with the server's settings; --timeout still bounds them.
Attempt NoTransactionRunner::apply(pqxx::connection& connection, const Migration& migration,
                                   const LeaseGrant& grant) const {
    const auto started = SteadyClock::now();
    const std::optional<Session> whose = mark_started(connection, migration, grant);
    if (!whose) return Attempt::kLockTimedOut;
    std::string timeouts;
    if (*whose == Session::kOwn) {
        timeouts = session_timeouts_sql(connection, settings_);
    } else {
        spdlog::info(
            "{} runs through a connection pooler: without schemagate's session settings "
            "(--lock-timeout, --statement-timeout), which would reach other clients",
            label(migration));
    }
    run(connection, migration, grant, timeouts, started);
    return Attempt::kGoOn;
}

void NoTransactionRunner::run(pqxx::connection& connection, const Migration& migration,
                              const LeaseGrant& grant, const std::string& timeouts,
                              SteadyClock::time_point started) const {
    const SqlStatement* current = nullptr;
    try {
        translate_db_errors([&] {
            if (!timeouts.empty()) {
                pqxx::nontransaction setting(connection);
                setting.exec(timeouts);
            }
            // A goose block goes whole, as goose sends it (the server runs it as one transaction).
            for (const auto& statement : migration.statements) {
                current = &statement;
                pqxx::nontransaction work(connection);
                work.exec(statement.text);
            }
            current = nullptr;
            if (!migration.checks.empty()) {
                // From the session's own role and settings, as in a transaction (migration_sql.h).
                pqxx::nontransaction checking(connection);
                checking.exec(session_reset_sql() + timeouts);
                run_checks(checking, migration);
            }
            pqxx::work work(connection);
            // The bookkeeping runs as the gate; the timeouts end with the migration.
            work.exec(session_reset_sql());
            const auto fenced = work.exec(lease_.fence_sql(work, grant));
            if (fenced.affected_rows() != 1) lease_lost_error(migration);
            const auto duration =
                std::chrono::duration_cast<Millis>(SteadyClock::now() - started).count();
            work.exec(store_.finish_sql(work, migration, duration) + "; " +
                      compat(work, migration, std::to_string(duration)));
            work.commit();
        });
    } catch (const ConnectionLost& e) {
        fail(migration, current, true, e.failure());
    } catch (const CheckFailed& e) {
        recover(connection);  // what follows (the lease's release) runs as the gate
        const std::string message =
            std::string(e.what()) +
            "; the migration ran without a transaction and is now marked dirty: "
            "check the database, then `schemagate repair --version " +
            migration.version.text() + "`";
        throw MigrationFailed(message,
                              RecordedFailure{migration.version, migration.file, migration.checksum,
                                              e.line(), kCheckFailedState, message, "", ""},
                              false);
    } catch (const DbError& e) {
        recover(connection);  // likewise
        fail(migration, current, true, e.failure());
    }
}

}  // namespace schemagate
