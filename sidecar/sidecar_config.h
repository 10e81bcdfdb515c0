// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <variant>

#include "duration.h"
#include "logging.h"
#include "schema_state.h"

namespace schemagate {

// The sidecar's settings, from flags and SCHEMAGATE_* environment variables.
struct SidecarConfig {
    std::string database_url;       // --database-url / DATABASE_URL; secret
    std::string database_url_file;  // --database-url-file
    StateLocation state;            // --schema, --name

    std::string listen_host = "0.0.0.0";  // --listen host:port, default 0.0.0.0:8080
    int listen_port = 8080;               // 0 picks a free port (logged), for tests
    // --expect N, or --migrations DIR (expected = highest file version there).
    std::int64_t expect = 0;
    // --max-version: newest schema this app still runs against; nullopt = no upper bound.
    std::optional<std::int64_t> max_version;
    // --poll-interval, default 5s: one query per interval whatever the probe rate; NOTIFY
    // from the gate makes changes visible at once anyway, so polling only bounds staleness
    // when LISTEN is unavailable (PgBouncer transaction pooling).
    Millis poll_interval{5000};
    // --grace, default 30s: a database outage shorter than this keeps the last known answer.
    // Failing readiness on every blip would pull every pod out of the Service at once.
    Millis grace{30'000};
    // --workers, default 8: fixed HTTP worker threads, one connection each at a time. Probes
    // are answered from memory in microseconds; eight keep tail latency low under 50
    // concurrent keep-alive clients (bench/) while idle threads cost almost no memory.
    int workers = 8;
    // --request-timeout, default 5s: read/write timeout per connection, so a stuck client
    // cannot hold a worker.
    Millis request_timeout{5000};

    LogFormat log_format = LogFormat::kText;
    bool verbose = false;
};

// Returns the config, or the exit code to leave with (0 after --help/--version, 3 with one
// line on stderr naming the flag).
std::variant<SidecarConfig, int> parse_sidecar_config(int argc, const char* const* argv);

}  // namespace schemagate
