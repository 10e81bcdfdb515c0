// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <chrono>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "duration.h"
#include "schema_snapshot.h"

namespace schemagate {

// What a database outage longer than the grace does to readiness.
enum class OnOutage {
    kKeepLast,  // keep the verdict of the last read (fail static): an outage is shared by every
                // replica, and failing them all would empty the Service for no gain
    kUnready,   // strict: not ready once the grace has passed
};

struct ReadinessPolicy {
    MigrationVersion expect;
    std::optional<MigrationVersion> max_version;
    Millis grace{30'000};
    // A last success older than this counts as the start of an outage even if no check has
    // failed yet (a check that never returns): poll interval + check timeout + a second.
    // Zero disables it.
    Millis stale_after{0};
    OnOutage on_outage = OnOutage::kKeepLast;
};

struct Readiness {
    bool ready = false;
    std::string reason;  // a sentence for people: "schema behind: at 3, app expects 5"
    bool stale = false;  // the verdict rests on a read older than the grace
};

// Pure: decides readiness from a snapshot at `now`. Unit-tested without a database.
Readiness evaluate(const SchemaSnapshot& snapshot, const ReadinessPolicy& policy,
                   std::chrono::steady_clock::time_point now);

// The JSON body of /readyz and /version, which answer anyone:
// {"ready","version","expected","max_version","dirty","stale","reason","checked_at",
// "lease":{"expires_at"},"failure":{"version","file","line","sqlstate","failed_at"},"batch"}.
// No application data: no server message, no database user/host/port/name, no pod name.
nlohmann::json readiness_json(const SchemaSnapshot& snapshot, const ReadinessPolicy& policy,
                              const Readiness& readiness);

}  // namespace schemagate
