// SPDX-License-Identifier: Apache-2.0
// A migration that cannot get its locks: when --timeout comes, the gate names what it waits
// for and who holds it, exits with the deadline's code and releases the lease on a connection
// that is still there; its lock-timeout retries, whole or batched, follow one policy that never
// waits past --timeout.
#include <gtest/gtest.h>

#include <memory>
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

// A session of the application's holds ACCESS EXCLUSIVE on the table while --timeout passes.
// The gate used to have its connection cut by the socket deadline, report the database
// unreachable (exit 4) and leave the lease to expire ("could not release the lease"). Now it
// says what it waited for and who holds it, exits 2 and releases the lease at once.
class BlockedAtTheDeadline : public LockWait {
  protected:
    void SetUp() override {
        LockWait::SetUp();
        blocker_ = std::make_unique<pqxx::connection>(url_ + "?application_name=app-blocker");
        blocking_ = std::make_unique<pqxx::work>(*blocker_);
        blocking_->exec("LOCK TABLE accounts IN ACCESS EXCLUSIVE MODE");
    }

    // Longer than --timeout: the wait is still on when it passes.
    RunResult migrate() { return gate({"migrate", "--timeout", "4s", "--lock-timeout", "1h"}); }

    void expect_blocker_named(const RunResult& result, const std::string& waited_for) const {
        EXPECT_EQ(result.exit_code, 2) << result.err;
        for (const std::string& part :
             {waited_for,
              ", held by pid " + std::to_string(blocker_->backendpid()) +
                  " (user postgres, application app-blocker, idle in transaction, "
                  "in a transaction since 20",
              std::string("holding AccessExclusiveLock)")}) {
            EXPECT_NE(result.err.find(part), std::string::npos) << part << "\n" << result.err;
        }
        EXPECT_EQ(result.err.find("unreachable"), std::string::npos) << result.err;
        expect_lease_released(result);
        EXPECT_EQ(applied(), 1);
    }

    std::unique_ptr<pqxx::connection> blocker_;
    std::unique_ptr<pqxx::work> blocking_;
};

TEST_F(BlockedAtTheDeadline, ABatchNamesTheRelationAndTheSessionThatHoldsIt) {
    batched_v2();
    const auto result = migrate();
    expect_blocker_named(result,
                         "deadline (--timeout 4s) reached while V2 backfill (V2__backfill.sql "
                         "line 2) waited for RowExclusiveLock on relation accounts");
    EXPECT_NE(result.err.find("; rolled back; the 0 batches before it stay committed"),
              std::string::npos)
        << result.err;
}

TEST_F(BlockedAtTheDeadline, AChainedMigrationNamesTheRelationAndTheSessionThatHoldsIt) {
    chained_v2();
    const auto result = migrate();
    expect_blocker_named(result,
                         "deadline (--timeout 4s) reached while V2 note (V2__note.sql line 1) "
                         "waited for AccessExclusiveLock on relation accounts");
    EXPECT_NE(result.err.find("; rolled back"), std::string::npos) << result.err;
}

TEST_F(BlockedAtTheDeadline, ANoTransactionMigrationNamesTheRelationAndIsLeftDirty) {
    no_transaction_v2();
    const auto result = migrate();
    expect_blocker_named(result,
                         "deadline (--timeout 4s) reached while V2 index (V2__index.sql line 2) "
                         "waited for ShareUpdateExclusiveLock on relation accounts");
    EXPECT_NE(result.err.find("marked dirty"), std::string::npos) << result.err;
    EXPECT_EQ(query_int("SELECT count(*) FROM schemagate.history WHERE NOT success"), 1);
}

// On its own session (no pooler in between), a migration without a transaction runs with
// --lock-timeout: it fails at once rather than wait for the deadline.
TEST_F(BlockedAtTheDeadline, ANoTransactionMigrationOnItsOwnSessionHasTheLockTimeout) {
    no_transaction_v2();
    const auto result = gate({"migrate", "--timeout", "60s", "--lock-timeout", "200ms"});
    EXPECT_EQ(result.exit_code, 1) << result.err;
    EXPECT_NE(result.err.find("V2 index failed at V2__index.sql line 2: SQLSTATE 55P03"),
              std::string::npos)
        << result.err;
    EXPECT_EQ(result.err.find("connection pooler"), std::string::npos) << result.err;
}

// A row lock: the wait is on the holder's transaction; the message names the row's table.
TEST_F(LockWait, ABatchWaitingForARowNamesItsTable) {
    batched_v2();
    pqxx::connection app(url_ + "?application_name=app-row");
    pqxx::work holding(app);
    holding.exec("SELECT 1 FROM accounts WHERE id = 250 FOR UPDATE");
    const auto result = gate({"migrate", "--timeout", "4s", "--lock-timeout", "1h"});
    EXPECT_EQ(result.exit_code, 2) << result.err;
    EXPECT_NE(result.err.find("(V2__backfill.sql line 2) waited for a row of accounts locked by "
                              "another transaction, held by pid " +
                              std::to_string(app.backendpid()) +
                              " (user postgres, application app-row, idle in transaction"),
              std::string::npos)
        << result.err;
    EXPECT_NE(result.err.find("; the 2 batches before it stay committed"), std::string::npos)
        << result.err;
    expect_lease_released(result);
    EXPECT_EQ(query_int("SELECT sum(n) FROM accounts"), 200);
}

// A statement that simply runs past --timeout is cancelled too: exit 2, not "unreachable".
TEST_F(LockWait, AStatementRunningPastTheDeadlineIsCancelled) {
    write_migration("V2__slow.sql", "SELECT pg_sleep(60);\n");
    const auto result = gate({"migrate", "--timeout", "3s"});
    EXPECT_EQ(result.exit_code, 2) << result.err;
    EXPECT_NE(result.err.find("deadline (--timeout 3s) reached while V2 slow (V2__slow.sql line "
                              "1) was still running; rolled back"),
              std::string::npos)
        << result.err;
    expect_lease_released(result);
}

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
    // The retries end at the deadline: between two attempts ("could not get its locks ...
    // (N attempts)"), or during one, which the deadline cancels ("waited for a row of ...").
    EXPECT_NE(result.err.find("batch 1 hit the lock timeout after 100ms"), std::string::npos)
        << result.err;
    EXPECT_NE(result.err.find("deadline (--timeout 3s) reached while V2 backfill "
                              "(V2__backfill.sql"),
              std::string::npos)
        << result.err;
    EXPECT_NE(result.err.find("; rolled back; the "), std::string::npos) << result.err;
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
    EXPECT_NE(result.err.find("V2 note: lock timeout after 100ms"), std::string::npos)
        << result.err;
    EXPECT_NE(result.err.find("deadline (--timeout 3s) reached while V2 note (V2__note.sql"),
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
