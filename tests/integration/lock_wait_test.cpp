// SPDX-License-Identifier: Apache-2.0
// A migration that cannot get its locks: its lock-timeout retries, whole or batched, follow one
// policy that never waits past --timeout; the gate then exits with the deadline's code and
// releases the lease on a connection that is still there.
#include <gtest/gtest.h>

#include <pqxx/transaction>
#include <string>

#include "gate_fixture.h"

namespace schemagate::testing {
namespace {

class LockWait : public GateTest {
  protected:
    void SetUp() override {
        GateTest::SetUp();
        write_migration("V1__accounts.sql",
                        "CREATE TABLE accounts (id bigint PRIMARY KEY, n int NOT NULL DEFAULT 0);\n"
                        "INSERT INTO accounts (id) SELECT generate_series(1, 1000);\n");
        ASSERT_EQ(gate({"migrate"}).exit_code, 0);
    }

    void batched_v2() const {
        write_migration("V2__backfill.sql",
                        "-- schemagate:batch size=100 pause=0 key=bigint\n"
                        "UPDATE accounts SET n = n + 1\n"
                        " WHERE id IN (SELECT id FROM accounts WHERE id > coalesce($2, 0)\n"
                        "                ORDER BY id LIMIT $1)\n"
                        "RETURNING id;\n");
    }
    void chained_v2() const {
        write_migration("V2__note.sql", "ALTER TABLE accounts ADD COLUMN note text;\n");
        write_migration("V3__after.sql", "CREATE TABLE after_note (id int);\n");
    }
    void no_transaction_v2() const {
        write_migration("V2__index.sql",
                        "-- schemagate:no-transaction\n"
                        "CREATE INDEX CONCURRENTLY accounts_n ON accounts (n);\n");
    }

    // The lease was given up at once, not left to expire.
    void expect_lease_released(const RunResult& result) const {
        EXPECT_EQ(result.err.find("could not release the lease"), std::string::npos) << result.err;
        EXPECT_EQ(query_int("SELECT count(*) FROM schemagate.lease WHERE holder IS NULL AND "
                            "expires_at <= clock_timestamp()"),
                  1);
    }
    long long applied() const {
        return query_int("SELECT count(*) FROM schemagate.history WHERE success");
    }
};

// The batch copy of the retry used to ignore --timeout: it went on retrying until the socket
// deadline cut the connection mid-attempt, then reported the database unreachable (exit 4).
TEST_F(LockWait, BatchLockTimeoutRetriesStopAtTheDeadline) {
    batched_v2();
    pqxx::connection app(url_);
    pqxx::work holding(app);
    holding.exec("SELECT 1 FROM accounts WHERE id = 50 FOR UPDATE");
    const auto result =
        gate({"migrate", "--timeout", "3s", "--lock-timeout", "100ms", "--lock-retries", "1000"});
    EXPECT_EQ(result.exit_code, 2) << result.err;
    EXPECT_NE(result.err.find("deadline (--timeout 3s) too close for another attempt: V2 backfill "
                              "(V2__backfill.sql) batch 1 could not get its locks within "
                              "--lock-timeout 100ms"),
              std::string::npos)
        << result.err;
    EXPECT_NE(result.err.find("the batches before it stay committed"), std::string::npos)
        << result.err;
    expect_lease_released(result);
    EXPECT_EQ(applied(), 1);
    EXPECT_EQ(query_int("SELECT sum(n) FROM accounts"), 0);
}

TEST_F(LockWait, ChainLockTimeoutRetriesStopAtTheDeadline) {
    chained_v2();
    pqxx::connection app(url_);
    pqxx::work holding(app);
    holding.exec("LOCK TABLE accounts IN ACCESS SHARE MODE");
    const auto result =
        gate({"migrate", "--timeout", "3s", "--lock-timeout", "100ms", "--lock-retries", "1000"});
    EXPECT_EQ(result.exit_code, 2) << result.err;
    EXPECT_NE(result.err.find("deadline (--timeout 3s) too close for another attempt: V2 note "
                              "(V2__note.sql) "
                              "could not get its locks within --lock-timeout 100ms"),
              std::string::npos)
        << result.err;
    expect_lease_released(result);
    EXPECT_EQ(applied(), 1);
}

// Retries that run out before the deadline still fail the migration (exit 1), for a batch too.
TEST_F(LockWait, BatchLockTimeoutRetriesAreBounded) {
    batched_v2();
    pqxx::connection app(url_);
    pqxx::work holding(app);
    holding.exec("SELECT 1 FROM accounts WHERE id = 150 FOR UPDATE");
    const auto result = gate({"migrate", "--lock-timeout", "50ms", "--lock-retries", "2"});
    EXPECT_EQ(result.exit_code, 1) << result.err;
    EXPECT_NE(result.err.find("V2 backfill (V2__backfill.sql) batch 2 could not get its locks "
                              "within --lock-timeout 50ms after 3 attempts"),
              std::string::npos)
        << result.err;
    expect_lease_released(result);
    // The first batch committed and stays.
    EXPECT_EQ(query_int("SELECT sum(n) FROM accounts"), 100);
}

}  // namespace
}  // namespace schemagate::testing
