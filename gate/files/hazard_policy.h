// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace schemagate {

// What `migrate` does about a migration that would hold a lock while it rewrites, scans or
// indexes a relation of real size (--hazards, SCHEMAGATE_HAZARDS).
enum class HazardMode {
    kRefuse,  // exit 5 before anything runs, naming the statement and the safe alternative
    kDefer,   // apply nothing; wait (like `wait`) for the migration Job to apply it
    kWarn,    // log a `hazard` event and run it
    kOff,     // do not look
};

struct HazardPolicy {
    // refuse: a gate runs at pod start with nobody watching; a stalled rollout (the old pods
    // keep serving) costs an `allow` line, a table locked for minutes costs an outage.
    HazardMode mode = HazardMode::kRefuse;
    // --hazard-threshold, default 10MB: relations below it are rewritten or indexed in under
    // half a second (measured ~25 MB/s for a rewrite with index rebuilds on two cores), short
    // enough for the lock queue behind it to drain inside ordinary client timeouts.
    std::uint64_t threshold_bytes = std::uint64_t{10} << 20;
};

// Reads --hazards / SCHEMAGATE_HAZARDS values; nullopt for anything else.
std::optional<HazardMode> hazard_mode_named(const std::string& name);
// --hazard-threshold: "50MB", "1GB", "512kB" (PostgreSQL's units: 1024-based, as
// pg_size_pretty prints them), also "64MiB", "64Mi" or bytes.
std::optional<std::uint64_t> parse_hazard_threshold(const std::string& text);

}  // namespace schemagate
