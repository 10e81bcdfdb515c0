// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <optional>
#include <pqxx/transaction_base>
#include <string>

#include "migration_set.h"
#include "other_tools.h"

namespace schemagate {

// SQL that records `migration` in another tool's table the way that tool would (creating the
// table as the tool does when it is missing), for the migration's own transaction: with
// `--compat TOOL` a team can go back to the old tool at any time, and an application that
// reads or alters that table keeps working. The tables: see other_tools.cpp.
// `table` ([schema.]name, --compat-table): the tool's table when not its default name.
std::string compat_sql(pqxx::transaction_base& work, OtherTool tool, const Migration& migration,
                       const std::string& duration_ms_sql, const std::string& table = "");

// Why `tool`'s table cannot hold this set's versions, if it cannot (golang-migrate and goose
// store a bigint: dotted versions and integers beyond 2^63 do not fit).
std::optional<std::string> compat_problem(OtherTool tool, const MigrationSet& files);

}  // namespace schemagate
