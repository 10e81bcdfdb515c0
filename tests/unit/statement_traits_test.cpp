// SPDX-License-Identifier: Apache-2.0
// The statement model: what each statement is and does, as the lexer reports it.
#include <gtest/gtest.h>

#include "sql_splitter.h"

namespace schemagate {
namespace {

const StatementTraits& only(const std::vector<SqlStatement>& statements) {
    EXPECT_EQ(statements.size(), 1U);
    return statements.front().traits;
}

StatementTraits traits(const std::string& sql) {
    static std::vector<SqlStatement> kept;
    kept = split_sql(sql);
    return only(kept);
}

struct CommandCase {
    const char* sql;
    const char* command;
};

TEST(StatementTraits, CommandsAreNamedAsPostgresNamesThem) {
    for (const CommandCase& c : std::initializer_list<CommandCase>{
             {"CREATE TABLE t (id int)", "CREATE TABLE"},
             {"create or replace function f() returns int as $$ select 1 $$ language sql",
              "CREATE FUNCTION"},
             {"CREATE UNIQUE INDEX CONCURRENTLY i ON t (id)", "CREATE INDEX"},
             {"CREATE TEMP TABLE x (id int)", "CREATE TABLE"},
             {"CREATE MATERIALIZED VIEW m AS SELECT 1", "CREATE MATERIALIZED VIEW"},
             {"DROP MATERIALIZED VIEW m", "DROP MATERIALIZED VIEW"},
             {"CREATE FOREIGN TABLE f (id int) SERVER s", "CREATE FOREIGN TABLE"},
             {"CREATE TEXT SEARCH CONFIGURATION c (COPY = english)",
              "CREATE TEXT SEARCH CONFIGURATION"},
             {"ALTER TABLE t ADD COLUMN c int", "ALTER TABLE"},
             {"ALTER TYPE mood ADD VALUE 'x'", "ALTER TYPE"},
             {"REFRESH MATERIALIZED VIEW m", "REFRESH MATERIALIZED"},
             {"INSERT INTO t VALUES (1)", "INSERT"},
             {"with x as (select 1) select * from x", "WITH"},
             {"START TRANSACTION", "START TRANSACTION"},
             {"SET ROLE app", "SET ROLE"},
         }) {
        EXPECT_EQ(traits(c.sql).command, c.command) << c.sql;
    }
}

struct TransactionCase {
    const char* sql;
    TransactionControl control;
};

TEST(StatementTraits, TransactionControl) {
    for (const TransactionCase& c : std::initializer_list<TransactionCase>{
             {"BEGIN", TransactionControl::kBegin},
             {"begin isolation level serializable", TransactionControl::kBegin},
             {"START TRANSACTION READ WRITE", TransactionControl::kBegin},
             {"COMMIT", TransactionControl::kEnd},
             {"commit and chain", TransactionControl::kEnd},
             {"END", TransactionControl::kEnd},
             {"ROLLBACK", TransactionControl::kEnd},
             {"ABORT", TransactionControl::kEnd},
             {"ROLLBACK TO SAVEPOINT s", TransactionControl::kNone},
             {"rollback to s", TransactionControl::kNone},
             {"SAVEPOINT s", TransactionControl::kNone},
             {"PREPARE TRANSACTION 'x'", TransactionControl::kPrepare},
             {"COMMIT PREPARED 'x'", TransactionControl::kPrepare},
             {"ROLLBACK PREPARED 'x'", TransactionControl::kPrepare},
             {"PREPARE q AS SELECT 1", TransactionControl::kNone},
             {"CREATE FUNCTION f() RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT 1; END",
              TransactionControl::kNone},
         }) {
        EXPECT_EQ(traits(c.sql).transaction, c.control) << c.sql;
    }
}

TEST(StatementTraits, ReadOnlyTransactionsAndChainsAreNamed) {
    EXPECT_TRUE(traits("BEGIN ISOLATION LEVEL SERIALIZABLE, READ ONLY").read_only);
    EXPECT_TRUE(traits("start transaction read only").read_only);
    EXPECT_FALSE(traits("BEGIN READ WRITE").read_only);
    EXPECT_FALSE(traits("SELECT 'read only'").read_only);
    EXPECT_TRUE(traits("COMMIT AND CHAIN").chains);
    EXPECT_TRUE(traits("end and chain").chains);
    EXPECT_FALSE(traits("COMMIT AND NO CHAIN").chains);
    EXPECT_FALSE(traits("COMMIT").chains);
    EXPECT_EQ(traits("SET TRANSACTION ISOLATION LEVEL SERIALIZABLE").command, "SET TRANSACTION");
}

struct OutsideCase {
    const char* sql;
    const char* reason;  // nullptr: may run in a transaction
};

TEST(StatementTraits, WhatPostgresRefusesInATransactionBlock) {
    for (const OutsideCase& c : std::initializer_list<OutsideCase>{
             {"CREATE INDEX CONCURRENTLY i ON t (id)", "CREATE INDEX CONCURRENTLY"},
             {"create unique index concurrently if not exists i on t (id)",
              "CREATE INDEX CONCURRENTLY"},
             {"CREATE INDEX i ON t (id)", nullptr},
             {"DROP INDEX CONCURRENTLY i", "DROP INDEX CONCURRENTLY"},
             {"REINDEX TABLE CONCURRENTLY t", "REINDEX CONCURRENTLY"},
             {"REINDEX DATABASE app", "REINDEX SCHEMA/DATABASE/SYSTEM"},
             {"REINDEX SCHEMA app", "REINDEX SCHEMA/DATABASE/SYSTEM"},
             {"ALTER TABLE IF EXISTS app.measurements DETACH PARTITION app.m2024 CONCURRENTLY",
              "ALTER TABLE ... DETACH PARTITION ... CONCURRENTLY"},
             {"ALTER TABLE m DETACH PARTITION m2024", nullptr},
             {"CLUSTER VERBOSE", "CLUSTER (all tables)"},
             {"REINDEX TABLE t", nullptr},
             {"VACUUM (ANALYZE) t", "VACUUM"},
             {"CLUSTER", "CLUSTER (all tables)"},
             {"CLUSTER t USING i", nullptr},
             {"CREATE DATABASE d", "CREATE DATABASE"},
             {"ALTER SYSTEM SET work_mem = '8MB'", "ALTER SYSTEM"},
             {"DISCARD ALL", "DISCARD ALL"},
             {"DISCARD PLANS", nullptr},
         }) {
        const auto reason = traits(c.sql).outside_transaction;
        if (c.reason == nullptr) {
            EXPECT_FALSE(reason.has_value()) << c.sql;
        } else {
            EXPECT_EQ(reason.value_or(""), c.reason) << c.sql;
        }
    }
}

struct ReadingCase {
    const char* sql;
    StringReading reading;
};

TEST(StatementTraits, WhatChangesHowLaterSqlIsRead) {
    for (const ReadingCase& c : std::initializer_list<ReadingCase>{
             {"SET standard_conforming_strings = off", StringReading::kBackslashes},
             {"set session standard_conforming_strings to 'off'", StringReading::kBackslashes},
             {"SET LOCAL standard_conforming_strings = 0", StringReading::kBackslashes},
             {"SET standard_conforming_strings = on", StringReading::kStandard},
             {"SET standard_conforming_strings TO DEFAULT", StringReading::kStandard},
             {"RESET standard_conforming_strings", StringReading::kStandard},
             {"RESET ALL", StringReading::kStandard},
             {"SELECT set_config('standard_conforming_strings', 'off', false)",
              StringReading::kBackslashes},
             {"SELECT set_config('standard_conforming_strings', current_setting('x'), false)",
              StringReading::kUnknown},
             {"DO $$ BEGIN PERFORM 1; END $$", StringReading::kUnchanged},
             {"DO $$ BEGIN SET standard_conforming_strings = off; END $$", StringReading::kUnknown},
             {"DO $d$ BEGIN EXECUTE 'SET STANDARD_CONFORMING_STRINGS TO off'; END $d$",
              StringReading::kUnknown},
             {"SET \"standard_conforming_strings\" = off", StringReading::kBackslashes},
             {"SET session \"standard_conforming_strings\" TO on", StringReading::kStandard},
             {"CREATE FUNCTION f() RETURNS void LANGUAGE sql AS $$ SET "
              "standard_conforming_strings = off $$",
              StringReading::kUnchanged},
             {"SET backslash_quote = on", StringReading::kUnknown},
             {"SET search_path = app", StringReading::kUnchanged},
             {"RESET search_path", StringReading::kUnchanged},
             {"ALTER DATABASE d SET standard_conforming_strings = off", StringReading::kUnchanged},
             {"SHOW standard_conforming_strings", StringReading::kUnchanged},
             {"COMMENT ON TABLE t IS 'standard_conforming_strings'", StringReading::kUnchanged},
         }) {
        EXPECT_EQ(traits(c.sql).string_reading, c.reading) << c.sql;
    }
}

TEST(StatementTraits, CodeThatCouldEndTheTransactionAndClientCopy) {
    EXPECT_FALSE(traits("CREATE TABLE t (id int)").may_end_transaction);
    EXPECT_FALSE(traits("UPDATE t SET a = 1").may_end_transaction);
    EXPECT_TRUE(traits("CALL p()").may_end_transaction);
    EXPECT_TRUE(traits("DO $$ BEGIN COMMIT; END $$").may_end_transaction);
    EXPECT_TRUE(traits("COPY t FROM STDIN").client_copy);
    EXPECT_TRUE(traits("copy (select 1) to stdout with (format csv)").client_copy);
    EXPECT_FALSE(traits("COPY t FROM '/tmp/stdin'").client_copy);
    EXPECT_FALSE(traits("SELECT 'stdin'").client_copy);
}

// The splitter follows exactly what the traits say: a backslash escapes in a plain string
// after standard_conforming_strings is turned off by SET or by set_config, and not after.
TEST(StatementTraits, TheSplitterReadsLaterStringsAsTheTraitsSay) {
    const auto after_set = split_sql(
        "SELECT set_config('standard_conforming_strings', 'off', false);\n"
        "SELECT 'a\\';b';\n");
    ASSERT_EQ(after_set.size(), 2U);
    EXPECT_EQ(after_set[1].text, "SELECT 'a\\';b'");
    const auto unchanged = split_sql("SELECT 'a\\';\nSELECT 2;\n");
    EXPECT_EQ(unchanged.size(), 2U);
}

// A COPY with its data after it (pg_dump's format): the error names the COPY, not a data line.
TEST(StatementTraits, ACopyFollowedByItsDataIsNamedAtTheCopy) {
    try {
        split_sql("CREATE TABLE t (a int, b text);\nCOPY t (a, b) FROM stdin;\n1\t\\N\n\\.\n");
        ADD_FAILURE() << "accepted";
    } catch (const SqlSyntaxError& e) {
        EXPECT_EQ(e.line(), 2);
        EXPECT_NE(std::string(e.what()).find("COPY FROM STDIN followed by its data"),
                  std::string::npos)
            << e.what();
    }
}

}  // namespace
}  // namespace schemagate
