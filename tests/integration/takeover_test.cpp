// SPDX-License-Identifier: Apache-2.0
// Databases another tool manages, or nobody: migrate refuses to guess, adopt and baseline take
// over. The other tools' tables are created exactly as each tool's source creates them (see
// gate/other_tools.cpp).
#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "gate_fixture.h"

namespace schemagate::testing {
namespace {

class Takeover : public GateTest {
  protected:
    // Three migrations; the database already has the first two applied by "another tool".
    void three_files_two_applied(const char* prefix, const char* suffix) {
        write_migration(std::string(prefix) + "1" + suffix, "CREATE TABLE a (id int);\n");
        write_migration(std::string(prefix) + "2" + suffix, "CREATE TABLE b (id int);\n");
        write_migration(std::string(prefix) + "3" + suffix, "CREATE TABLE c (id int);\n");
        exec("CREATE TABLE a (id int); CREATE TABLE b (id int)");
    }

    // migrate refuses with exit 5 and changes nothing; returns its stderr.
    std::string refused_migrate() {
        const std::string before = database_fingerprint();
        const auto result = gate({"migrate", "--timeout", "10s"});
        EXPECT_EQ(result.exit_code, 5) << result.err;
        EXPECT_EQ(database_fingerprint(), before);
        EXPECT_EQ(query_int("SELECT count(*) FROM pg_namespace WHERE nspname = 'schemagate'"), 0);
        return result.err;
    }

