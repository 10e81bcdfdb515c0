// SPDX-License-Identifier: Apache-2.0
#include "directive.h"

#include <algorithm>
#include <cctype>

#include "ascii.h"

namespace schemagate {

namespace {

bool is_space(char c) {
    return std::isspace(static_cast<unsigned char>(c)) != 0;
}

bool is_name_char(char c) {
    return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '-' || c == '_';
}

// `text` without `prefix` (and the spaces after it), or nullopt when it does not start so.
std::optional<std::string_view> after(std::string_view text, std::string_view prefix) {
    if (!text.starts_with(prefix)) return std::nullopt;
    text.remove_prefix(prefix.size());
    while (!text.empty() && is_space(text.front())) text.remove_prefix(1);
    return text;
}

}  // namespace

std::optional<Directive> read_directive(std::string_view line) {
    auto rest = after(ascii_trim(line), "--");
    if (rest) rest = after(*rest, "schemagate:");
    if (!rest) return std::nullopt;
    std::size_t end = 0;
    while (end < rest->size() && is_name_char((*rest)[end])) ++end;
    if (end == 0 || (end < rest->size() && !is_space((*rest)[end]))) return std::nullopt;
    return Directive{rest->substr(0, end), ascii_trim(rest->substr(end))};
}

std::optional<Directive> first_line_directive(std::string_view sql) {
    if (sql.starts_with("\xEF\xBB\xBF")) sql.remove_prefix(3);  // a UTF-8 byte order mark
    // Every file is asked several times: one pass to the end of the first line, not
    // find_first_of's search of a set for each character.
    const auto end =
        std::find_if(sql.begin(), sql.end(), [](char c) { return c == '\r' || c == '\n'; });
    return read_directive(sql.substr(0, static_cast<std::size_t>(end - sql.begin())));
}

bool has_first_line_flag(std::string_view sql, std::string_view name) {
    const auto directive = first_line_directive(sql);
    return directive && directive->name == name && directive->arguments.empty();
}

}  // namespace schemagate
