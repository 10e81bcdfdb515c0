// SPDX-License-Identifier: Apache-2.0
#include "wait_decision.h"

#include <gtest/gtest.h>

namespace schemagate {
namespace {

using Action = WaitDecision::Action;

struct FakeClock {
    TimePoint now{};
    NowFunction function() {
        return [this] { return now; };
    }
};

Look behind(std::int64_t current, std::int64_t target, std::size_t pending) {
    Look look;
    look.current = current;
    look.target = target;
    look.pending = pending;
    return look;
}

LeaseHeld held_by(const std::string& holder, bool busy) {
    LeaseHeld held;
    held.by.holder = holder;
    held.by.expires_at = "2026-11-24T10:00:30.000Z";
    held.busy = busy;
    return held;
}

TEST(WaitDecision, WaitIsDoneOnceTheSchemaReachesTheTarget) {
    FakeClock clock;
    const Deadline deadline(Millis{1000}, clock.function());
    const auto at = decide(WaitMode::kWait, behind(5, 5, 0), deadline);
    EXPECT_EQ(at.action, Action::kDone);
    EXPECT_EQ(at.reason, "schema is at V5 (target V5): ready");
    EXPECT_EQ(decide(WaitMode::kWait, behind(7, 5, 0), deadline).action, Action::kDone);
}

TEST(WaitDecision, MigrateIsDoneWhenNothingIsPendingEvenBelowTheHighestFile) {
    FakeClock clock;
    const Deadline deadline(Millis{1000}, clock.function());
    const auto decision = decide(WaitMode::kMigrate, behind(3, 3, 0), deadline);
    EXPECT_EQ(decision.action, Action::kDone);
    EXPECT_EQ(decision.reason, "schema is at V3 (target V3): nothing to do");
}

TEST(WaitDecision, MigrateTriesTheLeaseFirstThenWaitsNamingTheHolder) {
    FakeClock clock;
    const Deadline deadline(Millis{1000}, clock.function());
    Look look = behind(2, 5, 3);
    EXPECT_EQ(decide(WaitMode::kMigrate, look, deadline).action, Action::kTakeLease);
    look.lease_held = held_by("pod-a/7", false);
    const auto waiting = decide(WaitMode::kMigrate, look, deadline);
    EXPECT_EQ(waiting.action, Action::kWait);
    EXPECT_EQ(waiting.reason,
              "schema at V2, 3 pending; lease held by pod-a/7 until 2026-11-24T10:00:30.000Z");
}

TEST(WaitDecision, ABusyOrReleasingLeaseIsNamedAsSuch) {
    FakeClock clock;
    const Deadline deadline(Millis{1000}, clock.function());
    Look look = behind(2, 5, 3);
    look.lease_held = held_by("pod-a/7", true);
    EXPECT_EQ(decide(WaitMode::kMigrate, look, deadline).reason,
              "schema at V2, 3 pending; lease held by pod-a/7");
    look.lease_held = held_by("", false);
    EXPECT_EQ(decide(WaitMode::kMigrate, look, deadline).reason,
              "schema at V2, 3 pending; lease held by (releasing) until "
              "2026-11-24T10:00:30.000Z");
}

TEST(WaitDecision, WaitNeverTakesTheLease) {
    FakeClock clock;
    const Deadline deadline(Millis{1000}, clock.function());
    const auto decision = decide(WaitMode::kWait, behind(2, 5, 3), deadline);
    EXPECT_EQ(decision.action, Action::kWait);
    EXPECT_EQ(decision.reason, "schema at V2, waiting for V5");
}

TEST(WaitDecision, GivesUpOnlyOnceTheDeadlinePassed) {
    FakeClock clock;
    const Deadline deadline(Millis{1000}, clock.function());
    clock.now += Millis{999};
    EXPECT_EQ(decide(WaitMode::kWait, behind(2, 5, 0), deadline).action, Action::kWait);
    EXPECT_EQ(decide(WaitMode::kMigrate, behind(2, 5, 3), deadline).action, Action::kTakeLease);
    clock.now += Millis{1};
    EXPECT_EQ(decide(WaitMode::kWait, behind(2, 5, 0), deadline).action, Action::kGiveUp);
    EXPECT_EQ(decide(WaitMode::kMigrate, behind(2, 5, 3), deadline).action, Action::kGiveUp);
    // Reaching the target wins over the deadline: the schema is there, the pod may start.
    EXPECT_EQ(decide(WaitMode::kWait, behind(5, 5, 0), deadline).action, Action::kDone);
}

TEST(WaitDecision, WaitRefusesADirtySchemaWithTheRepairCommand) {
    FakeClock clock;
    const Deadline deadline(Millis{1000}, clock.function());
    Look look = behind(6, 8, 0);
    look.dirty = DirtyMigration{7, "index", "V7__index.sql", "pod-b/1", "2026-11-24T09:00:00Z"};
    const auto decision = decide(WaitMode::kWait, look, deadline);
    EXPECT_EQ(decision.action, Action::kRefuse);
    EXPECT_EQ(decision.reason,
              "V7 (V7__index.sql) is dirty: started by pod-b/1 at 2026-11-24T09:00:00Z and never "
              "finished; an operator must run `schemagate repair`");
}

}  // namespace
}  // namespace schemagate
