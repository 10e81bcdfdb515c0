// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <spdlog/common.h>

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

namespace schemagate {

enum class LogFormat { kText, kJson };

// Routes spdlog's default logger to stderr through the secret scrubber, as one line per
// event: "2026-11-24T01:02:03.456Z info  applying 3/12 ..." or one JSON object per line
// ({"ts","level","program","msg"}, plus "event" and its fields for log_event) for log
// collectors. Levels are named trace, debug, info, warn, error, fatal. Call once from main, before
// any thread starts.
void setup_logging(const std::string& program, LogFormat format, bool verbose);

// One event with a stable name and fields, for collectors to match on rather than on the
// wording: in JSON, {"ts", "level", "program", "event", <fields>, "msg"}; in text, the message
// alone. Field names in use: version, file, line, sqlstate, exit_code, holder, token,
// duration_ms, applied, target, reason (the README lists the events). Secrets are scrubbed
// from the fields as from the message.
void log_event(spdlog::level::level_enum level, std::string_view event,
               const nlohmann::json& fields, const std::string& message);

}  // namespace schemagate
