// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <chrono>
#include <string>

namespace schemagate {

// "2026-11-24T01:49:27.699Z": ISO 8601 UTC with milliseconds, the one format of every time
// schemagate shows (logs, status, the sidecar); iso_utc_sql renders database times the same way.
std::string iso_utc(std::chrono::system_clock::time_point when);

}  // namespace schemagate
