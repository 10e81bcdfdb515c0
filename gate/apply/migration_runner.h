// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <pqxx/connection>
#include <span>

#include "apply_context.h"
#include "batch_runner.h"
#include "migration_chain.h"
#include "no_transaction_runner.h"

namespace schemagate {

// Applies pending migrations under a lease grant, each the way it must run: consecutive
// transactional ones as chains (ChainRunner: each in one transaction that starts with the
// fence and ends with the history row, the lease renewal when due, and the NOTIFY), batched ones
// batch by batch (BatchRunner), the others without a transaction (NoTransactionRunner). Not
// thread-safe.
//
// A migration (or a batch) that hits its lock timeout is rolled back and tried again as one
// LockRetryPolicy decides. Throws FatalError with kLeaseLost (fenced), kMigrationFailed (file,
// line, SQLSTATE, message; or out of lock retries), kDeadline (--timeout reached: the watch
// cancelled the statement; or too close for another lock retry), kTerminated/kInterrupted
// (signal; rolled back); MigrationFailed for a migration's own failure; ConnectionLost (a
// RetryableError) when the connection broke at any point, the bookkeeping before a
// no-transaction migration's statements included (the caller reconnects and re-plans from
// history).
class MigrationRunner : private ApplyContext {
  public:
    using Watch = RunWatch;
    using Applied = AppliedCallback;

    MigrationRunner(const StateStore& store, const Lease& lease, MigrationSettings settings,
                    Watch watch);

    // Applies `migrations` in order, calling `applied` as each one commits.
    //
    // Only the commit of the last migration, when `durable`, waits for its WAL flush: the
    // caller asks it for the last migration of a run, whose flush covers every commit before
    // it (WAL is flushed in order), so one flush serves the whole run. A server crash before
    // it can only lose a suffix of migrations, each with its own history row.
    void apply(pqxx::connection& connection, std::span<const Migration* const> migrations,
               const LeaseGrant& grant, const Deadline& deadline, bool durable,
               const Applied& applied) const;

  private:
    ChainRunner chain_;
    BatchRunner batches_;
    NoTransactionRunner no_transaction_;
};

}  // namespace schemagate
