// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <functional>
#include <string>

#include "exit_code.h"

namespace schemagate {

// The one top-level error boundary of both binaries: runs `body` and turns whatever escapes it
// into an exit code from DESIGN.md, reported once through `report` (one line, no secrets):
// FatalError -> its code; RetryableError or a lost connection -> 4 (unreachable); any other
// database error -> 1 with its SQLSTATE, message and the server's DETAIL/HINT; anything else
// -> 1 as an internal error.
int run_main(const std::function<int()>& body,
             const std::function<void(ExitCode, const std::string&)>& report);

}  // namespace schemagate
