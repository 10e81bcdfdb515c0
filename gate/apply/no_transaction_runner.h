// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "apply_context.h"

namespace schemagate {

// A migration that runs without a transaction (`-- schemagate:no-transaction`, or statements
// PostgreSQL refuses in one): recorded as started (dirty until finished) in a fenced
// transaction, run statement by statement, then marked done.
class NoTransactionRunner : private ApplyContext {
  public:
    using ApplyContext::ApplyContext;

    Attempt apply(pqxx::connection& connection, const Migration& migration,
                  const LeaseGrant& grant) const;

  private:
    // Whose session runs the statements: ours, or a pooler's.
    enum class Session { kOwn, kPooled };
    // Records `migration` as started, in a fenced transaction that also tells whose session
    // this is; nullopt when it hit the lock timeout.
    std::optional<Session> mark_started(pqxx::connection& connection, const Migration& migration,
                                        const LeaseGrant& grant) const;
    // Runs the statements, the checks and the bookkeeping that marks the migration done.
    void run(pqxx::connection& connection, const Migration& migration, const LeaseGrant& grant,
             const std::string& timeouts, SteadyClock::time_point started) const;
};

}  // namespace schemagate
