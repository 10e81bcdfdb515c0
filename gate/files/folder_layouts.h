// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "migration_name.h"
#include "migration_version.h"

namespace schemagate {

struct Migration;

// Layouts where a migration is a folder named after its version, holding files of fixed names:
// - Prisma (prisma/migrations): `<timestamp>_<name>/migration.sql`, and `migration_lock.toml`
//   beside the folders naming the database provider;
// - diesel (migrations): `<version>_<name>/up.sql`, `down.sql` (never run) and an optional
//   `metadata.toml` (`run_in_transaction = false`). Its version is the folder name up to the
//   first '_' with every '-' dropped (`2024-01-31-120000_x` is 20240131120000), as diesel's
//   own version_from_string reads it.
// Both tools apply folders in the order of their names, compared as text; schemagate compares
// versions as numbers, so a set where the two orders differ is refused (check_folder_order).
//
// A version of zero (Prisma's baselining docs create `0_init`, diesel's own setup migration is
// `00000000000000_diesel_initial_setup`) is a real migration that runs first, but version 0
// means "no migration" in schemagate's history: it becomes version 0.1, above "none" and below
// every other version, the same in the loader and when adopting the tool's table.

// For a file at `relative` (below the migrations directory): its name when it is a folder
// layout's file (`x/migration.sql`, `x/up.sql`, `x/down.sql`), else nullopt (then
// parse_migration_name reads the file's own name).
std::optional<ParsedName> parse_folder_file(std::string_view relative);

// The version a Prisma migration folder name (`_prisma_migrations.migration_name`) stands for.
std::optional<MigrationVersion> prisma_version_of(std::string_view folder);
// The version diesel's `__diesel_schema_migrations.version` (or a folder name) stands for.
std::optional<MigrationVersion> diesel_version_of(std::string_view version);

// When `directory` holds Prisma's migration_lock.toml: throws FatalError(kBadInput) naming it
// unless it reads and its provider is "postgresql".
void check_prisma_lock(const std::filesystem::path& directory);

// diesel: applies `<folder>/metadata.toml` (if there) to the migration read from
// `<folder>/up.sql`. Throws FatalError(kBadInput) naming the file when it does not parse.
void apply_diesel_metadata(const std::filesystem::path& folder, Migration& migration);

// Throws FatalError(kBadInput) naming two folders when a folder layout's tool would apply them
// in another order than their versions (`9_x` after `10_y`: text order).
void check_folder_order(const std::vector<Migration>& migrations, NameLayout layout);

// Throws FatalError(kBadInput) naming a folder directly below `directory` that lacks the
// layout's migration file (Prisma's migration.sql, diesel's up.sql): both tools stop there,
// and skipping it would leave a gap in the history.
void check_folders_complete(const std::filesystem::path& directory, NameLayout layout);

// What the migration's own tool may have recorded as its checksum (lower-case hex): Prisma's
// SHA-256 of migration.sql as it is, with its line ends as LF and as CRLF (Prisma accepts all
// three); sqlx's SHA-384 of the file's bytes (numbered layout). Empty for other layouts.
std::vector<std::string> tool_checksums(NameLayout layout, std::string_view bytes);

// Whether `recorded` (from the tool's table) is one of `candidates`; also Prisma's old
// checksums, written without each byte's leading zero.
bool tool_checksum_matches(const std::vector<std::string>& candidates, const std::string& recorded);

}  // namespace schemagate
