// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <optional>
#include <string>

#include "duration.h"
#include "other_tool.h"

namespace schemagate {

// How each migration is run; set from the gate's flags (gate_config.h).
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
    // The migration session's application_name, also set in each migration transaction:
    // behind a pooler the server session may not carry it. Empty: not set.
    std::string application_name;
    // --compat: also record each migration in this tool's table, in the same transaction.
    std::optional<OtherTool> compat;
    // --compat-table [schema.]name: that tool's table under another name or schema; empty:
    // its default name, on the search_path.
    std::string compat_table;
};

}  // namespace schemagate
