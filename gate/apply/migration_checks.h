// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <pqxx/transaction_base>
#include <string>

#include "errors.h"
#include "migration_set.h"

namespace schemagate {

// A check of a migration's .verify.sql did not hold; `line` is the check's line. An Error, so
// that translate_db_errors lets it through as it is.
class CheckFailed : public Error {
  public:
    CheckFailed(const std::string& message, int check_line) : Error(message), line_(check_line) {}
    int line() const { return line_; }

  private:
    int line_;
};

// The SQLSTATE-like code a failed check is recorded with (no server code fits).
inline constexpr const char* kCheckFailedState = "SGCHK";

// Runs each check of `migration` on `session`, in order: a query that returns one boolean must
// return true, any other must return no rows. Throws CheckFailed naming the first that fails;
// a check's own SQL error is a libpqxx error like any statement's.
void run_checks(pqxx::transaction_base& session, const Migration& migration);

}  // namespace schemagate
