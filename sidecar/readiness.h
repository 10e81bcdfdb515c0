// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <chrono>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "duration.h"
#include "schema_snapshot.h"

namespace schemagate {

// What a database outage longer than the grace does to readiness.
enum class OnOutage {
    kKeepLast,  // keep the verdict of the last read (fail static): an outage is shared by every
                // replica, and failing them all would empty the Service for no gain
    kUnready,   // strict: not ready once the grace has passed
};

// A contract migration this release ships (README, "Expand and contract"), and the highest
// version before it: until `schemagate contract` applies it, the app runs against that one.
struct ContractPoint {
    MigrationVersion version;
    MigrationVersion before;

    bool operator==(const ContractPoint&) const = default;
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
    // The highest version this release ships (none: `expect`): a contract migration above it,
    // applied, means the schema moved past what this release's code understands.
    MigrationVersion shipped{};
    std::vector<ContractPoint> contracts{};  // ascending
};

// The version the app needs at schema version `current`: `expect`, or the version before the
// first contract migration it ships that is not applied yet (above `current`).
MigrationVersion effective_expect(const ReadinessPolicy& policy, const MigrationVersion& current);

// That contract migration, if any: deferred until `schemagate contract`.
std::optional<MigrationVersion> deferred_contract(const ReadinessPolicy& policy,
                                                  const MigrationVersion& current);

// True when a contract migration this release does not ship was applied.
bool contracted_past(const SchemaState& state, const ReadinessPolicy& policy);

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