    // adopt, then migrate applies only V3.
    void adopt_then_migrate(const std::vector<std::string>& adopt_args) {
        std::vector<std::string> args = {"adopt"};
        args.insert(args.end(), adopt_args.begin(), adopt_args.end());
        const auto adopted = gate(args);
        ASSERT_EQ(adopted.exit_code, 0) << adopted.err << adopted.out;
        EXPECT_NE(adopted.out.find("took over 2 migrations"), std::string::npos) << adopted.out;
        const auto again = gate(args);
        EXPECT_EQ(again.exit_code, 0) << again.err;
        EXPECT_NE(again.out.find("nothing to do"), std::string::npos) << again.out;
        const auto migrated = gate({"migrate"});
        ASSERT_EQ(migrated.exit_code, 0) << migrated.err;
        EXPECT_NE(migrated.err.find("applied 1 migration"), std::string::npos) << migrated.err;
        EXPECT_EQ(query_int("SELECT count(*) FROM schemagate.history WHERE success"), 3);
        const auto status = gate({"status"});
        EXPECT_NE(status.out.find("taken over from"), std::string::npos) << status.out;
    }
};

TEST_F(Takeover, GolangMigrate) {
    three_files_two_applied("000", "_x.up.sql");
    exec(
        "CREATE TABLE schema_migrations (version bigint not null primary key, dirty boolean not "
        "null); INSERT INTO schema_migrations VALUES (2, true)");
    const std::string err = refused_migrate();
    EXPECT_NE(err.find("schema_migrations (golang-migrate) at V2, dirty"), std::string::npos)
        << err;
    EXPECT_NE(err.find("schemagate adopt --from golang-migrate"), std::string::npos) << err;
    const std::string before = database_fingerprint();
    const auto dirty = gate({"adopt"});
    EXPECT_EQ(dirty.exit_code, 5);
    EXPECT_EQ(database_fingerprint(), before);
    EXPECT_NE(dirty.err.find("dirty"), std::string::npos) << dirty.err;
    exec("UPDATE schema_migrations SET dirty = false");
    adopt_then_migrate({});
}

TEST_F(Takeover, Dbmate) {
    three_files_two_applied("2024010100000", "_x.sql");
    exec(
        "CREATE TABLE schema_migrations (version varchar(128) primary key);"
        "INSERT INTO schema_migrations VALUES ('20240101000001'), ('20240101000002')");
    EXPECT_NE(refused_migrate().find("(dbmate) at V20240101000002"), std::string::npos);
    adopt_then_migrate({"--from", "dbmate"});
}

TEST_F(Takeover, Goose) {
    three_files_two_applied("0000", "_x.sql");
    exec(
        "CREATE TABLE goose_db_version (id serial NOT NULL, version_id bigint NOT NULL, "
        "is_applied boolean NOT NULL, tstamp timestamp NULL default now(), PRIMARY KEY(id));"
        "INSERT INTO goose_db_version (version_id, is_applied) VALUES (0, true), (1, true), "
        "(2, true), (3, true), (3, false)");
    EXPECT_NE(refused_migrate().find("goose_db_version (goose) at V2"), std::string::npos);
    adopt_then_migrate({});
}

TEST_F(Takeover, FlywayWithItsOwnChecksums) {
    three_files_two_applied("V", "__x.sql");
    exec(R"(CREATE TABLE "flyway_schema_history" ("installed_rank" INT NOT NULL,
        "version" VARCHAR(50), "description" VARCHAR(200) NOT NULL, "type" VARCHAR(20) NOT NULL,
        "script" VARCHAR(1000) NOT NULL, "checksum" INTEGER, "installed_by" VARCHAR(100) NOT NULL,
        "installed_on" TIMESTAMP NOT NULL DEFAULT now(), "execution_time" INTEGER NOT NULL,
        "success" BOOLEAN NOT NULL);
      ALTER TABLE "flyway_schema_history" ADD CONSTRAINT "flyway_schema_history_pk"
        PRIMARY KEY ("installed_rank");
      CREATE INDEX "flyway_schema_history_s_idx" ON "flyway_schema_history" ("success");)");
    // The CRC-32 Flyway stores for each file (its one line, terminator dropped), as zlib
    // computes it: python3 -c "import zlib; print(zlib.crc32(b'CREATE TABLE a (id int);'))",
    // less 2^32 where Java's int cast makes it negative.
    exec(
        "INSERT INTO flyway_schema_history VALUES "
        "(1, '1', 'x', 'SQL', 'V1__x.sql', -623083431, 'deploy', now(), 5, true), "
        "(2, '2', 'x', 'SQL', 'V2__x.sql', 1128195672, 'deploy', now(), 5, true)");
    EXPECT_NE(refused_migrate().find("flyway_schema_history (flyway) at V2"), std::string::npos);
    // A file edited since Flyway ran it is named, and refused unless accepted.
    write_migration("V2__x.sql", "CREATE TABLE b (id bigint);\n");
    const auto changed = gate({"adopt"});
    EXPECT_EQ(changed.exit_code, 5);
    EXPECT_NE(changed.err.find("CRC32 differs): V2__x.sql"), std::string::npos) << changed.err;
    write_migration("V2__x.sql", "CREATE TABLE b (id int);\r\n");  // line ends do not count
    adopt_then_migrate({});
    EXPECT_EQ(query_text("SELECT applied_by FROM schemagate.history WHERE version = '{1}'"),
              "flyway (deploy)");
}

TEST_F(Takeover, FlywayFailedRowIsRefused) {
    three_files_two_applied("V", "__x.sql");
    exec(
        "CREATE TABLE flyway_schema_history (installed_rank INT PRIMARY KEY, version "
        "VARCHAR(50), description VARCHAR(200) NOT NULL, type VARCHAR(20) NOT NULL, script "
        "VARCHAR(1000) NOT NULL, checksum INTEGER, installed_by VARCHAR(100) NOT NULL, "
        "installed_on TIMESTAMP NOT NULL DEFAULT now(), execution_time INTEGER NOT NULL, "
        "success BOOLEAN NOT NULL);"
        "INSERT INTO flyway_schema_history VALUES "
        "(1, '1', 'x', 'SQL', 'V1__x.sql', -623083431, 'deploy', now(), 5, true), "
        "(2, '2', 'x', 'SQL', 'V2__x.sql', 1128195672, 'deploy', now(), 5, false)");
    const std::string before = database_fingerprint();
    const auto result = gate({"adopt"});
    EXPECT_EQ(result.exit_code, 5);
    EXPECT_NE(result.err.find("a failed Flyway migration V2__x.sql"), std::string::npos)
        << result.err;
    EXPECT_EQ(database_fingerprint(), before);
    EXPECT_EQ(query_int("SELECT count(*) FROM pg_namespace WHERE nspname = 'schemagate'"), 0);
}

TEST_F(Takeover, TablesWithoutHistoryNeedABaseline) {
    three_files_two_applied("V", "__x.sql");
    const std::string err = refused_migrate();
    EXPECT_NE(err.find("the schema already holds tables (public.a, public.b)"), std::string::npos)
        << err;
    EXPECT_NE(err.find("schemagate baseline --version V"), std::string::npos) << err;
    const auto baseline = gate({"baseline", "--version", "2"});
    ASSERT_EQ(baseline.exit_code, 0) << baseline.err;
    EXPECT_NE(baseline.out.find("took over 2 migrations from baseline 2"), std::string::npos)
        << baseline.out;
    const auto again = gate({"baseline", "--version", "1"});
    EXPECT_EQ(again.exit_code, 5) << again.err;
    ASSERT_EQ(gate({"migrate"}).exit_code, 0);
    EXPECT_EQ(query_int("SELECT count(*) FROM information_schema.tables WHERE table_name = 'c'"),
              1);
}

TEST_F(Takeover, BaselineOnMigrateForTheInitContainer) {
    three_files_two_applied("V", "__x.sql");
    const auto result = gate({"migrate", "--baseline-version", "2"});
    ASSERT_EQ(result.exit_code, 0) << result.err;
    EXPECT_NE(result.err.find("baseline: 2 files up to V2 recorded as applied"), std::string::npos)
        << result.err;
    EXPECT_NE(result.err.find("applied 1 migration"), std::string::npos) << result.err;
    // On a fresh schema the flag changes nothing: every file runs.
    exec("DROP SCHEMA schemagate CASCADE; DROP TABLE a, b, c");
    const auto fresh = gate({"migrate", "--baseline-version", "2"});
    ASSERT_EQ(fresh.exit_code, 0) << fresh.err;
    EXPECT_NE(fresh.err.find("applied 3 migrations"), std::string::npos) << fresh.err;
}

// Harbor-style: the application's own migrations alter golang-migrate's table, which exists on
// a fresh database only because --compat keeps it, row for row as golang-migrate would.
TEST_F(Takeover, CompatKeepsTheOtherToolsTableInStep) {
    write_migration("0001_a.up.sql", "CREATE TABLE a (id int);\n");
    write_migration("0002_note.up.sql", "ALTER TABLE schema_migrations ADD COLUMN note text;\n");
    write_migration("0003_c.up.sql", "CREATE TABLE c (id int);\n");
    const auto result = gate({"migrate", "--compat", "golang-migrate"});
    ASSERT_EQ(result.exit_code, 0) << result.err;
    EXPECT_EQ(query_text("SELECT version || ':' || dirty FROM schema_migrations"), "3:false");
    // A later gate without schemagate history would now see golang-migrate's table; with it,
    // nothing is refused and nothing runs again.
    EXPECT_EQ(gate({"migrate", "--compat", "golang-migrate"}).exit_code, 0);
    // The other tools' tables, the same way.
    for (const char* tool : {"dbmate", "goose", "flyway"}) {
        SCOPED_TRACE(tool);
        exec(
            "DROP SCHEMA schemagate CASCADE; DROP TABLE IF EXISTS a, c, schema_migrations, "
            "goose_db_version, flyway_schema_history");
        std::filesystem::remove(migrations_ / "0002_note.up.sql");
        ASSERT_EQ(gate({"migrate", "--compat", tool}).exit_code, 0);
    }
    EXPECT_EQ(query_text("SELECT string_agg(version || ':' || script || ':' || checksum, ',' "
                         "ORDER BY installed_rank) FROM flyway_schema_history"),
              "1:0001_a.up.sql:-623083431,3:0003_c.up.sql:-2102380136");
}

TEST_F(Takeover, CompatRefusesVersionsTheToolCannotStore) {
    write_migration("V1.1__a.sql", "CREATE TABLE a (id int);\n");
    const auto result = gate({"migrate", "--compat", "golang-migrate"});
    EXPECT_EQ(result.exit_code, 3);
    EXPECT_NE(result.err.find("bigint version column"), std::string::npos) << result.err;
}

}  // namespace
}  // namespace schemagate::testing
