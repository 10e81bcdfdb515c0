// SPDX-License-Identifier: Apache-2.0
// Flyway's baseline migrations (B<version>__desc.sql, issue 26 item 2) on a real server: a
// database with no history starts from the highest one at or below the target, a database
// with history ignores them, and adopt takes Flyway's SQL_BASELINE rows. The Flyway table is
// created as Flyway's source creates it (see gate/other_tools.cpp).
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "gate_fixture.h"

namespace schemagate::testing {
namespace {

class FlywayBaseline : public GateTest {
  protected:
    // A project that consolidated V1..V3 into B3 (the state after V3), and went on with V4.
    void consolidated_set() {
        write_migration("V1__users.sql", "CREATE TABLE users (id int);\n");
        write_migration("V2__email.sql", "ALTER TABLE users ADD COLUMN email text;\n");
        write_migration("V3__orders.sql", "CREATE TABLE orders (id int);\n");
        write_migration("B3__baseline.sql",
                        "CREATE TABLE users (id int, email text);\nCREATE TABLE orders (id int);\n"
                        "CREATE TABLE from_baseline (id int);\n");
        write_migration("V4__status.sql", "ALTER TABLE orders ADD COLUMN status text;\n");
    }
};

TEST_F(FlywayBaseline, AnEmptyDatabaseStartsFromTheBaselineFile) {
    consolidated_set();
    const auto plan = nlohmann::json::parse(gate({"plan", "--json"}).out);
    ASSERT_EQ(plan["pending"].size(), 2U) << plan.dump();
    EXPECT_EQ(plan["pending"][0]["file"], "B3__baseline.sql");
    const auto result = gate({"migrate"});
    ASSERT_EQ(result.exit_code, 0) << result.err;
    EXPECT_NE(result.err.find("applied 2 migrations"), std::string::npos) << result.err;
    EXPECT_EQ(query_int("SELECT count(*) FROM pg_tables WHERE tablename = 'from_baseline'"), 1);
    EXPECT_EQ(query_text("SELECT string_agg(file, ',' ORDER BY version) FROM schemagate.history"),
              "B3__baseline.sql,V4__status.sql");
    const auto again = gate({"migrate"});
    EXPECT_EQ(again.exit_code, 0) << again.err;
    EXPECT_EQ(again.err.find("applying"), std::string::npos) << again.err;
    EXPECT_EQ(gate({"validate"}).exit_code, 0);
    const auto status = nlohmann::json::parse(gate({"status", "--json"}).out);
    EXPECT_TRUE(status["pending"].empty()) << status.dump();
    EXPECT_TRUE(status["drift"].empty()) << status.dump();
    EXPECT_EQ(status["up_to_date"], true);
    // The baseline file is checked like any applied file.
    write_migration("B3__baseline.sql", "CREATE TABLE something_else (id int);\n");
    const auto drift = gate({"migrate"});
    EXPECT_EQ(drift.exit_code, 5) << drift.err;
    EXPECT_NE(drift.err.find("B3__baseline.sql"), std::string::npos) << drift.err;
}

TEST_F(FlywayBaseline, ADatabaseWithHistoryIgnoresIt) {
    write_migration("V1__users.sql", "CREATE TABLE users (id int);\n");
    ASSERT_EQ(gate({"migrate"}).exit_code, 0);
    write_migration("V2__email.sql", "ALTER TABLE users ADD COLUMN email text;\n");
    write_migration("V3__orders.sql", "CREATE TABLE orders (id int);\n");
    write_migration("B3__baseline.sql", "CREATE TABLE from_baseline (id int);\n");
    const auto result = gate({"migrate"});
    ASSERT_EQ(result.exit_code, 0) << result.err;
    EXPECT_NE(result.err.find("applied 2 migrations"), std::string::npos) << result.err;
    EXPECT_EQ(query_int("SELECT count(*) FROM pg_tables WHERE tablename = 'from_baseline'"), 0);
}

TEST_F(FlywayBaseline, ATargetBelowItRunsTheVersionedFiles) {
    consolidated_set();
    const auto result = gate({"migrate", "--target", "2"});
    ASSERT_EQ(result.exit_code, 0) << result.err;
    EXPECT_EQ(query_text("SELECT string_agg(file, ',' ORDER BY version) FROM schemagate.history"),
              "V1__users.sql,V2__email.sql");
}

TEST_F(FlywayBaseline, AdoptTakesFlywaysSqlBaselineRow) {
    consolidated_set();
    exec(
        "CREATE TABLE users (id int, email text); CREATE TABLE orders (id int); "
        "CREATE TABLE from_baseline (id int); "
        "CREATE TABLE flyway_schema_history (installed_rank INT NOT NULL PRIMARY KEY, version "
        "VARCHAR(50), description VARCHAR(200) NOT NULL, type VARCHAR(20) NOT NULL, script "
        "VARCHAR(1000) NOT NULL, checksum INTEGER, installed_by VARCHAR(100) NOT NULL, "
        "installed_on TIMESTAMP NOT NULL DEFAULT now(), execution_time INTEGER NOT NULL, "
        "success BOOLEAN NOT NULL)");
    // The CRC-32 Flyway stores for the B file (its lines, terminators dropped), as zlib
    // computes it; first a wrong one, which is refused.
    exec(
        "INSERT INTO flyway_schema_history VALUES (1, '3', 'baseline', 'SQL_BASELINE', "
        "'B3__baseline.sql', 12345, 'deploy', now(), 9, true)");
    const std::string before = database_fingerprint();
    const auto changed = gate({"adopt"});
    EXPECT_EQ(changed.exit_code, 5) << changed.err;
    EXPECT_NE(changed.err.find("CRC32 differs): B3__baseline.sql"), std::string::npos)
        << changed.err;
    EXPECT_EQ(database_fingerprint(), before);
    exec("UPDATE flyway_schema_history SET checksum = 31097467");
    const auto adopted = gate({"adopt"});
    ASSERT_EQ(adopted.exit_code, 0) << adopted.err;
    EXPECT_NE(adopted.out.find("took over 1 migration from flyway, up to V3"), std::string::npos)
        << adopted.out;
    const auto migrated = gate({"migrate"});
    ASSERT_EQ(migrated.exit_code, 0) << migrated.err;
    EXPECT_NE(migrated.err.find("applying 1/1 V4 status"), std::string::npos) << migrated.err;
    const auto again = gate({"migrate"});
    EXPECT_EQ(again.err.find("applying"), std::string::npos) << again.err;
    EXPECT_EQ(gate({"validate"}).exit_code, 0);
}

}  // namespace
}  // namespace schemagate::testing
