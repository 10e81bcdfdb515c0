// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <chrono>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "duration.h"
#include "schema_snapshot.h"

namespace schemagate {

struct ReadinessPolicy {
    MigrationVersion expect;
    std::optional<MigrationVersion> max_version;
    Millis grace{30'000};
    // A last success older than this counts as the start of an outage even if no check has
    // failed yet (a check that never returns): poll interval + check timeout + a second.
    // Zero disables it.
    Millis stale_after{0};
};

struct Readiness {
    bool ready = false;
    std::string reason;  // a sentence for people: "schema behind: at 3, app expects 5"
};

// Pure: decides readiness from a snapshot at `now`. Unit-tested without a database.
Readiness evaluate(const SchemaSnapshot& snapshot, const ReadinessPolicy& policy,
                   std::chrono::steady_clock::time_point now);

// The JSON body of /readyz and /version:
// {"ready","version","expected","max_version","dirty","reason","checked_at","lease":{...}}.
nlohmann::json readiness_json(const SchemaSnapshot& snapshot, const ReadinessPolicy& policy,
                              const Readiness& readiness);

}  // namespace schemagate
