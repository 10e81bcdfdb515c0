// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <optional>
#include <pqxx/connection>
#include <string>
#include <string_view>
#include <vector>

#include "table_spec.h"

namespace schemagate {

// One table another migration tool keeps its history in.
struct ToolTable {
    std::string schema;
    std::string name;
    std::string qualified;  // quoted and schema-qualified, for SQL and messages
    // Its columns, "name type" in order, comma-separated (format_type's names): what tells
    // tools that share a table name apart (golang-migrate's and dbmate's schema_migrations).
    std::string columns;
};

// Every table named one of `names` (the tool's default table names) in every schema the role
// may use, readable by it, in schema order: where a tool configured with another schema put
// it. One round trip. Any tool can use it with its own default names.
std::vector<ToolTable> find_tool_tables(pqxx::connection& connection,
                                        const std::vector<std::string>& names);

// The table a `--table [schema.]name` flag names (without a schema: the first schema of the
// search_path that has it, as PostgreSQL resolves a name); nullopt when there is none.
std::optional<ToolTable> locate_tool_table(pqxx::connection& connection, std::string_view spec);

// `spec` as SQL: each part folded to lower case, as PostgreSQL reads it unquoted, and quoted.
std::string quoted_table_spec(pqxx::connection_base& connection, std::string_view spec);

}  // namespace schemagate
