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

// The probe endpoints answer anyone who can reach the pod: they carry what a kubelet and a
// dashboard need and no application data. A remembered failure is where it failed and its
// SQLSTATE; the server's message (its DETAIL quotes rows: "Key (email)=(alice@example.com)")
// and the pod that failed stay in `status` (database credentials needed) and the logs.
nlohmann::json probe_failure_json(const RecordedFailure& failure) {
    return {{"version", version_json(failure.version)},
            {"file", failure.file},
            {"line", failure.line},
            {"sqlstate", failure.sqlstate},
            {"failed_at", failure.failed_at}};
}

// A batched migration's progress, without the pod that runs it (and, as in status, without
// its last key, which is the application's data).
nlohmann::json probe_batch_json(const BatchProgress& progress) {
    nlohmann::json body = batch_progress_json(progress);
    body.erase("updated_by");
    return body;
}

// The verdict on the schema itself: is it one this app runs against?
Readiness compatibility(const SchemaState& state, const ReadinessPolicy& policy) {
    const MigrationVersion version = state.version.value_or(MigrationVersion{});
    if (contracted_past(state, policy)) {
        return {false,
                "schema contracted past this release: " + version_label(state.contract->version) +
                    " (" + state.contract->file +
                    "), a contract migration this release does not ship, was applied at " +
                    state.contract->applied_at + "; this release ships up to " +
                    version_label(policy.shipped.none() ? policy.expect : policy.shipped),
                false};
    }
    const MigrationVersion expect = effective_expect(policy, version);
    // A dirty migration this app needs (at or below what it expects) leaves its schema in an
    // unknown state; one above is a later release's problem, reported but not this pod's.
    if (state.dirty && state.dirty->version <= expect) {
        return {false, version_label(state.dirty->version) + " is dirty", false};
    }
    if (version < expect) {
        return {false, "schema behind: at " + version.text() + ", app expects " + expect.text(),
                false};
    }
    if (policy.max_version && version > *policy.max_version) {
        return {false,
                "schema ahead: at " + version.text() + ", app supports up to " +
                    policy.max_version->text(),
                false};
    }
    std::string reason = "schema at " + version.text();
    if (const auto deferred = deferred_contract(policy, version)) {
        reason += " (" + version_label(*deferred) +
                  ", a contract migration, is deferred until `schemagate contract`)";
    }
    if (state.dirty) {
        reason +=
            " (" + version_label(state.dirty->version) + ", above what this app expects, is dirty)";
    }
    return {true, reason, false};
}

}  // namespace

std::optional<MigrationVersion> deferred_contract(const ReadinessPolicy& policy,
                                                  const MigrationVersion& current) {
    for (const auto& contract : policy.contracts) {
        if (contract.version > current && contract.version <= policy.expect) {
            return contract.version;
        }
    }
    return std::nullopt;
}

MigrationVersion effective_expect(const ReadinessPolicy& policy, const MigrationVersion& current) {
    for (const auto& contract : policy.contracts) {
        if (contract.version > current && contract.version <= policy.expect) {
            return std::min(contract.before, policy.expect);
        }
    }
    return policy.expect;
}

bool contracted_past(const SchemaState& state, const ReadinessPolicy& policy) {
    const MigrationVersion& shipped = policy.shipped.none() ? policy.expect : policy.shipped;
    return state.contract && state.contract->version > shipped;
}

Readiness evaluate(const SchemaSnapshot& snapshot, const ReadinessPolicy& policy,
                   std::chrono::steady_clock::time_point now) {
    if (!snapshot.ever_read) {
        // Not the error itself: libpq's text names the user, host, port and database, and the
        // probe endpoints answer anyone. The sidecar's log has it.
        return {false,
                snapshot.last_error.empty()
                    ? "no schema version read yet"
                    : "database not reached yet (the sidecar's log says why)",
                false};
    }
    auto outage_started = snapshot.database_up ? now : snapshot.first_failure;
    if (policy.stale_after > Millis{0} && now - snapshot.last_success > policy.stale_after) {
        outage_started = std::min(outage_started, snapshot.last_success + policy.stale_after);
    }
    const auto down_for = std::chrono::duration_cast<Millis>(now - outage_started);
    const bool stale = outage_started < now && down_for > policy.grace;
    const std::string outage =
        "database unreachable for " +
        std::to_string(std::chrono::duration_cast<std::chrono::seconds>(down_for).count()) + "s";
    if (stale && policy.on_outage == OnOutage::kUnready) return {false, outage, true};
    Readiness verdict = compatibility(snapshot.state, policy);
    if (stale) {
        verdict.stale = true;
        verdict.reason += " (last read before the " + outage + "; keeping the last verdict)";
    }
    return verdict;
}

nlohmann::json readiness_json(const SchemaSnapshot& snapshot, const ReadinessPolicy& policy,
                              const Readiness& readiness) {
    using nlohmann::json;
    const SchemaState& state = snapshot.state;
    json body;
    body["ready"] = readiness.ready;
    body["version"] = snapshot.ever_read ? version_json(state.version.value_or(MigrationVersion{}))
                                         : json(nullptr);
    const MigrationVersion current = state.version.value_or(MigrationVersion{});
    body["expected"] =
        version_json(snapshot.ever_read ? effective_expect(policy, current) : policy.expect);
    const auto deferred = snapshot.ever_read ? deferred_contract(policy, current) : std::nullopt;
    body["deferred_contract"] = deferred ? version_json(*deferred) : json(nullptr);
    body["contracted_past"] = contracted_past(state, policy);
    body["max_version"] = policy.max_version ? version_json(*policy.max_version) : json(nullptr);
    body["dirty"] = state.dirty.has_value();
    body["stale"] = readiness.stale;
    body["reason"] = readiness.reason;
    body["checked_at"] = snapshot.checked_at_unix > 0
                             ? json(iso_utc_from_unix(snapshot.checked_at_unix))
                             : json(nullptr);
    // A remembered failure: the schema stops below that migration until someone acts.
    body["failure"] = state.failure ? probe_failure_json(*state.failure) : json(nullptr);
    body["batch"] = state.batch ? probe_batch_json(*state.batch) : json(nullptr);
    if (state.lease && !state.lease->holder.empty() && !state.lease->expired) {
        body["lease"] = {{"expires_at", state.lease->expires_at}};
    } else {
        body["lease"] = nullptr;
    }
    return body;
}

}  // namespace schemagate
