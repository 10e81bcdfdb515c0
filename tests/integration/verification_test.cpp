// SPDX-License-Identifier: Apache-2.0
// Checks that must hold after a migration (`<name>.verify.sql` beside it): run inside the
// migration's transaction before COMMIT (a failing one rolls it back), after a
// non-transactional one (a failing one leaves it dirty), and again on demand by `verify`.
#include <gtest/gtest.h>

#include "gate_fixture.h"

namespace schemagate::testing {
namespace {

class Verification : public GateTest {
  protected:
    void orders_with_a_backfill() const {
        write_migration("V1__orders.sql",
                        "CREATE TABLE orders (id int PRIMARY KEY, total int);\n"
                        "INSERT INTO orders SELECT g, g * 10 FROM generate_series(1, 100) g;\n");
        write_migration(
            "V2__totals.sql",
            "CREATE TABLE totals AS SELECT count(*) AS n, sum(total) AS s FROM orders;\n");
        write_migration("V2__totals.verify.sql",
                        "-- every order counted\n"
                        "SELECT n = (SELECT count(*) FROM orders) FROM totals;\n"
                        "-- no order lost its total: no rows\n"
                        "SELECT id FROM orders WHERE total IS NULL;\n");
    }
};

TEST_F(Verification, ChecksThatHoldLetTheMigrationCommit) {
    orders_with_a_backfill();
    const auto result = gate({"migrate"});
    EXPECT_EQ(result.exit_code, 0) << result.err;
    EXPECT_EQ(query_int("SELECT (max(version))[1] FROM schemagate.history"), 2);
    const auto verify = gate({"verify"});
    EXPECT_EQ(verify.exit_code, 0) << verify.out << verify.err;
    EXPECT_NE(verify.out.find("ok      V2 totals (2 checks in V2__totals.verify.sql)"),
              std::string::npos)
        << verify.out;
}

TEST_F(Verification, AFailingCheckRollsTheMigrationBackAndNamesTheCheck) {
    orders_with_a_backfill();
    write_migration("V2__totals.verify.sql",
                    "SELECT n = (SELECT count(*) FROM orders) FROM totals;\n"
                    "-- deliberately wrong:\n"
                    "SELECT s < 0 FROM totals;\n");
    const auto result = gate({"migrate"});
    EXPECT_EQ(result.exit_code, 1) << result.err;
    EXPECT_NE(result.err.find("V2 totals: check V2__totals.verify.sql line 3 failed after the "
                              "migration: returned false; rolled back"),
              std::string::npos)
        << result.err;
    EXPECT_EQ(query_int("SELECT (to_regclass('totals') IS NULL)::int"), 1) << "not rolled back";
    EXPECT_EQ(query_int("SELECT (max(version))[1] FROM schemagate.history"), 1);
    EXPECT_EQ(query_text("SELECT sqlstate || ' ' || line FROM schemagate.failure"), "SGCHK 3");
}

TEST_F(Verification, ACheckReturningRowsFailsAndOneOutsideATransactionLeavesItDirty) {
    write_migration("V1__t.sql", "CREATE TABLE t (id int);\nINSERT INTO t VALUES (1), (NULL);\n");
    write_migration("V2__idx.sql",
                    "-- schemagate:no-transaction\nCREATE INDEX CONCURRENTLY t_id ON t (id);\n");
    write_migration("V2__idx.verify.sql", "SELECT id FROM t WHERE id IS NULL;\n");
    const auto result = gate({"migrate"});
    EXPECT_EQ(result.exit_code, 1) << result.err;
    EXPECT_NE(result.err.find("line 1 failed after the migration: returned 1 row"),
              std::string::npos)
        << result.err;
    EXPECT_NE(result.err.find("marked dirty"), std::string::npos) << result.err;
    EXPECT_EQ(gate({"status", "--exit-code"}).exit_code, 5);
}

TEST_F(Verification, VerifyRechecksAppliedMigrationsAgainstTodaysDataChangingNothing) {
    orders_with_a_backfill();
    ASSERT_EQ(gate({"migrate"}).exit_code, 0);
    exec("INSERT INTO orders VALUES (1000, NULL)");  // written by the app since
    write_migration("V2__totals.verify.sql",
                    "SELECT id FROM orders WHERE total IS NULL;\n"
                    "INSERT INTO orders VALUES (2000, 1);\n");  // a check must not write
    const std::string before = query_text("SELECT count(*)::text FROM orders");
    const auto verify = gate({"verify"});
    EXPECT_EQ(verify.exit_code, 1) << verify.out << verify.err;
    EXPECT_NE(verify.out.find("FAILED  V2 totals: check V2__totals.verify.sql line 1 failed after "
                              "the migration: returned 1 row"),
              std::string::npos)
        << verify.out;
    exec("UPDATE orders SET total = 0 WHERE total IS NULL");
    const auto writing = gate({"verify"});
    EXPECT_EQ(writing.exit_code, 1);
    EXPECT_NE(writing.out.find("could not run: SQLSTATE 25006"), std::string::npos) << writing.out;
    EXPECT_EQ(query_text("SELECT count(*)::text FROM orders"), before);
}

TEST_F(Verification, AChecksFileForNoMigrationIsBadInput) {
    write_migration("V1__t.sql", "CREATE TABLE t (id int);\n");
    write_migration("V1__typo.verify.sql", "SELECT true;\n");
    const auto result = gate({"migrate"});
    EXPECT_EQ(result.exit_code, 3);
    EXPECT_NE(result.err.find("V1__typo.verify.sql"), std::string::npos) << result.err;
    EXPECT_NE(result.err.find("belongs to no versioned migration"), std::string::npos);
    EXPECT_EQ(query_int("SELECT (to_regnamespace('schemagate') IS NULL)::int"), 1);
}

}  // namespace
}  // namespace schemagate::testing
