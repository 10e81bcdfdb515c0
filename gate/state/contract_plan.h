// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "applied_migration.h"
#include "migration_set.h"
#include "reader_name.h"
#include "schema_state.h"

namespace schemagate {

// Expand and contract (README): pure decisions from the files, the history and the live
// readers; no I/O.

// The contract migrations up to `target` that the history does not hold, ascending.
std::vector<const Migration*> pending_contracts(const MigrationSet& files,
                                                const std::vector<AppliedMigration>& history,
                                                const MigrationVersion& target);

// Where `migrate` stops: the highest file version below the first pending contract migration
// (none when it is the first file), or `target` when no contract is pending.
MigrationVersion migrate_stop(const MigrationSet& files,
                              const std::vector<AppliedMigration>& history,
                              const MigrationVersion& target);

// The same from the files and the schema's version alone (`wait`, the sidecar): a contract
// above `current` is not applied yet.
MigrationVersion wait_stop(const MigrationSet& files, const MigrationVersion& current,
                           const MigrationVersion& target);

// The highest successfully applied contract migration in the history.
std::optional<AppliedContract> highest_applied_contract(
    const std::vector<AppliedMigration>& history);

// Why a pod of a release shipping up to `shipped` must not run against this schema: a
// contract migration it does not ship was applied. nullopt when none was.
std::optional<std::string> contracted_past(const std::optional<AppliedContract>& contract,
                                           const MigrationVersion& shipped);

// A sidecar's session seen in pg_stat_activity.
struct LiveReader {
    int pid = 0;
    ReaderIdentity identity;
};

// The readers of this set whose release lacks `contract` (ships a lower highest version).
std::vector<LiveReader> readers_holding_back(const std::vector<LiveReader>& readers,
                                             const MigrationVersion& contract);

// "3 live pods of a release without V11: shop-6d9f-abcde (ships V9, since ...), ..."
std::string held_back_text(const Migration& contract, const std::vector<LiveReader>& holding);

// {"pid","pod","ships","window":{"expect","max"}|null,"since"} for status and plan.
nlohmann::json reader_json(const LiveReader& reader);

// [{"version","description","file","held_back_by":[reader_json...]}] for status and plan.
nlohmann::json deferred_contracts_json(const std::vector<const Migration*>& deferred,
                                       const std::vector<LiveReader>& readers);

// The text lines for the same (status and plan), each ending in a newline.
std::string deferred_contracts_text(const nlohmann::json& deferred);

}  // namespace schemagate
