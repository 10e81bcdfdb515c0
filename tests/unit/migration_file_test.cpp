// SPDX-License-Identifier: Apache-2.0
#include "migration_file.h"

#include <gtest/gtest.h>

namespace schemagate {
namespace {

std::vector<std::string> texts(const MigrationFile& file) {
    std::vector<std::string> out;
    for (const auto& statement : file.statements) out.push_back(statement.text);
    return out;
}

TEST(MigrationFile, PlainSqlRunsWhole) {
    const auto file = read_migration_file("CREATE TABLE a (x int);\nCREATE TABLE b (x int);\n");
    EXPECT_EQ(file.layout, MigrationFile::Layout::kPlain);
    EXPECT_EQ(file.statements.size(), 2u);
    EXPECT_FALSE(file.no_transaction);
}

TEST(MigrationFile, DbmateRunsOnlyTheUpPartWithTheFilesLineNumbers) {
    const auto file = read_migration_file(
        "-- a comment first\n-- migrate:up\nCREATE TABLE a (x int);\n\n"
        "-- migrate:down\nDROP TABLE a;\n");
    EXPECT_EQ(file.layout, MigrationFile::Layout::kDbmate);
    EXPECT_EQ(texts(file), (std::vector<std::string>{"CREATE TABLE a (x int)"}));
    EXPECT_EQ(file.statements[0].line, 3);
    EXPECT_FALSE(file.no_transaction);
    const auto no_tx = read_migration_file(
        "-- migrate:up transaction:false\nCREATE INDEX CONCURRENTLY i ON a (x);\n"
        "-- migrate:down\nDROP INDEX i;\n");
    EXPECT_TRUE(no_tx.no_transaction);
    EXPECT_EQ(no_tx.no_transaction_reason, "directive");
}

TEST(MigrationFile, GooseAnnotationsAreCaseInsensitiveAndBlocksStayWhole) {
    const auto file = read_migration_file(
        "-- +goose Up\n"
        "-- +goose StatementBegin\n"
        "CREATE FUNCTION f() RETURNS int LANGUAGE plpgsql AS '\n"
        "BEGIN RETURN 1; END;\n"
        "';\n"
        "-- +goose StatementEnd\n"
        "CREATE TABLE t (x int);\n"
        "-- +GOOSE DOWN\n"
        "DROP TABLE t;\n");
    EXPECT_EQ(file.layout, MigrationFile::Layout::kGoose);
    ASSERT_EQ(file.statements.size(), 2u);
    EXPECT_EQ(file.statements[0].line, 3);
    EXPECT_NE(file.statements[0].text.find("RETURN 1; END;"), std::string::npos);
    EXPECT_EQ(file.statements[1].text, "CREATE TABLE t (x int)");
    EXPECT_EQ(file.statements[1].line, 7);
    EXPECT_TRUE(
        read_migration_file("-- +goose NO TRANSACTION\n-- +goose Up\nSELECT 1;\n").no_transaction);
}

// goose sends a block as one query whatever it holds; the server answers each of its
// statements: the unit keeps them, each with its own line, so that each can be counted and
// named.
TEST(MigrationFile, AGooseBlockOfSeveralStatementsKeepsThemAsPartsWithTheirLines) {
    const auto file = read_migration_file(
        "-- +goose Up\n"
        "-- +goose StatementBegin\n"
        "-- two tables\n"
        "CREATE TABLE a (x int);\n"
        "CREATE FUNCTION f() RETURNS int LANGUAGE plpgsql AS $$\n"
        "BEGIN RETURN 1; END; $$;\n"
        "\n"
        "CREATE TABLE b (x int);\n"
        "-- +goose StatementEnd\n"
        "-- +goose StatementBegin\n"
        "CREATE TABLE c (x int);\n"
        "-- +goose StatementEnd\n");
    ASSERT_EQ(file.statements.size(), 2u);
    const SqlStatement& block = file.statements[0];
    EXPECT_EQ(block.line, 4);
    EXPECT_EQ(split_sql(block.text).size(), 3u);
    ASSERT_EQ(block.parts.size(), 3u);
    EXPECT_EQ(block.parts[0].text, "-- two tables\nCREATE TABLE a (x int)");
    EXPECT_EQ(block.parts[0].line, 4);
    EXPECT_EQ(block.parts[1].line, 5);
    EXPECT_NE(block.parts[1].text.find("RETURN 1; END; $$"), std::string::npos);
    EXPECT_EQ(block.parts[2].text, "CREATE TABLE b (x int)");
    EXPECT_EQ(block.parts[2].line, 8);
    // One statement: no parts, the unit is the statement.
    EXPECT_TRUE(file.statements[1].parts.empty());
    EXPECT_EQ(statements_of(file.statements[1]).size(), 1u);
    EXPECT_EQ(statements_of(block).size(), 3u);
}

// PostgreSQL runs a query of several statements as one transaction, where these cannot run.
TEST(MigrationFile, ABlockOfSeveralStatementsWithOneThatCannotRunInATransactionIsRefused) {
    try {
        read_migration_file(
            "-- +goose NO TRANSACTION\n-- +goose Up\n-- +goose StatementBegin\n"
            "CREATE TABLE t (x int);\nCREATE INDEX CONCURRENTLY t_x ON t (x);\n"
            "-- +goose StatementEnd\n");
        FAIL() << "accepted";
    } catch (const SqlSyntaxError& e) {
        EXPECT_EQ(e.line(), 5);
        EXPECT_NE(std::string(e.what()).find("CREATE INDEX CONCURRENTLY"), std::string::npos)
            << e.what();
    }
    // Alone in its block it runs outside a transaction, as goose runs it.
    EXPECT_TRUE(read_migration_file("-- +goose Up\n-- +goose StatementBegin\n"
                                    "CREATE INDEX CONCURRENTLY t_x ON t (x);\n"
                                    "-- +goose StatementEnd\n")
                    .no_transaction);
}

TEST(MigrationFile, ABatchedBlockOfSeveralStatementsIsRefused) {
    try {
        read_migration_file(
            "-- schemagate:batch size=10\n-- +goose Up\n-- +goose StatementBegin\n"
            "UPDATE t SET x = 1 WHERE x IN (SELECT x FROM t LIMIT $1);\n"
            "UPDATE u SET x = 1 WHERE x IN (SELECT x FROM u LIMIT $1);\n"
            "-- +goose StatementEnd\n");
        FAIL() << "accepted";
    } catch (const SqlSyntaxError& e) {
        EXPECT_EQ(e.line(), 5);
        EXPECT_NE(std::string(e.what()).find("found 2"), std::string::npos) << e.what();
    }
}

TEST(MigrationFile, ADownPartWithoutAnUpPartIsRefused) {
    for (const char* sql : {"-- migrate:down\nDROP TABLE a;\n", "-- +goose Down\nDROP TABLE a;\n",
                            "SELECT 1;\n-- migrate:up\nSELECT 2;\n",
                            "-- +goose Up\n-- +goose StatementBegin\nSELECT 1;\n"}) {
        EXPECT_THROW(read_migration_file(sql), SqlSyntaxError) << sql;
    }
}

// What dbmate and goose refuse: the down part first (its SQL sits above the up marker).
TEST(MigrationFile, ADownMarkerAboveTheUpMarkerIsRefusedAtTheDownMarker) {
    for (const char* sql :
         {"-- migrate:down\nDROP TABLE a;\n-- migrate:up\nCREATE TABLE a (x int);\n",
          "-- +goose Down\nDROP TABLE a;\n-- +goose Up\nCREATE TABLE a (x int);\n"}) {
        try {
            read_migration_file(sql);
            ADD_FAILURE() << "accepted: " << sql;
        } catch (const SqlSyntaxError& e) {
            EXPECT_EQ(e.line(), 1) << sql;
            EXPECT_NE(std::string(e.what()).find("down marker comes before the up marker"),
                      std::string::npos);
        }
    }
    // Several down markers, or none, are fine: the down part is never read.
    EXPECT_NO_THROW(read_migration_file("-- migrate:up\nSELECT 1;\n"));
    EXPECT_NO_THROW(
        read_migration_file("-- migrate:up\nSELECT 1;\n-- migrate:down\n-- migrate:down\n"));
}

TEST(MigrationFile, AStringSettingChangeBesideGooseBlocksIsRefused) {
    const char* sql =
        "-- +goose Up\nSET standard_conforming_strings = off;\n-- +goose StatementBegin\n"
        "SELECT 'a\\'; SELECT 2; --';\n-- +goose StatementEnd\n";
    try {
        read_migration_file(sql);
        ADD_FAILURE() << "accepted";
    } catch (const SqlSyntaxError& e) {
        EXPECT_EQ(e.line(), 2);
    }
    EXPECT_NO_THROW(
        read_migration_file("-- +goose Up\nSET standard_conforming_strings = off;\n"
                            "SELECT 1;\n"));
}

TEST(MigrationFile, StatementsThatCannotRunInATransactionAreDetected) {
    const auto file = read_migration_file(
        "CREATE TABLE t (x int);\n/* CONCURRENTLY */ -- CONCURRENTLY\n"
        "create unique index concurrently t_x on t (x);\n");
    EXPECT_TRUE(file.no_transaction);
    EXPECT_EQ(file.no_transaction_reason, "line 3: CREATE INDEX CONCURRENTLY");
    EXPECT_TRUE(file.mixed);
    for (const char* sql :
         {"DROP INDEX CONCURRENTLY i", "REINDEX (VERBOSE) TABLE CONCURRENTLY t", "VACUUM t",
          "VACUUM", "CREATE DATABASE d", "DROP DATABASE d", "CREATE TABLESPACE s LOCATION '/x'",
          "ALTER SYSTEM SET work_mem = '8MB'", "CREATE SUBSCRIPTION s CONNECTION '' PUBLICATION p",
          "REINDEX DATABASE d"}) {
        EXPECT_TRUE(read_migration_file(sql).no_transaction) << sql;
    }
    // Not fooled by comments or literals, and ordinary statements stay transactional.
    for (const char* sql : {"SELECT 'CREATE INDEX CONCURRENTLY'", "-- VACUUM\nSELECT 1",
                            "CREATE INDEX i ON t (x)", "CLUSTER t USING i", "ANALYZE t"}) {
        EXPECT_FALSE(read_migration_file(sql).no_transaction) << sql;
    }
    // The opposite directive forces a transaction.
    EXPECT_FALSE(read_migration_file("-- schemagate:transaction\nVACUUM t;").no_transaction);
}

TEST(MigrationFile, EmptyAndCommentOnlyFilesHaveNoStatements) {
    EXPECT_TRUE(read_migration_file("").statements.empty());
    EXPECT_TRUE(read_migration_file("-- nothing yet\n").statements.empty());
}

}  // namespace
}  // namespace schemagate
