// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <pqxx/result>

#include "apply_context.h"
#include "batch_progress.h"

namespace schemagate {

// A batched migration (`-- schemagate:batch`): one fenced transaction per batch that also
// stores the progress, until a batch processes no rows and records the migration; a holder
// that dies leaves the progress for the next one to resume from.
class BatchRunner : private ApplyContext {
  public:
    using ApplyContext::ApplyContext;

    // Runs batches until done; a batch that hits its lock timeout is retried as `retry`
    // decides. The last commit waits for its WAL flush when `durable`.
    void apply(pqxx::connection& connection, const Migration& migration, const LeaseGrant& grant,
               bool durable, LockRetryPolicy& retry) const;

  private:
    enum class BatchOutcome { kCommitted, kDone, kLockTimedOut };

    // Runs one batch in its own transaction, and updates `progress` when it committed; kDone
    // when the batch processed no rows and recorded the migration as applied.
    BatchOutcome run_batch(pqxx::connection& connection, const Migration& migration,
                           const LeaseGrant& grant, BatchProgress& progress,
                           SteadyClock::time_point& since, bool durable) const;
    static std::int64_t batch_rows(const pqxx::result& result, const Migration& migration,
                                   const BatchProgress& progress, BatchProgress& next);
    std::string record_done_sql(pqxx::transaction_base& session, const Migration& migration,
                                const LeaseGrant& grant, std::int64_t elapsed_ms) const;
    // Ends the batch's transaction: true when it processed no rows and recorded the migration.
    bool finish_batch(pqxx::connection& connection, pqxx::transaction_base& session,
                      const Migration& migration, const LeaseGrant& grant, std::int64_t rows,
                      BatchProgress& next, const std::string& prepared, bool durable) const;
    BatchProgress start_batches(pqxx::connection& connection, const Migration& migration) const;
    std::optional<std::int64_t> count_batch_total(pqxx::connection& connection,
                                                  const Migration& migration) const;
};

}  // namespace schemagate
