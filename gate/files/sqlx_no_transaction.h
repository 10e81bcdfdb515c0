// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <string_view>

#include "migration_file.h"

namespace schemagate {

// sqlx runs a migration outside a transaction when the file's text starts with
// `-- no-transaction` (sqlx-core migrate/source.rs: `sql.starts_with("-- no-transaction")`).
// Matched as sqlx matches it: the file's first bytes as read, so a byte order mark, a leading
// space or blank line, another case or spacing (`--no-transaction`) do not count, and anything
// may follow (`-- no-transaction: CREATE INDEX CONCURRENTLY` counts).
bool sqlx_no_transaction(std::string_view sql);

// A plain numbered file (sqlx's `<version>_<description>.sql` layout) read from `sql`: runs
// outside a transaction, as schemagate's own `-- schemagate:no-transaction` runs a file, when
// sqlx would. A file that brings its own BEGIN ... COMMIT (own_transaction.h) or whose mode is
// already set keeps it; dbmate and goose files are not sqlx's and keep their tools' rules.
void read_sqlx_no_transaction(std::string_view sql, MigrationFile& file);

}  // namespace schemagate
