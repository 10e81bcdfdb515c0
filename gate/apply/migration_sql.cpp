// SPDX-License-Identifier: Apache-2.0
#include "migration_sql.h"

#include <pqxx/nontransaction>

#include "db_failure.h"
#include "errors.h"

namespace schemagate {

namespace {

constexpr int kFirstWithConnectionChecks = 140000;
constexpr Millis kConnectionCheckInterval{1000};

bool has_connection_checks(const pqxx::connection& connection) {
    return connection.server_version() >= kFirstWithConnectionChecks;
}

}  // namespace

std::string connection_checks_sql(const pqxx::connection& connection) {
    return has_connection_checks(connection)
               ? "SET client_connection_check_interval = " +
                     std::to_string(kConnectionCheckInterval.count()) + "; "
               : "";
}

std::string session_timeouts_sql(const pqxx::connection& connection,
                                 const MigrationSettings& settings) {
    std::string sql =
        "SET lock_timeout = " + std::to_string(settings.lock_timeout.count()) +
        "; SET statement_timeout = " + std::to_string(settings.statement_timeout.count()) + "; ";
    if (settings.idle_in_transaction_timeout > Millis{0}) {
        sql += "SET idle_in_transaction_session_timeout = " +
               std::to_string(settings.idle_in_transaction_timeout.count()) + "; ";
    }
    return sql + connection_checks_sql(connection);
}

std::string transaction_settings_sql(pqxx::connection& connection,
                                     const MigrationSettings& settings, bool durable) {
    const auto local = [](const char* name, const std::string& value) {
        return std::string("set_config('") + name + "', '" + value + "', true)";
    };
    std::string sql =
        "SELECT " + local("lock_timeout", std::to_string(settings.lock_timeout.count())) + ", " +
        local("statement_timeout", std::to_string(settings.statement_timeout.count()));
    if (settings.idle_in_transaction_timeout > Millis{0}) {
        sql += ", " + local("idle_in_transaction_session_timeout",
                            std::to_string(settings.idle_in_transaction_timeout.count()));
    }
    // A session setting would not outlive the reset at the end of a migration.
    if (has_connection_checks(connection)) {
        sql += ", " + local("client_connection_check_interval",
                            std::to_string(kConnectionCheckInterval.count()));
    }
    if (!settings.application_name.empty()) {
        sql += ", set_config('application_name', " + connection.quote(settings.application_name) +
               ", true)";
    }
    if (!durable) sql += ", " + local("synchronous_commit", "off");
    return sql;
}

std::string session_reset_sql() {
    std::string sql;
    for (const char* statement : kSessionReset) sql += std::string(statement) + "; ";
    return sql;
}

void roll_back(pqxx::connection& connection) {
    try {
        translate_db_errors([&connection] {
            pqxx::nontransaction session(connection);
            session.exec("ROLLBACK; " + session_reset_sql());
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
