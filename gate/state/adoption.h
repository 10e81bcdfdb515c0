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

// A version the tool applied from no file here (adopt --accept-missing: Flyway's Java
// migrations): what the tool recorded of it. Its history row keeps the tool's script name as
// its file and an empty checksum.
struct AdoptedWithoutFile {
    MigrationVersion version;
    std::string description;
    std::string script;
    std::string applied_at;
    std::string applied_by;
};

// What `adopt` or `baseline` writes: versioned files, then repeatable ones, as applied.
struct Adoption {
    std::string source;  // "flyway", ..., or "baseline"
    std::vector<AdoptedMigration> migrations;
    std::vector<AdoptedWithoutFile> without_file;
    MigrationVersion up_to;  // the highest version recorded
};

// Pure: which files count as applied according to `history`. Throws FatalError
// (kStateRefused) listing every reason a takeover would be a guess: the tool's own unresolved
// failure (dirty, failed row), an applied version with no file, a file the tool skipped below
// its latest version, and (unless `accept_checksums`) a file whose checksum differs from the one
// the tool recorded (Flyway's CRC32, Prisma's SHA-256, sqlx's SHA-384).
// `accept_missing` (adopt --accept-missing): versions, or "*" for every one, that the tool
// applied from something other than a file here (Flyway's Java migrations): recorded as
// adopted without a file instead of refused.
Adoption plan_adoption(const MigrationSet& files, const ForeignHistory& history,
                       bool accept_checksums, const std::vector<std::string>& accept_missing = {});

// Pure: every versioned file up to `version` counts as applied.
Adoption plan_baseline(const MigrationSet& files, const MigrationVersion& version);

}  // namespace schemagate
