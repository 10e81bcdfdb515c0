// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace schemagate {

using Millis = std::chrono::milliseconds;

// Parses "30s", "500ms", "10m", "1h", "1m30s" (Go style). A bare "0" means zero. Anything
// else -- "30x", "30", "-5s", "", anything over 365 days -- is nullopt, so that a typo is
// never a silent default.
std::optional<Millis> parse_duration(std::string_view text);

// "1m30s", "250ms", "0s": the shortest exact spelling, for logs and --help defaults.
std::string format_duration(Millis duration);

}  // namespace schemagate
