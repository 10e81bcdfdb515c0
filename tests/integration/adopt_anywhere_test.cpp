// SPDX-License-Identifier: Apache-2.0
// Other tools' tables under other names and in other schemas, and histories with versions
// applied from no SQL file (issue 26, item 4). The tables are created as each tool's source
// creates them (see gate/other_tools.cpp); Flyway configured with `flyway.table=schema_version`
// and `flyway.defaultSchema=app` creates the same table there.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "gate_fixture.h"

namespace schemagate::testing {
namespace {

std::string flyway_table(const std::string& table) {
    return "CREATE TABLE " + table +
           " (installed_rank INT NOT NULL PRIMARY KEY, version VARCHAR(50), description "
           "VARCHAR(200) NOT NULL, type VARCHAR(20) NOT NULL, script VARCHAR(1000) NOT NULL, "
           "checksum INTEGER, installed_by VARCHAR(100) NOT NULL, installed_on TIMESTAMP NOT NULL "
           "DEFAULT now(), execution_time INTEGER NOT NULL, success BOOLEAN NOT NULL); ";
}

class AdoptAnywhere : public GateTest {
  protected:
    // V1 and V3 are SQL files; Flyway also applied V2 from a Java class (type JDBC, no file).
    void flyway_with_a_java_migration(const std::string& table) {
        write_migration("V1__a.sql", "CREATE TABLE a (id int);\n");
        write_migration("V3__c.sql", "CREATE TABLE c (id int);\n");
        write_migration("V4__d.sql", "CREATE TABLE d (id int);\n");
        // CRC-32 of "CREATE TABLE a (id int);" and "CREATE TABLE c (id int);", as Flyway
        // stores them (see takeover_test.cpp).
        exec("CREATE SCHEMA IF NOT EXISTS app; " + flyway_table(table) + "INSERT INTO " + table +
             " VALUES (1, '1', 'a', 'SQL', 'V1__a.sql', -623083431, 'deploy', now(), 5, true), "
             "(2, '2', 'Seed', 'JDBC', 'db.migration.V2__Seed', NULL, 'deploy', now(), 7, true), "
             "(3, '3', 'c', 'SQL', 'V3__c.sql', -2102380136, 'deploy', now(), 5, true); "
             "CREATE TABLE a (id int); CREATE TABLE c (id int)");
    }
};

TEST_F(AdoptAnywhere, FlywayUnderAnotherNameInAnotherSchemaWithAJavaMigration) {
    flyway_with_a_java_migration("app.schema_version");
    // Found in a schema off the search_path, under Flyway's old default name.
    const std::string before = database_fingerprint();
    const auto missing = gate({"adopt"});
    EXPECT_EQ(missing.exit_code, 5) << missing.err;
    EXPECT_NE(missing.err.find("app.schema_version (flyway)"), std::string::npos) << missing.err;
    EXPECT_NE(missing.err.find("no file here: V2"), std::string::npos) << missing.err;
    EXPECT_NE(missing.err.find("--accept-missing"), std::string::npos) << missing.err;
    EXPECT_EQ(database_fingerprint(), before);

    const auto adopted = gate({"adopt", "--accept-missing", "2"});
    ASSERT_EQ(adopted.exit_code, 0) << adopted.err;
    EXPECT_NE(adopted.out.find("V2 (db.migration.V2__Seed) without a file"), std::string::npos)
        << adopted.out;
    EXPECT_EQ(query_text("SELECT file || '|' || checksum || '|' || applied_by FROM "
                         "schemagate.history WHERE version = '{2}'"),
              "db.migration.V2__Seed||flyway (deploy), no file here (--accept-missing)");
    const auto status = gate({"status"});
    EXPECT_NE(status.out.find("db.migration.V2__Seed"), std::string::npos) << status.out;
    const auto migrated = gate({"migrate"});
    ASSERT_EQ(migrated.exit_code, 0) << migrated.err;
    EXPECT_NE(migrated.err.find("applying 1/1 V4 d"), std::string::npos) << migrated.err;
    EXPECT_EQ(gate({"validate"}).exit_code, 0);
    const auto again = gate({"migrate"});
    EXPECT_EQ(again.exit_code, 0) << again.err;
    EXPECT_EQ(again.err.find("applying"), std::string::npos) << again.err;
}

TEST_F(AdoptAnywhere, EveryMissingVersionWithAStar) {
    flyway_with_a_java_migration("flyway_schema_history");
    const auto adopted = gate({"adopt", "--from", "flyway", "--accept-missing", "*"});
    ASSERT_EQ(adopted.exit_code, 0) << adopted.err;
    EXPECT_EQ(query_int("SELECT count(*) FROM schemagate.history"), 3);
}

TEST_F(AdoptAnywhere, SeveralCandidatesAreNamedAndTableChoosesOne) {
    flyway_with_a_java_migration("app.flyway_schema_history");
    exec(flyway_table("public.flyway_schema_history"));
    const std::string before = database_fingerprint();
    const auto several = gate({"adopt", "--accept-missing", "2"});
    EXPECT_EQ(several.exit_code, 5) << several.err;
    EXPECT_NE(several.err.find("several flyway history tables found (app.flyway_schema_history "
                               "(flyway) at V3, public.flyway_schema_history"),
              std::string::npos)
        << several.err;
    EXPECT_NE(several.err.find("--table [schema.]name"), std::string::npos) << several.err;
    EXPECT_EQ(database_fingerprint(), before);
    const auto chosen = gate({"adopt", "--from", "flyway", "--table", "app.flyway_schema_history",
                              "--accept-missing", "2"});
    ASSERT_EQ(chosen.exit_code, 0) << chosen.err;
    EXPECT_EQ(query_int("SELECT count(*) FROM schemagate.history"), 3);
}

TEST_F(AdoptAnywhere, ABadTableIsRefusedNamingTheFlag) {
    flyway_with_a_java_migration("app.schema_version");
    exec("CREATE TABLE public.other (id int)");
    const std::string before = database_fingerprint();
    for (const std::vector<std::string>& args :
         {std::vector<std::string>{"adopt", "--from", "flyway", "--table", "app.nope"},
          {"adopt", "--from", "flyway", "--table", "public.other"},
          {"adopt", "--from", "flyway", "--table", "a.b.c"},
          {"adopt", "--table", "app.schema_version"},
          {"adopt", "--accept-missing", "x.y"}}) {
        const auto result = gate(args);
        EXPECT_EQ(result.exit_code, 3) << args[args.size() - 1] << ": " << result.err;
        EXPECT_TRUE(result.err.find("--table") != std::string::npos ||
                    result.err.find("--accept-missing") != std::string::npos)
            << result.err;
    }
    EXPECT_EQ(database_fingerprint(), before);
}

TEST_F(AdoptAnywhere, CompatWritesTheToolsTableWhereItIs) {
    write_migration("20240101000001_a.sql", "-- migrate:up\nCREATE TABLE a (id int);\n");
    write_migration("20240101000002_b.sql", "-- migrate:up\nCREATE TABLE b (id int);\n");
    exec(
        "CREATE SCHEMA dbmate; CREATE TABLE dbmate.schema_migrations (version varchar(128) "
        "primary key); INSERT INTO dbmate.schema_migrations VALUES ('20240101000001'); "
        "CREATE TABLE a (id int)");
    const auto adopted = gate({"adopt", "--from", "dbmate"});
    ASSERT_EQ(adopted.exit_code, 0) << adopted.err;
    const auto migrated =
        gate({"migrate", "--compat", "dbmate", "--compat-table", "dbmate.schema_migrations"});
    ASSERT_EQ(migrated.exit_code, 0) << migrated.err;
    EXPECT_EQ(query_text("SELECT string_agg(version, ',' ORDER BY version) FROM "
                         "dbmate.schema_migrations"),
              "20240101000001,20240101000002");
    EXPECT_EQ(query_int("SELECT count(*) FROM pg_tables WHERE schemaname = 'public' AND "
                        "tablename = 'schema_migrations'"),
              0);
    const auto alone = gate({"migrate", "--compat-table", "dbmate.schema_migrations"});
    EXPECT_EQ(alone.exit_code, 3) << alone.err;
}

TEST_F(AdoptAnywhere, BaselineRefusesADatabaseAToolManagesFromAnotherSchema) {
    write_migration("20240101000001_a.sql", "-- migrate:up\nCREATE TABLE a (id int);\n");
    exec(
        "CREATE SCHEMA dbmate; CREATE TABLE dbmate.schema_migrations (version varchar(128) "
        "primary key); INSERT INTO dbmate.schema_migrations VALUES ('20240101000001'); "
        "CREATE TABLE a (id int)");
    const std::string before = database_fingerprint();
    const auto result = gate({"baseline", "--version", "20240101000001"});
    EXPECT_EQ(result.exit_code, 5) << result.err;
    EXPECT_NE(result.err.find("dbmate.schema_migrations (dbmate)"), std::string::npos)
        << result.err;
    EXPECT_EQ(database_fingerprint(), before);
}

}  // namespace
}  // namespace schemagate::testing
