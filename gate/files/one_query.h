// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <string_view>

#include "sql_splitter.h"

namespace schemagate {

// PostgreSQL runs a query of several statements as one transaction, even outside a transaction
// block: a unit sent as one query (a goose StatementBegin block, a piece before a custom
// delimiter) cannot hold a statement that refuses to run in one. Throws SqlSyntaxError at that
// statement's line, saying where it stands (`where`: "in a ... block of several statements")
// and what to do ("give it a `unit` of its own").
void refuse_outside_transaction_in_one_query(const SqlStatement& statements, std::string_view where,
                                             std::string_view unit);

}  // namespace schemagate
