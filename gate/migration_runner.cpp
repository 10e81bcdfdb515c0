// SPDX-License-Identifier: Apache-2.0
#include "migration_runner.h"

#include <spdlog/spdlog.h>

#include <pqxx/nontransaction>
#include <pqxx/transaction>

#include "compat_writer.h"
#include "db_failure.h"
#include "errors.h"
#include "interrupt.h"
#include "migration_failure.h"
#include "migration_sql.h"

namespace schemagate {

MigrationRunner::MigrationRunner(const StateStore& store, const Lease& lease,
                                 MigrationSettings settings, Watch watch)
    : store_(store), lease_(lease), settings_(std::move(settings)), watch_(std::move(watch)) {}

bool chainable(const Migration& migration) {
    return !migration.no_transaction && !migration.batch && migration.checks.empty();
}

void MigrationRunner::apply(pqxx::connection& connection,
                            std::span<const Migration* const> migrations, const LeaseGrant& grant,
                            const Deadline& deadline, bool durable, const Applied& applied) const {
    LockRetryPolicy retry(settings_.lock_retries, deadline);
    std::size_t next = 0;
    const Applied count_applied = [&](const Migration& migration, Millis took) {
        ++next;
        retry.succeeded();
        applied(migration, took);
    };
    while (next < migrations.size()) {
        const Migration& migration = *migrations[next];
        stop_if_deadline_reached("before " + label(migration) + " (" + migration.file +
                                 ") could start");
        const bool last = next + 1 == migrations.size();
        const auto started = SteadyClock::now();
        Attempt attempt = Attempt::kGoOn;
        if (migration.batch) {
            apply_in_batches(connection, migration, grant, durable && last, retry);
        } else if (migration.no_transaction) {
            attempt = apply_without_transaction(connection, migration, grant);
        } else {
            // Returns after the commits it reported (count_applied moved `next` on).
            attempt = apply_in_transactions(connection, migrations.subspan(next), grant, durable,
                                            count_applied);
            if (attempt == Attempt::kGoOn) continue;
        }
        if (attempt == Attempt::kLockTimedOut) {
            // Only this migration is tried again: the ones before it committed.
            wait_to_retry(retry, *migrations[next], std::nullopt);
            continue;
        }
        count_applied(migration, std::chrono::duration_cast<Millis>(SteadyClock::now() - started));
    }
}

void MigrationRunner::wait_to_retry(LockRetryPolicy& retry, const Migration& migration,
                                    std::optional<std::int64_t> batch) const {
    const LockRetry decision = retry.after_lock_timeout();
    const std::string subject = label(migration) + " (" + migration.file + ")" +
                                (batch ? " batch " + std::to_string(*batch) : "");
    const std::string locks =
        " could not get its locks within --lock-timeout " + format_duration(settings_.lock_timeout);
    const std::string attempts = std::to_string(decision.failed_attempts) + " attempts";
    const std::string stays =
        batch ? "; the batches before it stay committed and the next holder resumes there" : "";
    // The deadline ends the retries whether the next wait would pass it or the deadline watch
    // fired during a wait: one message either way.
    const auto out_of_time = [&] {
        return FatalError(ExitCode::kDeadline, "deadline (--timeout " +
                                                   format_duration(watch_.timeout) +
                                                   ") reached while " + subject + locks + " (" +
                                                   attempts + "); rolled back" + stays);
    };
    switch (decision.verdict) {
        case LockRetry::Verdict::kOutOfAttempts:
            throw FatalError(
                ExitCode::kMigrationFailed,
                subject + locks + " after " + attempts +
                    (batch ? stays : ": something holds a conflicting lock on the table"));
        case LockRetry::Verdict::kOutOfTime:
            throw out_of_time();
        case LockRetry::Verdict::kRetry:
            break;
    }
    spdlog::warn("{}: {}lock timeout after {}; rolled back, retrying {}in {} ({}/{})",
                 label(migration), batch ? "batch " + std::to_string(*batch) + " hit the " : "",
                 format_duration(settings_.lock_timeout), batch ? "it " : "",
                 format_duration(decision.wait), decision.failed_attempts, settings_.lock_retries);
    if (Interrupt::wait_for(decision.wait)) {
        throw FatalError(Interrupt::exit_code(),
                         "interrupted while waiting to retry " + subject + stays);
    }
    if (watch_.deadline_reached()) throw out_of_time();
}

std::optional<MigrationRunner::Session> MigrationRunner::mark_started(
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
MigrationRunner::Attempt MigrationRunner::apply_without_transaction(pqxx::connection& connection,
                                                                    const Migration& migration,
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
    return Attempt::kGoOn;
}

void MigrationRunner::stop_if_deadline_reached(const std::string& when) const {
    if (!watch_.deadline_reached()) return;
    throw FatalError(ExitCode::kDeadline, "deadline (--timeout " + format_duration(watch_.timeout) +
                                              ") reached " + when);
}

void MigrationRunner::recover(pqxx::connection& connection) const {
    watch_.deadline_reached();
    roll_back(connection);
}

void MigrationRunner::checks_failed(const Migration& migration, const CheckFailed& failed) const {
    const std::string message = std::string(failed.what()) + "; rolled back";
    throw MigrationFailed(message,
                          RecordedFailure{migration.version, migration.file, migration.checksum,
                                          failed.line(), kCheckFailedState, message, "", ""},
                          true);
}

std::string MigrationRunner::compat(pqxx::transaction_base& work, const Migration& migration,
                                    const std::string& duration_ms_sql) const {
    if (!settings_.compat) return "";
    const std::string sql =
        compat_sql(work, *settings_.compat, migration, duration_ms_sql, settings_.compat_table);
    return sql.empty() ? "" : sql + "; ";
}

void MigrationRunner::fail(const Migration& migration, const LexedStatement* statement,
                           bool left_dirty, const DbFailure& failure,
                           const std::string& what_stays) const {
    const std::string dirty_note =
        left_dirty ? "; the migration ran without a transaction and is now marked dirty: "
                     "check the database, then `schemagate repair --version " +
                         migration.version.text() + "`"
                   : "; rolled back";
    if (failure.kind == DbFailure::Kind::kConnection) {
        if (watch_.lease_lost()) lease_lost_error(migration);
        throw RetryableError("connection lost while applying " + label(migration) + ": " +
                             failure.message);
    }
    if (failure.is(sqlstate::kQueryCanceled)) {
        if (Interrupt::triggered()) {
            throw FatalError(Interrupt::exit_code(), "interrupted by signal while applying " +
                                                         label(migration) + dirty_note);
        }
        if (watch_.lease_lost()) lease_lost_error(migration);
        if (const auto doing = watch_.deadline_reached()) {
            std::string where = migration.file;
            if (statement != nullptr) where += " line " + std::to_string(statement->line);
            throw FatalError(ExitCode::kDeadline,
                             "deadline (--timeout " + format_duration(watch_.timeout) +
                                 ") reached while " + label(migration) + " (" + where + ") " +
                                 (doing->empty() ? "was running" : *doing) + dirty_note +
                                 what_stays);
        }
    }
    RecordedFailure record{migration.version,
                           migration.file,
                           migration.checksum,
                           statement != nullptr ? statement->line : 0,
                           failure.sqlstate,
                           "",
                           "",
                           ""};
    if (failure.is(kTransactionEndedState)) {
        record.message = label(migration) + " (" + migration.file + " line " +
                         std::to_string(record.line) +
                         "): the statement ended schemagate's transaction (a COMMIT or "
                         "ROLLBACK the file checks did not recognise); what ran before it "
                         "may be committed: check the database before running again";
        throw MigrationFailed(record.message, record, true);
    }
    std::string where = migration.file;
    if (statement != nullptr) where += " line " + std::to_string(statement->line);
    record.message = label(migration) + " failed at " + where + ": " + with_detail(failure) +
                     dirty_note + what_stays;
    // A dirty migration is remembered as dirty already; a repaired one may run again.
    throw MigrationFailed(record.message, record,
                          !left_dirty && failure.kind == DbFailure::Kind::kSql &&
                              is_deterministic_failure(failure.sqlstate));
}

}  // namespace schemagate
