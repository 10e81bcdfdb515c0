// SPDX-License-Identifier: Apache-2.0
// The pure parts of `wait --fleet` (a tenant's state against the target) and of `fleet
// status`'s rate and ETA (docs/fleet.md).
#include <gtest/gtest.h>

#include "fleet_rate.h"
#include "fleet_wait.h"

namespace schemagate {
namespace {

using Kind = TenantWaitLook::Kind;

MigrationVersion v(const std::string& text) {
    return *MigrationVersion::parse(text);
}

MigrationSet three_files() {
    MigrationSet files;
    for (const char* version : {"1", "2", "3"}) {
        Migration m;
        m.version = v(version);
        m.file = std::string("V") + version + "__x.sql";
        m.checksum = std::string("sum") + version;
        files.migrations.push_back(m);
    }
    return files;
}

SchemaState at(const char* version) {
    SchemaState state;
    state.initialized = true;
    if (version != nullptr) state.version = v(version);
    return state;
}

RecordedFailure failure_of(const char* version, const std::string& checksum) {
    RecordedFailure failure;
    failure.version = v(version);
    failure.file = std::string("V") + version + "__x.sql";
    failure.checksum = checksum;
    failure.line = 4;
    failure.sqlstate = "23514";
    return failure;
}

TEST(TenantWaitLook, ReadyBehindOrStuckByVersionFailureAndDirt) {
    const MigrationSet files = three_files();
    EXPECT_EQ(look_at_tenant(at("3"), v("3"), files).kind, Kind::kReady);
    EXPECT_EQ(look_at_tenant(at("2"), v("3"), files).why, "at 2");
    EXPECT_EQ(look_at_tenant(at(nullptr), v("3"), files).why, "not started");
    SchemaState failed = at("1");
    failed.failure = failure_of("2", "sum2");
    const TenantWaitLook stuck = look_at_tenant(failed, v("3"), files);
    EXPECT_EQ(stuck.kind, Kind::kStuck);
    EXPECT_EQ(stuck.why, "failed: V2__x.sql line 4, SQLSTATE 23514");
    // The file changed since it failed: the next run tries it again.
    failed.failure = failure_of("2", "older");
    EXPECT_EQ(look_at_tenant(failed, v("3"), files).kind, Kind::kBehind);
    // Without the files nothing tells a fixed file from the same one.
    EXPECT_EQ(look_at_tenant(failed, v("3"), MigrationSet{}).kind, Kind::kStuck);
    // A failure above the target is not this wait's business; one below the version is past.
    failed.failure = failure_of("3", "sum3");
    EXPECT_EQ(look_at_tenant(failed, v("2"), files).kind, Kind::kBehind);
    SchemaState past = at("3");
    past.failure = failure_of("2", "sum2");
    EXPECT_EQ(look_at_tenant(past, v("3"), files).kind, Kind::kReady);
    SchemaState dirty = at("2");
    dirty.dirty = DirtyMigration{v("3"), "x", "V3__x.sql", "pod", "now"};
    EXPECT_EQ(look_at_tenant(dirty, v("3"), files).kind, Kind::kStuck);
}

TEST(FleetRate, PaceSinceTheFirstRecentArrivalAndTheEtaOfTheRest) {
    EXPECT_FALSE(fleet_rate({}, 10));
    // 30 tenants over the last two minutes: 15 a minute; 45 more take three minutes.
    std::vector<double> ages;
    for (int i = 0; i < 30; ++i) ages.push_back(120.0 - 4.0 * i);
    const auto rate = fleet_rate(ages, 45);
    ASSERT_TRUE(rate);
    EXPECT_EQ(rate->reached, 30U);
    EXPECT_DOUBLE_EQ(rate->per_minute, 15.0);
    EXPECT_DOUBLE_EQ(rate->eta_seconds, 180.0);
    EXPECT_DOUBLE_EQ(fleet_rate(ages, 0)->eta_seconds, 0.0);
    // One arrival a moment ago: counted over at least a second.
    EXPECT_DOUBLE_EQ(fleet_rate({0.01}, 1)->per_minute, 60.0);
}

}  // namespace
}  // namespace schemagate
