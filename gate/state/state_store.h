// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <map>
#include <optional>
#include <pqxx/connection>
#include <pqxx/transaction_base>
#include <string>
#include <vector>

#include "adoption.h"
#include "applied_migration.h"
#include "lease_grant.h"
#include "migration_set.h"
#include "schema_state.h"

namespace schemagate {

struct AdoptionRecord {
    std::string source;  // "flyway", "golang-migrate", "dbmate", "goose", "baseline 7"
    std::string up_to;   // the highest version taken over
    std::string adopted_at;
    std::string adopted_by;
};

// SQL, for the statements of a migration's transaction that follow record_applied_sql, of the
// duration that it recorded, in ms.
inline constexpr const char* kRecordedDurationMsSql =
    "current_setting('schemagate.duration_ms')::bigint";

// Our tables and the bootstrap of the state schema, for one migration set: each call uses the
// connection it is given (a reconnected gate keeps its store; the bootstrap runs once per
// store). Not thread-safe: the holder's thread only.
class StateStore {
  public:
    explicit StateStore(StateLocation where) : where_(std::move(where)) {}

    // CREATE SCHEMA/TABLE IF NOT EXISTS under a transaction-scoped advisory lock, so a
    // hundred pods starting at once do not collide on the catalog; converts a history that
    // schemagate 0.1 wrote (bigint versions). One round trip; safe to call at any time.
    void bootstrap(pqxx::connection& connection) const;
    // The same, but nothing at all where this process's last look at the state tables found
    // this version's bootstrap done (schema_state.h): the holder's way before it plans. The
    // repair paths (a table or column found missing) call bootstrap() itself.
    void bootstrap_unless_current(pqxx::connection& connection) const;

    // All rows of this migration set, ascending; nullopt when the state tables do not exist
    // yet (a fresh database). One round trip, no transaction.
    std::optional<std::vector<AppliedMigration>> read_history(pqxx::connection& connection) const;

    // What make_plan takes as `running_token` for `history`, read before: looks at the
    // database again (one statement, one snapshot of history and lease) only when `history`
    // holds an unfinished migration, to tell one in progress or finished since from a dirty one.
    std::optional<std::int64_t> running_token(pqxx::connection& connection,
                                              const std::vector<AppliedMigration>& history) const;

    // SQL that records `migration` as applied (success) or started (not success) and notifies
    // waiters (the caller renews the lease in the same transaction). Literal
    // values are quoted by the connection, so it can travel in one round trip.
    std::string record_sql(pqxx::transaction_base& work, const Migration& migration,
                           const std::string& holder, const LeaseGrant& grant,
                           std::int64_t duration_ms, bool success) const;
    std::string finish_sql(pqxx::transaction_base& work, const Migration& migration,
                           std::int64_t duration_ms) const;
    // record_sql's applied case as one statement (record_function.h), which also sets
    // `settings` (a text[] of name, value pairs) for the rest of the transaction, extends the
    // lease once a third of `ttl` has passed since the migration's fence, and returns the
    // duration it recorded: a long chain of migrations pays for one statement of bookkeeping
    // each, not four, planned once per session. The server measures the duration from the
    // fence (not now(), which is when the exchange carrying a chain arrived) and keeps it for
    // kRecordedDurationMsSql.
    std::string record_applied_sql(pqxx::transaction_base& work, const Migration& migration,
                                   const std::string& holder, const LeaseGrant& grant,
                                   const std::string& settings, Millis ttl) const;

    // SQL that records what `adopt` or `baseline` decided, and where it came from, for the
    // caller's fenced transaction.
    std::string adopt_sql(pqxx::transaction_base& work, const Adoption& adoption,
                          const std::string& holder, const LeaseGrant& grant) const;
    // Where this set's history came from, if schemagate took it over.
    std::optional<AdoptionRecord> read_adoption(pqxx::connection& connection) const;

    // SQL (for the migration's own transaction) that forgets a remembered failure of
    // `version`: it succeeded.
    std::string clear_failure_sql(pqxx::transaction_base& work,
                                  const MigrationVersion& version) const;
    // Remembers a failed attempt, if `grant` still holds the lease. One round trip.
    void record_failure(pqxx::connection& connection, const RecordedFailure& failure,
                        const std::string& holder, const LeaseGrant& grant) const;
    // This set's remembered failures, ascending by version (none before the table exists).
    std::vector<RecordedFailure> read_failures(pqxx::connection& connection) const;
    // retry: forget the failure of `version`. Returns rows removed.
    std::size_t clear_failure(pqxx::connection& connection, const MigrationVersion& version) const;

    // repair: mark a dirty migration applied, or remove its record. Returns rows changed.
    std::size_t repair(pqxx::connection& connection, const MigrationVersion& version,
                       bool mark_applied) const;

    // A batched migration's progress under this set (nullopt: it has not started). One round
    // trip; call after bootstrap.
    std::optional<BatchProgress> read_batch_progress(pqxx::connection& connection,
                                                     const MigrationVersion& version) const;
    // SQL (for a batch's own transaction) that stores where the backfill stands.
    std::string batch_progress_sql(pqxx::transaction_base& work, const BatchProgress& progress,
                                   const std::string& holder, const LeaseGrant& grant) const;
    // SQL (for the transaction that records the migration as applied) that drops its progress.
    std::string forget_batch_progress_sql(pqxx::transaction_base& work,
                                          const MigrationVersion& version) const;

    // Description -> checksum of every repeatable migration applied so far (empty when the
    // table does not exist yet). One round trip.
    std::map<std::string, std::string> read_repeatables(pqxx::connection& connection) const;

  private:
    std::string adopted_without_file_sql(pqxx::transaction_base& work,
                                         const AdoptedWithoutFile& adopted,
                                         const LeaseGrant& grant) const;
    // A PL/pgSQL statement for the bootstrap's upgrade block.
    std::string add_column_if_missing(pqxx::transaction_base& work, StateTable table,
                                      const std::string& column) const;

    StateLocation where_;
    // The INSERT of record_sql, and the pg_notify() call that announces it.
    std::string record_row_sql(pqxx::transaction_base& work, const Migration& migration,
                               const std::string& holder, const LeaseGrant& grant,
                               const std::string& duration, bool success) const;
    std::string announce_sql(pqxx::transaction_base& work, const Migration& migration) const;

    mutable bool bootstrapped_ = false;
};

}  // namespace schemagate
