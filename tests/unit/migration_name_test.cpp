// SPDX-License-Identifier: Apache-2.0
#include "migration_name.h"

#include <gtest/gtest.h>

namespace schemagate {
namespace {

MigrationName parsed(const std::string& name) {
    const ParsedName result = parse_migration_name(name);
    EXPECT_TRUE(std::holds_alternative<MigrationName>(result)) << name;
    return std::holds_alternative<MigrationName>(result) ? std::get<MigrationName>(result)
                                                         : MigrationName{};
}

std::string reason(const std::string& name) {
    const ParsedName result = parse_migration_name(name);
    EXPECT_TRUE(std::holds_alternative<BadMigrationName>(result)) << name;
    return std::holds_alternative<BadMigrationName>(result)
               ? std::get<BadMigrationName>(result).reason
               : "";
}

TEST(MigrationName, FlywayStyle) {
    const auto name = parsed("V3__add_users.sql");
    EXPECT_EQ(name.version, 3);
    EXPECT_EQ(name.description, "add users");
    EXPECT_EQ(parsed("V0012__x.sql").version, 12);
}

TEST(MigrationName, GolangMigrateStyle) {
    const auto name = parsed("0003_add_users.up.sql");
    EXPECT_EQ(name.version, 3);
    EXPECT_EQ(name.description, "add users");
    EXPECT_EQ(parsed("20240101120000_big.up.sql").version, 20240101120000);
    EXPECT_EQ(parsed("7_plain.sql").version, 7);
}

TEST(MigrationName, IgnoresWhatIsNotAMigration) {
    for (const char* name : {"0003_add_users.down.sql", "README.md", "..data", "..2024_01_01",
                             ".hidden.sql", "notes.txt"}) {
        EXPECT_TRUE(std::holds_alternative<IgnoredFile>(parse_migration_name(name))) << name;
    }
}

TEST(MigrationName, RejectsUnparsableNamesWithAReason) {
    EXPECT_NE(reason("add_users.sql").find("version"), std::string::npos);
    EXPECT_NE(reason("V3_add_users.sql").find("__"), std::string::npos);
    EXPECT_NE(reason("3-add-users.sql").find("_"), std::string::npos);
    EXPECT_NE(reason("V0__zero.sql").find("reserved"), std::string::npos);
    EXPECT_NE(reason(std::string(65, '9') + "_big.sql").find("longer than 64"), std::string::npos);
    EXPECT_NE(reason("V1..2__x.sql").find("not a version"), std::string::npos);
    EXPECT_NE(reason("V1.2.__x.sql").find("not a version"), std::string::npos);
    EXPECT_NE(reason("V2__b.SQL").find("lower-case .sql"), std::string::npos);
    EXPECT_NE(reason("0002_b.up.Sql").find("lower-case .sql"), std::string::npos);
}

TEST(MigrationName, FlywayDottedAndUnderscoredVersions) {
    EXPECT_EQ(parsed("V1_7__add_index.sql").version, *MigrationVersion::parse("1.7"));
    EXPECT_EQ(parsed("V1_7__add_index.sql").description, "add index");
    EXPECT_EQ(parsed("V13.1__x.sql").version.text(), "13.1");
    EXPECT_EQ(parsed("V2.0.10__x.sql").version.text(), "2.0.10");
    EXPECT_EQ(parsed("V2.0.10__x.sql").layout, NameLayout::kFlyway);
    EXPECT_EQ(parsed("V1___leading_underscore.sql").description, " leading underscore");
}

TEST(MigrationName, TimestampsOfAnyLength) {
    const auto name = parsed("20200601101000000000_create_users.up.sql");
    EXPECT_EQ(name.version.text(), "20200601101000000000");
    EXPECT_EQ(name.layout, NameLayout::kNumbered);
    EXPECT_GT(name.version, parsed("20200601100959999999_x.up.sql").version);
    EXPECT_EQ(parsed("20151129054053_test_migration.sql").version.text(), "20151129054053");
}

TEST(MigrationName, RepeatablesUndoAndCallbacks) {
    const auto repeatable = parsed("R__refresh_views.sql");
    EXPECT_TRUE(repeatable.repeatable);
    EXPECT_TRUE(repeatable.version.none());
    EXPECT_EQ(repeatable.description, "refresh views");
    EXPECT_NE(reason("R__.sql").find("description"), std::string::npos);
    const auto undo = parse_migration_name("U3__drop_users.sql");
    ASSERT_TRUE(std::holds_alternative<IgnoredFile>(undo));
    EXPECT_NE(std::get<IgnoredFile>(undo).reason.find("undo"), std::string::npos);
    for (const char* callback :
         {"beforeMigrate.sql", "afterMigrate.sql", "afterEachMigrate.sql",
          "beforeEachMigrateStatement__log.sql", "afterMigrateError.sql", "createSchema.sql"}) {
        EXPECT_NE(reason(callback).find("Flyway callback"), std::string::npos) << callback;
    }
}

TEST(MigrationVersion, ComparesPartByPartAsWholeNumbers) {
    const auto v = [](const char* text) { return *MigrationVersion::parse(text); };
    EXPECT_LT(v("1.2"), v("1.10"));
    EXPECT_LT(v("9"), v("10"));
    EXPECT_LT(v("1"), v("1.1"));
    EXPECT_LT(v("1.9.9"), v("2"));
    EXPECT_EQ(v("1.0"), v("1"));
    EXPECT_EQ(v("0007"), v("7"));
    EXPECT_EQ(v("1_1"), v("1.1"));
    EXPECT_EQ(v("1.0").text(), "1");
    EXPECT_LT(v("99999999999999999999"), v("100000000000000000000"));
    EXPECT_TRUE(v("0").none());
    EXPECT_LT(MigrationVersion{}, v("0.1"));
    for (const char* bad : {"", "1.", ".1", "1..2", "-1", "1a", " 1", "1.2 "}) {
        EXPECT_FALSE(MigrationVersion::parse(bad).has_value()) << bad;
    }
}

TEST(MigrationVersion, SqlFormRoundTripsIncludingTheBigintOfVersion01) {
    const auto version = *MigrationVersion::parse("2.0.10");
    EXPECT_EQ(version.sql_array(), "{2,0,10}");
    EXPECT_EQ(MigrationVersion::from_sql("{2,0,10}"), version);
    EXPECT_EQ(MigrationVersion::from_sql("7"), MigrationVersion(7));
    EXPECT_EQ(MigrationVersion::from_sql("{20200601101000000000}")->text(), "20200601101000000000");
}

TEST(MigrationVersion, ExactNumberOnlyWhereAFloat64HoldsIt) {
    EXPECT_EQ(MigrationVersion(7).exact_number(), 7.0);
    EXPECT_EQ(MigrationVersion{}.exact_number(), 0.0);
    EXPECT_EQ(MigrationVersion::parse("20240101120000")->exact_number(), 20240101120000.0);
    EXPECT_FALSE(MigrationVersion::parse("1.1")->exact_number());
    EXPECT_FALSE(MigrationVersion::parse("20200601101000000000")->exact_number());
    EXPECT_EQ(version_label(*MigrationVersion::parse("2.0.10")), "V2.0.10");
    EXPECT_EQ(version_label(MigrationVersion{}), "no migration");
}

}  // namespace
}  // namespace schemagate
