// SPDX-License-Identifier: Apache-2.0
// Consecutive transactional migrations travel in one exchange, every statement of a file with
// them: counted through a proxy, and held to the promises of one-by-one sending (a failure
// names its file and line, what came before commits, what comes after never runs).
#include <gtest/gtest.h>

#include <csignal>
#include <memory>
#include <pqxx/transaction>
#include <sstream>

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
};

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

// Each commit extends the lease, so a chain left running on the server by a holder that is gone
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

}  // namespace
}  // namespace schemagate::testing
