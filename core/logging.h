// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <string>

namespace schemagate {

enum class LogFormat { kText, kJson };

// Routes spdlog's default logger to stderr through the secret scrubber, as one line per
// event: "2026-11-24T01:02:03.456Z info  applying 3/12 ..." or one JSON object per line
// ({"ts","level","msg","program"}) for log collectors. Call once from main, before any
// thread starts.
void setup_logging(const std::string& program, LogFormat format, bool verbose);

}  // namespace schemagate
