// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstdint>
#include <optional>
#include <pqxx/connection>
#include <pqxx/row>
#include <string>
#include <vector>

#include "batch_progress.h"
#include "migration_version.h"
#include "state_tables.h"

namespace schemagate {

struct LeaseInfo {
    std::string holder;  // empty when released
    std::int64_t token = 0;
    std::string acquired_at;  // ISO 8601 UTC, from the database clock
    std::string expires_at;
    bool expired = true;
    std::string lease_id;  // the acquisition's random id (empty before schemagate 0.4)
};

struct DirtyMigration {
    MigrationVersion version;
    std::string description;
    std::string file;
    std::string applied_by;
    std::string applied_at;
};

// A failed attempt of a migration that schemagate remembers (the state schema's `failure`
// table): until its file changes or an operator runs `schemagate retry`, no gate runs it again.
struct RecordedFailure {
    MigrationVersion version;
    std::string file;
    std::string checksum;  // of the file that failed
    int line = 0;          // the failing statement's first line; 0 when not tied to one
    std::string sqlstate;
    std::string message;  // the one-line error as the gate reported it
    std::string holder;
    std::string failed_at;  // ISO 8601 UTC, from the database clock
};

// The highest applied contract migration (README, "Expand and contract"): a release that does
// not ship it runs against a schema that no longer has what its code may read.
struct AppliedContract {
    MigrationVersion version;
    std::string file;
    std::string applied_at;  // ISO 8601 UTC, from the database clock
};

// One reading of the schema's state: what the gate decides on and the sidecar reports.
struct SchemaState {
    bool initialized = false;                 // false until the state tables exist
    std::optional<MigrationVersion> version;  // highest successful version; nullopt = none yet
    // Lowest unfinished non-transactional migration whose holder is gone (an unfinished one
    // under a live lease is in progress, not dirty).
    std::optional<DirtyMigration> dirty;
    std::optional<LeaseInfo> lease;           // nullopt when no pod ever took it
    std::optional<RecordedFailure> failure;   // the latest remembered failure, if any
    std::optional<BatchProgress> batch;       // the batched migration under way, if any
    std::optional<AppliedContract> contract;  // nullopt: none applied (or tables before 0.5)
};

// Whether the state tables (history and lease) exist, asked without an error the server
// would log: a first run on an empty database must leave no ERROR line behind. One round trip
// until the tables were seen once by this process, none after.
bool state_tables_exist(pqxx::connection& connection, const StateLocation& where);
// Whether this process's last look (state_tables_exist's, in its round trip) found every state
// table and the functions of this version's bootstrap (a holder then skips the bootstrap:
// state_tables.h). Asks nothing: without such a look, false, and the bootstrap runs.
bool state_schema_known_current(pqxx::connection& connection, const StateLocation& where);

// The same for the `failure` table (created by gates since 0.2; a database bootstrapped by an
// older one has the others without it).
bool failure_table_exists(pqxx::connection& connection, const StateLocation& where);

// The same for the `batch_progress` table (since 0.3).
bool batch_progress_table_exists(pqxx::connection& connection, const StateLocation& where);

// Whether the history table has its `contract` column (since 0.5). Read it as `h.contract`
// where it has, `false` where not: reading it through `to_jsonb(h)` for both made the server
// turn every history row into JSON, 9 of the 10 ms a gate's look at 1000 rows took.
bool history_has_contract_column(pqxx::connection& connection, const StateLocation& where);

// `h.contract`, or `false` for a history table from before the column (alias: the table's).
std::string history_contract_sql(pqxx::connection& connection, const StateLocation& where,
                                 const std::string& alias);

// The columns of a `batch_progress` row in BatchProgress's order, and a row read back.
std::string batch_progress_columns_sql(const std::string& alias);
BatchProgress batch_progress_from(const pqxx::row& row, pqxx::row::size_type first);

// The columns of a `failure` row in RecordedFailure's order, and a row read back.
std::string recorded_failure_columns_sql(const std::string& alias);
RecordedFailure recorded_failure_from(const pqxx::row& row, pqxx::row::size_type first);

// One round trip (two before the tables were first seen), outside any transaction. A database
// without the state tables is a state (initialized = false), not an error.
SchemaState read_schema_state(pqxx::connection& connection, const StateLocation& where);

// A version column as the server prints it (numeric[] or, before 0.2, bigint).
MigrationVersion version_from_sql(const std::string& text);

// SQL rendering a timestamptz column as ISO 8601 UTC with milliseconds
// ("2026-11-24T01:49:27.699Z"): the one format of every time schemagate shows.
std::string iso_utc_sql(const std::string& column);

// `"schema"."table"`, quoted by the server's rules.
std::string qualified(pqxx::connection_base& connection, const StateLocation& where,
                      StateTable table);

// `pg_notify(channel, payload)` announcing `change`, for a query string. Our notifications
// are written inline, quoted by the connection, and not as parameters, because each travels
// in the same query string as the statement it announces: one round trip, and delivered only
// if that statement's transaction commits.
std::string notify_call_sql(pqxx::connection_base& connection, const StateLocation& where,
                            const StateChange& change);

}  // namespace schemagate
