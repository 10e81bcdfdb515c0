// SPDX-License-Identifier: Apache-2.0
// Batched migrations: BatchRunner, a loop of short transactions (see migration_file.h and
// the README's "Batched migrations").
#include "batch_runner.h"

#include <spdlog/spdlog.h>

#include <atomic>
#include <pqxx/nontransaction>

#include "db_failure.h"
#include "digest.h"
#include "errors.h"
#include "interrupt.h"
#include "logging.h"
#include "migration_failure.h"
#include "migration_sql.h"

namespace schemagate {

namespace {

// How often a running backfill logs where it stands.
constexpr Millis kProgressLogInterval{10'000};

// The SQLSTATE-like code of a keyset batch that did not move its key forward.
constexpr const char* kBatchStalledState = "SGBAT";

// A keyset batch that would run forever; thrown inside the batch's transaction.
class BatchStalled : public Error {
  public:
    using Error::Error;
};

// Prepared statements outlive a rolled-back transaction: a retried batch gets a new name.
std::atomic<std::uint64_t> prepared_count{0};

std::string statement_checksum(const Migration& migration) {
    return sha256_hex(migration.batch->key_type.value_or("") + "\n" +
                      migration.statements.front().text);
}

// PREPARE inside the batch's transaction (one server connection even behind a transaction
// pooler), with the parameter types declared so that a statement may leave one unused. A
// keyset statement is wrapped to count its rows and find the greatest key on the server, in
// the key's own order.
std::string prepare_sql(const Migration& migration, const std::string& name) {
    const BatchOptions& options = *migration.batch;
    const std::string& text = migration.statements.front().text;
    if (!options.key_type) return "PREPARE " + name + "(bigint) AS " + text + "\n";
    return "PREPARE " + name + "(bigint, " + *options.key_type +
           ") AS WITH schemagate_batch(schemagate_key) AS (\n" + text +
           "\n) SELECT count(*), max(schemagate_key)::text FROM schemagate_batch";
}

std::string execute_sql(pqxx::transaction_base& session, const Migration& migration,
                        const std::string& name, const BatchProgress& progress) {
    std::string sql = "EXECUTE " + name + "(" + std::to_string(migration.batch->size);
    if (migration.batch->key_type) {
        sql += ", " + (progress.last_key ? session.quote(*progress.last_key) : std::string("NULL"));
    }
    return sql + ")";
}

std::int64_t elapsed_ms(SteadyClock::time_point since, SteadyClock::time_point now) {
    return std::chrono::duration_cast<Millis>(now - since).count();
}

void log_progress(const Migration& migration, const BatchProgress& progress) {
    nlohmann::json fields{{"version", migration.version.text()},
                          {"batches", progress.batches},
                          {"rows", progress.rows},
                          {"duration_ms", progress.elapsed_ms}};
    std::string message =
        fmt::format("{}: {} batches, {} rows", label(migration), progress.batches, progress.rows);
    if (progress.total) {
        fields["total"] = *progress.total;
        message += fmt::format(" of {}", *progress.total);
    }
    if (const auto rate = progress.rows_per_second()) {
        fields["rows_per_second"] = static_cast<std::int64_t>(*rate);
        message += fmt::format(", {} rows/s", static_cast<std::int64_t>(*rate));
    }
    if (const auto eta = progress.eta_seconds()) {
        fields["eta_seconds"] = static_cast<std::int64_t>(*eta);
        message +=
            ", about " + format_duration(Millis{static_cast<std::int64_t>(*eta) * 1000}) + " left";
    }
    log_event(spdlog::level::info, "batch_progress", fields, message);
}

}  // namespace

void BatchRunner::apply(pqxx::connection& connection, const Migration& migration,
                        const LeaseGrant& grant, bool durable, LockRetryPolicy& retry) const {
    BatchProgress progress = start_batches(connection, migration);
    auto since = SteadyClock::now();  // counted into the next batch's elapsed time
    auto logged = since;
    for (;;) {
        if (Interrupt::triggered()) {
            throw FatalError(Interrupt::exit_code(), "interrupted between batches of " +
                                                         label(migration) + " after " +
                                                         std::to_string(progress.batches) +
                                                         " batches; the next holder resumes there");
        }
        if (watch_.lease_lost()) lease_lost_error(migration);
        stop_if_deadline_reached("between batches of " + label(migration) + " after " +
                                 std::to_string(progress.batches) +
                                 " batches; the next holder resumes there");
        const BatchOutcome outcome =
            run_batch(connection, migration, grant, progress, since, durable);
        if (outcome == BatchOutcome::kDone) {
            log_event(spdlog::level::info, "batches_done",
                      {{"version", migration.version.text()},
                       {"batches", progress.batches},
                       {"rows", progress.rows},
                       {"duration_ms", progress.elapsed_ms}},
                      fmt::format("{}: done, {} rows in {} batches", label(migration),
                                  progress.rows, progress.batches));
            return;
        }
        if (outcome == BatchOutcome::kLockTimedOut) {
            wait_to_retry(retry, migration, progress.batches + 1);
            continue;
        }
        retry.succeeded();
        spdlog::debug("{}: batch {} committed, {} rows so far", label(migration), progress.batches,
                      progress.rows);
        if (SteadyClock::now() - logged >= kProgressLogInterval) {
            log_progress(migration, progress);
            logged = SteadyClock::now();
        }
        Interrupt::wait_for(migration.batch->pause);
    }
}

BatchProgress BatchRunner::start_batches(pqxx::connection& connection,
                                         const Migration& migration) const {
    const std::string checksum = statement_checksum(migration);
    auto stored = store_.read_batch_progress(connection, migration.version);
    BatchProgress progress;
    if (stored) {
        progress = std::move(*stored);
        if (progress.statement_checksum != checksum) {
            spdlog::warn(
                "{}: its batch statement changed since the backfill started; going on "
                "from batch {} with the new one",
                label(migration), progress.batches + 1);
        }
        log_event(spdlog::level::info, "batch_resumed",
                  {{"version", migration.version.text()},
                   {"batches", progress.batches},
                   {"rows", progress.rows}},
                  fmt::format("{}: resuming after batch {} ({} rows done, started {} by {})",
                              label(migration), progress.batches, progress.rows,
                              progress.started_at, progress.holder));
    } else {
        progress.version = migration.version;
        spdlog::info("{}: batched, {} rows per batch, {} pause{}", label(migration),
                     migration.batch->size, format_duration(migration.batch->pause),
                     migration.batch->key_type ? ", keyset on " + *migration.batch->key_type : "");
    }
    progress.file = migration.file;
    progress.statement_checksum = checksum;
    if (!progress.total && migration.batch_total) {
        progress.total = count_batch_total(connection, migration);
    }
    return progress;
}

// The total is for the ETA only: a query that fails or returns something else is a warning,
// never the migration's failure.
std::optional<std::int64_t> BatchRunner::count_batch_total(pqxx::connection& connection,
                                                           const Migration& migration) const {
    const SqlStatement& query = *migration.batch_total;
    try {
        return translate_db_errors([&]() -> std::optional<std::int64_t> {
            pqxx::nontransaction session(connection);
            const auto result = session.exec("BEGIN READ ONLY; " +
                                             transaction_settings_sql(connection, settings_, true) +
                                             "; " + query.text + "\n");
            session.exec("COMMIT");
            if (result.size() != 1 || result.columns() != 1 || result[0][0].is_null()) {
                spdlog::warn(
                    "{} line {}: the batch-total query must return one number; no "
                    "ETA for this backfill",
                    migration.file, query.line);
                return std::nullopt;
            }
            return result[0][0].as<std::int64_t>();
        });
    } catch (const ConnectionLost&) {
        throw;
    } catch (const DbError& e) {
        recover(connection);
        spdlog::warn("{} line {}: the batch-total query failed ({}); no ETA for this backfill",
                     migration.file, query.line, with_detail(e.failure()));
    }
    return std::nullopt;
}

// The rows a batch processed (with key=, what the statement returned: the count and the last
// key, stored in `next`); throws BatchStalled when keyset batches stop advancing.
std::int64_t BatchRunner::batch_rows(const pqxx::result& result, const Migration& migration,
                                     const BatchProgress& progress, BatchProgress& next) {
    if (!migration.batch->key_type) return static_cast<std::int64_t>(result.affected_rows());
    const auto rows = result.at(0)[0].as<std::int64_t>();
    if (rows == 0) return rows;
    if (result[0][1].is_null()) {
        throw BatchStalled("processed " + std::to_string(rows) +
                           " rows but returned no key: with key=, the statement returns the keys "
                           "it processed as its first column");
    }
    next.last_key = result[0][1].as<std::string>();
    if (progress.last_key == next.last_key) {
        throw BatchStalled(
            "returned the key of the batch before it again: the statement must "
            "only process keys greater than $2");
    }
    return rows;
}

// What the last batch (the one that processed no rows) ends with: the progress forgotten, the
// migration recorded, --compat's write, the fence.
std::string BatchRunner::record_done_sql(pqxx::transaction_base& session,
                                         const Migration& migration, const LeaseGrant& grant,
                                         std::int64_t elapsed_ms) const {
    return store_.forget_batch_progress_sql(session, migration.version) + "; " +
           store_.record_sql(session, migration, lease_.holder(), grant, elapsed_ms, true) + "; " +
           compat(session, migration, std::to_string(elapsed_ms)) +
           lease_.fence_sql(session, grant);
}

// A batch that processed rows commits them with its progress; the first that processes none
// runs the checks and records the migration in the same transaction.
bool BatchRunner::finish_batch(pqxx::connection& connection, pqxx::transaction_base& session,
                               const Migration& migration, const LeaseGrant& grant,
                               std::int64_t rows, BatchProgress& next, const std::string& prepared,
                               bool durable) const {
    // The bookkeeping (and the checks) as the gate, whatever the statement called
    // (migration_sql.h).
    const std::string reset =
        session_reset_sql() + transaction_settings_sql(connection, settings_, false) + "; ";
    if (rows > 0) {
        ++next.batches;
        next.rows += rows;
        session.exec(reset + store_.batch_progress_sql(session, next, lease_.holder(), grant) +
                     "; DEALLOCATE " + prepared + "; COMMIT");
        return false;
    }
    if (!migration.checks.empty()) {
        session.exec(reset);
        run_checks(session, migration);
    }
    session.exec(reset + (durable ? "SET LOCAL synchronous_commit = DEFAULT; " : "") +
                 record_done_sql(session, migration, grant, next.elapsed_ms) + "; DEALLOCATE " +
                 prepared + "; COMMIT");
    return true;
}

// Every batch but the one that records the migration commits without waiting for its flush:
// a crash loses a suffix of batches together with their progress, and the next holder redoes
// exactly those.
BatchRunner::BatchOutcome BatchRunner::run_batch(pqxx::connection& connection,
                                                 const Migration& migration,
                                                 const LeaseGrant& grant, BatchProgress& progress,
                                                 SteadyClock::time_point& since,
                                                 bool durable) const {
    const SqlStatement& statement = migration.statements.front();
    const std::string name = "schemagate_batch_" + std::to_string(++prepared_count);
    BatchProgress next = progress;
    bool done = false;
    try {
        translate_db_errors([&] {
            pqxx::nontransaction session(connection);
            session.exec("BEGIN; " + transaction_settings_sql(connection, settings_, false) + "; " +
                         lease_.fence_or_fail_sql(session, grant) + "; " +
                         prepare_sql(migration, name));
            const auto result = session.exec(execute_sql(session, migration, name, progress));
            const std::int64_t rows = batch_rows(result, migration, progress, next);
            next.elapsed_ms += elapsed_ms(since, SteadyClock::now());
            done = finish_batch(connection, session, migration, grant, rows, next, name, durable);
        });
    } catch (const ConnectionLost& e) {
        fail(migration, &statement, false, e.failure());
    } catch (const CheckFailed& e) {
        recover(connection);
        checks_failed(migration, e);
    } catch (const BatchStalled& e) {
        recover(connection);
        const std::string message =
            label(migration) + " (" + migration.file + " line " + std::to_string(statement.line) +
            ") batch " + std::to_string(progress.batches + 1) + " " + e.what() + "; rolled back";
        throw MigrationFailed(message,
                              RecordedFailure{migration.version, migration.file, migration.checksum,
                                              statement.line, kBatchStalledState, message, "", ""},
                              true);
    } catch (const DbError& e) {
        recover(connection);
        if (e.is(kLeaseLostState)) lease_lost_error(migration);
        if (e.is(sqlstate::kLockNotAvailable)) return BatchOutcome::kLockTimedOut;
        fail(migration, &statement, false, e.failure(),
             "; the " + std::to_string(progress.batches) +
                 " batches before it stay committed and it resumes there");
    }
    progress = std::move(next);
    since = SteadyClock::now();
    return done ? BatchOutcome::kDone : BatchOutcome::kCommitted;
}

}  // namespace schemagate
