// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cctype>
#include <optional>
#include <string>
#include <string_view>

namespace schemagate {

// `--table` and `--compat-table` take `[schema.]name`, each part a plain identifier read as
// PostgreSQL reads an unquoted name (folded to lower case). Pure: the flag parser (and its
// fuzzer) checks it without a database.

inline bool is_plain_identifier(std::string_view part) {
    if (part.empty() || std::isdigit(static_cast<unsigned char>(part.front())) != 0) return false;
    for (const char c : part) {
        if (std::isalnum(static_cast<unsigned char>(c)) == 0 && c != '_' && c != '$') return false;
    }
    return true;
}

// Why `spec` is not `[schema.]name`, or nullopt.
inline std::optional<std::string> table_spec_problem(std::string_view spec) {
    const auto dot = spec.find('.');
    const std::string_view schema = dot == std::string_view::npos ? "" : spec.substr(0, dot);
    const std::string_view name = dot == std::string_view::npos ? spec : spec.substr(dot + 1);
    if ((dot != std::string_view::npos && !is_plain_identifier(schema)) ||
        !is_plain_identifier(name)) {
        return "expected [schema.]name, each a plain identifier (letters, digits, _ and $, read "
               "as PostgreSQL reads an unquoted name)";
    }
    return std::nullopt;
}

// The last part of `spec`, folded to lower case: the table's own name.
inline std::string table_name_of(std::string_view spec) {
    const auto dot = spec.find('.');
    std::string name(dot == std::string_view::npos ? spec : spec.substr(dot + 1));
    for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return name;
}

}  // namespace schemagate
