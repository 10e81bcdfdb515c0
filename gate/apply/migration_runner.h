// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <functional>
#include <pqxx/connection>
#include <pqxx/transaction_base>
#include <span>

#include "backoff.h"
#include "db_failure.h"
#include "errors.h"
#include "lease.h"
#include "lock_retry.h"
#include "migration_checks.h"
#include "migration_set.h"
#include "migration_settings.h"
#include "state_store.h"

namespace schemagate {

// Applies one migration under a lease grant: in one transaction that starts with the fence
// and ends with the history row, the lease renewal and the NOTIFY; or, for
// `-- schemagate:no-transaction` files, recorded as started, run statement by statement, then
// marked done; or, batched, one fenced transaction per batch that also stores the progress,
// the last one (which processes no rows) recording the migration. Not thread-safe.
//
// A migration (or a batch) that hits its lock timeout is rolled back and tried again as one
// LockRetryPolicy decides. Throws FatalError with kLeaseLost (fenced), kMigrationFailed (file,
// line, SQLSTATE, message; or out of lock retries), kDeadline (--timeout reached: the watch
// cancelled the statement; or too close for another lock retry), kTerminated/kInterrupted
// (signal; rolled back); ConnectionLost (a RetryableError)
// when the connection broke at any point, the bookkeeping before a no-transaction
// migration's statements included (the caller reconnects and re-plans from history).
class MigrationRunner {
  public:
    // What the holder's watch (its Heartbeat) tells the runner while it runs.
    struct Watch {
        std::function<bool()> lease_lost;
        // Once --timeout came near and the running statement was cancelled for it: what the
        // migration session was doing (session_at_deadline.h), else nullopt.
        std::function<std::optional<std::string>()> deadline_reached;
        Millis timeout{0};  // --timeout, for messages
    };

    MigrationRunner(const StateStore& store, const Lease& lease, MigrationSettings settings,
                    Watch watch);

    using Applied = std::function<void(const Migration& migration, Millis took)>;

    // Applies `migrations` in order, calling `applied` as each one commits. Consecutive
    // chainable() migrations travel together: all their statements in one exchange, each in
    // its own fenced transaction, so a run of them costs one round trip, not one per
    // migration or per statement; a failure still names its migration, statement and line,
    // and the ones before it stay committed, as if they had been sent one by one.
    //
    // Only the commit of the last migration, when `durable`, waits for its WAL flush: the
    // caller asks it for the last migration of a run, whose flush covers every commit before
    // it (WAL is flushed in order), so one flush serves the whole run. A server crash before
    // it can only lose a suffix of migrations, each with its own history row.
    void apply(pqxx::connection& connection, std::span<const Migration* const> migrations,
               const LeaseGrant& grant, const Deadline& deadline, bool durable,
               const Applied& applied) const;

  private:
    // How an attempt at a migration (or a chain, or a batch) ended, when not with an error.
    enum class Attempt {
        kGoOn,          // what committed was reported: go on with what is left
        kLockTimedOut,  // the current one hit its lock timeout and was rolled back
    };
    enum class BatchOutcome { kCommitted, kDone, kLockTimedOut };

    // Applies the chain's migrations up to the first failure, calling `applied` for each
    // commit; throws as apply() does.
    Attempt apply_in_transactions(pqxx::connection& connection,
                                  std::span<const Migration* const> chain, const LeaseGrant& grant,
                                  bool durable, const Applied& applied) const;
    Attempt apply_without_transaction(pqxx::connection& connection, const Migration& migration,
                                      const LeaseGrant& grant) const;
    // Whose session runs a migration without a transaction: ours, or a pooler's.
    enum class Session { kOwn, kPooled };
    // Records `migration` as started (dirty until it is finished), in a fenced transaction that
    // also tells whose session this is; nullopt when it hit the lock timeout.
    std::optional<Session> mark_started(pqxx::connection& connection, const Migration& migration,
                                        const LeaseGrant& grant) const;
    // batch_runner.cpp
    void apply_in_batches(pqxx::connection& connection, const Migration& migration,
                          const LeaseGrant& grant, bool durable, LockRetryPolicy& retry) const;
    // Runs one batch in its own transaction, and updates `progress` when it committed; kDone
    // when the batch processed no rows and recorded the migration as applied.
    BatchOutcome run_batch(pqxx::connection& connection, const Migration& migration,
                           const LeaseGrant& grant, BatchProgress& progress,
                           SteadyClock::time_point& since, bool durable) const;
    BatchProgress start_batches(pqxx::connection& connection, const Migration& migration) const;
    std::optional<std::int64_t> count_batch_total(pqxx::connection& connection,
                                                  const Migration& migration) const;
    // After a lock timeout of `migration` (of its batch number `batch`): waits as `retry`
    // decides, or throws when it gives up (out of attempts: exit 1; out of time: exit 2).
    void wait_to_retry(LockRetryPolicy& retry, const Migration& migration,
                       std::optional<std::int64_t> batch) const;
    // The history row, the lease renewal and the NOTIFY that end a migration's transaction,
    // in one statement that returns the migration's duration (--compat's write apart).
    std::string record_applied(pqxx::transaction_base& session, const Migration& migration,
                               const LeaseGrant& grant) const;
    // Throws the deadline's error (exit 2), saying `when`, if the watch fired.
    void stop_if_deadline_reached(const std::string& when) const;
    // roll_back() after a failed statement; a deadline's cancels stop first, so that none can
    // hit the rollback.
    void recover(pqxx::connection& connection) const;
    [[noreturn]] void checks_failed(const Migration& migration, const CheckFailed& failed) const;
    // --compat's write for `migration`, with its trailing "; ", or nothing.
    std::string compat(pqxx::transaction_base& work, const Migration& migration,
                       const std::string& duration_ms_sql) const;
    // Throws the error `failure` of `statement` (null: none of the file's) makes, its message
    // ending with `what_stays` (or with "rolled back" or the dirty note).
    [[noreturn]] void fail(const Migration& migration, const LexedStatement* statement,
                           bool left_dirty, const DbFailure& failure,
                           const std::string& what_stays = "") const;

    const StateStore& store_;
    const Lease& lease_;
    MigrationSettings settings_;
    Watch watch_;
};

// True for a migration that may share an exchange with its neighbours: it runs in one
// transaction of its own (not without one, not in batches) and has no checks to evaluate
// before its COMMIT.
bool chainable(const Migration& migration);

}  // namespace schemagate
