// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <pqxx/connection>
#include <string>

#include "migration_set.h"
#include "migration_settings.h"

namespace schemagate {

// What the migration runner's two halves (whole migrations, batches) share.

// `SET lock_timeout = ...; SET statement_timeout = ...;` (and the idle timeout, when set)
// for the session, with a trailing space: a migration that runs without a transaction.
std::string session_timeouts_sql(const MigrationSettings& settings);

// A migration transaction's settings as one statement, without a trailing semicolon
// (set_config with is_local is SET LOCAL): the timeouts, and, unless the commit must wait for
// its WAL flush (`durable`), synchronous_commit off.
std::string transaction_settings_sql(const MigrationSettings& settings, bool durable);

// Ends the transaction block a failed query left open (the migration's queries carry their
// own BEGIN). A broken connection rolls back by itself, so errors are ignored.
void roll_back(pqxx::connection& connection);

// Thrown when the fence finds the lease taken over (exit 6): nothing of `migration` committed.
[[noreturn]] void lease_lost_error(const Migration& migration);

// Thrown by MigrationRunner::fail for a lock timeout, to leave the transaction's scope before
// the attempt is retried.
struct LockTimedOut {};

}  // namespace schemagate
