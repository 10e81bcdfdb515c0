// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "statement_traits.h"

namespace schemagate {

// One statement as the lexer read it.
struct LexedStatement {
    std::string text;  // without the terminating semicolon
    int line = 1;      // 1-based line in the file where the statement's first token is
    // The statement's first few words outside comments and literals, upper-cased and
    // separated by one space ("CREATE INDEX CONCURRENTLY"). One string, not one per word: a
    // file may hold a million statements.
    std::string leading_words;
    // What it is and does, decided once by the lexer: what every consumer reads.
    StatementTraits traits;
};

// What a migration sends as one query: one statement, or a unit its tool sends whole although
// it holds several (goose's StatementBegin ... StatementEnd block), described by its first.
struct SqlStatement : LexedStatement {
    // A unit of several statements: each of them, with its own line (the first one's is the
    // unit's). The server answers such a query with one result per statement, so whatever
    // counts results, or names the statement that failed, looks at these. Empty for one
    // statement.
    std::vector<LexedStatement> parts;
};

// The statements `unit` holds: its parts, or the unit itself.
std::span<const LexedStatement> statements_of(const SqlStatement& unit);

// A file that PostgreSQL's lexer (or psql) would read differently from us: executing it would
// run something other than what was checked, so it is refused before anything runs.
class SqlSyntaxError : public std::runtime_error {
  public:
    SqlSyntaxError(int line, const std::string& message)
        : std::runtime_error(message), line_(line) {}
    int line() const { return line_; }

  private:
    int line_;
};

// Splits a migration file into statements the way psql and the server's lexer see it:
// semicolons inside quotes ('', E'', U&''), quoted identifiers, dollar-quoted bodies, nested
// block comments and BEGIN ATOMIC ... END bodies do not end a statement; `--` comments end at
// LF or CR; `$` continues an identifier (`a$x$` is one word, not a dollar quote); backslashes
// escape in E'' strings (and in plain ones after `SET standard_conforming_strings = off`).
// A leading UTF-8 byte order mark is skipped, as psql does. Comment-only pieces are dropped.
// Throws SqlSyntaxError for: NUL bytes, invalid UTF-8, psql meta-commands (a backslash
// outside literals), unterminated quotes, identifiers, dollar quotes and block comments.
std::vector<SqlStatement> split_sql(std::string_view sql);

// The file without a leading UTF-8 byte order mark.
std::string_view without_bom(std::string_view sql);

// The statement's first keyword, upper-cased, after leading comments ("COMMIT", "CREATE").
std::string first_keyword(const LexedStatement& statement);

}  // namespace schemagate
