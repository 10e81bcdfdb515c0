// SPDX-License-Identifier: Apache-2.0
#include "migration_set.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>

#include "errors.h"
#include "migration_name.h"

namespace schemagate {
namespace {

namespace fs = std::filesystem;

class MigrationSetTest : public ::testing::Test {
  protected:
    void SetUp() override {
        std::string pattern = (fs::temp_directory_path() / "sgset.XXXXXX").string();
        ASSERT_NE(mkdtemp(pattern.data()), nullptr);
        dir_ = pattern;
    }
    void TearDown() override { fs::remove_all(dir_); }

    void write(const std::string& name, const std::string& content) {
        std::ofstream(dir_ / name, std::ios::binary) << content;
    }

    // The FatalError's exit code and message, or a test failure if it loads.
    std::pair<ExitCode, std::string> load_error() {
        try {
            load_migration_set(dir_.string());
        } catch (const FatalError& e) {
            return {e.code(), e.what()};
        }
        ADD_FAILURE() << "expected load_migration_set to fail";
        return {ExitCode::kOk, ""};
    }

    fs::path dir_;
};

TEST_F(MigrationSetTest, LoadsFlywayNamesInVersionOrder) {
    write("V10__later.sql", "SELECT 10;");
    write("V1.10__minor.sql", "SELECT 1.10;");
    write("V1_2__underscored.sql", "SELECT 1.2;");
    write("U10__undo.sql", "SELECT 'ignored';");
    write("V1__first.sql", "-- schemagate:no-transaction\nCREATE INDEX CONCURRENTLY i ON t (x);");
    write("README.md", "not a migration");
    const MigrationSet set = load_migration_set(dir_.string());
    ASSERT_EQ(set.migrations.size(), 4u);
    EXPECT_EQ(set.migrations[0].version, 1);
    EXPECT_TRUE(set.migrations[0].no_transaction);
    EXPECT_EQ(set.migrations[1].file, "V1_2__underscored.sql");
    EXPECT_EQ(set.migrations[2].file, "V1.10__minor.sql");
    EXPECT_EQ(set.highest_version(), 10);
}

TEST_F(MigrationSetTest, RefusesFlywayNamesMixedWithNumberedOnes) {
    write("V3__x.sql", "SELECT 3;");
    write("0004_y.up.sql", "SELECT 4;");
    const auto [code, message] = load_error();
    EXPECT_EQ(code, ExitCode::kBadInput);
    EXPECT_NE(message.find("mixes Flyway names (V3__x.sql) with numbered ones (0004_y.up.sql)"),
              std::string::npos)
        << message;
}

TEST_F(MigrationSetTest, SubdirectoriesAreReadAndOrderedByVersion) {
    fs::create_directories(dir_ / "2024" / "q1");
    fs::create_directories(dir_ / ".git");
    write("2024/q1/V2__b.sql", "SELECT 2;");
    write("V1__a.sql", "SELECT 1;");
    write("V3__c.sql", "SELECT 3;");
    write(".git/V9__not_mine.sql", "SELECT 9;");
    const MigrationSet set = load_migration_set(dir_.string());
    ASSERT_EQ(set.migrations.size(), 3u);
    EXPECT_EQ(set.migrations[1].file, "2024/q1/V2__b.sql");
    EXPECT_EQ(set.highest_version(), 3);
}

TEST_F(MigrationSetTest, RepeatablesAreKeptApartByDescription) {
    write("V1__a.sql", "SELECT 1;");
    write("R__views.sql", "CREATE OR REPLACE VIEW v AS SELECT 1;");
    write("R__functions.sql", "SELECT 2;");
    const MigrationSet set = load_migration_set(dir_.string());
    ASSERT_EQ(set.migrations.size(), 1u);
    ASSERT_EQ(set.repeatables.size(), 2u);
    EXPECT_EQ(set.repeatables[0].description, "functions");
    EXPECT_TRUE(set.repeatables[1].repeatable);
    write("R__concurrent.sql", "CREATE INDEX CONCURRENTLY i ON t (x);");
    const auto [code, message] = load_error();
    EXPECT_EQ(code, ExitCode::kBadInput);
    EXPECT_NE(message.find("a repeatable migration must run in a transaction"), std::string::npos)
        << message;
}

TEST_F(MigrationSetTest, ChecksumIgnoresLineEndingsAndALeadingBom) {
    write("V1__unix.sql", "CREATE TABLE t (id int);\nSELECT 1;\n");
    write("V2__windows.sql",
          "\xEF\xBB\xBF"
          "CREATE TABLE t (id int);\r\nSELECT 1;\r\n");
    const MigrationSet set = load_migration_set(dir_.string());
    ASSERT_EQ(set.migrations.size(), 2u);
    EXPECT_EQ(set.migrations[0].checksum, set.migrations[1].checksum);
    EXPECT_TRUE(set.migrations[0].raw_checksum.empty());
    // The bytes' own hash still matches what schemagate 0.1 recorded for the file.
    EXPECT_FALSE(set.migrations[1].raw_checksum.empty());
    EXPECT_TRUE(set.migrations[1].matches(set.migrations[1].raw_checksum));
}

TEST_F(MigrationSetTest, LoadsNumberedNamesInVersionOrder) {
    write("0010_later.up.sql", "SELECT 10;");
    write("0002_second.up.sql", "SELECT 2;");
    write("0002_second.down.sql", "SELECT 'ignored';");
    const MigrationSet set = load_migration_set(dir_.string());
    ASSERT_EQ(set.migrations.size(), 2u);
    EXPECT_EQ(set.migrations[0].file, "0002_second.up.sql");
    EXPECT_EQ(set.highest_version(), 10);
    // sha256sum of the file's bytes, as any operator can check by hand.
    EXPECT_EQ(set.migrations[0].checksum,
              "8e7003d62f9d8cbd28da2f243bb0d215bfd4622c716be09be89a8764d9f4c7cb");
}

TEST_F(MigrationSetTest, DuplicateVersionNamesBothFiles) {
    write("V2__a.sql", "SELECT 1;");
    write("0002_b.up.sql", "SELECT 1;");
    const auto [code, message] = load_error();
    EXPECT_EQ(code, ExitCode::kBadInput);
    EXPECT_NE(message.find("V2__a.sql"), std::string::npos) << message;
    EXPECT_NE(message.find("0002_b.up.sql"), std::string::npos) << message;
}

TEST_F(MigrationSetTest, BadNameNamesTheFileAndThePatterns) {
    write("V1__ok.sql", "SELECT 1;");
    write("add_users.sql", "SELECT 1;");
    const auto [code, message] = load_error();
    EXPECT_EQ(code, ExitCode::kBadInput);
    EXPECT_NE(message.find("add_users.sql"), std::string::npos) << message;
    EXPECT_NE(message.find(kAcceptedNamePatterns), std::string::npos) << message;
}

TEST_F(MigrationSetTest, EmptyAndCommentOnlyFilesAreNoOpMigrations) {
    write("V1__empty.sql", "");
    write("V2__comments.sql", "-- nothing here\n   \n");
    const auto set = load_migration_set(dir_.string());
    ASSERT_EQ(set.migrations.size(), 2u);
    EXPECT_TRUE(set.migrations[0].statements.empty());
    EXPECT_TRUE(set.migrations[1].statements.empty());
}

TEST_F(MigrationSetTest, ADirectoryNamedLikeAMigrationIsAnError) {
    fs::create_directory(dir_ / "V1__odd.sql");
    const auto [code, message] = load_error();
    EXPECT_EQ(code, ExitCode::kBadInput);
    EXPECT_NE(message.find("V1__odd.sql is not a regular file"), std::string::npos) << message;
}

TEST_F(MigrationSetTest, DanglingSymlinkIsAnError) {
    fs::create_symlink(dir_ / "nowhere.sql", dir_ / "V1__dangling.sql");
    const auto [code, message] = load_error();
    EXPECT_EQ(code, ExitCode::kBadInput);
    EXPECT_NE(message.find("V1__dangling.sql"), std::string::npos) << message;
}

TEST_F(MigrationSetTest, ADeeplyNestedDirectoryIsRefusedNamingIt) {
    fs::path deep = dir_;
    for (int level = 1; level <= 17; ++level) deep /= "d" + std::to_string(level);
    fs::create_directories(deep);
    const auto [code, message] = load_error();
    EXPECT_EQ(code, ExitCode::kBadInput);
    EXPECT_NE(message.find(deep.string() + " is more than 16 directories below"), std::string::npos)
        << message;
}

TEST_F(MigrationSetTest, SixteenLevelsAreRead) {
    fs::path deep = dir_;
    for (int level = 1; level <= 16; ++level) deep /= "d" + std::to_string(level);
    fs::create_directories(deep);
    std::ofstream(deep / "V1__deep.sql") << "SELECT 1;";
    EXPECT_EQ(load_migration_set(dir_.string()).migrations.size(), 1U);
}

TEST_F(MigrationSetTest, TooManyEntriesAreRefusedBeforeAnyIsRead) {
    // Files that are not migrations and a directory: each counts, whatever it holds.
    for (int i = 0; i < 9; ++i) std::ofstream(dir_ / ("f" + std::to_string(i)));
    fs::create_directory(dir_ / "sub");
    write("sub/V1__a.sql", "SELECT 1;");
    LoadLimits limits;
    limits.max_entries = 11;
    EXPECT_EQ(load_migration_set(dir_.string(), limits).migrations.size(), 1U);
    limits.max_entries = 10;
    try {
        load_migration_set(dir_.string(), limits);
        FAIL() << "expected an error";
    } catch (const FatalError& e) {
        EXPECT_EQ(e.code(), ExitCode::kBadInput);
        EXPECT_NE(std::string(e.what()).find("more than 10 entries below " + dir_.string()),
                  std::string::npos)
            << e.what();
    }
}

TEST_F(MigrationSetTest, TransactionControlInsideAFileIsRejected) {
    write("V1__tx.sql", "CREATE TABLE a (x int);\nCOMMIT;\n");
    const auto [code, message] = load_error();
    EXPECT_EQ(code, ExitCode::kBadInput);
    EXPECT_NE(message.find("V1__tx.sql line 2: COMMIT"), std::string::npos) << message;
}

// A goose block's statements are checked one by one: the block is no place to hide a COMMIT
// or a COPY FROM STDIN behind a first statement that is fine.
TEST_F(MigrationSetTest, TransactionControlAndClientCopyInsideAGooseBlockAreRejected) {
    write("00001_tx.sql",
          "-- +goose Up\n-- +goose StatementBegin\nCREATE TABLE a (x int);\nCOMMIT;\n"
          "-- +goose StatementEnd\n");
    auto [code, message] = load_error();
    EXPECT_EQ(code, ExitCode::kBadInput);
    EXPECT_NE(message.find("00001_tx.sql line 4: COMMIT"), std::string::npos) << message;
    write("00001_tx.sql",
          "-- +goose Up\n-- +goose StatementBegin\nCREATE TABLE a (x int);\n"
          "COPY a FROM stdin;\n-- +goose StatementEnd\n");
    std::tie(code, message) = load_error();
    EXPECT_EQ(code, ExitCode::kBadInput);
    EXPECT_NE(message.find("00001_tx.sql line 4"), std::string::npos) << message;
    EXPECT_NE(message.find("STDIN"), std::string::npos) << message;
}

TEST_F(MigrationSetTest, ANewlineInAFileNameCannotForgeALogLine) {
    write("V1__a\n2026-11-24T00:00:00.000Z info  schema is at V9.sql", "SELECT 1;");
    const auto [code, message] = load_error();
    EXPECT_EQ(code, ExitCode::kBadInput);
    EXPECT_EQ(message.find('\n'), std::string::npos) << message;
    EXPECT_NE(message.find("V1__a\\x0A2026"), std::string::npos) << message;
}

TEST_F(MigrationSetTest, MissingDirectoryNamesTheFlag) {
    try {
        load_migration_set((dir_ / "absent").string());
        FAIL() << "expected an error";
    } catch (const FatalError& e) {
        EXPECT_EQ(e.code(), ExitCode::kBadInput);
        EXPECT_NE(std::string(e.what()).find("--migrations"), std::string::npos);
    }
}

TEST_F(MigrationSetTest, TargetDefaultsToHighestAndIsBounded) {
    write("V1__a.sql", "SELECT 1;");
    write("V3__c.sql", "SELECT 3;");
    const MigrationSet set = load_migration_set(dir_.string());
    EXPECT_EQ(choose_target(set, std::nullopt), 3);
    EXPECT_EQ(choose_target(set, 1), 1);
    EXPECT_THROW(choose_target(set, 4), FatalError);
    EXPECT_THROW(choose_target(MigrationSet{}, std::nullopt), FatalError);
}

// sqlx's `-- no-transaction` (sqlx-core source.rs: the file's text starts with it): those
// files run outside a transaction; a near miss sqlx would not honour runs in one.
TEST_F(MigrationSetTest, SqlxNoTransactionFirstBytesRunOutsideATransaction) {
    const std::vector<std::pair<std::string, bool>> cases = {
        {"-- no-transaction\nALTER TYPE mood ADD VALUE 'x';\nSELECT 1;\n", true},
        {"-- no-transaction: enum values\nALTER TYPE mood ADD VALUE 'x';\n", true},
        {"-- no-transactions\nSELECT 1;\n", true},
        {"--no-transaction\nSELECT 1;\n", false},
        {" -- no-transaction\nSELECT 1;\n", false},
        {"\n-- no-transaction\nSELECT 1;\n", false},
        {"\xEF\xBB\xBF-- no-transaction\nSELECT 1;\n", false},
        {"-- No-Transaction\nSELECT 1;\n", false},
        {"SELECT 1;\n-- no-transaction\n", false},
    };
    for (const auto& [sql, outside] : cases) {
        fs::remove_all(dir_);
        fs::create_directories(dir_);
        write("20240101120000_enum.sql", sql);
        const auto set = load_migration_set(dir_.string());
        ASSERT_EQ(set.migrations.size(), 1U);
        const auto& migration = set.migrations.front();
        EXPECT_EQ(migration.no_transaction, outside) << sql;
        if (outside) {
            EXPECT_EQ(migration.no_transaction_reason, "directive (sqlx's -- no-transaction)");
            EXPECT_EQ(migration.mixed, migration.statements.size() > 1) << sql;
        }
    }
    // Not sqlx's layout: a Flyway file and a dbmate file keep their tools' rule.
    for (const auto& [name, sql] : std::vector<std::pair<std::string, std::string>>{
             {"V1__a.sql", "-- no-transaction\nSELECT 1;\n"},
             {"20240101120000_b.sql", "-- no-transaction\n-- migrate:up\nSELECT 1;\n"}}) {
        fs::remove_all(dir_);
        fs::create_directories(dir_);
        write(name, sql);
        EXPECT_FALSE(load_migration_set(dir_.string()).migrations.at(0).no_transaction) << name;
    }
}

}  // namespace
}  // namespace schemagate
