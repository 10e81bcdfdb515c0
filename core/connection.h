// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <memory>
#include <pqxx/connection>
#include <string>

#include "backoff.h"
#include "database_target.h"

namespace schemagate {

using Connection = std::unique_ptr<pqxx::connection>;

struct ConnectOptions {
    DatabaseTarget target;
    // When the target came from --database-url-file: long-running callers (the sidecar) read
    // the file again before each new connection, so a rotated Secret is picked up on the next
    // reconnect without a restart.
    std::string url_file;
    // Shows in pg_stat_activity, so an operator sees which pod holds what.
    std::string application_name = "schemagate";
    // More settings for the server's end, with its keepalives in the startup packet (never a
    // SET, see conninfo_with), asked of servers from `server_settings_since` on
    // (server_version_num: 140000 for idle_session_timeout); dropped, with a log line, for older
    // ones and behind a pooler that refuses the startup packet's options.
    ServerSettings server_settings;
    int server_settings_since = 0;
    // Per attempt; the overall bound is the caller's deadline.
    int connect_timeout_seconds = 5;
};

// One attempt. Throws RetryableError (refused, starting up, too many clients, network) or
// FatalError(kUnreachable) for failures that waiting cannot fix (bad password, unknown
// database), with a message saying what to check.
Connection connect_once(const ConnectOptions& options);

// Retries connect_once with jittered backoff until it succeeds, the deadline passes
// (FatalError kUnreachable) or a signal arrives (FatalError with 130 or 143). Never returns
// null. Logs each distinct reason once.
Connection connect_until(const ConnectOptions& options, const Deadline& deadline);

}  // namespace schemagate
