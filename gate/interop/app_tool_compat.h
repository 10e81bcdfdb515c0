// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <optional>
#include <pqxx/transaction_base>
#include <string>

#include "migration_set.h"
#include "other_tool.h"

namespace schemagate {

// compat_writer.h for Prisma, diesel and sqlx: the row each tool writes for a migration it
// applied (tables: app_tool_tables.h), so that `prisma migrate deploy`, diesel's
// run_pending_migrations or sqlx's migrate! see it as applied.
std::string app_tool_compat_sql(pqxx::transaction_base& work, OtherTool tool,
                                const Migration& migration, const std::string& duration_ms_sql);

// Why the tool's table cannot record this set: Prisma and diesel name migrations after their
// folders, sqlx keeps a bigint version and the file's SHA-384.
std::optional<std::string> app_tool_compat_problem(OtherTool tool, const MigrationSet& files);

}  // namespace schemagate
