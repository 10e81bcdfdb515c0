// SPDX-License-Identifier: Apache-2.0
#include "sql_splitter.h"

#include <gtest/gtest.h>

namespace schemagate {
namespace {

std::vector<std::string> texts(std::string_view sql) {
    std::vector<std::string> out;
    for (const auto& statement : split_sql(sql)) out.push_back(statement.text);
    return out;
}

TEST(SqlSplitter, SplitsOnSemicolonsAndKeepsLines) {
    const auto statements = split_sql("CREATE TABLE a (x int);\n\nINSERT INTO a VALUES (1);\n");
    ASSERT_EQ(statements.size(), 2u);
    EXPECT_EQ(statements[0].text, "CREATE TABLE a (x int)");
    EXPECT_EQ(statements[0].line, 1);
    EXPECT_EQ(statements[1].text, "INSERT INTO a VALUES (1)");
    EXPECT_EQ(statements[1].line, 3);
}

TEST(SqlSplitter, IgnoresSemicolonsInsideQuotesAndComments) {
    EXPECT_EQ(texts("SELECT 'a;b', \"we;ird\" FROM t; -- c;d\nSELECT 2 /* x; /* nested; */ y; */;"),
              (std::vector<std::string>{"SELECT 'a;b', \"we;ird\" FROM t",
                                        "-- c;d\nSELECT 2 /* x; /* nested; */ y; */"}));
    EXPECT_EQ(texts("SELECT 'it''s; fine'; SELECT E'back\\'slash;'"),
              (std::vector<std::string>{"SELECT 'it''s; fine'", "SELECT E'back\\'slash;'"}));
}

TEST(SqlSplitter, KeepsDollarQuotedBodiesWhole) {
    const auto statements = texts(
        "CREATE FUNCTION f() RETURNS int LANGUAGE plpgsql AS $fn$ BEGIN RETURN 1; END; $fn$;\n"
        "SELECT $$;$$; SELECT $1");
    ASSERT_EQ(statements.size(), 3u);
    EXPECT_NE(statements[0].find("END; $fn$"), std::string::npos);
    EXPECT_EQ(statements[1], "SELECT $$;$$");
    EXPECT_EQ(statements[2], "SELECT $1");
}

TEST(SqlSplitter, KeepsBeginAtomicBodiesWhole) {
    const auto statements = texts(
        "CREATE FUNCTION g(x int) RETURNS int LANGUAGE sql BEGIN ATOMIC\n"
        "  SELECT CASE WHEN x > 0 THEN 1 ELSE 0 END;\n  SELECT 2;\nEND;\nSELECT 3;");
    ASSERT_EQ(statements.size(), 2u);
    EXPECT_EQ(statements[1], "SELECT 3");
}

TEST(SqlSplitter, DropsCommentOnlyPiecesAndReportsFirstTokenLine) {
    const auto statements =
        split_sql("-- header\n/* block\n comment */\n\n  ALTER TABLE t ADD c int;\n-- trailing\n");
    ASSERT_EQ(statements.size(), 1u);
    EXPECT_EQ(statements[0].line, 5);
    EXPECT_TRUE(split_sql("-- only a comment\n  \n").empty());
}

TEST(SqlSplitter, NoTransactionDirectiveOnlyOnTheFirstLine) {
    EXPECT_TRUE(has_no_transaction_directive("-- schemagate:no-transaction\nCREATE INDEX ..."));
    EXPECT_TRUE(has_no_transaction_directive("--schemagate: no-transaction"));
    EXPECT_FALSE(has_no_transaction_directive("SELECT 1;\n-- schemagate:no-transaction"));
    EXPECT_FALSE(has_no_transaction_directive("-- schemagate:no-transactions"));
}

TEST(SqlSplitter, FirstKeywordSkipsComments) {
    EXPECT_EQ(first_keyword("  -- c\n/* d */ commit"), "COMMIT");
    EXPECT_EQ(first_keyword("create table x()"), "CREATE");
}

}  // namespace
}  // namespace schemagate
