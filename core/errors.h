// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <stdexcept>
#include <string>

#include "exit_code.h"

namespace schemagate {

// Failures are exceptions of exactly two kinds; expected outcomes ("lease held by someone
// else", "schema behind") are return values, never exceptions.

// The run cannot go on; `code()` is what the process exits with. The message is one line
// meant for an operator, free of secrets.
class FatalError : public std::runtime_error {
  public:
    FatalError(ExitCode code, const std::string& message)
        : std::runtime_error(message), code_(code) {}
    ExitCode code() const { return code_; }

  private:
    ExitCode code_;
};

// A transient condition (connection refused, server starting up, connection lost): the
// caller may retry until its deadline.
class RetryableError : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

}  // namespace schemagate
