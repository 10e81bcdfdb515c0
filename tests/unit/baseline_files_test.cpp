// SPDX-License-Identifier: Apache-2.0
// Flyway's baseline migrations (B<version>__desc.sql, issue 26 item 2): on a database with no
// history the highest one at or below the target replaces the versioned files up to its
// version; with history they are ignored, as Flyway does.
#include <gtest/gtest.h>

#include "errors.h"
#include "migration_name.h"
#include "plan.h"

namespace schemagate {
namespace {

Migration versioned(std::int64_t version) {
    Migration m;
    m.version = version;
    m.file = "V" + std::to_string(version) + "__m.sql";
    m.checksum = "sum" + std::to_string(version);
    return m;
}

Migration baseline(std::int64_t version) {
    Migration m = versioned(version);
    m.file = "B" + std::to_string(version) + "__baseline.sql";
    m.checksum = "bsum" + std::to_string(version);
    m.baseline = true;
    return m;
}

AppliedMigration row(const Migration& m) {
    AppliedMigration a;
    a.version = m.version;
    a.file = m.file;
    a.checksum = m.checksum;
    a.applied_by = "pod-a/1";
    a.applied_at = "2026-01-01T00:00:00.000Z";
    a.success = true;
    return a;
}

MigrationSet set_of(std::initializer_list<std::int64_t> versions,
                    std::initializer_list<std::int64_t> baselines) {
    MigrationSet set;
    set.directory = "/migrations";
    for (const auto v : versions) set.migrations.push_back(versioned(v));
    for (const auto v : baselines) set.baselines.push_back(baseline(v));
    return set;
}

std::vector<std::string> files_of(const Plan& plan) {
    std::vector<std::string> files;
    for (const Migration* m : plan.pending) files.push_back(m->file);
    return files;
}

TEST(BaselineFiles, NamesAreFlywaysBPrefix) {
    const auto parsed = parse_migration_name("B1_20_0__baseline.sql");
    const auto* name = std::get_if<MigrationName>(&parsed);
    ASSERT_NE(name, nullptr);
    EXPECT_TRUE(name->baseline);
    EXPECT_EQ(name->version, *MigrationVersion::parse("1.20.0"));
    EXPECT_EQ(name->layout, NameLayout::kFlyway);
    EXPECT_FALSE(std::get<MigrationName>(parse_migration_name("V1__x.sql")).baseline);
    // Not a B name: a numbered file's leading letter is still refused as before.
    EXPECT_TRUE(std::holds_alternative<BadMigrationName>(parse_migration_name("Bx__y.sql")));
}

TEST(BaselineFiles, AnEmptyDatabaseStartsFromTheHighestAtOrBelowTheTarget) {
    const auto set = set_of({1, 2, 3, 4, 5, 6}, {3, 5});
    EXPECT_EQ(files_of(make_plan(set, std::vector<AppliedMigration>{}, 6)),
              (std::vector<std::string>{"B5__baseline.sql", "V6__m.sql"}));
    EXPECT_EQ(files_of(make_plan(set, std::vector<AppliedMigration>{}, 4)),
              (std::vector<std::string>{"B3__baseline.sql", "V4__m.sql"}));
    EXPECT_EQ(files_of(make_plan(set, std::vector<AppliedMigration>{}, 2)),
              (std::vector<std::string>{"V1__m.sql", "V2__m.sql"}));
}

TEST(BaselineFiles, AfterABaselineTheFilesItCoversAreNeitherPendingNorDrift) {
    const auto set = set_of({1, 2, 3, 4, 5, 6}, {3, 5});
    const Plan plan = make_plan(set, {row(set.baselines[1])}, 6);
    EXPECT_EQ(plan.current, 5);
    EXPECT_EQ(files_of(plan), (std::vector<std::string>{"V6__m.sql"}));
    EXPECT_TRUE(make_plan(set, {row(set.baselines[1]), row(set.migrations[5])}, 6).done());
}

TEST(BaselineFiles, OnADatabaseWithHistoryTheyAreIgnored) {
    const auto set = set_of({1, 2, 3, 4, 5, 6}, {5});
    EXPECT_EQ(files_of(make_plan(set, {row(set.migrations[0])}, 6)),
              (std::vector<std::string>{"V2__m.sql", "V3__m.sql", "V4__m.sql", "V5__m.sql",
                                        "V6__m.sql"}));
}

TEST(BaselineFiles, AChangedBaselineFileIsDrift) {
    auto set = set_of({6}, {5});
    const AppliedMigration applied = row(set.baselines[0]);
    set.baselines[0].checksum = "changed";
    try {
        make_plan(set, {applied}, 6);
        ADD_FAILURE() << "expected drift";
    } catch (const FatalError& e) {
        EXPECT_EQ(e.code(), ExitCode::kStateRefused);
        EXPECT_NE(std::string(e.what()).find("B5__baseline.sql"), std::string::npos) << e.what();
    }
}

TEST(BaselineFiles, TheyCountForTheHighestVersion) {
    EXPECT_EQ(set_of({1, 2}, {5}).highest_version(), 5);
    EXPECT_EQ(set_of({1, 6}, {5}).highest_version(), 6);
}

}  // namespace
}  // namespace schemagate
