// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <pqxx/connection>
#include <string>

#include "migration_set.h"
#include "migration_settings.h"

namespace schemagate {

// What the migration runner's two halves (whole migrations, batches) share.

// `SET <scope> lock_timeout = ...; SET <scope> statement_timeout = ...;` (and the idle
// timeout, when set), with a trailing space; scope "LOCAL" or "SESSION".
std::string timeouts_sql(const MigrationSettings& settings, const char* scope);

// `SET LOCAL synchronous_commit = off; ` unless the commit must wait for its WAL flush.
std::string commit_flush_sql(bool durable);

// Ends the transaction block a failed query left open (the migration's queries carry their
// own BEGIN). A broken connection rolls back by itself, so errors are ignored.
void roll_back(pqxx::connection& connection);

// Thrown when the fence finds the lease taken over (exit 6): nothing of `migration` committed.
[[noreturn]] void lease_lost_error(const Migration& migration);

// Thrown by MigrationRunner::fail for a lock timeout, to leave the transaction's scope before
// the attempt is retried.
struct LockTimedOut {};

}  // namespace schemagate
