// SPDX-License-Identifier: Apache-2.0
// Consecutive transactional migrations travel in one exchange, every statement of a file with
// them: counted through a proxy, and held to the promises of one-by-one sending (a failure
// names its file and line, what came before commits, what comes after never runs).
#include <gtest/gtest.h>

#include <csignal>
#include <memory>
#include <pqxx/transaction>
#include <sstream>
#include <string>
#include <vector>

#include "gate_fixture.h"

namespace schemagate::testing {
namespace {

// The bench's delay proxy with no delay: it counts the exchanges clients waited on.
class ExchangeCounter {
  public:
    explicit ExchangeCounter(int target_port)
        : process_({SCHEMAGATE_DELAY_PROXY, "0", std::to_string(target_port), "0"}) {
        EXPECT_TRUE(
            eventually([&] { return process_.out().find("listening on") != std::string::npos; }));
        std::istringstream(process_.out().substr(process_.out().find("listening on") + 13)) >>
            port_;
    }
    int port() const { return port_; }

    long long exchanges() {
        const std::size_t before = count_reports();
        process_.signal(SIGUSR1);
        EXPECT_TRUE(eventually([&] { return count_reports() > before; }));
        const std::string out = process_.out();
        long long exchanges = -1;
        std::istringstream(out.substr(out.rfind("exchanges ") + 10)) >> exchanges;
        return exchanges;
    }

  private:
    std::size_t count_reports() const {
        const std::string out = process_.out();
        std::size_t count = 0;
        for (auto at = out.find("exchanges "); at != std::string::npos;
             at = out.find("exchanges ", at + 1)) {
            ++count;
        }
        return count;
    }

    Process process_;
    int port_ = 0;
};

class MigrationChain : public GateTest {
  protected:
    void one_statement_migrations(int from, int to) const {
        for (int v = from; v <= to; ++v) {
            write_migration("V" + std::to_string(v) + "__t" + std::to_string(v) + ".sql",
                            "CREATE TABLE t" + std::to_string(v) + " (id int);\n");
        }
    }
    long long history() const {
        return query_int("SELECT count(*) FROM schemagate.history WHERE success");
    }

    // What a run must have done, to be compared with what it said.
    struct Outcome {
        int exit_code = 0;
        std::string message;               // part of the gate's output, for a failure
        std::string applied;               // versions the history holds as applied: "1,2"
        std::vector<std::string> present;  // relations the schema must hold (to_regclass)
        std::vector<std::string> absent;   // and must not
    };

