// SPDX-License-Identifier: Apache-2.0
#include "migration_sql.h"

#include <pqxx/nontransaction>

#include "db_failure.h"
#include "errors.h"

namespace schemagate {

std::string timeouts_sql(const MigrationSettings& settings, const char* scope) {
    std::string sql =
        std::string("SET ") + scope +
        " lock_timeout = " + std::to_string(settings.lock_timeout.count()) + "; SET " + scope +
        " statement_timeout = " + std::to_string(settings.statement_timeout.count()) + "; ";
    if (settings.idle_in_transaction_timeout > Millis{0}) {
        sql += std::string("SET ") + scope + " idle_in_transaction_session_timeout = " +
               std::to_string(settings.idle_in_transaction_timeout.count()) + "; ";
    }
    return sql;
}

std::string commit_flush_sql(bool durable) {
    return durable ? std::string() : std::string("SET LOCAL synchronous_commit = off; ");
}

void roll_back(pqxx::connection& connection) {
    try {
        translate_db_errors([&connection] {
            pqxx::nontransaction session(connection);
            session.exec("ROLLBACK");
        });
    } catch (const Error&) {
        // A broken connection rolls back by itself.
    }
}

void lease_lost_error(const Migration& migration) {
    throw FatalError(ExitCode::kLeaseLost,
                     "lease lost before " + label(migration) +
                         " could commit: another holder "
                         "took over; nothing of it was committed by this process");
}

}  // namespace schemagate
