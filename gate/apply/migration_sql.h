// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <array>
#include <pqxx/connection>
#include <string>

#include "migration_set.h"
#include "migration_settings.h"

namespace schemagate {

// What the migration runner's two halves (whole migrations, batches) share.

// `SET lock_timeout = ...; SET statement_timeout = ...;` (and the idle timeout, when set, and
// the connection checks, where the server has them) for the session, with a trailing space: a
// migration that runs without a transaction.
std::string session_timeouts_sql(const pqxx::connection& connection,
                                 const MigrationSettings& settings);

// A migration transaction's settings as one statement, without a trailing semicolon
// (set_config with is_local is SET LOCAL): the timeouts, the connection checks where the server
// has them, the session's application_name (a pooler may not pass it on; the deadline watch
// finds the migration's session by it), and, unless the commit must wait for its WAL flush
// (`durable`), synchronous_commit off.
std::string transaction_settings_sql(pqxx::connection_base& connection,
                                     const MigrationSettings& settings, bool durable);
// The same settings as SQL for a text[] of name, value pairs, which the fence and the
// bookkeeping functions set (fence_function.h, record_function.h).
std::string transaction_settings_array_sql(pqxx::connection_base& connection,
                                           const MigrationSettings& settings, bool durable);

// PostgreSQL 14+: `SET client_connection_check_interval = 1000; `, which lets the server notice
// a vanished holder even in the middle of a long statement (DESIGN.md, lease protocol step 5);
// empty before.
std::string connection_checks_sql(const pqxx::connection& connection);

// Brings the session back to its own role and settings: those it had when it connected (the
// URL's options, ALTER ROLE/DATABASE ... SET, the server's configuration). One statement each;
// RESET ALL also ends a transaction's own settings, so transaction_settings_sql (or the
// bookkeeping function, which sets them first: record_function.h) follows it there. Every migration
// ends with it before its bookkeeping: a migration's SET ROLE, SET SESSION AUTHORIZATION or SET
// search_path reaches neither the history row nor the next migration, which starts as it would in a
// session of its own (as a rerun after a crash does).
inline constexpr std::array<const char*, 3> kSessionReset = {
    "RESET ALL", "RESET SESSION AUTHORIZATION", "RESET ROLE"};

// kSessionReset as one string, each statement followed by "; ".
std::string session_reset_sql();

// Ends the transaction block a failed query left open (the migration's queries carry their
// own BEGIN), and brings the session back to its own role and settings (a statement that
// ended the transaction early may have committed a SET ROLE): what follows a failure
// (remembering it, releasing the lease) runs as the gate. A broken connection rolls back by
// itself, so errors are ignored.
void roll_back(pqxx::connection& connection);

// Thrown when the fence finds the lease taken over (exit 6): nothing of `migration` committed.
[[noreturn]] void lease_lost_error(const Migration& migration);

}  // namespace schemagate
