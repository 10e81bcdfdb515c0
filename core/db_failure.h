// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <string>
#include <utility>

#include "errors.h"

namespace schemagate {

// What went wrong in a libpqxx call, as plain data. Every libpqxx exception type is looked
// at in db_failure.cpp and nowhere else.
struct DbFailure {
    enum class Kind {
        kConnection,  // the connection broke or could not be made
        kSql,         // the server rejected a statement; see sqlstate
        kOther,       // a libpqxx usage or conversion error: a bug, reported as such
    };
    Kind kind = Kind::kOther;
    std::string sqlstate;  // five characters for kSql, else empty
    std::string message;   // the server's message, first line, secrets scrubbed
    std::string detail;    // the rest (DETAIL/HINT lines), may be empty

    bool is(const char* state) const { return sqlstate == state; }
};

// A statement the server rejected (kSql) or a libpqxx usage error (kOther), translated from
// libpqxx's exception at the boundary below; inspect `failure()` for the SQLSTATE.
class DbError : public Error {
  public:
    explicit DbError(DbFailure failure) : Error(failure.message), failure_(std::move(failure)) {}
    const DbFailure& failure() const { return failure_; }
    bool is(const char* state) const { return failure_.is(state); }

  private:
    DbFailure failure_;
};

// The connection broke or could not be made: retryable, and still carries what libpq said.
class ConnectionLost : public RetryableError {
  public:
    explicit ConnectionLost(DbFailure failure)
        : RetryableError("connection lost: " + failure.message), failure_(std::move(failure)) {}
    const DbFailure& failure() const { return failure_; }

  private:
    DbFailure failure_;
};

// Call only from inside a catch block: inspects the exception in flight.
DbFailure current_db_failure();

// Call only from inside a catch block: rethrows an Error as it is, and anything else (a
// libpqxx exception) as ConnectionLost or DbError.
[[noreturn]] void rethrow_translated();

// The one place libpqxx exceptions are turned into ours: runs `body` and lets only Errors out.
// Every function that talks to the database runs its libpqxx calls through this, so product
// code catches ConnectionLost, DbError and FatalError by type and never needs `catch (...)`.
template <typename Body>
decltype(auto) translate_db_errors(Body&& body) {
    try {
        return std::forward<Body>(body)();
    } catch (...) {
        rethrow_translated();
    }
}

// "SQLSTATE 23505: duplicate key ... (DETAIL: Key (id)=(1) already exists.)": the message with
// the server's DETAIL and HINT folded onto the same line.
std::string with_detail(const DbFailure& failure);

// Connection attempts that can never succeed by waiting (bad password, unknown database or
// role, pg_hba rejection) versus those that can (refused, starting up, too many clients).
bool is_permanent_connect_failure(const std::string& message);
// What to look at for such a failure: TLS settings, the URL's port or parameters, or the
// credentials, as the message says.
std::string connect_failure_hint(const std::string& message);

// Well-known SQLSTATEs we act on.
namespace sqlstate {
inline constexpr const char* kLockNotAvailable = "55P03";
inline constexpr const char* kQueryCanceled = "57014";
inline constexpr const char* kUndefinedTable = "42P01";
inline constexpr const char* kUndefinedColumn = "42703";
inline constexpr const char* kInvalidSchemaName = "3F000";
inline constexpr const char* kAdminShutdown = "57P01";
inline constexpr const char* kCannotConnectNow = "57P03";
inline constexpr const char* kTooManyConnections = "53300";
inline constexpr const char* kIdleInTransactionTimeout = "25P03";
}  // namespace sqlstate

}  // namespace schemagate
