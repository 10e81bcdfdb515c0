// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <functional>
#include <optional>
#include <pqxx/connection>
#include <pqxx/transaction_base>
#include <string>

#include "db_failure.h"
#include "duration.h"
#include "lease.h"
#include "lock_retry.h"
#include "migration_checks.h"
#include "migration_set.h"
#include "migration_settings.h"
#include "state_store.h"

namespace schemagate {

// What the holder's watch (its Heartbeat) tells a runner while it runs.
struct RunWatch {
    std::function<bool()> lease_lost;
    // Once --timeout came near and the running statement was cancelled for it: what the
    // migration session was doing (session_at_deadline.h), else nullopt.
    std::function<std::optional<std::string>()> deadline_reached;
    Millis timeout{0};  // --timeout, for messages
};

// Called as each migration commits, with how long it took.
using AppliedCallback = std::function<void(const Migration& migration, Millis took)>;

// How an attempt at a migration (or a chain, or a batch) ended, when not with an error: an
// expected outcome is returned, never thrown.
enum class Attempt {
    kGoOn,          // what committed was reported: go on with what is left
    kLockTimedOut,  // the current one hit its lock timeout and was rolled back
};

// What the three ways of applying a migration (a chain of transactions, batches, no
// transaction) share: our tables, the lease, the settings, the holder's watch, and how a
// failure becomes the error the gate exits with. Each strategy is one of these.
class ApplyContext {
  public:
    ApplyContext(const StateStore& store, const Lease& lease, MigrationSettings settings,
                 RunWatch watch);

  protected:
    // After a lock timeout of `migration` (of its batch number `batch`): waits as `retry`
    // decides, or throws when it gives up (out of attempts: exit 1; out of time: exit 2).
    void wait_to_retry(LockRetryPolicy& retry, const Migration& migration,
                       std::optional<std::int64_t> batch) const;
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
    RunWatch watch_;
};

}  // namespace schemagate
