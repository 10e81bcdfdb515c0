// SPDX-License-Identifier: Apache-2.0
#include "migration_sql.h"

#include <pqxx/nontransaction>
#include <utility>
#include <vector>

#include "db_failure.h"
#include "errors.h"

namespace schemagate {

namespace {

constexpr int kFirstWithConnectionChecks = 140000;
constexpr Millis kConnectionCheckInterval{1000};

bool has_connection_checks(const pqxx::connection_base& connection) {
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

namespace {

using Setting = std::pair<const char*, std::string>;

std::vector<Setting> transaction_settings(const pqxx::connection_base& connection,
                                          const MigrationSettings& settings, bool durable) {
    std::vector<Setting> local = {
        {"lock_timeout", std::to_string(settings.lock_timeout.count())},
        {"statement_timeout", std::to_string(settings.statement_timeout.count())}};
    if (settings.idle_in_transaction_timeout > Millis{0}) {
        local.emplace_back("idle_in_transaction_session_timeout",
                           std::to_string(settings.idle_in_transaction_timeout.count()));
    }
    // A session setting would not outlive the reset at the end of a migration.
    if (has_connection_checks(connection)) {
        local.emplace_back("client_connection_check_interval",
                           std::to_string(kConnectionCheckInterval.count()));
    }
    if (!settings.application_name.empty()) {
        local.emplace_back("application_name", settings.application_name);
    }
    if (!durable) local.emplace_back("synchronous_commit", "off");
    return local;
}

}  // namespace

std::string transaction_settings_sql(pqxx::connection_base& connection,
                                     const MigrationSettings& settings, bool durable) {
    std::string sql;
    for (const auto& [name, value] : transaction_settings(connection, settings, durable)) {
        sql += (sql.empty() ? "SELECT set_config('" : ", set_config('") + std::string(name) +
               "', " + connection.quote(value) + ", true)";
    }
    return sql;
}

std::string transaction_settings_array_sql(pqxx::connection_base& connection,
                                           const MigrationSettings& settings, bool durable) {
    std::string sql;
    for (const auto& [name, value] : transaction_settings(connection, settings, durable)) {
        sql +=
            (sql.empty() ? "ARRAY['" : ", '") + std::string(name) + "', " + connection.quote(value);
    }
    return sql + "]";
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
