// SPDX-License-Identifier: Apache-2.0
#include "readiness.h"

#include <gtest/gtest.h>

namespace schemagate {
namespace {

using Clock = std::chrono::steady_clock;

SchemaSnapshot at_version(std::int64_t version) {
    SchemaSnapshot snapshot;
    snapshot.ever_read = true;
    snapshot.database_up = true;
    snapshot.state.initialized = true;
    snapshot.state.version = version;
    return snapshot;
}

TEST(Readiness, ReadyInsideTheWindow) {
    const ReadinessPolicy policy{5, 7, Millis{30'000}};
    for (std::int64_t v : {5, 6, 7}) {
        const auto r = evaluate(at_version(v), policy, Clock::now());
        EXPECT_TRUE(r.ready) << v;
        EXPECT_EQ(r.reason, "schema at " + std::to_string(v));
    }
}

TEST(Readiness, BehindAndAheadSaySo) {
    const ReadinessPolicy policy{5, 7, Millis{30'000}};
    const auto behind = evaluate(at_version(3), policy, Clock::now());
    EXPECT_FALSE(behind.ready);
    EXPECT_EQ(behind.reason, "schema behind: at 3, app expects 5");
    const auto ahead = evaluate(at_version(9), policy, Clock::now());
    EXPECT_FALSE(ahead.ready);
    EXPECT_EQ(ahead.reason, "schema ahead: at 9, app supports up to 7");
    EXPECT_TRUE(
        evaluate(at_version(900), ReadinessPolicy{5, std::nullopt, Millis{1}}, Clock::now()).ready);
}

TEST(Readiness, DirtyIsNotReadyOnlyWhenTheAppNeedsThatMigration) {
    auto snapshot = at_version(6);
    snapshot.state.dirty = DirtyMigration{7, "idx", "V7__idx.sql", "pod", "t"};
    const auto needed =
        evaluate(snapshot, ReadinessPolicy{7, std::nullopt, Millis{30'000}}, Clock::now());
    EXPECT_FALSE(needed.ready);
    EXPECT_EQ(needed.reason, "V7 is dirty");
    // An older pod (expects V5, schema at V6) keeps serving while a later release's V7 is
    // repaired.
    const auto later =
        evaluate(snapshot, ReadinessPolicy{5, std::nullopt, Millis{30'000}}, Clock::now());
    EXPECT_TRUE(later.ready);
    EXPECT_EQ(later.reason, "schema at 6 (V7, above what this app expects, is dirty)");
}

TEST(Readiness, AnOutageKeepsTheLastVerdictAndSaysItIsStale) {
    const auto start = Clock::now();
    auto snapshot = at_version(5);
    snapshot.database_up = false;
    snapshot.first_failure = start;
    const ReadinessPolicy policy{5, std::nullopt, Millis{30'000}};
    const auto within = evaluate(snapshot, policy, start + std::chrono::seconds(29));
    EXPECT_TRUE(within.ready);
    EXPECT_FALSE(within.stale);
    const auto past = evaluate(snapshot, policy, start + std::chrono::seconds(42));
    EXPECT_TRUE(past.ready);
    EXPECT_TRUE(past.stale);
    EXPECT_EQ(past.reason,
              "schema at 5 (last read before the database unreachable for 42s; keeping the last "
              "verdict)");
    // A pod that was behind stays not ready.
    auto behind = at_version(3);
    behind.database_up = false;
    behind.first_failure = start;
    EXPECT_FALSE(evaluate(behind, policy, start + std::chrono::seconds(42)).ready);
}

TEST(Readiness, StrictPolicyFailsAfterTheGrace) {
    const auto start = Clock::now();
    auto snapshot = at_version(5);
    snapshot.database_up = false;
    snapshot.first_failure = start;
    ReadinessPolicy policy{5, std::nullopt, Millis{30'000}};
    policy.on_outage = OnOutage::kUnready;
    EXPECT_TRUE(evaluate(snapshot, policy, start + std::chrono::seconds(29)).ready);
    const auto r = evaluate(snapshot, policy, start + std::chrono::seconds(42));
    EXPECT_FALSE(r.ready);
    EXPECT_TRUE(r.stale);
    EXPECT_EQ(r.reason, "database unreachable for 42s");
}

TEST(Readiness, NeverReadIsNotReady) {
    SchemaSnapshot snapshot;
    snapshot.last_error = "cannot connect to x: refused";
    const auto r = evaluate(snapshot, ReadinessPolicy{}, Clock::now());
    EXPECT_FALSE(r.ready);
    // libpq's text names the user, host, port and database: the log has it, the anonymous
    // probe does not.
    EXPECT_EQ(r.reason, "database not reached yet (the sidecar's log says why)");
}

TEST(Readiness, JsonCarriesEveryDocumentedField) {
    auto snapshot = at_version(5);
    snapshot.checked_at_unix = 1'700'000'000.25;
    snapshot.state.lease = LeaseInfo{"pod-a/1", 3, "a", "2026-01-01T00:00:30.000Z", false, ""};
    const ReadinessPolicy policy{5, 6, Millis{1000}};
    const auto body = readiness_json(snapshot, policy, evaluate(snapshot, policy, Clock::now()));
    for (const char* key : {"ready", "version", "expected", "max_version", "dirty", "stale",
                            "reason", "checked_at", "lease"}) {
        EXPECT_TRUE(body.contains(key)) << key;
    }
    EXPECT_EQ(body["checked_at"], "2023-11-14T22:13:20.250Z");
    EXPECT_EQ(body["lease"]["expires_at"], "2026-01-01T00:00:30.000Z");
    EXPECT_EQ(body["max_version"], 6);
}

// The probe endpoints answer anyone: a remembered failure is where it failed and its SQLSTATE,
// never the server's message (its DETAIL quotes rows) nor the pod names.
TEST(Readiness, JsonCarriesNoApplicationDataNorPodNames) {
    auto snapshot = at_version(5);
    snapshot.state.lease = LeaseInfo{"pod-a/1", 3, "a", "2026-01-01T00:00:30.000Z", false, ""};
    RecordedFailure failure;
    failure.version = MigrationVersion(6);
    failure.file = "V6__users.sql";
    failure.line = 3;
    failure.sqlstate = "23505";
    failure.message =
        "duplicate key value (DETAIL: Key (email)=(alice@example.com) already exists.)";
    failure.holder = "pod-b/9";
    snapshot.state.failure = failure;
    BatchProgress batch;
    batch.version = MigrationVersion(7);
    batch.holder = "pod-c/2";
    snapshot.state.batch = batch;
    const ReadinessPolicy policy{5, std::nullopt, Millis{1000}};
    const auto body = readiness_json(snapshot, policy, evaluate(snapshot, policy, Clock::now()));
    EXPECT_EQ(body["failure"]["version"], 6);
    EXPECT_EQ(body["failure"]["file"], "V6__users.sql");
    EXPECT_EQ(body["failure"]["line"], 3);
    EXPECT_EQ(body["failure"]["sqlstate"], "23505");
    EXPECT_EQ(body["batch"]["version"], 7);
    const std::string text = body.dump();
    for (const char* hidden : {"alice@example.com", "duplicate key", "pod-a", "pod-b", "pod-c"}) {
        EXPECT_EQ(text.find(hidden), std::string::npos) << hidden << " in " << text;
    }
}

}  // namespace
}  // namespace schemagate
