// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "migration_set.h"

namespace schemagate {

// How a Liquibase formatted SQL file maps onto schemagate's versioned migrations: each
// changeset is a migration of its own (Liquibase runs and records each changeset apart, in its
// own transaction), versioned `<N>.<K>`: N is the number the file's name starts with (files are
// ordered by it, as Liquibase's includeAll orders them by name), K the changeset's position in
// the file from 1. Appending a changeset to a file adds a migration; editing or inserting one
// above changes a recorded checksum, which is drift. Changesets Liquibase skips (`dbms:` without
// postgresql, `ignore:true`) are not migrations but keep their position.
// Throws FatalError(kBadInput) naming the file (and line) for what read_liquibase_changelog
// refuses, and for a file name that does not start with a number.
std::vector<Migration> liquibase_migrations(std::string_view sql, const std::string& path,
                                            const std::string& relative);

// The first Liquibase changelog in XML, YAML or JSON below `directory` (a name holding
// "changelog"), which schemagate cannot read; nullopt when there is none.
std::optional<std::string> liquibase_non_sql_changelog(const std::string& directory);

}  // namespace schemagate
