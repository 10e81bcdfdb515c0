// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <pqxx/connection>
#include <string>
#include <vector>

namespace schemagate {

// A session that holds a lock another one waits for (pg_blocking_pids).
struct LockHolder {
    int pid = 0;
    std::string user;         // empty where pg_stat_activity does not show it to our role
    std::string application;  // application_name
    std::string state;        // "idle in transaction", "active", ...
    std::string since;        // its transaction's start, ISO 8601 UTC; empty when unknown
    std::string holds;        // the modes it holds on the relation, "AccessExclusiveLock"
};

// What the gate's migration session was doing when --timeout came near.
struct SessionAtDeadline {
    bool found = false;     // the session was seen running a statement
    std::string lock_type;  // pg_locks.locktype of the lock it waited for; empty: none
    std::string mode;       // the mode it asked for
    std::string relation;   // the relation, also for a row lock (its tuple lock's relation)
    std::vector<LockHolder> holders;
};

// Reads, on `observer` (another connection), what the migration session waits for and who
// holds it, then cancels that session's statement: one statement, so the description is taken
// before the cancel ends the wait. The session is `pid`, or behind a pooler (whose pids are its
// own) the active session named `application_name` (which each migration transaction sets:
// a statement that runs without a transaction behind a pooler is not found). Throws as
// libpqxx does.
SessionAtDeadline describe_and_cancel(pqxx::connection& observer, int pid,
                                      const std::string& application_name);

// "waited for AccessExclusiveLock on relation accounts, held by pid 42 (user app, application
// psql, idle in transaction, in a transaction since 2026-...Z, holding AccessExclusiveLock)",
// "was still running", or "" when the session was not seen.
std::string describe(const SessionAtDeadline& session);

}  // namespace schemagate
