// SPDX-License-Identifier: Apache-2.0
#include "migration_name.h"

#include <gtest/gtest.h>

namespace schemagate {
namespace {

MigrationName parsed(const char* name) {
    const ParsedName result = parse_migration_name(name);
    EXPECT_TRUE(std::holds_alternative<MigrationName>(result)) << name;
    return std::holds_alternative<MigrationName>(result) ? std::get<MigrationName>(result)
                                                         : MigrationName{};
}

std::string reason(const char* name) {
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
    EXPECT_NE(reason("99999999999999999999_big.sql").find("too large"), std::string::npos);
    EXPECT_NE(reason("V2__b.SQL").find("lower-case .sql"), std::string::npos);
    EXPECT_NE(reason("0002_b.up.Sql").find("lower-case .sql"), std::string::npos);
}

}  // namespace
}  // namespace schemagate
