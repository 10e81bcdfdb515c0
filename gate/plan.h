// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "applied_migration.h"
#include "migration_set.h"

namespace schemagate {

// What to do, decided from the files and the history alone.
struct Plan {
    std::int64_t current = 0;  // highest successfully applied version, 0 for none
    std::int64_t target = 0;
    std::vector<const Migration*> pending;  // ascending, all <= target

    bool done() const { return pending.empty(); }
};

// Throws FatalError(kStateRefused) naming the file when the database and the files disagree
// in a way no migration can fix: a dirty (unfinished non-transactional) migration, an
// applied file whose bytes changed, or an unapplied version below the current one.
// `live_token` is the token of a lease that is held right now, if any: an unfinished
// migration recorded under it is in progress (wait for it), not dirty.
Plan make_plan(const MigrationSet& files, const std::vector<AppliedMigration>& history,
               std::int64_t target, std::optional<std::int64_t> live_token = std::nullopt);

}  // namespace schemagate
