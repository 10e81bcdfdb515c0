// SPDX-License-Identifier: Apache-2.0
#include "batch_directive.h"

#include <gtest/gtest.h>

#include "batch_progress.h"
#include "migration_file.h"

namespace schemagate {
namespace {

std::string error_of(std::string_view sql) {
    try {
        read_migration_file(sql);
    } catch (const SqlSyntaxError& e) {
        return "line " + std::to_string(e.line()) + ": " + e.what();
    }
    return "";
}

TEST(BatchDirective, AbsentUnlessTheFirstLineSaysSo) {
    EXPECT_FALSE(read_batch_directive("UPDATE t SET x = 1;\n"));
    EXPECT_FALSE(read_batch_directive("\n-- schemagate:batch\nUPDATE t SET x = 1;\n"));
    EXPECT_FALSE(read_batch_directive("-- schemagate:batchy\n"));
    EXPECT_FALSE(read_batch_directive("-- schemagate:batch-total\n"));
}

TEST(BatchDirective, DefaultsSuitOnlineTraffic) {
    const auto options = read_batch_directive("-- schemagate:batch\nUPDATE t SET x = 1;\n");
    ASSERT_TRUE(options);
    EXPECT_EQ(options->size, 1000);
    EXPECT_EQ(options->pause, Millis{100});
    EXPECT_FALSE(options->key_type);
}

TEST(BatchDirective, ReadsEveryOptionWithSpacesAndABom) {
    const auto options = read_batch_directive(
        "\xEF\xBB\xBF--schemagate:batch   size=250  pause=2s key=public.my_id[]\r\n");
    ASSERT_TRUE(options);
    EXPECT_EQ(options->size, 250);
    EXPECT_EQ(options->pause, Millis{2000});
    EXPECT_EQ(options->key_type, "public.my_id[]");
    EXPECT_EQ(read_batch_directive("-- schemagate:batch pause=0")->pause, Millis{0});
}

TEST(BatchDirective, RefusesWhatItCannotReadExactly) {
    for (const char* bad : {"-- schemagate:batch size=0", "-- schemagate:batch size=1000001",
                            "-- schemagate:batch size=10k", "-- schemagate:batch size=-5",
                            "-- schemagate:batch pause=100", "-- schemagate:batch pause=2h",
                            "-- schemagate:batch key=bigint;drop",
                            "-- schemagate:batch key=", "-- schemagate:batch key=1abc",
                            "-- schemagate:batch sise=10", "-- schemagate:batch size",
                            "-- schemagate:batch size=1 size=2", "-- schemagate:batch =5"}) {
        EXPECT_THROW(read_batch_directive(bad), SqlSyntaxError) << bad;
    }
    try {
        read_batch_directive("-- schemagate:batch sise=10\n");
        FAIL();
    } catch (const SqlSyntaxError& e) {
        EXPECT_EQ(e.line(), 1);
        EXPECT_STREQ(e.what(), "-- schemagate:batch: unknown option 'sise' (size, pause, key)");
    }
}

TEST(BatchDirective, TheTotalQueryIsTheStatementAfterItsMarker) {
    const auto file = read_migration_file(
        "-- schemagate:batch key=bigint\n"
        "-- schemagate:batch-total\n"
        "SELECT count(*) FROM t;\n"
        "UPDATE t SET x = 1 WHERE id IN (SELECT id FROM t WHERE id > $2 LIMIT $1) RETURNING id;\n");
    ASSERT_TRUE(file.batch);
    ASSERT_TRUE(file.batch_total);
    EXPECT_TRUE(file.batch_total->text.ends_with("\nSELECT count(*) FROM t"))
        << file.batch_total->text;
    EXPECT_EQ(file.batch_total->line, 3);
    ASSERT_EQ(file.statements.size(), 1u);
    EXPECT_EQ(file.statements[0].line, 4);
    EXPECT_FALSE(file.no_transaction);
}

TEST(BatchDirective, ABatchedFileHoldsOnePreparableStatementThatRunsInATransaction) {
    EXPECT_EQ(error_of("-- schemagate:batch\nUPDATE t SET x = 1;\nUPDATE t SET y = 1;\n"),
              "line 3: a batched migration holds one statement, run again until it processes no "
              "rows (and, after -- schemagate:batch-total, one query counting them); found 2");
    EXPECT_NE(error_of("-- schemagate:batch\n-- nothing\n").find("found 0"), std::string::npos);
    EXPECT_EQ(error_of("-- schemagate:batch\nCREATE INDEX CONCURRENTLY i ON t (x);\n"),
              "line 1: a batched migration runs each batch in a transaction of its own, and this "
              "file cannot run in one (line 2: CREATE INDEX CONCURRENTLY)");
    EXPECT_EQ(error_of("-- schemagate:batch\nCALL backfill(1000);\n"),
              "line 2: a batched migration's statement is an UPDATE, DELETE, INSERT, MERGE, WITH "
              "or SELECT, not CALL");
    EXPECT_EQ(error_of("UPDATE t SET x = 1;\n-- schemagate:batch-total\nSELECT 1;\n"),
              "line 2: -- schemagate:batch-total outside a batched migration (one whose first "
              "line is -- schemagate:batch)");
    EXPECT_EQ(error_of("-- schemagate:batch\nUPDATE t SET x = 1;\n-- schemagate:batch-total\n"),
              "line 3: -- schemagate:batch-total has no query below it");
    EXPECT_EQ(error_of("-- schemagate:batch\n-- schemagate:batch-total\nSELECT 1;\n"
                       "-- schemagate:batch-total\nSELECT 2;\nUPDATE t SET x = 1;\n"),
              "line 4: a second -- schemagate:batch-total");
    // goose and dbmate files may be batched too: the directive is the file's first line.
    const auto dbmate = read_migration_file(
        "-- schemagate:batch size=10\n-- migrate:up\nDELETE FROM t WHERE id IN "
        "(SELECT id FROM t WHERE old LIMIT $1);\n-- migrate:down\nSELECT 1;\n");
    ASSERT_TRUE(dbmate.batch);
    EXPECT_EQ(dbmate.batch->size, 10);
    EXPECT_EQ(dbmate.statements.size(), 1u);
}

TEST(BatchProgress, RateAndEtaComeFromTheTimeSpentAndTheTotal) {
    BatchProgress progress;
    EXPECT_FALSE(progress.rows_per_second());
    progress.rows = 5000;
    progress.elapsed_ms = 2000;
    EXPECT_DOUBLE_EQ(*progress.rows_per_second(), 2500.0);
    EXPECT_FALSE(progress.eta_seconds());  // no total: no ETA
    progress.total = 20000;
    EXPECT_DOUBLE_EQ(*progress.eta_seconds(), 6.0);
    progress.rows = 20500;  // more than counted at the start: rows came in meanwhile
    EXPECT_DOUBLE_EQ(*progress.eta_seconds(), 0.0);
}

}  // namespace
}  // namespace schemagate
