// SPDX-License-Identifier: Apache-2.0
// Batched migrations on a real table: every row processed exactly once however often the
// holder is killed, SIGTERM between batches, a failing batch, a lock timeout on one batch.
#include <gtest/gtest.h>

#include <csignal>
#include <nlohmann/json.hpp>
#include <pqxx/transaction>

#include "gate_fixture.h"

namespace schemagate::testing {
namespace {

constexpr int kRows = 30'000;
constexpr int kBatch = 500;

class BatchedMigration : public GateTest {
  protected:
    // V1 fills a table whose `n` counts how often a batch touched each row; V2 is a keyset
    // backfill that increments it (not idempotent: a batch run twice shows as n = 2).
    void backfill_set(const std::string& statement_extra = "", const std::string& pause = "20ms") {
        write_migration("V1__accounts.sql",
                        "CREATE TABLE accounts (id bigint PRIMARY KEY, email text NOT NULL,\n"
                        "  email_lower text, n int NOT NULL DEFAULT 0);\n"
                        "INSERT INTO accounts (id, email) SELECT g, 'User' || g || '@Example.COM'\n"
                        "  FROM generate_series(1, " +
                            std::to_string(kRows) + ") g;\n");
        write_migration("V2__backfill.sql",
                        "-- schemagate:batch size=" + std::to_string(kBatch) + " pause=" + pause +
                            " key=bigint\n"
                            "UPDATE accounts SET email_lower = lower(email), n = n + 1" +
                            statement_extra +
                            "\n WHERE id IN (SELECT id FROM accounts WHERE id > coalesce($2, 0)\n"
                            "                ORDER BY id LIMIT $1)\n"
                            "RETURNING id;\n\n"
                            "-- schemagate:batch-total\n"
                            "SELECT count(*) FROM accounts WHERE email_lower IS NULL;\n");
    }
    // -1 before the first batch committed (or before the state tables exist).
    long long progress(const std::string& column) const {
        if (query_int("SELECT count(*) FROM pg_tables WHERE schemaname = 'schemagate' AND "
                      "tablename = 'batch_progress'") == 0) {
            return -1;
        }
        return query_int("SELECT coalesce((SELECT " + column +
                         " FROM schemagate.batch_progress), -1)");
    }
    long long touched() const { return query_int("SELECT sum(n) FROM accounts"); }
    void expect_every_row_processed_once() const {
        EXPECT_EQ(
            query_int("SELECT count(*) FROM accounts WHERE n = 1 AND email_lower = lower(email)"),
            kRows);
        EXPECT_EQ(query_int("SELECT count(*) FROM accounts WHERE n <> 1"), 0);
        EXPECT_EQ(query_int("SELECT count(*) FROM schemagate.batch_progress"), 0);
        EXPECT_EQ(
            query_int("SELECT count(*) FROM schemagate.history WHERE version = '{2}' AND success"),
            1);
    }
};

TEST_F(BatchedMigration, KilledThreeTimesMidwayEveryRowIsProcessedExactlyOnce) {
    backfill_set();
    long long last_rows = 0;
    for (const long long at_batches : {8, 22, 40}) {
        Process holder = start_gate({"migrate", "--lease-ttl", "3s", "--poll-interval", "100ms"});
        ASSERT_TRUE(eventually([&] { return progress("batches") >= at_batches; }, Millis{60'000}))
            << holder.err();
        holder.signal(SIGKILL);
        ASSERT_TRUE(holder.wait_for_exit(Millis{10'000}));
        keep_output(holder);
        // What committed is exactly what the progress says: no batch lost, none counted twice.
        const long long rows = progress("rows");
        EXPECT_GT(rows, last_rows);
        EXPECT_EQ(touched(), rows);
        EXPECT_EQ(rows, progress("batches") * kBatch);
        EXPECT_EQ(progress("total"), kRows);
        last_rows = rows;
        // Not dirty, not failed: an operator has nothing to do.
        const auto status = nlohmann::json::parse(gate({"status", "--json"}).out);
        EXPECT_TRUE(status["dirty"].is_null());
        EXPECT_TRUE(status["failure"].is_null());
        EXPECT_EQ(status["batch"]["rows"], rows);
        EXPECT_EQ(status["batch"]["total"], kRows);
        EXPECT_TRUE(status["batch"]["eta_seconds"].is_number());
    }
    // The successor waits out the dead holder's lease, then resumes where it stopped.
    const auto finish = gate({"migrate", "--lease-ttl", "3s", "--poll-interval", "100ms"});
    ASSERT_EQ(finish.exit_code, 0) << finish.err;
    EXPECT_NE(finish.err.find("resuming after batch"), std::string::npos) << finish.err;
    expect_every_row_processed_once();
    const auto status = nlohmann::json::parse(gate({"status", "--json"}).out);
    EXPECT_TRUE(status["batch"].is_null());
    EXPECT_EQ(status["current_version"], 2);
}

TEST_F(BatchedMigration, SigtermBetweenBatchesExits143AndLeavesItResumable) {
    backfill_set("", "200ms");  // mostly pausing: the signal lands between batches
    Process holder = start_gate({"migrate"});
    ASSERT_TRUE(eventually([&] { return progress("batches") >= 3; }, Millis{60'000}))
        << holder.err();
    holder.signal(SIGTERM);
    ASSERT_TRUE(holder.wait_for_exit(Millis{10'000}));
    keep_output(holder);
    EXPECT_EQ(holder.exit_code(), 143) << holder.err();
    EXPECT_EQ(touched(), progress("rows"));
    EXPECT_GT(progress("rows"), 0);
    // It released the lease: the next gate starts at once and finishes the job.
    const auto next = gate({"migrate", "--timeout", "60s"});
    ASSERT_EQ(next.exit_code, 0) << next.err;
    EXPECT_NE(next.err.find("resuming after batch"), std::string::npos);
    expect_every_row_processed_once();
}

TEST_F(BatchedMigration, AFailingBatchStopsWithTheUsualErrorIsRememberedAndResumesOnceFixed) {
    // The batch holding id 7777 (the 16th) divides by zero.
    backfill_set(" + 0 * (1 / (id - 7777))", "0");
    const auto failed = gate({"migrate"});
    EXPECT_EQ(failed.exit_code, 1) << failed.err;
    EXPECT_NE(failed.err.find("V2__backfill.sql line 2: SQLSTATE 22012"), std::string::npos)
        << failed.err;
    EXPECT_NE(failed.err.find("the 15 batches before it stay committed"), std::string::npos)
        << failed.err;
    EXPECT_EQ(progress("batches"), 15);
    EXPECT_EQ(touched(), 15 * kBatch);
    const auto status = nlohmann::json::parse(gate({"status", "--json"}).out);
    EXPECT_EQ(status["failure"]["version"], 2);
    EXPECT_EQ(status["failure"]["sqlstate"], "22012");
    // Remembered: the same file is not run again.
    const auto again = gate({"migrate"});
    EXPECT_EQ(again.exit_code, 1);
    EXPECT_NE(again.err.find("failed before and is not run again"), std::string::npos) << again.err;
    EXPECT_EQ(touched(), 15 * kBatch);
    // The fixed file goes on from the 16th batch, and the failure is forgotten.
    backfill_set("", "0");
    const auto fixed = gate({"migrate"});
    ASSERT_EQ(fixed.exit_code, 0) << fixed.err;
    EXPECT_NE(fixed.err.find("resuming after batch 15"), std::string::npos) << fixed.err;
    expect_every_row_processed_once();
    EXPECT_EQ(query_int("SELECT count(*) FROM schemagate.failure"), 0);
}

TEST_F(BatchedMigration, ALockTimeoutRetriesThatBatchNotTheMigration) {
    backfill_set("", "0");
    ASSERT_EQ(gate({"migrate", "--target", "1"}).exit_code, 0);
    // The application holds a row of the 5th batch.
    pqxx::connection app(url_);
    pqxx::work lock(app);
    lock.exec("SELECT 1 FROM accounts WHERE id = 2222 FOR UPDATE");
    Process holder = start_gate({"migrate", "--lock-timeout", "200ms", "--lock-retries", "50"});
    ASSERT_TRUE(
        eventually([&] { return holder.err().find("hit the lock timeout") != std::string::npos; },
                   Millis{60'000}))
        << holder.err();
    EXPECT_EQ(progress("batches"), 4);
    lock.commit();
    ASSERT_TRUE(holder.wait_for_exit(Millis{60'000}));
    keep_output(holder);
    EXPECT_EQ(holder.exit_code(), 0) << holder.err();
    EXPECT_NE(holder.err().find("batch 5 hit the lock timeout"), std::string::npos);
    expect_every_row_processed_once();
}

TEST_F(BatchedMigration, CountModeRunsUntilABatchAffectsNoRows) {
    write_migration("V1__t.sql",
                    "CREATE TABLE t (id int PRIMARY KEY, done boolean NOT NULL DEFAULT false,\n"
                    "  n int NOT NULL DEFAULT 0);\n"
                    "INSERT INTO t (id) SELECT generate_series(1, 2500);\n");
    write_migration(
        "V2__mark.sql",
        "-- schemagate:batch size=1000 pause=0\n"
        "UPDATE t SET done = true, n = n + 1\n"
        " WHERE id IN (SELECT id FROM t WHERE NOT done LIMIT $1 FOR UPDATE SKIP LOCKED);\n");
    const auto run = gate({"migrate", "--log-format", "json"});
    ASSERT_EQ(run.exit_code, 0) << run.err;
    EXPECT_EQ(query_int("SELECT count(*) FROM t WHERE done AND n = 1"), 2500);
    // Three batches did work (1000, 1000, 500); the fourth found nothing and recorded V2.
    EXPECT_NE(run.err.find(R"("event":"batches_done")"), std::string::npos) << run.err;
    EXPECT_NE(run.err.find(R"("batches":3)"), std::string::npos) << run.err;
    EXPECT_NE(run.err.find(R"("rows":2500)"), std::string::npos) << run.err;
}

TEST_F(BatchedMigration, AMalformedBatchedFileIsRefusedBeforeAnythingRuns) {
    write_migration("V1__t.sql", "CREATE TABLE t (id int);\n");
    const std::string before = database_fingerprint();
    write_migration("V2__two.sql",
                    "-- schemagate:batch size=100\n"
                    "UPDATE t SET id = id WHERE false;\n"
                    "DELETE FROM t WHERE false;\n");
    auto run = gate({"migrate"});
    EXPECT_EQ(run.exit_code, 3);
    EXPECT_NE(run.err.find("V2__two.sql line 3: a batched migration holds one statement"),
              std::string::npos)
        << run.err;
    write_migration("V2__two.sql", "-- schemagate:batch size=lots\nUPDATE t SET id = id;\n");
    run = gate({"migrate"});
    EXPECT_EQ(run.exit_code, 3);
    EXPECT_NE(run.err.find("V2__two.sql line 1: -- schemagate:batch: size=lots"), std::string::npos)
        << run.err;
    write_migration("V2__two.sql",
                    "-- schemagate:batch\nCREATE INDEX CONCURRENTLY t_id ON t (id);\n");
    run = gate({"migrate"});
    EXPECT_EQ(run.exit_code, 3);
    EXPECT_NE(run.err.find("runs each batch in a transaction"), std::string::npos) << run.err;
    EXPECT_EQ(database_fingerprint(), before);
}

// The README's pattern: a Job runs the backfill under the lease; the release's pods target the
// schema part before it and start at once; a pipeline waits for the backfill.
TEST_F(BatchedMigration, PodsTargetingTheSchemaPartStartWhileTheJobBackfills) {
    backfill_set("", "100ms");
    Process job = start_gate({"migrate", "--holder", "migration-job"});
    ASSERT_TRUE(eventually([&] { return progress("batches") >= 2; }, Millis{60'000})) << job.err();
    Process pipeline = start_gate({"wait", "--target", "2", "--timeout", "120s"});
    const auto pod = gate({"migrate", "--target", "1", "--holder", "pod-1"});
    EXPECT_EQ(pod.exit_code, 0) << pod.err;
    EXPECT_NE(pod.err.find("nothing to do"), std::string::npos) << pod.err;
    EXPECT_FALSE(job.exited()) << "the pod did not wait for the backfill";
    EXPECT_EQ(query_text("SELECT holder FROM schemagate.lease"), "migration-job");
    ASSERT_TRUE(job.wait_for_exit(Millis{120'000}));
    keep_output(job);
    EXPECT_EQ(job.exit_code(), 0) << job.err();
    ASSERT_TRUE(pipeline.wait_for_exit(Millis{30'000}));
    keep_output(pipeline);
    EXPECT_EQ(pipeline.exit_code(), 0) << pipeline.err();
    expect_every_row_processed_once();
}

}  // namespace
}  // namespace schemagate::testing
