// SPDX-License-Identifier: Apache-2.0
#include "sqlx_no_transaction.h"

namespace schemagate {

bool sqlx_no_transaction(std::string_view sql) {
    return sql.starts_with("-- no-transaction");
}

void read_sqlx_no_transaction(std::string_view sql, MigrationFile& file) {
    if (file.layout != MigrationFile::Layout::kPlain || !file.opening.empty() ||
        file.no_transaction || file.batch || !sqlx_no_transaction(sql)) {
        return;
    }
    file.no_transaction = true;
    file.no_transaction_reason = "directive (sqlx's -- no-transaction)";
    file.mixed = file.statements.size() > 1;
}

}  // namespace schemagate
