// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <stdexcept>
#include <string>

#include "exit_code.h"

namespace schemagate {

// Every failure schemagate throws is an Error, of one of two kinds (or a DbError, see
// db_failure.h); expected outcomes ("lease held by someone else", "schema behind") are return
// values, never exceptions. Messages are one line meant for an operator, free of secrets.
class Error : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

// The run cannot go on; `code()` is what the process exits with.
class FatalError : public Error {
  public:
    FatalError(ExitCode code, const std::string& message) : Error(message), code_(code) {}
    ExitCode code() const { return code_; }

  private:
    ExitCode code_;
};

// A transient condition (connection refused, server starting up, connection lost): the
// caller may retry until its deadline.
class RetryableError : public Error {
  public:
    using Error::Error;
};

}  // namespace schemagate
