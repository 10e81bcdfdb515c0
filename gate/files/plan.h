// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "applied_migration.h"
#include "migration_set.h"

namespace schemagate {

// What to do, decided from the files and the history alone.
struct Plan {
    MigrationVersion current;  // highest successfully applied version; none for none
    MigrationVersion target;
    // Versioned migrations ascending, all <= target; then the repeatable ones that are new or
    // changed, by description (only when the target is the highest versioned file: a
    // repeatable may use anything the versioned files create).
    std::vector<const Migration*> pending;

    bool done() const { return pending.empty(); }
};

// What the database says was applied.
struct Applied {
    std::vector<AppliedMigration> history;
    std::map<std::string, std::string> repeatables;  // description -> checksum
};

// Whether a history row records one of Flyway's baseline files (B<version>__, its file name
// says): the versioned files up to its version are covered by it and have no rows of their own.
bool is_baseline_row(const AppliedMigration& record);

// The highest version a baseline file in `history` covers; none without one.
MigrationVersion covered_by_baseline(const std::vector<AppliedMigration>& history);

// Throws FatalError(kStateRefused) naming the file when the database and the files disagree
// in a way no migration can fix: a dirty (unfinished non-transactional) migration, an
// applied file whose content changed, or an unapplied version below the current one.
// An unfinished migration recorded under `running_token` (see unfinished_token) is in
// progress, or finished since `applied` was read: pending, not dirty.
Plan make_plan(const MigrationSet& files, const Applied& applied, const MigrationVersion& target,
               std::optional<std::int64_t> running_token = std::nullopt);

// The same for a set without repeatable migrations.
inline Plan make_plan(const MigrationSet& files, const std::vector<AppliedMigration>& history,
                      const MigrationVersion& target,
                      std::optional<std::int64_t> running_token = std::nullopt) {
    return make_plan(files, Applied{history, {}}, target, running_token);
}

// The token under which `history`'s unfinished migration, if any, is not dirty, given whether a
// look at the database taken after `history` was read found a dirty one. When it found none,
// the migration was either running then under its own holder's live lease, or had finished:
// its own token, never the lease's token at that look, which is a new holder's once the
// finished migration's holder let go (the lease changes hands between the two reads). A history
// holds at most one unfinished migration that is not dirty: a holder plans only over a history
// with none, and runs one at a time.
std::optional<std::int64_t> unfinished_token(const std::vector<AppliedMigration>& history,
                                             bool dirty_later);

}  // namespace schemagate
