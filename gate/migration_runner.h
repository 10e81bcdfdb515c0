// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <functional>
#include <pqxx/connection>

#include "backoff.h"
#include "lease.h"
#include "migration_set.h"
#include "state_store.h"

namespace schemagate {

struct MigrationSettings {
    // Per statement, SET LOCAL. A DDL statement waiting for its lock longer than this gives up
    // rather than queue in front of the application's traffic (every later query on that
    // table would wait behind it). Default 5s, from --lock-timeout.
    Millis lock_timeout{5000};
    // Per statement; 0 = none. From --statement-timeout.
    Millis statement_timeout{0};
    // How often a migration that hit its lock timeout is rolled back and tried again, with
    // backoff, before it counts as failed. From --lock-retries.
    int lock_retries = 5;
    // idle_in_transaction_session_timeout inside each migration transaction (SET LOCAL, so it
    // holds behind a transaction-pooling PgBouncer too); 0 = leave the server's. The gate sets
    // ttl/2: a frozen holder's transaction, and its row lock, end before its lease expires.
    Millis idle_in_transaction_timeout{0};
};

// Applies one migration under a lease token: in one transaction that starts with the fence
// and ends with the history row, the lease renewal and the NOTIFY; or, for
// `-- schemagate:no-transaction` files, recorded as started, run statement by statement, then
// marked done. Not thread-safe.
//
// Throws FatalError with kLeaseLost (fenced), kMigrationFailed (file, line, SQLSTATE,
// message), kTerminated/kInterrupted (signal; rolled back); RetryableError when the
// connection broke (the caller reconnects and re-plans from history).
class MigrationRunner {
  public:
    MigrationRunner(const StateStore& store, const Lease& lease, MigrationSettings settings,
                    std::function<bool()> lease_lost);

    // Returns how long the migration took.
    Millis apply(pqxx::connection& connection, const Migration& migration, std::int64_t token,
                 const Deadline& deadline) const;

  private:
    void apply_in_transaction(pqxx::connection& connection, const Migration& migration,
                              std::int64_t token) const;
    void apply_without_transaction(pqxx::connection& connection, const Migration& migration,
                                   std::int64_t token) const;
    [[noreturn]] void fail(const Migration& migration, const SqlStatement* statement,
                           bool left_dirty) const;

    const StateStore& store_;
    const Lease& lease_;
    MigrationSettings settings_;
    std::function<bool()> lease_lost_;
};

}  // namespace schemagate
