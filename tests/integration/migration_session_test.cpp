// SPDX-License-Identifier: Apache-2.0
// Every migration starts from the session's own role and settings, and the bookkeeping runs as
// the gate: a migration's SET ROLE, SET SESSION AUTHORIZATION or SET reaches neither the
// history nor the next migration, on every runner path (chained, with checks, without a
// transaction).
#include <gtest/gtest.h>

#include <string>

#include "gate_fixture.h"

namespace schemagate::testing {
namespace {

class MigrationSession : public GateTest {
  protected:
    void SetUp() override {
        GateTest::SetUp();
        // Roles belong to the cluster, which the tests of this binary share.
        for (const char* role : {"sg_app_owner", "sg_deployer"}) {
            exec(std::string("DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '") +
                 role + "') THEN CREATE ROLE " + role + " NOLOGIN; END IF; END $$");
            exec(std::string("GRANT CREATE ON SCHEMA public TO ") + role);
        }
    }

    std::string owner(const std::string& table) const {
        return query_text("SELECT tableowner FROM pg_tables WHERE tablename = '" + table + "'");
    }
    std::string applied() const {
        return query_text(
            "SELECT coalesce(string_agg(array_to_string(version, '.') || ':' || success, ',' "
            "ORDER BY version), '') FROM schemagate.history");
    }
};

// Without the reset, the history row was written as sg_app_owner: `permission denied for
// schema schemagate`, reported with no line, and V1 rolled back.
TEST_F(MigrationSession, ARoleSetByAMigrationDoesNotReachTheBookkeeping) {
    write_migration("V1__owned.sql", "SET ROLE sg_app_owner;\nCREATE TABLE owned (id int);\n");
    write_migration("V2__by_auth.sql",
                    "SET SESSION AUTHORIZATION sg_app_owner;\nCREATE TABLE by_auth (id int);\n");
    write_migration("V3__mine.sql", "CREATE TABLE mine (id int);\n");
    const auto result = gate({"migrate"});
    ASSERT_EQ(result.exit_code, 0) << result.err;
    EXPECT_EQ(applied(), "1:true,2:true,3:true");
    EXPECT_EQ(owner("owned"), "sg_app_owner");
    EXPECT_EQ(owner("by_auth"), "sg_app_owner");
    EXPECT_EQ(owner("mine"), "postgres");
}

// Where the role may write the state tables, the bookkeeping used to work and the role carried
// into the next migration, whose tables it then owned.
TEST_F(MigrationSession, ARoleThatMayWriteTheStateTablesDoesNotCarryIntoTheNextMigration) {
    write_migration("V1__first.sql", "CREATE TABLE first (id int);\n");
    ASSERT_EQ(gate({"migrate"}).exit_code, 0);
    exec(
        "GRANT USAGE, CREATE ON SCHEMA schemagate TO sg_app_owner; "
        "GRANT ALL ON ALL TABLES IN SCHEMA schemagate TO sg_app_owner");
    write_migration("V2__owned.sql", "SET ROLE sg_app_owner;\nCREATE TABLE owned (id int);\n");
    write_migration("V3__next.sql", "CREATE TABLE next (id int);\n");
    const auto result = gate({"migrate"});
    ASSERT_EQ(result.exit_code, 0) << result.err;
    EXPECT_EQ(applied(), "1:true,2:true,3:true");
    EXPECT_EQ(owner("owned"), "sg_app_owner");
    EXPECT_EQ(owner("next"), "postgres");
}

// "The session's own role" is the one it connected with (here from the URL's options), not
// the login user's.
TEST_F(MigrationSession, EachMigrationStartsFromTheRoleTheSessionConnectedWith) {
    const std::string database = url_.substr(url_.rfind('/') + 1);
    exec("GRANT CREATE ON DATABASE \"" + database + "\" TO sg_deployer");
    write_migration("V1__other.sql", "SET ROLE sg_app_owner;\nCREATE TABLE other (id int);\n");
    write_migration("V2__deployed.sql", "CREATE TABLE deployed (id int);\n");
    const auto result =
        gate({"migrate"}, {{"DATABASE_URL", url_ + "?options=-c%20role%3Dsg_deployer"}});
    ASSERT_EQ(result.exit_code, 0) << result.err;
    EXPECT_EQ(applied(), "1:true,2:true");
    EXPECT_EQ(owner("other"), "sg_app_owner");
    EXPECT_EQ(owner("deployed"), "sg_deployer");
    EXPECT_EQ(owner("history"), "sg_deployer");
}

// A migration's session settings end with it: the next one runs, and is read, as it would in a
// session of its own (a rerun after a crash starts one).
TEST_F(MigrationSession, SessionSettingsOfAMigrationDoNotCarryIntoTheNext) {
    write_migration("V1__app.sql",
                    "CREATE SCHEMA app;\nSET search_path = app;\nCREATE TABLE in_app (id int);\n"
                    "CREATE TABLE s (v text);\n");
    write_migration("V2__where.sql", "CREATE TABLE where_am_i (id int);\n");
    write_migration("V3__escapes.sql",
                    "SET standard_conforming_strings = off;\n"
                    "INSERT INTO app.s VALUES ('it\\'s');\n");
    write_migration("V4__read_as_checked.sql", "INSERT INTO app.s VALUES ('back\\slash');\n");
    const auto result = gate({"migrate"});
    ASSERT_EQ(result.exit_code, 0) << result.err;
    EXPECT_EQ(query_text("SELECT schemaname FROM pg_tables WHERE tablename = 'in_app'"), "app");
    EXPECT_EQ(query_text("SELECT schemaname FROM pg_tables WHERE tablename = 'where_am_i'"),
              "public");
    EXPECT_EQ(query_int("SELECT count(*) FROM app.s WHERE v = 'it''s'"), 1);
    EXPECT_EQ(query_int("SELECT count(*) FROM app.s WHERE v = 'back\\slash'"), 1);
}

TEST_F(MigrationSession, ARoleSetWithoutATransactionDoesNotReachTheBookkeeping) {
    write_migration("V1__nt.sql",
                    "-- schemagate:no-transaction\nSET ROLE sg_app_owner;\nCREATE TABLE nt (id "
                    "int);\n");
    write_migration("V2__after.sql", "CREATE TABLE after_nt (id int);\n");
    const auto result = gate({"migrate"});
    ASSERT_EQ(result.exit_code, 0) << result.err;
    EXPECT_EQ(applied(), "1:true,2:true");
    EXPECT_EQ(owner("nt"), "sg_app_owner");
    EXPECT_EQ(owner("after_nt"), "postgres");
}

// After a failure outside a transaction, the gate still releases its lease as itself.
TEST_F(MigrationSession, AFailureAfterARoleSetWithoutATransactionStillReleasesTheLease) {
    write_migration("V1__fails.sql",
                    "-- schemagate:no-transaction\nSET ROLE sg_app_owner;\nSELECT 1 / 0;\n");
    const auto result = gate({"migrate"});
    EXPECT_EQ(result.exit_code, 1) << result.err;
    EXPECT_NE(result.err.find("V1 fails failed at V1__fails.sql line 3: SQLSTATE 22012"),
              std::string::npos)
        << result.err;
    EXPECT_NE(result.err.find("marked dirty"), std::string::npos) << result.err;
    EXPECT_EQ(result.err.find("could not release the lease"), std::string::npos) << result.err;
    EXPECT_EQ(applied(), "1:false");
    EXPECT_EQ(query_int("SELECT count(*) FROM schemagate.lease WHERE holder IS NULL"), 1);
}

TEST_F(MigrationSession, ARoleSetByAMigrationWithChecksDoesNotReachTheBookkeeping) {
    write_migration("V1__checked.sql", "SET ROLE sg_app_owner;\nCREATE TABLE checked (id int);\n");
    write_migration("V1__checked.verify.sql", "SELECT to_regclass('checked') IS NOT NULL;\n");
    write_migration("V2__mine.sql", "CREATE TABLE mine (id int);\n");
    const auto result = gate({"migrate"});
    ASSERT_EQ(result.exit_code, 0) << result.err;
    EXPECT_EQ(applied(), "1:true,2:true");
    EXPECT_EQ(owner("checked"), "sg_app_owner");
    EXPECT_EQ(owner("mine"), "postgres");
}

}  // namespace
}  // namespace schemagate::testing
