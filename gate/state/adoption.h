// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <string>
#include <vector>

#include "migration_set.h"
#include "other_tools.h"

namespace schemagate {

// One migration file to record as applied without running it.
struct AdoptedMigration {
    const Migration* file = nullptr;
    std::string applied_at;  // ISO 8601 UTC from the other tool, or empty (now)
    std::string applied_by;  // "flyway (deploy-bot)", "dbmate", "baseline"
};

// What `adopt` or `baseline` writes: versioned files, then repeatable ones, as applied.
struct Adoption {
    std::string source;  // "flyway", ..., or "baseline"
    std::vector<AdoptedMigration> migrations;
    MigrationVersion up_to;  // the highest version recorded
};

// Pure: which files count as applied according to `history`. Throws FatalError
// (kStateRefused) listing every reason a takeover would be a guess: the tool's own unresolved
// failure (dirty, failed row), an applied version with no file, a file the tool skipped below
// its latest version, and (unless `accept_checksums`) a file whose checksum differs from the one
// the tool recorded (Flyway's CRC32, Prisma's SHA-256, sqlx's SHA-384).
Adoption plan_adoption(const MigrationSet& files, const ForeignHistory& history,
                       bool accept_checksums);

// Pure: every versioned file up to `version` counts as applied.
Adoption plan_baseline(const MigrationSet& files, const MigrationVersion& version);

}  // namespace schemagate
