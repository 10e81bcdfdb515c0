// SPDX-License-Identifier: Apache-2.0
#include "readiness.h"

#include <cmath>
#include <ctime>

#include "iso_time.h"
#include "migration_name.h"
#include "version_json.h"

namespace schemagate {

namespace {

std::string iso_utc_from_unix(double unix_seconds) {
    if (unix_seconds <= 0) return "";
    return iso_utc(
        std::chrono::system_clock::time_point(std::chrono::round<std::chrono::milliseconds>(
            std::chrono::duration<double>(unix_seconds))));
}

}  // namespace

Readiness evaluate(const SchemaSnapshot& snapshot, const ReadinessPolicy& policy,
                   std::chrono::steady_clock::time_point now) {
    if (!snapshot.ever_read) {
        return {false, snapshot.last_error.empty()
                           ? "no schema version read yet"
                           : "database not reached yet: " + snapshot.last_error};
    }
    auto outage_started = snapshot.database_up ? now : snapshot.first_failure;
    if (policy.stale_after > Millis{0} && now - snapshot.last_success > policy.stale_after) {
        outage_started = std::min(outage_started, snapshot.last_success + policy.stale_after);
    }
    if (outage_started < now) {
        const auto down_for = std::chrono::duration_cast<Millis>(now - outage_started);
        if (down_for > policy.grace) {
            return {false,
                    "database unreachable for " +
                        std::to_string(
                            std::chrono::duration_cast<std::chrono::seconds>(down_for).count()) +
                        "s"};
        }
    }
    const SchemaState& state = snapshot.state;
    if (state.dirty) {
        return {false, version_label(state.dirty->version) + " is dirty"};
    }
    const MigrationVersion version = state.version.value_or(MigrationVersion{});
    if (version < policy.expect) {
        return {false, "schema behind: at " + version.text() + ", app expects " +
                           policy.expect.text()};
    }
    if (policy.max_version && version > *policy.max_version) {
        return {false, "schema ahead: at " + version.text() + ", app supports up to " +
                           policy.max_version->text()};
    }
    return {true, "schema at " + version.text()};
}

nlohmann::json readiness_json(const SchemaSnapshot& snapshot, const ReadinessPolicy& policy,
                              const Readiness& readiness) {
    using nlohmann::json;
    const SchemaState& state = snapshot.state;
    json body;
    body["ready"] = readiness.ready;
    body["version"] =
        snapshot.ever_read ? version_json(state.version.value_or(MigrationVersion{})) : json(nullptr);
    body["expected"] = version_json(policy.expect);
    body["max_version"] = policy.max_version ? version_json(*policy.max_version) : json(nullptr);
    body["dirty"] = state.dirty.has_value();
    body["reason"] = readiness.reason;
    body["checked_at"] = snapshot.checked_at_unix > 0
                             ? json(iso_utc_from_unix(snapshot.checked_at_unix))
                             : json(nullptr);
    if (state.lease && !state.lease->holder.empty() && !state.lease->expired) {
        body["lease"] = {{"holder", state.lease->holder}, {"expires_at", state.lease->expires_at}};
    } else {
        body["lease"] = nullptr;
    }
    return body;
}

}  // namespace schemagate
