// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "batch_directive.h"
#include "sql_splitter.h"

namespace schemagate {

// What a migration file asks to run, read the way the tool that defined its layout reads it:
// - plain SQL (Flyway, golang-migrate): the whole file;
// - dbmate: only the part after `-- migrate:up` (options on that line, e.g.
//   `transaction:false`), up to `-- migrate:down`;
// - goose: only the part after `-- +goose Up` up to `-- +goose Down`; annotations are
//   case-insensitive; `-- +goose StatementBegin` ... `StatementEnd` is one statement whatever
//   its semicolons; `-- +goose NO TRANSACTION` runs the file outside a transaction.
// A down part is never executed. Statement lines are the file's own lines.
struct MigrationFile {
    enum class Layout { kPlain, kDbmate, kGoose };
    Layout layout = Layout::kPlain;
    std::vector<SqlStatement> statements;
    // Transaction mode and why: a directive (ours, dbmate's or goose's), or the first
    // statement PostgreSQL refuses to run inside a transaction block.
    bool no_transaction = false;
    std::string no_transaction_reason;  // "line 3: CREATE INDEX CONCURRENTLY", "directive"
    // Statements beside the one that forced no-transaction mode: a failure midway leaves a
    // partly applied, dirty migration.
    bool mixed = false;
    // A batched migration (first line `-- schemagate:batch ...`): its one statement runs again
    // and again, each time in a transaction of its own, until it processes no rows.
    std::optional<BatchOptions> batch;
    // The query after `-- schemagate:batch-total`, taken out of `statements`.
    std::optional<SqlStatement> batch_total;
    // The file's own BEGIN (and SET TRANSACTION right after it) that opens the migration's
    // transaction in place of schemagate's plain BEGIN (own_transaction.h); empty for none.
    std::vector<LexedStatement> opening;
    // A contract migration: its first line is `-- schemagate:contract` (see migration_set.h).
    bool contract = false;
};

// Throws SqlSyntaxError (with the file's line) for anything split_sql refuses, for a down
// marker without an up marker, for SQL before the up marker, for a StatementBegin without
// its StatementEnd, for a bad batch directive, and for a batched migration that does not
// hold exactly one statement (besides its total query) or cannot run in a transaction.
MigrationFile read_migration_file(std::string_view sql);

}  // namespace schemagate
