// SPDX-License-Identifier: Apache-2.0
#include "tool_tables.h"

#include <cctype>
#include <pqxx/nontransaction>
#include <pqxx/result_iterator.hxx>

#include "db_failure.h"

namespace schemagate {

namespace {

// The columns of the table in the row's oid, as "name type,..." (see ToolTable::columns).
constexpr const char* kColumnsSql =
    "(SELECT string_agg(a.attname || ' ' || format_type(a.atttypid, a.atttypmod), ',' "
    "ORDER BY a.attnum) FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attnum > 0 "
    "AND NOT a.attisdropped)";

std::vector<ToolTable> tables_of(const pqxx::result& rows) {
    std::vector<ToolTable> tables;
    for (const auto& row : rows) {
        tables.push_back({row[0].as<std::string>(), row[1].as<std::string>(),
                          row[2].as<std::string>(),
                          row[3].is_null() ? "" : row[3].as<std::string>()});
    }
    return tables;
}

}  // namespace

std::vector<ToolTable> find_tool_tables(pqxx::connection& connection,
                                        const std::vector<std::string>& names) {
    std::string array = "{";
    for (const auto& name : names) array += (array.size() > 1 ? "," : "") + name;
    array += "}";
    return translate_db_errors([&] {
        pqxx::nontransaction session(connection);
        return tables_of(session.exec_params(
            std::string("SELECT n.nspname, c.relname, format('%I.%I', n.nspname, c.relname), ") +
                kColumnsSql +
                " FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
                "WHERE c.relkind IN ('r', 'p') AND c.relname = ANY ($1::text[]) "
                "AND n.nspname <> 'information_schema' AND n.nspname NOT LIKE 'pg\\_%' "
                "AND has_schema_privilege(n.oid, 'USAGE') "
                "AND has_table_privilege(c.oid, 'SELECT') ORDER BY n.nspname, c.relname",
            array));
    });
}

std::optional<ToolTable> locate_tool_table(pqxx::connection& connection, std::string_view spec) {
    return translate_db_errors([&]() -> std::optional<ToolTable> {
        pqxx::nontransaction session(connection);
        auto tables = tables_of(session.exec_params(
            std::string("SELECT n.nspname, c.relname, format('%I.%I', n.nspname, c.relname), ") +
                kColumnsSql +
                " FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
                "WHERE c.oid = to_regclass($1)",
            std::string(spec)));
        if (tables.empty()) return std::nullopt;
        return std::move(tables.front());
    });
}

std::string quoted_table_spec(pqxx::connection_base& connection, std::string_view spec) {
    const auto dot = spec.find('.');
    // Folded to lower case, as PostgreSQL reads the unquoted name (and to_regclass finds it).
    const auto quoted = [&connection](std::string_view part) {
        std::string lower(part);
        for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        return connection.quote_name(lower);
    };
    if (dot == std::string_view::npos) return quoted(spec);
    return quoted(spec.substr(0, dot)) + "." + quoted(spec.substr(dot + 1));
}

}  // namespace schemagate
