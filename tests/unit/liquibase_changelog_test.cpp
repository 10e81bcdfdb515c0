// SPDX-License-Identifier: Apache-2.0
// Liquibase formatted SQL, read as Liquibase's FormattedSqlChangeLogParser reads it, and its
// checksum version 9 (CheckSum.compute, AbstractSQLChange.NormalizingStream).
#include "liquibase_changelog.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <regex>

#include "errors.h"
#include "liquibase_migrations.h"

namespace schemagate {
namespace {

TEST(LiquibaseChecksum, IgnoresWhitespaceAsVersion9Does) {
    // Liquibase's own normalisation vector (AbstractSQLChangeTest.normalizeSql_latest).
    const std::string expected = liquibase_change_checksum_v9("alinewithdoublenewlines");
    EXPECT_EQ(
        liquibase_change_checksum_v9("\n\na\nline \n with \r\n \r\n double \n \n \n \n newlines"),
        expected);
    // md5("alinewithdoublenewlines"), and the changeset's md5 of "<change checksum>:".
    EXPECT_EQ(expected, "9:f24332401a03720a98940f69cf200cf8");
    EXPECT_EQ(liquibase_changeset_checksum_v9("alinewithdoublenewlines"),
              "9:cc2d8881d283f06a8ac87f29601af6f7");
}

TEST(LiquibaseChecksum, Version8NormalisesAsLiquibaseDid) {
    // Liquibase's own vectors (AbstractSQLChangeTest.normalizeSql_V8).
    EXPECT_EQ(liquibase_normalized_v8("x", true, false,
                                      "\n\na\nline \n with \r\n \r\n double \n \n \n \n newlines"),
              "x:true:false:a line with double newlines");
    EXPECT_EQ(liquibase_normalized_v8("x", true, false, "single line string with      whitespace"),
              "x:true:false:single line string with whitespace");
    EXPECT_EQ(liquibase_normalized_v8("x", true, false, " \n \n \n   \n  "), "x:true:false:");
    const auto changesets = read_liquibase_changelog(
        "--liquibase formatted sql\n--changeset a:1\nCREATE TABLE users (\n  id int PRIMARY KEY,"
        "\n  name text NOT NULL);\n--rollback DROP TABLE users;\n");
    ASSERT_EQ(changesets.size(), 1U);
    // "8:" + md5("8:" + md5("null:true:true:<SQL, whitespace runs as one space>") + ":").
    const auto sums = changesets[0].md5sums_v8();
    EXPECT_NE(std::find(sums.begin(), sums.end(), "8:3811e8ccb18ec9b2b413583d5b7bef0e"),
              sums.end());
}

TEST(LiquibaseChangelog, RecognisesItsFirstLine) {
    EXPECT_TRUE(is_liquibase_formatted("\n  -- liquibase formatted sql\n"));
    EXPECT_TRUE(is_liquibase_formatted("--Liquibase Formatted SQL logicalFilePath:x\n"));
    EXPECT_FALSE(is_liquibase_formatted("CREATE TABLE a (id int);\n--liquibase formatted sql\n"));
}

// The first line is matched by hand; it must answer as Liquibase's own pattern does.
TEST(LiquibaseChangelog, ItsFirstLineIsLiquibasesPattern) {
    const std::regex pattern(R"(\s*--\s*liquibase\s*formatted.*)",
                             std::regex::icase | std::regex::ECMAScript);
    for (const std::string line :
         {"--liquibase formatted sql", "  --  LIQUIBASE  FORMATTED", "--liquibaseformatted",
          "\t--\tliquibase\tformatted\tsql", "-- liquibase formatted\rsql",
          "--\rliquibase formatted", "-- liquibase formatte", "-- liquibase", "--", "",
          "- liquibase formatted", "-- liquibase: formatted", "--\vliquibase\fformatted",
          "/* liquibase formatted */", "-- Liquibase Formatted SQL logicalFilePath:db/x.sql",
          "--liquibase formatted\x80"}) {
        EXPECT_EQ(is_liquibase_formatted(line + "\n"), std::regex_match(line, pattern)) << line;
    }
}

TEST(LiquibaseChangelog, ReadsItsHeaderWithCrLfLineEnds) {
    const auto changesets = read_liquibase_changelog(
        "-- Liquibase Formatted SQL\r\n\r\n--changeset alice:1\r\nCREATE TABLE a (id int);\r\n");
    ASSERT_EQ(changesets.size(), 1U);
}

constexpr const char* kChangelog =
    "--liquibase formatted sql\n"
    "\n"
    "--changeset alice:1\n"
    "--comment: users\n"
    "CREATE TABLE users (\n"
    "  id int PRIMARY KEY, name text NOT NULL);\n"
    "--rollback DROP TABLE users;\n"
    "\n"
    "--changeset bob:add-index runInTransaction:false\n"
    "CREATE INDEX CONCURRENTLY users_name ON users (name);\n"
    "/* liquibase rollback\n"
    "DROP INDEX users_name;\n"
    "*/\n"
    "--changeset carol:oracle-only dbms:oracle\n"
    "CREATE SYNONYM x FOR y;\n"
    "--changeset dave:fn splitStatements:false\n"
    "CREATE TABLE t (id int); INSERT INTO t VALUES (1);\n";

TEST(LiquibaseChangelog, ReadsChangesetsAsLiquibaseDoes) {
    const auto changesets = read_liquibase_changelog(kChangelog);
    ASSERT_EQ(changesets.size(), 4U);
    EXPECT_EQ(changesets[0].author, "alice");
    EXPECT_EQ(changesets[0].id, "1");
    EXPECT_EQ(changesets[0].line, 3);
    // Its SQL, without the comment and rollback lines, whitespace aside.
    EXPECT_EQ(changesets[0].md5sum(),
              liquibase_changeset_checksum_v9(
                  "CREATE TABLE users (id int PRIMARY KEY, name text NOT NULL);"));
    const auto statements = changesets[0].statements();
    ASSERT_EQ(statements.size(), 1U);
    EXPECT_EQ(statements[0].line, 5);
    EXPECT_FALSE(changesets[1].run_in_transaction);
    ASSERT_EQ(changesets[1].statements().size(), 1U);  // the rollback block never runs
    EXPECT_TRUE(changesets[2].skipped);
    const auto unit = changesets[3].statements();
    ASSERT_EQ(unit.size(), 1U);
    EXPECT_EQ(unit[0].parts.size(), 2U);
}

TEST(LiquibaseChangelog, EndDelimiterSplitsThere) {
    const auto changesets = read_liquibase_changelog(
        "--liquibase formatted sql\n--changeset a:1 endDelimiter:/\n"
        "CREATE TABLE a (id int); INSERT INTO a VALUES (1)\n/\nCREATE TABLE b (id int)\n/\n");
    ASSERT_EQ(changesets.size(), 1U);
    const auto statements = changesets[0].statements();
    ASSERT_EQ(statements.size(), 2U);
    EXPECT_EQ(statements[0].parts.size(), 2U);
    EXPECT_EQ(statements[1].line, 5);
}

TEST(LiquibaseChangelog, RefusesWhatItCannotRunAsLiquibaseWould) {
    const auto line_of = [](const std::string& text) {
        try {
            read_liquibase_changelog(text);
        } catch (const SqlSyntaxError& e) {
            return e.line();
        }
        return 0;
    };
    const std::string head = "--liquibase formatted sql\n--changeset a:1";
    EXPECT_EQ(line_of(head + " runOnChange:true\nSELECT 1;\n"), 2);
    EXPECT_EQ(line_of(head + " runAlways:true\nSELECT 1;\n"), 2);
    EXPECT_EQ(line_of(head + " failOnError:false\nSELECT 1;\n"), 2);
    EXPECT_EQ(line_of(head + "\n--preconditions onFail:MARK_RAN\n"
                             "--precondition-sql-check expectedResult:0 SELECT 1\nSELECT 1;\n"),
              3);
    EXPECT_EQ(line_of(head + "\n--rollback DROP TABLE a;\n--changeset a:2\nSELECT 1;\n"), 2);
    EXPECT_EQ(line_of("--liquibase formatted sql\nCREATE TABLE a (id int);\n--changeset a:1\n"
                      "SELECT 1;\n"),
              1);
    EXPECT_EQ(line_of("--liquibase formatted sql\n--changeset nothing-after\nSELECT 1;\n"), 2);
    EXPECT_EQ(line_of("--liquibase formatted sql\n--include file:other.sql\n"), 2);
}

TEST(LiquibaseMigrations, OneMigrationPerChangesetNumberedByFileAndPosition) {
    const auto migrations = liquibase_migrations(kChangelog, "/m/007-users.sql", "007-users.sql");
    ASSERT_EQ(migrations.size(), 3U);  // the oracle-only changeset is not one
    EXPECT_EQ(migrations[0].version.text(), "7.1");
    EXPECT_EQ(migrations[0].description, "alice:1");
    EXPECT_EQ(migrations[1].version.text(), "7.2");
    EXPECT_TRUE(migrations[1].no_transaction);
    EXPECT_EQ(migrations[1].no_transaction_reason, "runInTransaction:false");
    EXPECT_EQ(migrations[2].version.text(), "7.4");
    ASSERT_TRUE(migrations[0].changeset);
    EXPECT_EQ(migrations[0].changeset->md5sum, read_liquibase_changelog(kChangelog)[0].md5sum());
    try {
        liquibase_migrations(kChangelog, "/m/changelog.sql", "changelog.sql");
        FAIL() << "a file name without a number was accepted";
    } catch (const FatalError& e) {
        EXPECT_EQ(e.code(), ExitCode::kBadInput);
        EXPECT_NE(std::string(e.what()).find("XML or YAML"), std::string::npos) << e.what();
    }
}

}  // namespace
}  // namespace schemagate

namespace schemagate {
namespace {

TEST(LiquibaseMigrations, AnXmlOrYamlChangelogIsNamedNotGuessedAt) {
    std::string pattern = "/tmp/sglb.XXXXXX";
    ASSERT_NE(mkdtemp(pattern.data()), nullptr);
    const std::filesystem::path directory = pattern;
    std::filesystem::create_directories(directory / "db");
    std::ofstream(directory / "db" / "db.changelog-master.yaml")
        << "databaseChangeLog:\n  - includeAll:\n      path: db/changelog/\n";
    const MigrationSet set = load_migration_set(directory.string());
    try {
        choose_target(set, std::nullopt);
        ADD_FAILURE() << "an empty set was targeted";
    } catch (const FatalError& e) {
        EXPECT_EQ(e.code(), ExitCode::kBadInput);
        EXPECT_NE(std::string(e.what()).find("Liquibase changelog in XML, YAML or JSON "
                                             "(db/db.changelog-master.yaml)"),
                  std::string::npos)
            << e.what();
    }
    std::filesystem::remove_all(directory);
}

}  // namespace
}  // namespace schemagate
