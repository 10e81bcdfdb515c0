// SPDX-License-Identifier: Apache-2.0
#include "delimited_sql.h"

#include <algorithm>
#include <cctype>
#include <iterator>
#include <string>

#include "ascii.h"
#include "one_query.h"

namespace schemagate {

namespace {

bool is_tag_char(char c) {
    return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_';
}

// One past the end of a dollar quote opening at `at`, or `at` when none opens there.
std::size_t skip_dollar_quote(std::string_view body, std::size_t at) {
    std::size_t tag_end = at + 1;
    while (tag_end < body.size() && is_tag_char(body[tag_end])) ++tag_end;
    const bool tag_ok =
        tag_end == at + 1 || std::isdigit(static_cast<unsigned char>(body[at + 1])) == 0;
    if (tag_end >= body.size() || body[tag_end] != '$' || !tag_ok) return at;
    const std::string_view tag = body.substr(at, tag_end - at + 1);
    const auto end = body.find(tag, tag_end + 1);
    return end == std::string_view::npos ? body.size() : end + tag.size();
}

// One past the end of a quoted or commented stretch starting at `at`, or `at` when none
// starts there.
std::size_t skip_literal(std::string_view body, std::size_t at) {
    const char c = body[at];
    if (c == '\'' || c == '"') {
        const auto end = body.find(c, at + 1);
        return end == std::string_view::npos ? body.size() : end + 1;
    }
    if (body.substr(at, 2) == "--") {
        const auto end = body.find('\n', at);
        return end == std::string_view::npos ? body.size() : end + 1;
    }
    if (body.substr(at, 2) == "/*") {
        const auto end = body.find("*/", at + 2);
        return end == std::string_view::npos ? body.size() : end + 2;
    }
    if (c == '$' && (at == 0 || !is_tag_char(body[at - 1]))) return skip_dollar_quote(body, at);
    return at;
}

struct Piece {
    std::string_view text;
    int line = 1;
};

std::vector<Piece> pieces_of(std::string_view body, std::string_view delimiter, int first_line) {
    std::vector<Piece> pieces;
    std::size_t start = 0;
    int depth = 0;
    // Lines are counted as the pieces go, once over the body.
    std::size_t counted_to = 0;
    int line = first_line;
    const auto emit = [&](std::size_t end) {
        const std::string_view raw = body.substr(start, end - start);
        const auto first = raw.find_first_not_of(" \t\r\n");
        if (first == std::string_view::npos) return;
        const auto from = body.begin() + static_cast<std::ptrdiff_t>(counted_to);
        counted_to = start + first;
        line += static_cast<int>(
            std::count(from, body.begin() + static_cast<std::ptrdiff_t>(counted_to), '\n'));
        pieces.push_back({ascii_trim(raw), line});
    };
    for (std::size_t i = 0; i < body.size();) {
        // A delimiter is looked for before a comment, as Atlas does (`-- end` may be one).
        if (depth == 0 && body.substr(i).starts_with(delimiter)) {
            emit(i);
            i += delimiter.size();
            start = i;
            continue;
        }
        if (const auto after = skip_literal(body, i); after != i) {
            i = after;
            continue;
        }
        if (body[i] == '(') ++depth;
        if (body[i] == ')' && depth > 0) --depth;
        ++i;
    }
    emit(body.size());
    return pieces;
}

}  // namespace

std::vector<SqlStatement> split_at_delimiter(std::string_view body, std::string_view delimiter,
                                             int first_line) {
    std::vector<SqlStatement> units;
    for (const Piece& piece : pieces_of(body, delimiter, first_line)) {
        auto lexed = split_sql(piece.text);
        shift_lines(lexed, piece.line - 1);
        if (lexed.empty()) continue;
        SqlStatement unit = lexed.front();
        if (lexed.size() > 1) {
            unit.text = std::string(piece.text);
            unit.parts.assign(std::make_move_iterator(lexed.begin()),
                              std::make_move_iterator(lexed.end()));
            refuse_outside_transaction_in_one_query(
                unit, "beside other statements before the delimiter", "piece");
        }
        units.push_back(std::move(unit));
    }
    return units;
}

void shift_lines(std::vector<SqlStatement>& units, int by) {
    for (auto& unit : units) {
        unit.line += by;
        for (auto& part : unit.parts) part.line += by;
    }
}

std::string outside_transaction_reason(const std::vector<SqlStatement>& units) {
    for (const auto& unit : units) {
        for (const auto& statement : statements_of(unit)) {
            if (const auto& reason = statement.traits.outside_transaction) {
                return "line " + std::to_string(statement.line) + ": " + *reason;
            }
        }
    }
    return {};
}

}  // namespace schemagate
