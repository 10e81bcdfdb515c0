// SPDX-License-Identifier: Apache-2.0
// Failure memory: a migration that failed deterministically is recorded and not run again with
// the same file, by any gate; a changed file or `schemagate retry` runs it again; failures of
// the moment (lock and statement timeouts) are not remembered.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <pqxx/transaction>

#include "gate_fixture.h"

namespace schemagate::testing {
namespace {

class FailureMemory : public GateTest {
  protected:
    // V2 counts its executions with a sequence (nextval survives the rollback), does some
    // real work, then divides by zero on line 4 (SQLSTATE 22012).
    void failing_second_migration() {
        exec("CREATE SEQUENCE harness.v2_attempts");
        write_migration("V1__t.sql", "CREATE TABLE t (id int);\n");
        write_migration("V2__broken.sql",
                        "SELECT nextval('harness.v2_attempts');\n"
                        "INSERT INTO t SELECT g FROM generate_series(1, 50000) g;\n"
                        "-- the mistake:\n"
                        "SELECT 1 / (SELECT count(*) - count(*) FROM t);\n");
    }
    long long attempts() const {
        return query_int(
            "SELECT last_value - CASE WHEN is_called THEN 0 ELSE 1 END "
            "FROM harness.v2_attempts");
    }
};

TEST_F(FailureMemory, RacingGatesRunAFailingFileOnceAndTheRestFailFast) {
    failing_second_migration();
    std::vector<Process> gates;
    for (int i = 0; i < 10; ++i) {
        gates.push_back(start_gate(
            {"migrate", "--holder", "pod-" + std::to_string(i), "--poll-interval", "100ms"}));
    }
    int remembered_refusals = 0;
    for (auto& g : gates) {
        ASSERT_TRUE(g.wait_for_exit(Millis{60'000}));
        keep_output(g);
        EXPECT_EQ(g.exit_code(), 1) << g.err();
        if (g.err().find("failed before and is not run again") != std::string::npos) {
            ++remembered_refusals;
        }
    }
    EXPECT_EQ(attempts(), 1) << "the failing file ran more than once";
    EXPECT_EQ(remembered_refusals, 9);
    EXPECT_EQ(query_int("SELECT (max(version))[1] FROM schemagate.history"), 1);

    // status shows it (text and JSON), and --exit-code says 1.
    const auto text = gate({"status"});
    EXPECT_NE(text.out.find("failed     V2__broken.sql line 4"), std::string::npos) << text.out;
    const auto json = nlohmann::json::parse(gate({"status", "--json"}).out);
    EXPECT_EQ(json["failure"]["version"], 2);
    EXPECT_EQ(json["failure"]["line"], 4);
    EXPECT_EQ(json["failure"]["sqlstate"], "22012");
    EXPECT_NE(json["failure"]["failed_by"].get<std::string>().find("pod-"), std::string::npos);
    EXPECT_EQ(gate({"status", "--exit-code"}).exit_code, 1);

    // A crash-looping pod keeps failing fast, with the recorded error and where it happened.
    const auto again = gate({"migrate"});
    EXPECT_EQ(again.exit_code, 1);
    EXPECT_NE(again.err.find("V2__broken.sql line 4: SQLSTATE 22012"), std::string::npos)
        << again.err;
    EXPECT_NE(again.err.find("schemagate retry --version 2"), std::string::npos) << again.err;
    EXPECT_EQ(attempts(), 1);
}

TEST_F(FailureMemory, AChangedFileIsTriedAgainAndSuccessForgetsTheFailure) {
    failing_second_migration();
    ASSERT_EQ(gate({"migrate"}).exit_code, 1);
    write_migration("V2__broken.sql",
                    "SELECT nextval('harness.v2_attempts');\n"
                    "INSERT INTO t SELECT g FROM generate_series(1, 50000) g;\n");
    const auto fixed = gate({"migrate"});
    EXPECT_EQ(fixed.exit_code, 0) << fixed.err;
    EXPECT_EQ(attempts(), 2);
    EXPECT_EQ(query_int("SELECT count(*) FROM schemagate.failure"), 0);
    EXPECT_TRUE(nlohmann::json::parse(gate({"status", "--json"}).out)["failure"].is_null());
    EXPECT_EQ(gate({"status", "--exit-code"}).exit_code, 0);
}

TEST_F(FailureMemory, RetryForgetsItForACauseFixedOutsideTheFile) {
    exec("CREATE SEQUENCE harness.v2_attempts");
    write_migration("V1__needs.sql",
                    "SELECT nextval('harness.v2_attempts');\n"
                    "INSERT INTO prerequisite VALUES (1);\n");
    const auto failed = gate({"migrate"});
    ASSERT_EQ(failed.exit_code, 1) << failed.err;
    EXPECT_EQ(gate({"migrate"}).exit_code, 1);
    EXPECT_EQ(attempts(), 1);
    exec("CREATE TABLE prerequisite (id int)");  // what an operator fixed by hand
    const auto retry = gate({"retry", "--version", "1"});
    EXPECT_EQ(retry.exit_code, 0) << retry.err;
    EXPECT_NE(retry.out.find("cleared the failure of V1 (V1__needs.sql"), std::string::npos)
        << retry.out;
    EXPECT_EQ(gate({"migrate"}).exit_code, 0);
    EXPECT_EQ(attempts(), 2);
    const auto nothing = gate({"retry", "--version", "1"});
    EXPECT_EQ(nothing.exit_code, 0);
    EXPECT_NE(nothing.out.find("nothing to clear"), std::string::npos) << nothing.out;
}

TEST_F(FailureMemory, FailuresOfTheMomentAreNotRemembered) {
    write_migration("V1__t.sql", "CREATE TABLE t (id int);");
    ASSERT_EQ(gate({"migrate"}).exit_code, 0);
    write_migration("V2__alter.sql", "ALTER TABLE t ADD COLUMN note text;");
    {
        pqxx::connection blocker(url_);
        pqxx::work blocking(blocker);
        blocking.exec("LOCK TABLE t IN ACCESS SHARE MODE");
        EXPECT_EQ(gate({"migrate", "--lock-timeout", "50ms", "--lock-retries", "0"}).exit_code, 1);
    }
    write_migration("V3__slow.sql", "SELECT pg_sleep(5);");
    EXPECT_EQ(gate({"migrate", "--statement-timeout", "100ms"}).exit_code, 1);
    EXPECT_EQ(query_int("SELECT count(*) FROM schemagate.failure"), 0);
    EXPECT_EQ(gate({"migrate", "--target", "2"}).exit_code, 0) << "V2 runs once the lock is gone";
}

}  // namespace
}  // namespace schemagate::testing
