// SPDX-License-Identifier: Apache-2.0
// golang-migrate and plain numbered files that bring their own BEGIN ... COMMIT (issue 26,
// item 1): one block around everything is the migration's transaction; several blocks, or
// statements outside the one, go whole as one query, as golang-migrate sends a file; what
// cannot be run as written is refused at load time, naming the file and line.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "errors.h"
#include "migration_set.h"

namespace schemagate {
namespace {

namespace fs = std::filesystem;

class OwnTransactionTest : public ::testing::Test {
  protected:
    void SetUp() override {
        std::string pattern = (fs::temp_directory_path() / "sgown.XXXXXX").string();
        ASSERT_NE(mkdtemp(pattern.data()), nullptr);
        dir_ = pattern;
    }
    void TearDown() override { fs::remove_all(dir_); }

    void write(const std::string& name, const std::string& content) {
        std::ofstream(dir_ / name, std::ios::binary) << content;
    }

    Migration load_one(const std::string& name, const std::string& content) {
        write(name, content);
        MigrationSet set = load_migration_set(dir_.string());
        EXPECT_EQ(set.migrations.size(), 1U);
        return std::move(set.migrations.front());
    }

    // The load's refusal (exit 3), or a test failure if it loads.
    std::string refusal(const std::string& name, const std::string& content) {
        write(name, content);
        try {
            load_migration_set(dir_.string());
        } catch (const FatalError& e) {
            EXPECT_EQ(e.code(), ExitCode::kBadInput) << e.what();
            return e.what();
        }
        ADD_FAILURE() << "expected " << name << " to be refused";
        return "";
    }

