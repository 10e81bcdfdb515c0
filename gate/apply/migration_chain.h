// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <span>

#include "apply_context.h"
#include "migration_groups.h"

namespace schemagate {

// Transactional migrations, sent as chains: all their statements in one exchange, each
// migration in its own fenced transaction, so a run of them costs one round trip, not one per
// migration or per statement; a failure still names its migration, statement and line, and
// the ones before it stay committed, as if they had been sent one by one.
class ChainRunner : private ApplyContext {
  public:
    using ApplyContext::ApplyContext;

    // What a migration's transaction sends besides its statements (migration_chain.cpp).
    struct Envelope;

    // Applies the chain's migrations up to the first failure (or the first that is not
    // chainable()), calling `applied` for each commit; only the last one's commit, when
    // `durable`, waits for its WAL flush.
    Attempt apply(pqxx::connection& connection, std::span<const Migration* const> chain,
                  const LeaseGrant& grant, bool durable, const AppliedCallback& applied) const;

  private:
    // The envelope of `migration`; `chained`: it waits in the exchange behind another;
    // `durable_commit`: its COMMIT waits for the WAL flush.
    Envelope envelope(pqxx::transaction_base& session, const Migration& migration,
                      const LeaseGrant& grant, bool chained, bool durable_commit) const;
    Attempt after_error(const DbError& error, const Migration& failing,
                        const LexedStatement* current) const;
    // The settings again, the history row, the lease renewal (once a third of the ttl has
    // passed since the fence) and the NOTIFY that end a migration's transaction, in one
    // statement that returns the migration's duration (--compat's write apart).
    std::string record_applied(pqxx::transaction_base& session, const Migration& migration,
                               const LeaseGrant& grant, const std::string& settings) const;
};

}  // namespace schemagate
