// SPDX-License-Identifier: Apache-2.0
#include "sql_splitter.h"

#include <gtest/gtest.h>

#include "directive.h"

namespace schemagate {
namespace {

std::size_t count_statements(std::string_view sql) {
    return split_sql(sql).size();
}

// The directive as the loader reads it (core/directive).
bool no_transaction_on_first_line(std::string_view sql) {
    return has_first_line_flag(sql, "no-transaction");
}

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

// As many statements as the server runs, and answers with a result each, for the text sent as
// one query: top-level semicolons outside quotes, comments, dollar quotes, parentheses and
// BEGIN ATOMIC bodies; empty statements and comments alone count for nothing.
TEST(SqlSplitter, CountsTheStatementsOfAQueryAsTheServerAnswersThem) {
    EXPECT_EQ(count_statements("CREATE TABLE a (x int);\nCREATE TABLE b (x int)"), 2u);
    EXPECT_EQ(count_statements("CREATE TABLE a (x int);\nCREATE TABLE b (x int);\n"), 2u);
    EXPECT_EQ(split_sql("SELECT 1").size(), 1u);
    EXPECT_EQ(split_sql("").size(), 0u);
    EXPECT_EQ(count_statements(" ;; -- nothing; here\n/* nor; here */ ;"), 0u);
    EXPECT_EQ(count_statements("SELECT 1;; ;SELECT 2; -- trailing; comment"), 2u);
    EXPECT_EQ(count_statements("SELECT 'a;b', \"c;d\", E'\\';', U&'e;f' -- g;\n/* h; */"), 1u);
    EXPECT_EQ(count_statements("DO $$ BEGIN PERFORM 1; PERFORM 2; END $$; "
                               "DO $x$ BEGIN PERFORM ';'; END $x$"),
              2u);
    EXPECT_EQ(count_statements("CREATE FUNCTION f() RETURNS int LANGUAGE sql BEGIN ATOMIC "
                               "SELECT CASE WHEN true THEN 1 END; SELECT 2; END; SELECT f()"),
              2u);
    EXPECT_EQ(count_statements("CREATE RULE r AS ON INSERT TO t DO ALSO (NOTIFY a; NOTIFY b)"), 1u);
    EXPECT_EQ(count_statements("SET standard_conforming_strings = off; SELECT 'a\\';b'"), 2u);
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
    EXPECT_TRUE(no_transaction_on_first_line("-- schemagate:no-transaction\nCREATE INDEX ..."));
    EXPECT_TRUE(no_transaction_on_first_line("--schemagate: no-transaction"));
    EXPECT_FALSE(no_transaction_on_first_line("SELECT 1;\n-- schemagate:no-transaction"));
    EXPECT_FALSE(no_transaction_on_first_line("-- schemagate:no-transactions"));
}

TEST(SqlSplitter, FirstKeywordSkipsComments) {
    EXPECT_EQ(first_keyword(split_sql("  -- c\n/* d */ commit").at(0)), "COMMIT");
    EXPECT_EQ(first_keyword(split_sql("create table x()").at(0)), "CREATE");
}

// Each case: what PostgreSQL's own lexer reads, which a naive splitter gets wrong.
TEST(SqlSplitter, CarriageReturnEndsALineComment) {
    EXPECT_EQ(texts("SELECT 1; -- bump\rCOMMIT;"),
              (std::vector<std::string>{"SELECT 1", "-- bump\rCOMMIT"}));
    EXPECT_EQ(first_keyword(split_sql("SELECT 1; -- bump\rCOMMIT;").at(1)), "COMMIT");
}

TEST(SqlSplitter, DollarInsideAnIdentifierOpensNoQuote) {
    const auto statements = split_sql("SELECT 1 AS a$x$; COMMIT; SELECT $x$;$x$;");
    ASSERT_EQ(statements.size(), 3u);
    EXPECT_EQ(first_keyword(statements[1]), "COMMIT");
    EXPECT_EQ(statements[2].text, "SELECT $x$;$x$");
}

TEST(SqlSplitter, SemicolonsInsideParenthesesStayInTheStatement) {
    EXPECT_EQ(texts("CREATE RULE r AS ON INSERT TO t DO ALSO (INSERT INTO a VALUES (1); "
                    "INSERT INTO b VALUES (2)); SELECT 1"),
              (std::vector<std::string>{"CREATE RULE r AS ON INSERT TO t DO ALSO (INSERT INTO "
                                        "a VALUES (1); INSERT INTO b VALUES (2))",
                                        "SELECT 1"}));
}

TEST(SqlSplitter, BackslashEscapesFollowTheStringKind) {
    // A plain string takes no backslash escape: the quote after the backslash ends it.
    EXPECT_EQ(texts("SELECT 'a\\'; SELECT 2"),
              (std::vector<std::string>{"SELECT 'a\\'", "SELECT 2"}));
    EXPECT_EQ(texts("SELECT U&'d\\0061t'; SELECT 2").size(), 2u);
    // After standard_conforming_strings is turned off, it does.
    EXPECT_EQ(texts("SET standard_conforming_strings = off; SELECT 'a\\'; x'; SELECT 2").size(),
              3u);
}

TEST(SqlSplitter, SkipsALeadingByteOrderMark) {
    const auto statements =
        split_sql("\xEF\xBB\xBF-- schemagate:no-transaction\nCREATE TABLE t ();");
    ASSERT_EQ(statements.size(), 1u);
    EXPECT_EQ(first_keyword(statements[0]), "CREATE");
    EXPECT_TRUE(no_transaction_on_first_line("\xEF\xBB\xBF-- schemagate:no-transaction\nSELECT 1"));
}

TEST(SqlSplitter, KeepsLeadingWordsOutsideCommentsAndLiterals) {
    const auto statements =
        split_sql("/* CONCURRENTLY */ create index -- x\n concurrently i ON t (c)");
    ASSERT_EQ(statements.size(), 1u);
    EXPECT_EQ(statements[0].leading_words, "CREATE INDEX CONCURRENTLY I ON T C");
}

void expect_refused(std::string_view sql, int line, const std::string& fragment) {
    try {
        split_sql(sql);
        ADD_FAILURE() << "accepted: " << sql;
    } catch (const SqlSyntaxError& e) {
        EXPECT_EQ(e.line(), line) << e.what();
        EXPECT_NE(std::string(e.what()).find(fragment), std::string::npos) << e.what();
    }
}

TEST(SqlSplitter, RefusesWhatTheServerWouldReadDifferently) {
    expect_refused(std::string_view("SELECT 1;\nSELECT 2\0;", 21), 2, "NUL byte");
    expect_refused("SELECT 1;\n\nSELECT '\xC3\x28';", 3, "invalid UTF-8");
    expect_refused("SELECT '\xED\xA0\x80';", 1, "invalid UTF-8");  // a surrogate
    expect_refused("SELECT '\xC0\xAF';", 1, "invalid UTF-8");      // overlong
    expect_refused("SELECT 1;\n\\i other.sql\n", 2, "psql meta-command `\\i`");
    expect_refused("SELECT 1;\n\\connect other\n", 2, "psql meta-command");
    expect_refused("SELECT 1;\n/* open\nSELECT 2;", 2, "unterminated /* comment");
    expect_refused("SELECT 1;\n/* a /* b */ SELECT 2;", 2, "unterminated /* comment");
    expect_refused("SELECT 'open;\nSELECT 2;", 1, "unterminated quoted string");
    expect_refused("SELECT E'it\\'s;\n", 1, "unterminated quoted string");
    expect_refused("SELECT \"open;\n", 1, "unterminated quoted identifier");
    expect_refused("DO $body$ BEGIN END $bod$;", 1, "unterminated dollar-quoted string $body$");
}

TEST(SqlSplitter, EmptyStatementsAreDropped) {
    EXPECT_EQ(texts(";; SELECT 1;  ;\n;"), (std::vector<std::string>{"SELECT 1"}));
}

TEST(SqlSplitter, AcceptsValidMultibyteText) {
    EXPECT_EQ(
        texts("SELECT 'h\xC3\xA9llo \xF0\x9F\x98\x80'; SELECT \xC3\xA9t\xC3\xA9 FROM t").size(),
        2u);
}

}  // namespace
}  // namespace schemagate
