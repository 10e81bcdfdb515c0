// SPDX-License-Identifier: Apache-2.0
// One WAL flush per run: every migration but a run's last commits without waiting for its
// flush. The argument that this is safe (WAL is flushed in order; each migration's history row
// is in its own transaction) put to the test: the server crashes mid-run.
#include <gtest/gtest.h>

#include <csignal>

#include "gate_fixture.h"

namespace schemagate::testing {
namespace {

constexpr int kMigrations = 300;

class Durability : public GateTest {
  protected:
    long long applied() const {
        if (query_int("SELECT count(*) FROM pg_tables WHERE schemaname = 'schemagate' AND "
                      "tablename = 'history'") == 0) {
            return 0;
        }
        return query_int("SELECT count(*) FROM schemagate.history WHERE success");
    }
    long long tables() const {
        return query_int(
            "SELECT count(*) FROM pg_tables WHERE schemaname = 'public' AND "
            "tablename ~ '^t[0-9]+$'");
    }
    // Every recorded migration's table exists with its row, and every table is recorded.
    void expect_history_and_schema_agree() const {
        EXPECT_EQ(applied(), tables());
        EXPECT_EQ(query_int("SELECT count(*) FROM schemagate.history h WHERE NOT EXISTS "
                            "(SELECT 1 FROM pg_tables WHERE schemaname = 'public' "
                            "AND tablename = 't' || (h.version)[1])"),
                  0);
    }
};

TEST_F(Durability, AServerCrashMidRunLosesAtMostASuffixWithItsHistoryAndARerunCompletes) {
    // The test server runs with synchronous_commit off; this database gets the default back.
    exec("ALTER DATABASE " + query_text("SELECT current_database()") +
         " SET synchronous_commit = on");
    for (int i = 1; i <= kMigrations; ++i) {
        const std::string n = std::to_string(i);
        write_migration(
            "V" + n + "__t" + n + ".sql",
            "CREATE TABLE t" + n + " (v int);\nINSERT INTO t" + n + " VALUES (" + n + ");\n");
    }
    Process holder = start_gate({"migrate", "--lease-ttl", "3s"});
    ASSERT_TRUE(eventually([&] { return applied() >= 100; }, Millis{60'000})) << holder.err();
    auto& server = PostgresServer::instance();
    server.crash_server();
    holder.signal(SIGKILL);
    ASSERT_TRUE(holder.wait_for_exit(Millis{10'000}));
    keep_output(holder);
    server.start_server();
    const long long survived = applied();
    EXPECT_GT(survived, 0);
    EXPECT_LT(survived, kMigrations);
    expect_history_and_schema_agree();
    std::cerr << "[durability] " << survived << " migrations survived the crash\n";

    const auto rerun = gate({"migrate", "--lease-ttl", "3s", "--timeout", "60s"});
    ASSERT_EQ(rerun.exit_code, 0) << rerun.err;
    EXPECT_EQ(applied(), kMigrations);
    expect_history_and_schema_agree();
    for (const int i : {1, kMigrations / 2, kMigrations}) {
        EXPECT_EQ(query_int("SELECT v FROM t" + std::to_string(i)), i);
    }
}

// The gate exits 0 only once everything it applied is durable: right after it, a crash loses
// nothing.
TEST_F(Durability, WhatTheGateReportedAppliedSurvivesACrashRightAfterIt) {
    exec("ALTER DATABASE " + query_text("SELECT current_database()") +
         " SET synchronous_commit = on");
    for (int i = 1; i <= 50; ++i) {
        const std::string n = std::to_string(i);
        write_migration("V" + n + "__t" + n + ".sql", "CREATE TABLE t" + n + " (v int);\n");
    }
    const auto run = gate({"migrate"});
    ASSERT_EQ(run.exit_code, 0) << run.err;
    auto& server = PostgresServer::instance();
    server.crash_server();
    server.start_server();
    EXPECT_EQ(applied(), 50);
    expect_history_and_schema_agree();
}

}  // namespace
}  // namespace schemagate::testing