    fs::path dir_;
};

TEST_F(OwnTransactionTest, OneBlockAroundEverythingIsTheMigrationsTransaction) {
    const Migration m =
        load_one("0001_users.up.sql",
                 "-- golang-migrate's tutorial style\nBEGIN;\n"
                 "CREATE TABLE users (id int);\nCREATE INDEX users_id ON users (id);\n"
                 "COMMIT;\n");
    EXPECT_FALSE(m.no_transaction);
    ASSERT_EQ(m.statements.size(), 2U);  // BEGIN and COMMIT are ours to send
    EXPECT_EQ(m.statements.front().line, 3);
    // A plain BEGIN asks for nothing more than schemagate's own.
    EXPECT_TRUE(m.opening.empty());
    const Migration with_modes = load_one(
        "0001_users.up.sql", "BEGIN ISOLATION LEVEL REPEATABLE READ;\nSELECT 1;\nCOMMIT;\n");
    ASSERT_EQ(with_modes.opening.size(), 1U);
    EXPECT_EQ(with_modes.opening.front().line, 1);
}

TEST_F(OwnTransactionTest, TheBeginsModesAndSetTransactionAreKept) {
    const Migration m = load_one("0001_x.sql",
                                 "START TRANSACTION ISOLATION LEVEL SERIALIZABLE;\n"
                                 "SET TRANSACTION DEFERRABLE;\n"
                                 "UPDATE t SET x = 1;\nEND;\n");
    EXPECT_FALSE(m.no_transaction);
    ASSERT_EQ(m.opening.size(), 2U);
    EXPECT_EQ(m.opening[0].text, "START TRANSACTION ISOLATION LEVEL SERIALIZABLE");
    EXPECT_EQ(m.opening[1].line, 2);
    ASSERT_EQ(m.statements.size(), 1U);
    EXPECT_EQ(m.statements.front().line, 3);
}

TEST_F(OwnTransactionTest, SeveralBlocksGoWholeAsGolangMigrateSendsThem) {
    const Migration m = load_one("0002_two.up.sql",
                                 "BEGIN;\nCREATE TABLE a (id int);\nCOMMIT;\n"
                                 "BEGIN;\nCREATE TABLE b (id int);\nCOMMIT;\n");
    EXPECT_TRUE(m.no_transaction);
    EXPECT_TRUE(m.mixed);
    EXPECT_TRUE(m.opening.empty());
    EXPECT_NE(m.no_transaction_reason.find("as golang-migrate"), std::string::npos)
        << m.no_transaction_reason;
    ASSERT_EQ(m.statements.size(), 1U);  // one query
    EXPECT_EQ(m.statements.front().parts.size(), 6U);
    EXPECT_EQ(m.statements.front().line, 1);
}

TEST_F(OwnTransactionTest, StatementsOutsideTheBlockGoWholeToo) {
    const Migration m = load_one(
        "0003_x.sql", "CREATE TABLE a (id int);\nBEGIN;\nCREATE TABLE b (id int);\nCOMMIT;\n");
    EXPECT_TRUE(m.no_transaction);
    ASSERT_EQ(m.statements.size(), 1U);
    EXPECT_EQ(m.statements.front().parts.size(), 4U);
}

TEST_F(OwnTransactionTest, RefusalsNameTheFileAndLine) {
    struct Case {
        const char* sql;
        const char* expected;
    };
    for (const Case& c : std::initializer_list<Case>{
             {"BEGIN;\nCREATE TABLE a (id int);\nROLLBACK;\n", "line 3: ROLLBACK"},
             {"BEGIN;\nCREATE TABLE a (id int);\nABORT;\n", "line 3: ABORT"},
             {"SELECT 1;\nBEGIN;\nCREATE TABLE a (id int);\n", "line 2: BEGIN without"},
             {"CREATE TABLE a (id int);\nCOMMIT;\n", "line 2: COMMIT without"},
             {"BEGIN;\nBEGIN;\nCOMMIT;\nCOMMIT;\n", "line 2: BEGIN inside"},
             {"BEGIN;\nSELECT 1;\nCOMMIT AND CHAIN;\nSELECT 2;\nCOMMIT;\n",
              "line 3: COMMIT AND CHAIN"},
             {"BEGIN READ ONLY;\nSELECT 1;\nCOMMIT;\n", "line 1: BEGIN READ ONLY"},
             {"BEGIN;\nCREATE INDEX CONCURRENTLY i ON t (x);\nCOMMIT;\n",
              "line 2: CREATE INDEX CONCURRENTLY"},
             {"SELECT 1;\nBEGIN;\nSELECT 2;\nCOMMIT;\nCREATE INDEX CONCURRENTLY i ON t (x);\n",
              "line 5: CREATE INDEX CONCURRENTLY"},
             {"SET standard_conforming_strings = off;\nBEGIN;\nSELECT 2;\nCOMMIT;\nSELECT 3;\n",
              "line 1:"},
         }) {
        const std::string message = refusal("0001_x.up.sql", c.sql);
        EXPECT_NE(message.find("0001_x.up.sql"), std::string::npos) << message;
        EXPECT_NE(message.find(c.expected), std::string::npos) << c.sql << " -> " << message;
    }
}

TEST_F(OwnTransactionTest, FlywayDbmateAndGooseFilesKeepTodaysRefusal) {
    EXPECT_NE(
        refusal("V1__x.sql", "BEGIN;\nSELECT 1;\nCOMMIT;\n").find("line 1: BEGIN is not allowed"),
        std::string::npos);
    fs::remove(dir_ / "V1__x.sql");
    EXPECT_NE(refusal("20240101000000_x.sql",
                      "-- migrate:up\nBEGIN;\nSELECT 1;\nCOMMIT;\n-- migrate:down\n")
                  .find("line 2: BEGIN is not allowed"),
              std::string::npos);
    fs::remove(dir_ / "20240101000000_x.sql");
    EXPECT_NE(refusal("00001_x.sql", "-- +goose Up\nBEGIN;\nSELECT 1;\nCOMMIT;\n")
                  .find("line 2: BEGIN is not allowed"),
              std::string::npos);
}

TEST_F(OwnTransactionTest, TheNoTransactionDirectiveStillRunsStatementByStatement) {
    const Migration m =
        load_one("0001_x.sql", "-- schemagate:no-transaction\nBEGIN;\nSELECT 1;\nCOMMIT;\n");
    EXPECT_TRUE(m.no_transaction);
    EXPECT_EQ(m.statements.size(), 3U);
    EXPECT_TRUE(m.opening.empty());
}

TEST_F(OwnTransactionTest, AFileWithoutTransactionControlIsUnchanged) {
    const Migration m = load_one("0001_x.sql", "CREATE INDEX CONCURRENTLY i ON t (x);\n");
    EXPECT_TRUE(m.no_transaction);
    EXPECT_EQ(m.no_transaction_reason, "line 1: CREATE INDEX CONCURRENTLY");
    EXPECT_TRUE(m.opening.empty());
}

}  // namespace
}  // namespace schemagate
