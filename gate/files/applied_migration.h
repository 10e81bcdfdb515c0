// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstdint>
#include <string>

#include "migration_version.h"

namespace schemagate {

// One row of the history table.
struct AppliedMigration {
    MigrationVersion version;
    std::string description;
    std::string file;
    std::string checksum;
    std::string applied_at;  // ISO 8601 UTC, database clock
    std::string applied_by;  // holder identity
    std::int64_t duration_ms = 0;
    std::int64_t token = 0;  // the lease token it was applied under
    bool success = false;    // false: a non-transactional migration started and never finished
    bool contract = false;   // a contract migration (README, "Expand and contract")
};

}  // namespace schemagate
