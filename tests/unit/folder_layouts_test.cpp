// SPDX-License-Identifier: Apache-2.0
// Prisma's and diesel's folder layouts, the tools' own checksums, adoption from their tables,
// and the names of layouts schemagate cannot run.
#include "folder_layouts.h"

#include <gtest/gtest.h>

#include "adoption.h"
#include "errors.h"
#include "unsupported_layouts.h"

namespace schemagate {
namespace {

MigrationName name_of(std::string_view relative) {
    const auto parsed = parse_folder_file(relative);
    EXPECT_TRUE(parsed.has_value()) << relative;
    const auto* name = parsed ? std::get_if<MigrationName>(&*parsed) : nullptr;
    EXPECT_NE(name, nullptr) << relative;
    return name ? *name : MigrationName{};
}

TEST(FolderLayouts, PrismaFoldersGiveTheirTimestampAndName) {
    const MigrationName name = name_of("20240131120000_add_users/migration.sql");
    EXPECT_EQ(name.version.text(), "20240131120000");
    EXPECT_EQ(name.description, "add users");
    EXPECT_EQ(name.layout, NameLayout::kPrisma);
    // Prisma's baselining docs name the first folder 0_init: it runs first, as 0.1.
    EXPECT_EQ(name_of("0_init/migration.sql").version.text(), "0.1");
    const auto bad = parse_folder_file("init/migration.sql");
    ASSERT_TRUE(bad);
    ASSERT_TRUE(std::holds_alternative<BadMigrationName>(*bad));
    EXPECT_NE(std::get<BadMigrationName>(*bad).reason.find("Prisma migration folder 'init'"),
              std::string::npos);
}

TEST(FolderLayouts, DieselVersionsDropDashesAndSetupComesFirst) {
    const MigrationName name = name_of("2024-01-31-120000_create_users/up.sql");
    EXPECT_EQ(name.version.text(), "20240131120000");
    EXPECT_EQ(name.description, "create users");
    EXPECT_EQ(name.layout, NameLayout::kDiesel);
    const MigrationName setup = name_of("00000000000000_diesel_initial_setup/up.sql");
    EXPECT_EQ(setup.version.text(), "0.1");
    EXPECT_LT(setup.version, name.version);
    EXPECT_GT(setup.version, MigrationVersion{});
    EXPECT_EQ(diesel_version_of("00000000000000"), setup.version);
    EXPECT_EQ(diesel_version_of("20240131120000"), name.version);
    EXPECT_FALSE(diesel_version_of("abc"));
    const auto down = parse_folder_file("2024-01-31-120000_create_users/down.sql");
    ASSERT_TRUE(down);
    EXPECT_TRUE(std::holds_alternative<IgnoredFile>(*down));
    // Flat files are not a folder layout's: the usual names apply.
    EXPECT_FALSE(parse_folder_file("V1__x.sql"));
    EXPECT_FALSE(parse_folder_file("sub/0001_x.up.sql"));
}

Migration in_folder(const std::string& folder, const std::string& file, int version) {
    Migration migration;
    migration.version = version;
    migration.file = folder + "/" + file;
    return migration;
}

TEST(FolderLayouts, AnOrderTheToolWouldReadDifferentlyIsRefused) {
    const std::vector<Migration> agree = {in_folder("1_a", "up.sql", 1),
                                          in_folder("2_b", "up.sql", 2)};
    EXPECT_NO_THROW(check_folder_order(agree, NameLayout::kDiesel));
    const std::vector<Migration> differ = {in_folder("9_a", "migration.sql", 9),
                                           in_folder("10_b", "migration.sql", 10)};
    try {
        check_folder_order(differ, NameLayout::kPrisma);
        ADD_FAILURE() << "expected a refusal";
    } catch (const FatalError& e) {
        EXPECT_EQ(e.code(), ExitCode::kBadInput);
        EXPECT_NE(std::string(e.what()).find("puts 10_b before 9_a"), std::string::npos)
            << e.what();
    }
    EXPECT_NO_THROW(check_folder_order(differ, NameLayout::kNumbered));
}

TEST(ToolChecksums, PrismaIsSha256HexAndAcceptsOtherLineEndsAndUnpaddedHex) {
    // prisma-engines' own test value for "hello".
    const auto sums = tool_checksums(NameLayout::kPrisma, "hello");
    ASSERT_EQ(sums.size(), 1U);
    EXPECT_EQ(sums[0], "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824");
    const auto lf = tool_checksums(NameLayout::kPrisma, "a\nb\n");
    const auto crlf = tool_checksums(NameLayout::kPrisma, "a\r\nb\r\n");
    EXPECT_TRUE(tool_checksum_matches(lf, crlf.front()));
    EXPECT_TRUE(tool_checksum_matches(crlf, lf.front()));
    EXPECT_FALSE(tool_checksum_matches(lf, tool_checksums(NameLayout::kPrisma, "a\nb").front()));
    // Old Prisma wrote 0x0e as "e": the digest of "hello" has bytes 0x0e and 0x04.
    EXPECT_TRUE(tool_checksum_matches(
        sums, "2cf24dba5fb0a3e26e83b2ac5b9e29e1b161e5c1fa7425e7343362938b9824"));
    EXPECT_TRUE(tool_checksums(NameLayout::kDiesel, "x").empty());
}

TEST(ToolChecksums, SqlxIsSha384OfTheBytes) {
    const auto sums = tool_checksums(NameLayout::kNumbered, "");
    ASSERT_EQ(sums.size(), 1U);
    EXPECT_EQ(sums[0],
              "38b060a751ac96384cd9327eb1b1e36a21fdb71114be07434c0cc7bf63f6e1da274edebfe76f65fb"
              "d51ad2f14898b95b");
    EXPECT_TRUE(tool_checksum_matches(sums,
                                      "38B060A751AC96384CD9327EB1B1E36A21FDB71114BE07434C0C"
                                      "C7BF63F6E1DA274EDEBFE76F65FBD51AD2F14898B95B"));
}

ForeignHistory history_with(OtherTool tool, const std::vector<std::string>& checksums) {
    ForeignHistory history;
    history.tool = tool;
    history.table = "t";
    for (std::size_t i = 0; i < checksums.size(); ++i) {
        ForeignMigration row;
        row.version = static_cast<int>(i + 1);
        row.tool_checksum = checksums[i];
        history.applied.push_back(row);
        history.latest = row.version;
    }
    return history;
}

TEST(AppToolAdoption, ChecksumsAreComparedUnlessAccepted) {
    MigrationSet files;
    for (int v = 1; v <= 3; ++v) {
        Migration m = in_folder(std::to_string(v) + "_x", "migration.sql", v);
        m.tool_checksums = tool_checksums(NameLayout::kPrisma, "SELECT " + std::to_string(v));
        files.migrations.push_back(m);
    }
    const auto good = history_with(OtherTool::kPrisma, {files.migrations[0].tool_checksums[0],
                                                        files.migrations[1].tool_checksums[0]});
    const Adoption adoption = plan_adoption(files, good, false);
    EXPECT_EQ(adoption.migrations.size(), 2U);
    EXPECT_EQ(adoption.up_to, MigrationVersion{2});
    const auto changed =
        history_with(OtherTool::kSqlx, {"00", files.migrations[1].tool_checksums[0]});
    try {
        plan_adoption(files, changed, false);
        ADD_FAILURE() << "expected a refusal";
    } catch (const FatalError& e) {
        EXPECT_EQ(e.code(), ExitCode::kStateRefused);
        EXPECT_NE(std::string(e.what()).find("changed since sqlx applied them (its checksum "
                                             "differs): 1_x/migration.sql"),
                  std::string::npos)
            << e.what();
    }
    EXPECT_EQ(plan_adoption(files, changed, true).migrations.size(), 2U);
}

TEST(UnsupportedLayouts, NamesTheToolFromItsFiles) {
    const auto said = [](std::vector<std::string> files) {
        return recognise_unsupported_layout(files).value_or("");
    };
    EXPECT_NE(said({"20240101000000_create_users.rb"}).find("Rails"), std::string::npos);
    EXPECT_NE(said({"alembic.ini", "versions/1a2b3c_add_users.py"}).find("Alembic"),
              std::string::npos);
    EXPECT_NE(said({"0001_initial.py", "__init__.py"}).find("Django"), std::string::npos);
    EXPECT_NE(said({"deploy/users.sql", "revert/users.sql", "sqitch.plan"}).find("Sqitch"),
              std::string::npos);
    EXPECT_NE(said({"20240101000000_users.js"}).find("Knex"), std::string::npos);
    EXPECT_NE(said({"1700000000000-CreateUsers.ts"}).find("TypeORM"), std::string::npos);
    // A Liquibase XML/YAML changelog is named by the Liquibase reader (liquibase_migrations).
    EXPECT_EQ(said({"db.changelog-master.yaml"}), "");
    EXPECT_NE(said({"00001_users.go"}).find("goose Go"), std::string::npos);
    EXPECT_NE(said({"sub/V2__Seed.java"}).find("Flyway Java"), std::string::npos);
    EXPECT_NE(said({"x/20240101000000_create_users.rb"}).find("(x/20240101000000_create_users.rb)"),
              std::string::npos);
    EXPECT_EQ(said({"V1__x.sql", "README.md", "notes.txt"}), "");
}

}  // namespace
}  // namespace schemagate
