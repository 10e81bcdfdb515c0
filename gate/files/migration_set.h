// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "load_limits.h"
#include "migration_file.h"
#include "migration_version.h"

namespace schemagate {

// How Liquibase's databasechangelog names a changeset (liquibase_migrations.h).
struct ChangesetIdentity {
    std::string author;
    std::string id;
    std::string logical_path;                // logicalFilePath, when the file gives one
    std::string md5sum;                      // what Liquibase records for it ("9:...")
    std::vector<std::string> older_md5sums;  // what Liquibase before 4.22 may have ("8:...")
    std::vector<std::string> valid_checksums;
};

struct Migration {
    MigrationVersion version;  // none for a repeatable migration
    bool repeatable = false;   // Flyway's R__: applied after the versioned ones when changed
    bool baseline = false;     // Flyway's B<version>__ (see MigrationSet::baselines)
    std::string description;
    std::string file;  // path below the migrations directory, as shown and stored in history
    // SHA-256 of the file with a leading UTF-8 BOM dropped and CRLF line ends read as LF, so
    // a Windows checkout is not drift. `raw_checksum` (of the bytes as they are) is kept when
    // it differs: schemagate 0.1 stored that one.
    std::string checksum;
    std::string raw_checksum;
    std::int32_t flyway_checksum = 0;  // what Flyway would store (adopt compares it)
    // What Prisma or sqlx would store (adopt compares it): see tool_checksums, folder_layouts.h.
    std::vector<std::string> tool_checksums;
    bool no_transaction = false;
    std::string no_transaction_reason;     // "directive" or "line 3: CREATE INDEX CONCURRENTLY"
    bool mixed = false;                    // no transaction, and more than one statement
    std::vector<SqlStatement> statements;  // only the up part of dbmate and goose files
    // The file's own BEGIN [modes] and SET TRANSACTION, sent in place of schemagate's BEGIN
    // (own_transaction.h); empty: a plain BEGIN.
    std::vector<LexedStatement> opening;
    // Batched (see migration_file.h): `statements` holds its one statement.
    std::optional<BatchOptions> batch;
    std::optional<SqlStatement> batch_total;
    // A contract migration (first line `-- schemagate:contract`): `migrate` defers it and
    // everything after it until `schemagate contract` finds no live reader lacking it.
    bool contract = false;
    // The checks that must hold after it, from `<same name>.verify.sql` beside it (see
    // README): each a query returning true, or no rows. Not part of the checksum: checks may
    // be sharpened after a migration ran.
    std::string verify_file;  // path below the migrations directory; empty without checks
    std::vector<SqlStatement> checks;
    // A Liquibase changeset: each is a migration of its own (see liquibase_migrations.h).
    std::optional<ChangesetIdentity> changeset;

    bool matches(const std::string& applied_checksum) const {
        return applied_checksum == checksum ||
               (!raw_checksum.empty() && applied_checksum == raw_checksum);
    }
};

// The migrations directory, read and checked in full before the database is touched.
struct MigrationSet {
    std::string directory;
    std::vector<Migration> migrations;   // versioned: ascending version, no duplicates
    std::vector<Migration> repeatables;  // R__ files: by description, no duplicates
    // Flyway's baseline files (B<version>__), ascending: on a database with no history the
    // highest at or below the target replaces the versioned files up to its version.
    std::vector<Migration> baselines;

    MigrationVersion highest_version() const;
};

// Reads the directory and its subdirectories (hidden ones skipped), following symlinks but
// reading each directory once. Throws FatalError(kBadInput) naming the file or directory for:
// a missing or unreadable directory, a symlink loop or a second link to one directory, a walk
// or a file beyond `limits`, an unparsable .sql name, a duplicate version, Flyway names mixed
// with numbered ones, an unreadable file or one that does not lex.
MigrationSet load_migration_set(const std::string& directory, const LoadLimits& limits = {});

// --target if given (must not exceed the highest file), else the highest file's version.
// Throws FatalError(kBadInput) when there is nothing to target.
MigrationVersion choose_target(const MigrationSet& set,
                               const std::optional<MigrationVersion>& requested);

// "V7 add orders index", "R views": how a migration is named in logs and messages.
std::string label(const Migration& migration);

// The checksum of a file's content: SHA-256 after dropping a leading BOM and turning CRLF
// into LF.
std::string content_checksum(std::string_view bytes);

}  // namespace schemagate
