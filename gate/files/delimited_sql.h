// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <string_view>
#include <vector>

#include "sql_splitter.h"

namespace schemagate {

// Statements of `body` as tools with a custom statement delimiter read them (Atlas's
// `-- atlas:delimiter`, Liquibase's `endDelimiter`): pieces end at `delimiter` outside quotes,
// dollar quotes, comments and parentheses. Each piece is lexed like any SQL; a piece of several
// statements is one unit (its statements as parts), sent whole as those tools send it, and may
// not hold a statement that cannot run in a transaction. `first_line` is the file line `body`
// starts on. Throws SqlSyntaxError.
std::vector<SqlStatement> split_at_delimiter(std::string_view body, std::string_view delimiter,
                                             int first_line);

// Statements lexed from text that starts on line `by` + 1 of their file: their lines made the
// file's (padding the text with empty lines instead would cost a file's length per piece).
void shift_lines(std::vector<SqlStatement>& units, int by);

// Whether the statements need to run outside a transaction, and why ("line 3: CREATE INDEX
// CONCURRENTLY"); empty when they can run in one.
std::string outside_transaction_reason(const std::vector<SqlStatement>& units);

}  // namespace schemagate
