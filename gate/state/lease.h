// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstdint>
#include <optional>
#include <pqxx/connection>
#include <pqxx/transaction_base>
#include <string>
#include <variant>
#include <vector>

#include "duration.h"
#include "lease_grant.h"
#include "schema_state.h"

namespace schemagate {

// Raised by fence_or_fail_sql when the token no longer holds the lease.
inline constexpr const char* kLeaseLostState = "SGLST";
// Raised by fence_or_fail_sql when the exchange that carried it has run too long: what follows
// must wait for the next exchange, sent by a holder that is still there.
inline constexpr const char* kExchangeSpentState = "SGXCH";
// Raised by still_in_fenced_transaction_sql when a statement ended the migration's transaction.
inline constexpr const char* kTransactionEndedState = "SGTXN";

struct LeaseHeld {
    LeaseInfo by;       // the current holder, as far as we could read it
    bool busy = false;  // its row was locked: a migration is committing right now
};
using AcquireOutcome = std::variant<LeaseGrant, LeaseHeld>;

enum class Renewal { kRenewed, kLost, kBusy };

// A session whose open transaction wrote the lease table: it holds the lease row until it
// ends, whatever the row's expiry says (a migration committing, or a holder frozen mid-way).
struct RowLocker {
    int pid = 0;
    std::string application_name;  // "schemagate <holder>" for our own sessions
    std::string state;             // pg_stat_activity.state: "active", "idle in transaction"
    std::string since;             // transaction start, ISO 8601 UTC
};

struct BrokenLease {
    std::optional<LeaseInfo> before;    // nullopt: nobody ever took it
    std::vector<RowLocker> terminated;  // sessions ended because they held the row
};

// The lease row of one migration set: the SQL of DESIGN.md's protocol. All times come from
// the database clock. clock_timestamp() rather than now(): now() is frozen at the start of
// the transaction, and a statement that waited for a row lock would compute an expiry that
// is already partly spent. Immutable after construction, so one Lease may be shared by the
// holder's thread and its heartbeat's: each call uses only the connection it is given (a
// connection must not be used by two threads at once).
class Lease {
  public:
    Lease(StateLocation where, std::string holder, Millis ttl);

    // One statement that takes the row if it is expired (or creates it) under a fresh
    // LeaseGrant id; a row locked by a committing migration is skipped, which turns "a
    // migration is committing" into LeaseHeld{busy} instead of a wait. Throws a DbError with
    // SQLSTATE 42703 on state tables bootstrapped by a schemagate without lease ids.
    AcquireOutcome try_acquire(pqxx::connection& connection) const;

    // The SQL that starts every migration transaction: extends the lease if `token` still
    // holds it (its token and its id). Zero affected rows = lost. Its row lock lasts until COMMIT,
    // so no takeover can interleave with the migration.
    std::string fence_sql(pqxx::transaction_base& work, const LeaseGrant& grant) const;

    // The same fence as one statement that fails with SQLSTATE kLeaseLostState when the lease
    // is gone, so it can travel in one round trip with the migration it guards.
    //
    // A migration that waits in an exchange behind others passes `chained`: every commit
    // extends the lease, so a chain running on the server would keep the lease of a holder
    // that is gone (cut off, frozen, killed) for as long as the chain lasts. Its fence first
    // fails with kExchangeSpentState, touching nothing, once half the ttl has passed since the
    // exchange arrived (statement_timestamp(), the same for every statement of a query string):
    // a live holder sends the rest again, a gone one lets the lease expire.
    std::string fence_or_fail_sql(pqxx::transaction_base& work, const LeaseGrant& grant,
                                  bool chained = false) const;
    // fence_or_fail_sql as an expression, which first sets `settings` for the transaction
    // (fence_function.h: SQL for a text[] of name, value pairs, or NULL).
    std::string fence_call_sql(pqxx::transaction_base& work, const LeaseGrant& grant,
                               bool chained = false, const std::string& settings = "NULL") const;

    // A net under any mistake of the file checks: fails with kTransactionEndedState unless the
    // session is still inside the transaction that fence_or_fail_sql opened for `token` (a
    // transaction-local setting that a COMMIT or ROLLBACK inside the file would have reset).
    std::string still_in_fenced_transaction_sql(const LeaseGrant& grant) const;

    // Heartbeat: extend, on its own connection, without waiting behind a migration.
    // A holder that reconnected (to a new primary, say) renews only if the row still carries
    // its grant's id: presenting the same token number is not enough.
    Renewal renew(pqxx::connection& connection, const LeaseGrant& grant) const;

    // Gives the lease up at once (expiry = now) and wakes the waiters. No-op if not ours.
    void release(pqxx::connection& connection, const LeaseGrant& grant) const;

    // Sessions other than ours holding the lease row (see RowLocker). One round trip.
    std::vector<RowLocker> row_lockers(pqxx::connection& connection) const;

    // unlock --force: bumps the token so the old holder is fenced. A session that holds the row
    // while idle in its transaction (a frozen or cut-off holder) is terminated at once; one that
    // is active (a migration committing) gets `lock_wait` to finish, then is terminated too.
    BrokenLease force_break(pqxx::connection& connection, Millis lock_wait) const;

    Millis ttl() const { return ttl_; }
    const std::string& holder() const { return holder_; }

  private:
    std::string ttl_interval() const;
    // "name = ... AND token = ... AND lease_id = ...": the row as `grant` left it.
    std::string held_by(pqxx::transaction_base& work, const LeaseGrant& grant) const;

    StateLocation where_;
    std::string holder_;
    Millis ttl_;
};

}  // namespace schemagate
