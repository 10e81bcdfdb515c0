// SPDX-License-Identifier: Apache-2.0
#include "tool_tables.h"

#include <cctype>
#include <pqxx/nontransaction>
#include <pqxx/result_iterator.hxx>

#include "db_failure.h"
#include "schema_state.h"

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

// A text[] literal: each element double-quoted, so that any spec reaches to_regclass as written.
std::string text_array(const std::vector<std::string>& items) {
    std::string array = "{";
    for (const auto& item : items) {
        array += array.size() > 1 ? ",\"" : "\"";
        for (const char c : item) {
            if (c == '"' || c == '\\') array += '\\';
            array += c;
        }
        array += '"';
    }
    return array + "}";
}

// The tables `condition` picks ($1: `items` as a text[]), in schema order.
std::vector<ToolTable> tables_where(pqxx::connection& connection, const std::string& condition,
                                    const std::vector<std::string>& items) {
    return translate_db_errors([&] {
        pqxx::nontransaction session(connection);
        return tables_of(session.exec_params(
            std::string("SELECT n.nspname, c.relname, format('%I.%I', n.nspname, c.relname), ") +
                kColumnsSql +
                " FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE " +
                condition + " ORDER BY n.nspname, c.relname",
            text_array(items)));
    });
}

}  // namespace

std::vector<ToolTable> find_tool_tables(pqxx::connection& connection,
                                        const std::vector<std::string>& names) {
    return tables_where(connection,
                        "c.relkind IN ('r', 'p') AND c.relname = ANY ($1::text[]) "
                        "AND n.nspname <> 'information_schema' AND n.nspname NOT LIKE 'pg\\_%' "
                        "AND has_schema_privilege(n.oid, 'USAGE') "
                        "AND has_table_privilege(c.oid, 'SELECT')",
                        names);
}

std::vector<ToolTable> locate_tool_tables(pqxx::connection& connection,
                                          const std::vector<std::string>& specs) {
    return tables_where(
        connection, "c.oid IN (SELECT to_regclass(spec) FROM unnest($1::text[]) AS spec)", specs);
}

std::optional<ToolTable> locate_tool_table(pqxx::connection& connection, std::string_view spec) {
    auto tables = locate_tool_tables(connection, {std::string(spec)});
    if (tables.empty()) return std::nullopt;
    return std::move(tables.front());
}

std::string iso_text_sql(const std::string& column) {
    return "coalesce(" + iso_utc_sql(column + "::timestamptz") + ", '')";
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
