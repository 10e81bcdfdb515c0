// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <optional>
#include <pqxx/transaction_base>
#include <string>

#include "migration_set.h"

namespace schemagate {

// compat_writer.h for Atlas: the revision Atlas's executor leaves for a file it ran in full
// (sql/migrate Executor.ExecuteFile; table: atlas_liquibase_history.h): version and
// description from the file name (`<version>_<description>.sql`), type 2 (executed), applied
// and total the file's statement count, executed_at, execution_time in nanoseconds (Go's
// time.Duration), no error, hash the file's hash in atlas.sum, partial_hashes NULL (Atlas clears
// them once a file is done), operator_version naming schemagate. `atlas migrate apply` then
// finds those versions applied and starts after the last. `table`: --compat-table, empty for
// atlas_schema_revisions.atlas_schema_revisions (created with its schema, as Atlas does for a
// database-scoped URL).
std::string atlas_compat_sql(pqxx::transaction_base& work, const Migration& migration,
                             const std::string& duration_ms_sql, const std::string& table);

// Why Atlas's table cannot record this set: its files are not an Atlas directory (no atlas.sum,
// so no hash Atlas would accept).
std::optional<std::string> atlas_compat_problem(const MigrationSet& files);

// Why --compat liquibase is refused (see the README): Liquibase knows a changeset by id, author
// and FILENAME, and the FILENAME it records is the path its master changelog includes the file
// by, which schemagate does not read; a row under another FILENAME makes Liquibase run the
// changeset again.
std::string liquibase_compat_refusal();

}  // namespace schemagate
