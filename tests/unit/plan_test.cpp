// SPDX-License-Identifier: Apache-2.0
#include "plan.h"

#include <gtest/gtest.h>

#include "errors.h"

namespace schemagate {
namespace {

Migration file(std::int64_t version, std::string checksum = "") {
    Migration m;
    m.version = version;
    m.file = "V" + std::to_string(version) + "__m.sql";
    m.checksum = checksum.empty() ? "sum" + std::to_string(version) : checksum;
    return m;
}

AppliedMigration applied(std::int64_t version, bool success = true, std::string checksum = "") {
    AppliedMigration a;
    a.version = version;
    a.file = "V" + std::to_string(version) + "__m.sql";
    a.checksum = checksum.empty() ? "sum" + std::to_string(version) : checksum;
    a.applied_by = "pod-a/1";
    a.applied_at = "2026-01-01T00:00:00.000Z";
    a.success = success;
    return a;
}

MigrationSet set_of(std::initializer_list<std::int64_t> versions) {
    MigrationSet set;
    set.directory = "/migrations";
    for (const auto v : versions) set.migrations.push_back(file(v));
    return set;
}

std::pair<ExitCode, std::string> refusal(const MigrationSet& set,
                                         const std::vector<AppliedMigration>& history,
                                         std::int64_t target) {
    try {
        make_plan(set, history, target);
    } catch (const FatalError& e) {
        return {e.code(), e.what()};
    }
    ADD_FAILURE() << "expected make_plan to refuse";
    return {ExitCode::kOk, ""};
}

TEST(Plan, EmptyDatabaseGetsEverythingUpToTarget) {
    const auto set = set_of({1, 2, 3, 4});
    const Plan plan = make_plan(set, std::vector<AppliedMigration>{}, 3);
    EXPECT_EQ(plan.current, 0);
    ASSERT_EQ(plan.pending.size(), 3u);
    EXPECT_EQ(plan.pending.front()->version, 1);
    EXPECT_EQ(plan.pending.back()->version, 3);
}

TEST(Plan, AtOrBeyondTargetIsDone) {
    const auto set = set_of({1, 2});
    EXPECT_TRUE(make_plan(set, {applied(1), applied(2)}, 2).done());
    // A newer app already migrated further (rolling back the app): still fine.
    EXPECT_TRUE(make_plan(set, {applied(1), applied(2), applied(3)}, 2).done());
}

TEST(Plan, ChecksumDriftIsRefusedNamingTheFile) {
    const auto set = set_of({1, 2});
    const auto [code, message] = refusal(set, {applied(1, true, "other")}, 2);
    EXPECT_EQ(code, ExitCode::kStateRefused);
    EXPECT_NE(message.find("V1__m.sql"), std::string::npos) << message;
    EXPECT_NE(message.find("drift"), std::string::npos) << message;
}

TEST(Plan, UnappliedVersionBelowCurrentIsOutOfOrder) {
    const auto set = set_of({1, 2, 3});
    const auto [code, message] = refusal(set, {applied(1), applied(3)}, 3);
    EXPECT_EQ(code, ExitCode::kStateRefused);
    EXPECT_NE(message.find("V2__m.sql"), std::string::npos) << message;
    EXPECT_NE(message.find("out-of-order"), std::string::npos) << message;
}

TEST(Plan, DirtyMigrationBlocksEverythingAndSaysWhoAndWhen) {
    const auto set = set_of({1, 2});
    const auto [code, message] = refusal(set, {applied(1), applied(2, false)}, 2);
    EXPECT_EQ(code, ExitCode::kStateRefused);
    EXPECT_NE(message.find("dirty"), std::string::npos) << message;
    EXPECT_NE(message.find("pod-a/1"), std::string::npos) << message;
    EXPECT_NE(message.find("2026-01-01"), std::string::npos) << message;
    EXPECT_NE(message.find("repair --version 2"), std::string::npos) << message;
}

TEST(Plan, FilesAboveTargetAreNotPending) {
    const auto set = set_of({1, 2, 3});
    const Plan plan = make_plan(set, {applied(1)}, 2);
    ASSERT_EQ(plan.pending.size(), 1u);
    EXPECT_EQ(plan.pending[0]->version, 2);
}

TEST(Plan, UnfinishedMigrationUnderTheLiveLeaseIsInProgressNotDirty) {
    const auto set = set_of({1, 2});
    auto running = applied(2, false);
    running.token = 5;
    const Plan plan = make_plan(set, {applied(1), running}, 2, 5);
    EXPECT_FALSE(plan.done());
    // The same record once that lease is gone (another token, or none) is dirty.
    EXPECT_EQ(refusal(set, {applied(1), running}, 2).first, ExitCode::kStateRefused);
    EXPECT_THROW(make_plan(set, {applied(1), running}, 2, 6), FatalError);
}

// The race a pooled gate met: it read V2 unfinished (token 5); V2 then finished, its holder let
// go and another gate took the lease (token 6); the gate's next look (one snapshot) found nothing
// dirty. V2's record must be excused by its own token, not by the new holder's.
TEST(Plan, AnUnfinishedMigrationNotDirtyInALaterLookIsExcusedByItsOwnToken) {
    const auto set = set_of({1, 2});
    auto running = applied(2, false);
    running.token = 5;
    const std::vector<AppliedMigration> history{applied(1), running};
    EXPECT_EQ(unfinished_token(history, false), std::optional<std::int64_t>(5));
    EXPECT_FALSE(make_plan(set, history, 2, unfinished_token(history, false)).done());
    // Dirty in the later look: nothing excuses it, and the plan refuses.
    EXPECT_EQ(unfinished_token(history, true), std::nullopt);
    EXPECT_THROW(make_plan(set, history, 2, unfinished_token(history, true)), FatalError);
    // A history with nothing unfinished needs no token.
    EXPECT_EQ(unfinished_token({applied(1), applied(2)}, false), std::nullopt);
}

}  // namespace
}  // namespace schemagate