    // A run's report agrees with the history and the schema: its exit code and message, one
    // "applying" line per history row it added, "rolled back" only for a migration of which
    // nothing is there, and never a failure where everything committed.
    void expect_outcome(const RunResult& result, const Outcome& expected,
                        long long applied_before = 0) const {
        EXPECT_EQ(result.exit_code, expected.exit_code) << result.err;
        if (expected.exit_code == 0) {
            EXPECT_EQ(result.err.find("failed"), std::string::npos) << result.err;
            EXPECT_EQ(result.err.find("rolled back"), std::string::npos) << result.err;
        } else {
            EXPECT_NE(result.err.find(expected.message), std::string::npos)
                << "expected: " << expected.message << "\n"
                << result.err;
        }
        EXPECT_EQ(query_text("SELECT coalesce(string_agg(array_to_string(version, '.'), ',' "
                             "ORDER BY version), '') FROM schemagate.history WHERE success"),
                  expected.applied);
        long long reported = 0;
        for (auto at = result.err.find("applying "); at != std::string::npos;
             at = result.err.find("applying ", at + 1)) {
            ++reported;
        }
        EXPECT_EQ(reported + applied_before, history()) << result.err;
        for (const auto& relation : expected.present) {
            EXPECT_EQ(query_int("SELECT (to_regclass('" + relation + "') IS NOT NULL)::int"), 1)
                << relation << " missing";
        }
        for (const auto& relation : expected.absent) {
            EXPECT_EQ(query_int("SELECT (to_regclass('" + relation + "') IS NULL)::int"), 1)
                << relation << " exists";
        }
    }
};

constexpr const char* kGooseUp = "-- +goose Up\n";
constexpr const char* kBegin = "-- +goose StatementBegin\n";
constexpr const char* kEnd = "-- +goose StatementEnd\n";

TEST_F(MigrationChain, ARunOfMigrationsAndAFilesStatementsCostOneExchange) {
    one_statement_migrations(1, 52);
    std::string many;
    for (int i = 0; i < 20; ++i) many += "INSERT INTO t1 VALUES (" + std::to_string(i) + ");\n";
    write_migration("V53__many.sql", many);
    write_migration("V54__one.sql", "INSERT INTO t1 VALUES (100);\n");
    ASSERT_EQ(gate({"migrate", "--target", "1"}).exit_code, 0);
    ExchangeCounter counter(PostgresServer::instance().port());
    const auto run_through_proxy = [&](const std::string& target) {
        const long long before = counter.exchanges();
        const auto result = gate({"migrate", "--target", target},
                                 {{"DATABASE_URL", url_through_port(counter.port())}});
        EXPECT_EQ(result.exit_code, 0) << result.err;
        return counter.exchanges() - before;
    };
    const long long one = run_through_proxy("2");
    const long long fifty = run_through_proxy("52");
    EXPECT_EQ(history(), 52);
    EXPECT_LE(fifty, one + 1) << "one migration: " << one << " exchanges; fifty: " << fifty;
    // A file of twenty statements costs what a file of one does.
    const long long twenty_statements = run_through_proxy("53");
    const long long one_statement = run_through_proxy("54");
    EXPECT_EQ(query_int("SELECT count(*) FROM t1"), 21);
    EXPECT_LE(twenty_statements, one_statement + 1)
        << "twenty statements: " << twenty_statements << ", one: " << one_statement;
}

TEST_F(MigrationChain, AParseErrorMidChainNamesItsLineAndTheMigrationsBeforeItCommit) {
    one_statement_migrations(1, 3);
    write_migration("V4__broken.sql",
                    "CREATE TABLE half_done (id int);\n"
                    "-- the next statement does not parse\n"
                    "CREATE TABLEE nope (id int);\n");
    one_statement_migrations(5, 6);
    const auto result = gate({"migrate"});
    EXPECT_EQ(result.exit_code, 1) << result.err;
    EXPECT_NE(result.err.find("V4 broken failed at V4__broken.sql line 3: SQLSTATE 42601"),
              std::string::npos)
        << result.err;
    EXPECT_EQ(history(), 3);
    EXPECT_EQ(query_int("SELECT (to_regclass('half_done') IS NULL)::int"), 1);
    EXPECT_EQ(query_int("SELECT (to_regclass('t5') IS NULL)::int"), 1);
    EXPECT_EQ(query_int("SELECT count(*) FROM schemagate.lease WHERE holder IS NULL"), 1);
}

TEST_F(MigrationChain, AnErrorInALaterStatementOfAFileNamesThatStatement) {
    one_statement_migrations(1, 2);
    write_migration("V3__three.sql",
                    "INSERT INTO t1 VALUES (1);\n"
                    "INSERT INTO t1 VALUES (2);\n"
                    "\n"
                    "SELECT 1 / (SELECT count(*) - 2 FROM t1);\n"
                    "INSERT INTO t1 VALUES (3);\n");
    const auto result = gate({"migrate"});
    EXPECT_EQ(result.exit_code, 1) << result.err;
    EXPECT_NE(result.err.find("V3 three failed at V3__three.sql line 4: SQLSTATE 22012"),
              std::string::npos)
        << result.err;
    EXPECT_EQ(history(), 2);
    EXPECT_EQ(query_int("SELECT count(*) FROM t1"), 0);
}

// The server reads a whole query string before it runs any of it: a file that turns
// standard_conforming_strings off must have the rest read with backslash escapes, as the
// file checks read it.
TEST_F(MigrationChain, AStringSettingChangedInAFileGovernsTheStatementsAfterIt) {
    write_migration("V1__t.sql", "CREATE TABLE s (v text);\n");
    write_migration("V2__escapes.sql",
                    "SET standard_conforming_strings = off;\n"
                    "INSERT INTO s VALUES ('it\\'s; one string');\n"
                    "SET standard_conforming_strings = on;\n");
    write_migration("V3__after.sql", "INSERT INTO s VALUES ('back\\slash');\n");
    const auto result = gate({"migrate"});
    ASSERT_EQ(result.exit_code, 0) << result.err;
    EXPECT_EQ(query_int("SELECT count(*) FROM s"), 2);
    EXPECT_EQ(query_int("SELECT count(*) FROM s WHERE v = 'it''s; one string'"), 1);
    EXPECT_EQ(query_int("SELECT count(*) FROM s WHERE v = 'back\\slash'"), 1);
}

// An exchange that ends after a migration's session reset (its file changed how strings are
// read) leaves the transaction idle, holding the lease row, until the next one arrives: the
// settings, the idle-in-transaction timeout among them, are set again before it ends, so the
// server still ends the transaction of a holder frozen there. pg_stat_statements counts the
// statement that sets them (the bookkeeping function sets them too, but in the next exchange).
TEST_F(MigrationChain, AnExchangeEndingAfterTheSessionResetSetsTheSettingsAgainFirst) {
    exec("CREATE EXTENSION IF NOT EXISTS pg_stat_statements");
    const auto settings_statements = [&] {
        return query_int(
            "SELECT coalesce(sum(calls), 0) FROM pg_stat_statements s JOIN pg_database d ON "
            "d.oid = s.dbid WHERE d.datname = current_database() AND s.query LIKE "
            "'SELECT set_config($1, $2, $3), set_config(%'");
    };
    write_migration("V1__t.sql", "CREATE TABLE s (v text);\n");
    ASSERT_EQ(gate({"migrate"}).exit_code, 0);
    EXPECT_EQ(settings_statements(), 0);
    write_migration("V2__strings.sql",
                    "SET standard_conforming_strings = on;\nINSERT INTO s VALUES ('x');\n");
    ASSERT_EQ(gate({"migrate"}).exit_code, 0);
    EXPECT_EQ(settings_statements(), 1);
}

// Each fence extends the lease, so a chain left running on the server by a holder that is gone
// would keep the lease for as long as it lasts. Past half the ttl since the exchange arrived,
// the next migration's fence stops the exchange; a holder that is there sends the rest again.
TEST_F(MigrationChain, AnExchangeRunningPastHalfTheTtlIsResentByALiveHolder) {
    write_migration("V1__slow.sql", "CREATE TABLE t1 (id int);\nSELECT pg_sleep(1.7);\n");
    one_statement_migrations(2, 6);
    const auto result = gate({"migrate", "--lease-ttl", "3s"});
    ASSERT_EQ(result.exit_code, 0) << result.err;
    EXPECT_NE(result.err.find("V2 t2 waited in an exchange that ran past half the lease ttl"),
              std::string::npos)
        << result.err;
    EXPECT_EQ(history(), 6);
    EXPECT_EQ(query_int("SELECT count(DISTINCT token) FROM schemagate.history"), 1);
}

// Each chained migration records its own duration, not the time since the exchange arrived
// (which made three 100 ms migrations record 104, 208 and 311 ms), in the history and in the
// log, with --compat's row agreeing.
TEST_F(MigrationChain, EachChainedMigrationRecordsItsOwnDuration) {
    for (int v = 1; v <= 3; ++v) {
        write_migration("V" + std::to_string(v) + "__sleep.sql", "SELECT pg_sleep(0.1);\n");
    }
    const auto result = gate({"migrate", "--compat", "flyway", "--log-format", "json"});
    ASSERT_EQ(result.exit_code, 0) << result.err;
    const auto duration = [&](int version) {
        return query_int("SELECT duration_ms FROM schemagate.history WHERE version = '{" +
                         std::to_string(version) + "}'");
    };
    for (int v = 1; v <= 3; ++v) {
        SCOPED_TRACE("V" + std::to_string(v));
        EXPECT_GE(duration(v), 100);
        EXPECT_NE(result.err.find(R"("duration_ms":)" + std::to_string(duration(v)) +
                                  R"(,"event":"migration_applied","file":"V)" + std::to_string(v)),
                  std::string::npos)
            << result.err;
        EXPECT_EQ(query_int("SELECT execution_time FROM flyway_schema_history WHERE version = '" +
                            std::to_string(v) + "'"),
                  duration(v));
    }
    // Not cumulative: the third took about as long as the first.
    EXPECT_LT(duration(3), 2 * duration(1));
}

// A quick migration's commit leaves the lease as its fence stamped it (the next fence, or the
// heartbeat, renews it); one that ran past a third of the ttl renews it again as it commits,
// so that no waiter takes over the moment it is done. A trigger counts the lease's updates per
// transaction.
TEST_F(MigrationChain, ACommitRenewsTheLeaseAgainOnlyAfterAThirdOfTheTtl) {
    one_statement_migrations(1, 1);
    ASSERT_EQ(gate({"migrate"}).exit_code, 0);
    exec("CREATE TABLE public.lease_updates (tx bigint NOT NULL)");
    exec(
        "CREATE FUNCTION public.count_lease_update() RETURNS trigger LANGUAGE plpgsql AS $$ "
        "BEGIN INSERT INTO public.lease_updates VALUES (txid_current()); RETURN NEW; END $$");
    exec(
        "CREATE TRIGGER counted AFTER UPDATE ON schemagate.lease FOR EACH ROW EXECUTE "
        "FUNCTION public.count_lease_update()");
    const auto updates_in = [&](const std::string& version) {
        return query_int(
            "SELECT count(*) FROM public.lease_updates WHERE tx % 4294967296 = "
            "(SELECT xmin::text::bigint FROM schemagate.history WHERE version = "
            "'{" +
            version + "}')");
    };
    one_statement_migrations(2, 4);
    ASSERT_EQ(gate({"migrate"}).exit_code, 0);
    for (const char* version : {"2", "3", "4"}) EXPECT_EQ(updates_in(version), 1) << version;

    write_migration("V5__slow.sql", "SELECT pg_sleep(1.2);\n");
    const auto slow = gate({"migrate", "--lease-ttl", "3s"});
    ASSERT_EQ(slow.exit_code, 0) << slow.err;
    EXPECT_EQ(updates_in("5"), 2);
}

TEST_F(MigrationChain, ALockTimeoutMidChainRetriesOnlyThatMigration) {
    write_migration("V1__t.sql", "CREATE TABLE t (id int);");
    ASSERT_EQ(gate({"migrate"}).exit_code, 0);
    one_statement_migrations(2, 3);
    write_migration("V4__alter.sql", "ALTER TABLE t ADD COLUMN note text;");
    one_statement_migrations(5, 6);
    pqxx::connection blocker(url_);
    auto blocking = std::make_unique<pqxx::work>(blocker);
    blocking->exec("LOCK TABLE t IN ACCESS SHARE MODE");
    Process gate_process =
        start_gate({"migrate", "--lock-timeout", "100ms", "--lock-retries", "50"});
    ASSERT_TRUE(eventually([&] {
        return gate_process.err().find("V4 alter: lock timeout after 100ms") != std::string::npos;
    })) << gate_process.err();
    // The migrations before it committed while it waits.
    EXPECT_EQ(history(), 3);
    blocking->commit();
    ASSERT_TRUE(gate_process.wait_for_exit(Millis{60'000}));
    keep_output(gate_process);
    EXPECT_EQ(gate_process.exit_code(), 0) << gate_process.err();
    EXPECT_EQ(history(), 6);
}

// Every way a file groups its statements, chained: what the gate reports is what the history
// and the schema hold.

TEST_F(MigrationChain, PlainStatementsInFlywayFilesReportWhatCommitted) {
    write_migration("V1__a.sql", "CREATE TABLE a1 (id int);\nCREATE TABLE a2 (id int);\n");
    write_migration("V2__b.sql", "CREATE TABLE b (id int);\n");
    expect_outcome(gate({"migrate"}), {0, "", "1,2", {"a1", "a2", "b"}, {}});
}

TEST_F(MigrationChain, AGooseBlockOfSeveralStatementsIsNotReportedAsFailed) {
    // The issue's smallest case: two CREATE TABLE in one StatementBegin/End block.
    write_migration("00001_a.sql", std::string(kGooseUp) + kBegin +
                                       "CREATE TABLE a (id int);\nCREATE TABLE b (id int);\n" +
                                       kEnd + "-- +goose Down\nDROP TABLE b;\nDROP TABLE a;\n");
    write_migration("00002_c.sql", std::string(kGooseUp) + "CREATE TABLE c (id int);\n");
    write_migration("00003_d.sql", std::string(kGooseUp) + kBegin +
                                       "CREATE TABLE d (id int);\nINSERT INTO d VALUES (1);\n"
                                       "INSERT INTO d VALUES (2)\n" +
                                       kEnd);
    expect_outcome(gate({"migrate"}), {0, "", "1,2,3", {"a", "b", "c", "d"}, {}});
    EXPECT_EQ(query_int("SELECT count(*) FROM d"), 2);
}

TEST_F(MigrationChain, AGooseBlockOfOneFunctionWithADollarBody) {
    write_migration("00001_f.sql", std::string(kGooseUp) + kBegin +
                                       "CREATE FUNCTION f() RETURNS int LANGUAGE plpgsql AS $$\n"
                                       "BEGIN\n  RETURN 1;\nEND;\n$$;\n" +
                                       kEnd + "-- +goose Down\nDROP FUNCTION f();\n");
    write_migration("00002_t.sql", std::string(kGooseUp) + "CREATE TABLE t (id int);\n");
    expect_outcome(gate({"migrate"}), {0, "", "1,2", {"t"}, {}});
    EXPECT_EQ(query_int("SELECT f()"), 1);
}

TEST_F(MigrationChain, FunctionBodiesAndDoBlocksInAGooseBlockAndInPlainFiles) {
    // SQL-standard bodies (BEGIN ATOMIC) exist from PostgreSQL 14; before, the same function
    // with a quoted body.
    const bool atomic = query_int("SELECT current_setting('server_version_num')::int") >= 140000;
    write_migration("00001_fns.sql",
                    std::string(kGooseUp) + kBegin +
                        "CREATE FUNCTION one() RETURNS int LANGUAGE plpgsql AS $$\n"
                        "BEGIN RETURN 1; END; $$;\n"
                        "CREATE FUNCTION two() RETURNS int LANGUAGE sql\n" +
                        (atomic ? "BEGIN ATOMIC SELECT 1; SELECT 2; END;\n"
                                : "AS $$ SELECT 1; SELECT 2; $$;\n") +
                        "DO $do$ BEGIN EXECUTE 'CREATE TABLE from_do (id int)'; END $do$;\n" +
                        kEnd);
    write_migration("00002_do.sql", std::string(kGooseUp) +
                                        "CREATE TABLE d (id int);\n"
                                        "DO $$ BEGIN INSERT INTO d VALUES (1); "
                                        "INSERT INTO d VALUES (2); END $$;\n");
    expect_outcome(gate({"migrate"}), {0, "", "1,2", {"from_do", "d"}, {}});
    EXPECT_EQ(query_int("SELECT one() + two()"), 3);
    EXPECT_EQ(query_int("SELECT count(*) FROM d"), 2);
}

TEST_F(MigrationChain, DbmateFilesReportWhatCommitted) {
    write_migration("20240101000001_a.sql",
                    "-- migrate:up\nCREATE TABLE a (id int);\nCREATE TABLE b (id int);\n\n"
                    "-- migrate:down\nDROP TABLE b;\nDROP TABLE a;\n");
    write_migration("20240101000002_c.sql",
                    "-- migrate:up\nCREATE TABLE c (id int);\nSELECT 1 / 0;\n"
                    "-- migrate:down\nDROP TABLE c;\n");
    expect_outcome(gate({"migrate"}),
                   {1,
                    "V20240101000002 c failed at 20240101000002_c.sql line 3: SQLSTATE 22012",
                    "20240101000001",
                    {"a", "b"},
                    {"c"}});
}

TEST_F(MigrationChain, GolangMigrateFilesReportWhatCommitted) {
    write_migration("000001_a.up.sql", "CREATE TABLE a (id int);\nCREATE TABLE b (id int);\n");
    write_migration("000001_a.down.sql", "DROP TABLE b;\nDROP TABLE a;\n");
    write_migration("000002_c.up.sql", "CREATE TABLE c (id int);\n");
    expect_outcome(gate({"migrate"}), {0, "", "1,2", {"a", "b", "c"}, {}});
}

TEST_F(MigrationChain, AFailureInTheMiddleOfABlockNamesItsLineAndRollsBackOnlyItsMigration) {
    write_migration("00001_ok.sql", std::string(kGooseUp) + "CREATE TABLE ok (id int);\n");
    write_migration("00002_block.sql", std::string(kGooseUp) + kBegin +
                                           "CREATE TABLE half (id int);\n"
                                           "SELECT 1 / 0;\n"
                                           "CREATE TABLE never (id int);\n" +
                                           kEnd);
    write_migration("00003_after.sql", std::string(kGooseUp) + "CREATE TABLE after (id int);\n");
    expect_outcome(gate({"migrate"}), {1,
                                       "V2 block failed at 00002_block.sql line 4: SQLSTATE 22012",
                                       "1",
                                       {"ok"},
                                       {"half", "never", "after"}});
}

// A statement the server cannot parse makes it refuse the whole exchange: sent again one
// statement at a time, the block's statements included.
TEST_F(MigrationChain, AParseErrorInABlockNamesItsLine) {
    write_migration("00001_ok.sql", std::string(kGooseUp) + kBegin +
                                        "CREATE TABLE ok1 (id int);\nCREATE TABLE ok2 (id int);\n" +
                                        kEnd);
    write_migration("00002_block.sql", std::string(kGooseUp) + kBegin +
                                           "CREATE TABLE half (id int);\n"
                                           "CREATE TABLEE nope (id int);\n" +
                                           kEnd);
    expect_outcome(gate({"migrate"}), {1,
                                       "V2 block failed at 00002_block.sql line 4: SQLSTATE 42601",
                                       "1",
                                       {"ok1", "ok2"},
                                       {"half", "nope"}});
}

TEST_F(MigrationChain, AFailureInALaterMigrationAfterABlockKeepsTheBlocksMigration) {
    write_migration("00001_a.sql", std::string(kGooseUp) + kBegin +
                                       "CREATE TABLE a (id int);\nCREATE TABLE b (id int);\n" +
                                       kEnd);
    write_migration("00002_c.sql", std::string(kGooseUp) + kBegin +
                                       "CREATE TABLE c (id int);\n"
                                       "INSERT INTO missing VALUES (1);\n" +
                                       kEnd);
    expect_outcome(
        gate({"migrate"}),
        {1, "V2 c failed at 00002_c.sql line 4: SQLSTATE 42P01", "1", {"a", "b"}, {"c"}});
    EXPECT_EQ(query_int("SELECT count(*) FROM schemagate.lease WHERE holder IS NULL"), 1);
}

// A file larger than an exchange carries ends an exchange (a SET of another setting than
// standard_conforming_strings no longer does): blocks before and after those boundaries, and a
// failure in a block after them.
TEST_F(MigrationChain, BlocksInAChainSplitAcrossExchanges) {
    write_migration("00001_a.sql", std::string(kGooseUp) + kBegin +
                                       "CREATE TABLE a (id int);\nCREATE TABLE b (id int);\n" +
                                       kEnd);
    write_migration("00002_set.sql", std::string(kGooseUp) + kBegin +
                                         "SET LOCAL lock_timeout = '4s';\n"
                                         "CREATE TABLE s (id int);\n" +
                                         kEnd);
    write_migration("00003_big.sql", std::string(kGooseUp) + kBegin +
                                         "CREATE TABLE big (v text);\n"
                                         "INSERT INTO big VALUES ('" +
                                         std::string(300 << 10, 'x') + "');\n" + kEnd);
    write_migration("00004_c.sql", std::string(kGooseUp) + kBegin +
                                       "CREATE TABLE c (id int);\nCREATE TABLE d (id int);\n" +
                                       kEnd);
    write_migration("00005_fails.sql", std::string(kGooseUp) + kBegin +
                                           "CREATE TABLE e (id int);\n"
                                           "CREATE TABLE f (id int);\n"
                                           "CREATE TABLE e (id int);\n" +
                                           kEnd);
    ExchangeCounter counter(PostgresServer::instance().port());
    const long long before = counter.exchanges();
    const auto result = gate({"migrate"}, {{"DATABASE_URL", url_through_port(counter.port())}});
    expect_outcome(result, {1,
                            "V5 fails failed at 00005_fails.sql line 5: SQLSTATE 42P07",
                            "1,2,3,4",
                            {"a", "b", "s", "big", "c", "d"},
                            {"e", "f"}});
    EXPECT_EQ(query_int("SELECT length(v) FROM big"), 300 << 10);
    EXPECT_GE(counter.exchanges() - before, 3);
}

// Outside a transaction a block still travels as one query, as goose sends it: the server runs
// it as one transaction of its own.
TEST_F(MigrationChain, BlocksInAFileWithoutATransaction) {
    write_migration("00001_a.sql", std::string(kGooseUp) + kBegin +
                                       "CREATE TABLE a (id int);\nCREATE TABLE b (id int);\n" +
                                       kEnd);
    write_migration("00002_idx.sql", std::string(kGooseUp) + "-- +goose NO TRANSACTION\n" +
                                         "CREATE INDEX CONCURRENTLY a_id ON a (id);\n" + kBegin +
                                         "CREATE TABLE c (id int);\nCREATE TABLE d (id int);\n" +
                                         kEnd);
    write_migration("00003_e.sql", std::string(kGooseUp) + kBegin +
                                       "CREATE TABLE e (id int);\nCREATE TABLE f (id int);\n" +
                                       kEnd);
    expect_outcome(gate({"migrate"}), {0, "", "1,2,3", {"a", "b", "a_id", "c", "d", "e", "f"}, {}});
    write_migration("00004_g.sql", std::string(kGooseUp) + "-- +goose NO TRANSACTION\n" + kBegin +
                                       "CREATE TABLE g (id int);\nSELECT 1 / 0;\n" + kEnd);
    expect_outcome(gate({"migrate"}),
                   {1,
                    "V4 g failed at 00004_g.sql line 4: SQLSTATE 22012: division by zero; the "
                    "migration ran without a transaction and is now marked dirty",
                    "1,2,3",
                    {},
                    {"g"}},
                   3);
}

TEST_F(MigrationChain, BlocksBesideABatchedMigration) {
    write_migration("00001_a.sql", std::string(kGooseUp) + kBegin +
                                       "CREATE TABLE a (id int, done bool);\n"
                                       "INSERT INTO a SELECT g, false FROM "
                                       "generate_series(1, 25) g;\n" +
                                       kEnd);
    write_migration("00002_fill.sql",
                    "-- schemagate:batch size=10 pause=0\n" + std::string(kGooseUp) +
                        "UPDATE a SET done = true WHERE id IN (SELECT id FROM a WHERE NOT done "
                        "LIMIT $1);\n");
    write_migration("00003_b.sql", std::string(kGooseUp) + kBegin +
                                       "CREATE TABLE b (id int);\nCREATE TABLE c (id int);\n" +
                                       kEnd);
    expect_outcome(gate({"migrate"}), {0, "", "1,2,3", {"a", "b", "c"}, {}});
    EXPECT_EQ(query_int("SELECT count(*) FROM a WHERE done"), 25);
}

}  // namespace
}  // namespace schemagate::testing
