// SPDX-License-Identifier: Apache-2.0
// `schemagate plan`: what migrate would do, in order, and every check that would refuse, with
// nothing changed in the database (not even the state tables created).
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "gate_fixture.h"

namespace schemagate::testing {
namespace {

using Plan = GateTest;

TEST_F(Plan, ListsWhatMigrateWouldDoAndChangesNothing) {
    use_examples();
    const std::string before = database_fingerprint();
    const auto text = gate({"plan"});
    EXPECT_EQ(text.exit_code, 0) << text.err;
    EXPECT_NE(text.out.find("5 migrations to apply, in this order:"), std::string::npos)
        << text.out;
    EXPECT_NE(text.out.find("V4 index orders by customer (V4__index_orders_by_customer.sql) "
                            "without a transaction"),
              std::string::npos)
        << text.out;
    EXPECT_NE(text.out.find("line    3: CREATE INDEX CONCURRENTLY"), std::string::npos) << text.out;
    const auto json = nlohmann::json::parse(gate({"plan", "--json"}).out);
    EXPECT_EQ(json["would"], "apply");
    ASSERT_EQ(json["pending"].size(), 5U);
    EXPECT_EQ(json["pending"][3]["transaction"], false);
    EXPECT_EQ(json["pending"][3]["statements"][0]["line"], 3);
    EXPECT_EQ(database_fingerprint(), before) << "plan changed the database";
    EXPECT_EQ(query_int("SELECT (to_regnamespace('schemagate') IS NULL)::int"), 1);

    ASSERT_EQ(gate({"migrate"}).exit_code, 0);
    const auto done = gate({"plan"});
    EXPECT_EQ(done.exit_code, 0);
    EXPECT_NE(done.out.find("nothing to do"), std::string::npos) << done.out;
}

TEST_F(Plan, NamesEveryRefusalMigrateWouldMeet) {
    write_migration("V1__a.sql", "CREATE TABLE a (id int);\n");
    ASSERT_EQ(gate({"migrate"}).exit_code, 0);
    write_migration("V1__a.sql", "CREATE TABLE a (id bigint);\n");  // drift
    write_migration("V2__b.sql", "CREATE TABLE b (id int);\n");
    const std::string before = database_fingerprint();
    const auto drift = gate({"plan"});
    EXPECT_EQ(drift.exit_code, 5) << drift.out;
    EXPECT_NE(drift.out.find("migrate would refuse:"), std::string::npos) << drift.out;
    EXPECT_NE(drift.out.find("V1__a.sql"), std::string::npos) << drift.out;
    EXPECT_EQ(nlohmann::json::parse(gate({"plan", "--json"}).out)["would"], "refuse");
    EXPECT_EQ(database_fingerprint(), before);

    write_migration("V1__a.sql", "CREATE TABLE a (id int);\n");
    write_migration("V2__b.sql", "CREATE TABLE a (id int);\n");  // fails: already exists
    ASSERT_EQ(gate({"migrate"}).exit_code, 1);
    const auto remembered = gate({"plan"});
    EXPECT_EQ(remembered.exit_code, 1) << remembered.out;
    EXPECT_NE(remembered.out.find("V2 b failed before and would not run again"), std::string::npos)
        << remembered.out;
    EXPECT_NE(remembered.out.find("schemagate retry --version 2"), std::string::npos);
}

TEST_F(Plan, AnotherToolsHistoryIsARefusal) {
    write_migration("1_init.up.sql", "CREATE TABLE a (id int);\n");
    exec(
        "CREATE TABLE schema_migrations (version bigint NOT NULL PRIMARY KEY, dirty boolean "
        "NOT NULL); INSERT INTO schema_migrations VALUES (1, false); CREATE TABLE a (id int)");
    const auto result = gate({"plan"});
    EXPECT_EQ(result.exit_code, 5) << result.out << result.err;
    EXPECT_NE(result.out.find("golang-migrate"), std::string::npos) << result.out;
}

}  // namespace
}  // namespace schemagate::testing
