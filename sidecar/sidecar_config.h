// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "duration.h"
#include "logging.h"
#include "readiness.h"
#include "schema_state.h"

namespace schemagate {

// The sidecar's settings, from flags and SCHEMAGATE_* environment variables.
struct SidecarConfig {
    std::string database_url;                            // --database-url / DATABASE_URL; secret
    std::string database_url_source = "--database-url";  // or "DATABASE_URL", for messages
    std::string database_url_file;                       // --database-url-file
    StateLocation state;                                 // --schema, --name

    std::string listen_host = "0.0.0.0";  // --listen host:port, default 0.0.0.0:8733
    int listen_port = 8733;               // 0 picks a free port (logged), for tests
    // --expect N, or --migrations DIR (expected = highest file version there).
    MigrationVersion expect;
    // --max-version: newest schema this app still runs against; nullopt = no upper bound.
    std::optional<MigrationVersion> max_version;
    // What the release ships (README, "Expand and contract"): its highest migration version
    // (--expect, or --max-version, without a directory) and, read from --migrations, its
    // contract migrations.
    MigrationVersion shipped;
    std::vector<ContractPoint> contracts;
    // --pod-name, default $HOSTNAME: how this pod shows as a live reader of the schema.
    std::string pod_name;
    // --poll-interval, default 5s: one query per interval whatever the probe rate; NOTIFY
    // from the gate makes changes visible at once anyway, so polling only bounds staleness
    // when LISTEN is unavailable (PgBouncer transaction pooling).
    Millis poll_interval{5000};
    // --grace, default 30s: a database outage shorter than this keeps the last known answer.
    // Failing readiness on every blip would pull every pod out of the Service at once.
    Millis grace{30'000};
    // --on-outage, default keep-last: past the grace, keep the last verdict (and say it is
    // stale) rather than fail every replica at once; `unready` fails readiness instead.
    OnOutage on_outage = OnOutage::kKeepLast;
    // --check-timeout, default 3s: the longest one read of the version may take, enforced on
    // the client side (the socket is cut). A healthy read takes about a millisecond; a read
    // that hangs (a silent network cut) becomes a failure instead of a frozen answer.
    Millis check_timeout{3000};
    // --workers, default 2: event-loop threads serving HTTP. Each multiplexes any number of
    // connections (epoll), so idle or slow clients never hold a thread; probes are answered
    // from memory in microseconds.
    int workers = 2;
    // --request-timeout, default 5s: a request must be answered within this long of the
    // connection's start or of the previous answer on it, or the connection is closed: slow
    // (slowloris), stuck or idle clients cannot pile up.
    Millis request_timeout{5000};

    LogFormat log_format = LogFormat::kText;
    bool verbose = false;
};

// Returns the config, or the exit code to leave with (0 after --help/--version, 3 with one
// line on stderr naming the flag).
std::variant<SidecarConfig, int> parse_sidecar_config(int argc, const char* const* argv);

}  // namespace schemagate
