// SPDX-License-Identifier: Apache-2.0
#include "apply_context.h"

#include <spdlog/spdlog.h>

#include "compat_writer.h"
#include "errors.h"
#include "interrupt.h"
#include "migration_failure.h"
#include "migration_sql.h"

namespace schemagate {

ApplyContext::ApplyContext(const StateStore& store, const Lease& lease, MigrationSettings settings,
                           RunWatch watch)
    : store_(store), lease_(lease), settings_(std::move(settings)), watch_(std::move(watch)) {}

void ApplyContext::wait_to_retry(LockRetryPolicy& retry, const Migration& migration,
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

void ApplyContext::stop_if_deadline_reached(const std::string& when) const {
    if (!watch_.deadline_reached()) return;
    throw FatalError(ExitCode::kDeadline, "deadline (--timeout " + format_duration(watch_.timeout) +
                                              ") reached " + when);
}

void ApplyContext::recover(pqxx::connection& connection) const {
    watch_.deadline_reached();
    roll_back(connection);
}

void ApplyContext::checks_failed(const Migration& migration, const CheckFailed& failed) const {
    const std::string message = std::string(failed.what()) + "; rolled back";
    throw MigrationFailed(message,
                          RecordedFailure{migration.version, migration.file, migration.checksum,
                                          failed.line(), kCheckFailedState, message, "", ""},
                          true);
}

std::string ApplyContext::compat(pqxx::transaction_base& work, const Migration& migration,
                                 const std::string& duration_ms_sql) const {
    if (!settings_.compat) return "";
    const std::string sql =
        compat_sql(work, *settings_.compat, migration, duration_ms_sql, settings_.compat_table);
    return sql.empty() ? "" : sql + "; ";
}

void ApplyContext::fail(const Migration& migration, const LexedStatement* statement,
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
