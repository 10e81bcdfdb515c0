// SPDX-License-Identifier: Apache-2.0
#include "db_failure.h"

#include <exception>
#include <pqxx/except>

#include "secret_scrubber.h"

namespace schemagate {

namespace {

void split_message(const std::string& raw, DbFailure& out) {
    std::string text = scrub(raw);
    // libpq prefixes server errors with "ERROR:  " and ends them with a newline.
    for (const char* prefix : {"ERROR:  ", "FATAL:  "}) {
        if (text.rfind(prefix, 0) == 0) text.erase(0, std::char_traits<char>::length(prefix));
    }
    while (!text.empty() && text.back() == '\n') text.pop_back();
    const auto newline = text.find('\n');
    out.message = text.substr(0, newline);
    if (newline != std::string::npos) out.detail = text.substr(newline + 1);
}

}  // namespace

DbFailure current_db_failure() {
    DbFailure failure;
    try {
        throw;
    } catch (const pqxx::broken_connection& e) {
        failure.kind = DbFailure::Kind::kConnection;
        split_message(e.what(), failure);
    } catch (const pqxx::in_doubt_error& e) {
        // The COMMIT's fate is unknown because the connection broke during it.
        failure.kind = DbFailure::Kind::kConnection;
        split_message(e.what(), failure);
    } catch (const pqxx::sql_error& e) {
        failure.kind = DbFailure::Kind::kSql;
        failure.sqlstate = e.sqlstate();
        split_message(e.what(), failure);
        // Server-initiated disconnects (admin shutdown, idle-in-transaction timeout) arrive as
        // errors with a SQLSTATE but leave the connection dead.
        if (failure.is(sqlstate::kAdminShutdown) ||
            failure.is(sqlstate::kIdleInTransactionTimeout) ||
            failure.sqlstate.rfind("08", 0) == 0) {
            failure.kind = DbFailure::Kind::kConnection;
        }
    } catch (const std::exception& e) {
        failure.kind = DbFailure::Kind::kOther;
        split_message(e.what(), failure);
    }
    return failure;
}

void rethrow_translated() {
    try {
        throw;
    } catch (const Error&) {
        throw;
    } catch (...) {
        DbFailure failure = current_db_failure();
        if (failure.kind == DbFailure::Kind::kConnection) throw ConnectionLost(std::move(failure));
        throw DbError(std::move(failure));
    }
}

std::string with_detail(const DbFailure& failure) {
    std::string out = failure.sqlstate.empty() ? "" : "SQLSTATE " + failure.sqlstate + ": ";
    out += failure.message;
    std::string detail;
    for (std::size_t start = 0; start < failure.detail.size();) {
        auto end = failure.detail.find('\n', start);
        if (end == std::string::npos) end = failure.detail.size();
        std::string line = failure.detail.substr(start, end - start);
        start = end + 1;
        // libpq adds the statement with a caret under it (LINE n: ...); the caller names the
        // file and line itself.
        if (line.rfind("DETAIL:", 0) != 0 && line.rfind("HINT:", 0) != 0) continue;
        while (line.find("  ") != std::string::npos) line.erase(line.find("  "), 1);
        detail += (detail.empty() ? "" : "; ") + line;
    }
    if (!detail.empty()) out += " (" + detail + ")";
    return out;
}

std::string connect_failure_hint(const std::string& message) {
    if (message.find("does not support SSL") != std::string::npos ||
        message.find("sslmode") != std::string::npos) {
        return "the client requires TLS (sslmode) and the server does not offer it: enable TLS "
               "on the server, or lower sslmode in the database URL";
    }
    if (message.find("invalid port number") != std::string::npos ||
        message.find("invalid integer value") != std::string::npos ||
        message.find("invalid connection option") != std::string::npos ||
        message.find("invalid value for parameter") != std::string::npos) {
        return "check the database URL's port and parameters";
    }
    if (message.find("does not exist") != std::string::npos &&
        message.find("database") != std::string::npos) {
        return "check the database name in the database URL or Secret";
    }
    if (message.find("static build") != std::string::npos ||
        message.find("GSSAPI encryption required") != std::string::npos ||
        message.find("could not create LDAP structure") != std::string::npos) {
        return "Kerberos (GSSAPI) or LDAP could not be used: the static build has neither "
               "(docs/static-build.md); use password or certificate authentication, or a build "
               "with -DSCHEMAGATE_STATIC_LINK=OFF and Kerberos credentials";
    }
    return "check the user, password and database name in the database URL or Secret";
}

bool is_permanent_connect_failure(const std::string& message) {
    for (const char* marker :
         {"password authentication failed", "no password supplied", "authentication failed",
          "does not exist", "no pg_hba.conf entry", "permission denied for database",
          "SCRAM authentication requires", "invalid connection option",
          // Settings no retry can fix: TLS demanded of a server without it, a port or
          // option value libpq refuses to parse.
          "does not support SSL", "invalid port number", "invalid integer value",
          "invalid sslmode value", "invalid value for parameter",
          // The static build has no Kerberos or LDAP (docs/static-build.md).
          "not available in this static build", "could not create LDAP structure",
          "GSSAPI encryption required but was impossible"}) {
        if (message.find(marker) != std::string::npos) return true;
    }
    return false;
}

}  // namespace schemagate
