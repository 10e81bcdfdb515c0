// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstddef>
#include <functional>
#include <span>

#include "migration_set.h"

namespace schemagate {

// True for a migration that may share an exchange with its neighbours: it runs in one
// transaction of its own (not without one, not in batches) and has no checks to evaluate
// before its COMMIT.
bool chainable(const Migration& migration);

// Where the group of pending migrations that starts at `first` ends (one past its last): a
// group is one migration, or consecutive chainable() ones up to, not including, one that
// `failed_before` (which then starts a group of its own, to be refused once the ones before
// it ran). MigrationRunner::apply runs a group; ChainRunner cuts it into exchanges by size.
std::size_t group_end(std::span<const Migration* const> pending, std::size_t first,
                      const std::function<bool(const Migration&)>& failed_before);

}  // namespace schemagate
