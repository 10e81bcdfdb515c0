// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <string>
#include <string_view>

namespace schemagate {

// Last line of defence for "passwords never reach a log, a message, a metric or an HTTP
// answer": every secret the process learns (the database password) is registered here,
// and every byte that leaves the process through a log sink or the termination message
// passes through scrub(). Thread-safe.
void register_secret(std::string_view secret);
std::string scrub(std::string_view text);

}  // namespace schemagate
