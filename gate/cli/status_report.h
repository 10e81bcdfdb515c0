// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <vector>

#include "applied_migration.h"
#include "migration_set.h"
#include "schema_state.h"

namespace schemagate {

// The `status` answer, built from what was read; pure, so its JSON shape is unit-tested.
// The JSON is a stable interface (documented in the README): fields are only ever added.
nlohmann::json status_json(const StateLocation& where, const SchemaState& state,
                           const std::vector<AppliedMigration>& history, const MigrationSet* files,
                           const std::optional<MigrationVersion>& target);

// The same for people: a few aligned lines.
std::string status_text(const nlohmann::json& status);

}  // namespace schemagate
