// SPDX-License-Identifier: Apache-2.0
// Migration sets as each tool's documentation shows them: Flyway's dotted versions, repeatable
// and undo files and callbacks; golang-migrate's long timestamps; files with Windows line ends;
// subdirectories; and a database that schemagate 0.1 (bigint versions) left behind.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "gate_fixture.h"

namespace schemagate::testing {
namespace {

using Formats = GateTest;

TEST_F(Formats, FlywayVersionsApplyInFlywayOrder) {
    exec("CREATE TABLE harness.applied_order (step serial PRIMARY KEY, version text NOT NULL)");
    const auto record = [](const char* version) {
        return std::string("INSERT INTO applied_order (version) VALUES ('") + version + "');\n";
    };
    write_migration("V1__base.sql", record("1"));
    write_migration("V1.2__second.sql", record("1.2"));
    write_migration("V1_10__third.sql", record("1.10"));
    write_migration("V2.0.10__fourth.sql", record("2.0.10"));
    write_migration("V013.1__fifth.sql", record("13.1"));
    write_migration("U2.0.10__undo_fourth.sql", "DROP TABLE applied_order;\n");
    const auto result = gate({"migrate"});
    ASSERT_EQ(result.exit_code, 0) << result.err;
    EXPECT_EQ(query_text("SELECT string_agg(version, ',' ORDER BY step) FROM applied_order"),
              "1,1.2,1.10,2.0.10,13.1");
    EXPECT_NE(result.err.find("applying 4/5 V2.0.10 fourth"), std::string::npos) << result.err;
    EXPECT_NE(result.err.find("schema is at V13.1"), std::string::npos) << result.err;
    // The database orders the stored versions the same way.
    EXPECT_EQ(query_text("SELECT string_agg(array_to_string(version, '.'), ',' ORDER BY version) "
                         "FROM schemagate.history"),
              "1,1.2,1.10,2.0.10,13.1");
    const auto status = nlohmann::json::parse(gate({"status", "--json"}).out);
    EXPECT_EQ(status["current_version"], "13.1");
    EXPECT_EQ(status["up_to_date"], true);
    // --target takes the same versions.
    EXPECT_EQ(gate({"wait", "--target", "1.10", "--timeout", "5s"}).exit_code, 0);
    EXPECT_EQ(gate({"wait", "--target", "13.1.0", "--timeout", "5s"}).exit_code, 0);
    const auto beyond = gate({"wait", "--target", "13.2", "--timeout", "300ms"});
    EXPECT_EQ(beyond.exit_code, 2) << beyond.err;
    const auto bad = gate({"wait", "--target", "1.x"});
    EXPECT_EQ(bad.exit_code, 3);
    EXPECT_NE(bad.err.find("--target"), std::string::npos) << bad.err;
}

TEST_F(Formats, TimestampVersionsOfTwentyDigits) {
    write_migration("20200601101000000000_create_users.up.sql", "CREATE TABLE users (id int);\n");
    write_migration("20200601101000000000_create_users.down.sql", "DROP TABLE users;\n");
    write_migration("20200601101500000000_add_email.up.sql",
                    "ALTER TABLE users ADD COLUMN email text;\n");
    const auto result = gate({"migrate"});
    ASSERT_EQ(result.exit_code, 0) << result.err;
    EXPECT_EQ(query_int("SELECT count(*) FROM information_schema.columns "
                        "WHERE table_name = 'users' AND column_name = 'email'"),
              1);
    const auto status = nlohmann::json::parse(gate({"status", "--json"}).out);
    // Beyond 2^53 a JSON number would round: the version is written as text.
    EXPECT_EQ(status["current_version"], "20200601101500000000");
    EXPECT_EQ(gate({"migrate"}).exit_code, 0);
}

TEST_F(Formats, RepeatablesRunAfterVersionedAndAgainOnlyWhenChanged) {
    exec("CREATE TABLE harness.runs (file text NOT NULL)");
    write_migration("V1__table.sql", "CREATE TABLE items (id int, price int);\n");
    write_migration("R__items_view.sql",
                    "INSERT INTO runs VALUES ('view');\n"
                    "CREATE OR REPLACE VIEW expensive AS SELECT id FROM items WHERE price > 10;\n");
    write_migration("R__a_function.sql",
                    "INSERT INTO runs VALUES ('function');\n"
                    "CREATE OR REPLACE FUNCTION answer() RETURNS int LANGUAGE sql AS $$ SELECT 42 "
                    "$$;\n");
    auto result = gate({"migrate"});
    ASSERT_EQ(result.exit_code, 0) << result.err;
    EXPECT_EQ(query_text("SELECT string_agg(file, ',' ORDER BY ctid) FROM runs"), "function,view");
    EXPECT_EQ(query_int("SELECT answer()"), 42);
    // Unchanged: nothing runs again.
    result = gate({"migrate"});
    ASSERT_EQ(result.exit_code, 0) << result.err;
    EXPECT_EQ(query_int("SELECT count(*) FROM runs"), 2);
    // Changed: only that one runs again, after a new versioned migration.
    write_migration("V2__column.sql", "ALTER TABLE items ADD COLUMN name text;\n");
    write_migration("R__items_view.sql",
                    "INSERT INTO runs VALUES ('view2');\n"
                    "CREATE OR REPLACE VIEW expensive AS SELECT id, name FROM items "
                    "WHERE price > 10;\n");
    result = gate({"migrate"});
    ASSERT_EQ(result.exit_code, 0) << result.err;
    EXPECT_EQ(query_text("SELECT string_agg(file, ',' ORDER BY ctid) FROM runs"),
              "function,view,view2");
    EXPECT_EQ(query_int("SELECT count(*) FROM information_schema.columns "
                        "WHERE table_name = 'expensive' AND column_name = 'name'"),
              1);
    EXPECT_EQ(query_int("SELECT count(*) FROM schemagate.repeatable"), 2);
}

TEST_F(Formats, FlywayCallbacksAreRefusedByName) {
    write_migration("V1__a.sql", "CREATE TABLE a (id int);\n");
    write_migration("afterMigrate.sql", "GRANT SELECT ON a TO PUBLIC;\n");
    const std::string before = database_fingerprint();
    const auto result = gate({"migrate"});
    EXPECT_EQ(result.exit_code, 3);
    EXPECT_NE(result.err.find("afterMigrate.sql: is a Flyway callback"), std::string::npos)
        << result.err;
    EXPECT_EQ(database_fingerprint(), before);
}

TEST_F(Formats, WindowsLineEndsAreNotDrift) {
    write_migration("V1__a.sql", "CREATE TABLE a (id int);\nCREATE TABLE b (id int);\n");
    ASSERT_EQ(gate({"migrate"}).exit_code, 0);
    // The same file after a Windows checkout, with a byte order mark added by an editor.
    write_migration("V1__a.sql",
                    "\xEF\xBB\xBF"
                    "CREATE TABLE a (id int);\r\nCREATE TABLE b (id int);\r\n");
    const auto result = gate({"migrate"});
    EXPECT_EQ(result.exit_code, 0) << result.err;
    EXPECT_EQ(gate({"validate"}).exit_code, 0);
    // A real change still is drift.
    write_migration("V1__a.sql", "CREATE TABLE a (id bigint);\nCREATE TABLE b (id int);\n");
    EXPECT_EQ(gate({"migrate"}).exit_code, 5);
}

TEST_F(Formats, SubdirectoriesAreMigratedInVersionOrder) {
    std::filesystem::create_directories(migrations_ / "2025");
    write_migration("V1__a.sql", "CREATE TABLE a (id int PRIMARY KEY);\n");
    write_migration("2025/V2__b.sql", "CREATE TABLE b (id int REFERENCES a (id));\n");
    write_migration("V3__c.sql", "CREATE TABLE c (id int);\n");
    const auto result = gate({"migrate"});
    ASSERT_EQ(result.exit_code, 0) << result.err;
    EXPECT_EQ(query_text("SELECT file FROM schemagate.history WHERE version = '{2}'"),
              "2025/V2__b.sql");
}

TEST_F(Formats, AHistoryWrittenBySchemagate01IsConvertedInPlace) {
    // The tables exactly as 0.1 created them, with V1 applied.
    exec(
        "CREATE SCHEMA schemagate;"
        "CREATE TABLE schemagate.lease (name text PRIMARY KEY, holder text, token bigint NOT "
        "NULL, acquired_at timestamptz NOT NULL, renewed_at timestamptz NOT NULL, expires_at "
        "timestamptz NOT NULL);"
        "CREATE TABLE schemagate.history (name text NOT NULL, version bigint NOT NULL, "
        "description text NOT NULL, file text NOT NULL, checksum text NOT NULL, applied_at "
        "timestamptz NOT NULL DEFAULT clock_timestamp(), applied_by text NOT NULL, duration_ms "
        "bigint NOT NULL DEFAULT 0, token bigint NOT NULL, success boolean NOT NULL, PRIMARY KEY "
        "(name, version));"
        "CREATE TABLE a (id int);");
    write_migration("V1__a.sql", "CREATE TABLE a (id int);\n");
    write_migration("V2__b.sql", "CREATE TABLE b (id int);\n");
    // sha256 of "CREATE TABLE a (id int);\n", what 0.1 recorded.
    exec(
        "INSERT INTO schemagate.history (name, version, description, file, checksum, applied_by, "
        "token, success) VALUES ('default', 1, 'a', 'V1__a.sql', "
        "encode(sha256(convert_to(E'CREATE TABLE a (id int);\\n', 'UTF8')), 'hex'), 'old/1', 1, "
        "true)");
    // Readers of the old table work before any gate converts it.
    const auto before = nlohmann::json::parse(gate({"status", "--json"}).out);
    EXPECT_EQ(before["current_version"], 1);
    const auto result = gate({"migrate"});
    ASSERT_EQ(result.exit_code, 0) << result.err;
    EXPECT_EQ(query_text("SELECT format_type(atttypid, atttypmod) FROM pg_attribute "
                         "WHERE attrelid = 'schemagate.history'::regclass AND attname = 'version'"),
              "numeric[]");
    EXPECT_EQ(query_text("SELECT string_agg(array_to_string(version, '.'), ',' ORDER BY version) "
                         "FROM schemagate.history"),
              "1,2");
}

}  // namespace
}  // namespace schemagate::testing
