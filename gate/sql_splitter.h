// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace schemagate {

struct SqlStatement {
    std::string text;  // without the terminating semicolon
    int line = 1;      // 1-based line in the file where the statement's first token is
};

// Splits a migration file into statements the way psql does: semicolons inside quotes,
// quoted identifiers, dollar-quoted bodies, comments and BEGIN ATOMIC ... END bodies do not
// end a statement. Comment-only pieces are dropped. Running statements one by one is what
// lets an error name its line, and what lets CREATE INDEX CONCURRENTLY run at all (the
// server runs a multi-statement string as one implicit transaction).
std::vector<SqlStatement> split_sql(std::string_view sql);

// True when the file's first line is the directive `-- schemagate:no-transaction`.
bool has_no_transaction_directive(std::string_view sql);

}  // namespace schemagate

namespace schemagate {

// The statement's first keyword, upper-cased, after leading comments ("COMMIT", "CREATE").
std::string first_keyword(std::string_view statement);

}  // namespace schemagate
