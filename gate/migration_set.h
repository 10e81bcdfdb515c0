// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "migration_file.h"

namespace schemagate {

struct Migration {
    std::int64_t version = 0;
    std::string description;
    std::string file;      // base name, as shown to operators and stored in history
    std::string checksum;  // SHA-256 of the file's bytes
    bool no_transaction = false;
    std::string no_transaction_reason;     // "directive" or "line 3: CREATE INDEX CONCURRENTLY"
    bool mixed = false;                    // no transaction, and more than one statement
    std::vector<SqlStatement> statements;  // only the up part of dbmate and goose files
};

// The migrations directory, read and checked in full before the database is touched.
struct MigrationSet {
    std::string directory;
    std::vector<Migration> migrations;  // ascending version, no duplicates

    std::int64_t highest_version() const;
};

// Throws FatalError(kBadInput) naming the file for: a missing or unreadable directory, an
// unparsable .sql name, a duplicate version, an empty or unreadable file.
MigrationSet load_migration_set(const std::string& directory);

// --target if given (must not exceed the highest file), else the highest file's version.
// Throws FatalError(kBadInput) when there is nothing to target.
std::int64_t choose_target(const MigrationSet& set, std::optional<std::int64_t> requested);

// "V7 add orders index": how a migration is named in logs and messages.
std::string label(const Migration& migration);

}  // namespace schemagate
