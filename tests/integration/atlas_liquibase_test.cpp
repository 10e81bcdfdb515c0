// SPDX-License-Identifier: Apache-2.0
// Atlas's and Liquibase's layouts on a real server: the schema they build is the one the
// tool's own semantics build (pg_dump compared), a second run does nothing, `validate` passes,
// a tampered atlas.sum is refused, and the tools' history tables (created as their sources
// create them, the checksums computed in SQL from the tools' definitions) are taken over.
#include <gtest/gtest.h>

#include <pqxx/nontransaction>

#include "gate_fixture.h"

namespace schemagate::testing {
namespace {

// pg_dump of the schema migrations build; its `\restrict` lines carry a random key.
std::string schema_dump(const std::string& url) {
    const auto dumped = run({"/usr/bin/env", "pg_dump", "--schema-only", "--no-owner",
                             "--no-privileges", "-n", "public", url});
    EXPECT_EQ(dumped.exit_code, 0) << dumped.err;
    std::string out;
    std::size_t pos = 0;
    while (pos < dumped.out.size()) {
        auto end = dumped.out.find('\n', pos);
        end = end == std::string::npos ? dumped.out.size() : end + 1;
        const std::string line = dumped.out.substr(pos, end - pos);
        if (!line.starts_with("\\")) out += line;
        pos = end;
    }
    return out;
}

// The schema the tool builds: `queries` sent one by one, as the tool sends them.
std::string reference_schema(const std::vector<std::string>& queries) {
    const std::string url = PostgresServer::instance().fresh_database("reference");
    pqxx::connection connection(url);
    for (const auto& query : queries) pqxx::nontransaction(connection).exec(query);
    return schema_dump(url);
}

class ToolLayouts : public GateTest {
  protected:
    // migrate twice (the second does nothing) and validate.
    void migrate_then_rerun(const std::string& expected_applied) {
        const auto first = gate({"migrate"});
        ASSERT_EQ(first.exit_code, 0) << first.err;
        EXPECT_NE(first.err.find(expected_applied), std::string::npos) << first.err;
        const long long rows = query_int("SELECT count(*) FROM schemagate.history");
        const auto second = gate({"migrate"});
        ASSERT_EQ(second.exit_code, 0) << second.err;
        EXPECT_EQ(second.err.find("applied"), std::string::npos) << second.err;
        EXPECT_EQ(query_int("SELECT count(*) FROM schemagate.history"), rows);
        const auto validated = gate({"validate"});
        EXPECT_EQ(validated.exit_code, 0) << validated.out << validated.err;
    }

    void expect_refused_migrate(const std::string& needle) {
        const std::string before = database_fingerprint();
        const auto refused = gate({"migrate", "--timeout", "10s"});
        EXPECT_EQ(refused.exit_code, 5) << refused.err;
        EXPECT_NE(refused.err.find(needle), std::string::npos) << refused.err;
        EXPECT_EQ(database_fingerprint(), before);
    }
};

// --- Atlas --------------------------------------------------------------------------------

// Files as `atlas migrate diff` writes them for PostgreSQL, the last one with Atlas's
// documented directive for statements that cannot run in a transaction.
const std::vector<std::pair<std::string, std::string>> kAtlasFiles = {
    {"20240101120000_create_users.sql",
     "-- Create \"users\" table\nCREATE TABLE \"users\" (\"id\" integer NOT NULL, \"name\" "
     "character varying NOT NULL, PRIMARY KEY (\"id\"));\n"},
    {"20240102120000_add_email.sql",
     "-- Modify \"users\" table\nALTER TABLE \"users\" ADD COLUMN \"email\" character varying "
     "NULL;\n-- Create \"orders\" table\nCREATE TABLE \"orders\" (\"id\" integer NOT NULL, "
     "\"user_id\" integer NOT NULL, PRIMARY KEY (\"id\"));\n"},
    {"20240103120000_index_email.sql",
     "-- atlas:txmode none\n\n-- Create index \"users_email\" to table: \"users\"\n"
     "CREATE INDEX CONCURRENTLY \"users_email\" ON \"users\" (\"email\");\n"},
};

class AtlasLayout : public ToolLayouts {
  protected:
    void write_atlas_files(std::size_t count = kAtlasFiles.size()) {
        for (std::size_t i = 0; i < count; ++i)
            write_migration(kAtlasFiles[i].first, kAtlasFiles[i].second);
        write_migration("atlas.sum", atlas_sum(count));
    }

    // atlas.sum as Atlas defines it (sql/migrate/dir.go), computed by the server: a file's hash
    // is the running SHA-256 over every name and content up to it, the sum the SHA-256 over
    // every name and hash.
    std::string atlas_sum(std::size_t count) const {
        std::string running = "''::bytea", entries = "''", lines;
        for (std::size_t i = 0; i < count; ++i) {
            const auto& [name, content] = kAtlasFiles[i];
            running += " || convert_to(" + quote(name) + ", 'UTF8') || convert_to(" +
                       quote(content) + ", 'UTF8')";
            const std::string hash = query_text("SELECT encode(sha256(" + running + "), 'base64')");
            lines += name + " h1:" + hash + "\n";
            entries += " || " + quote(name + hash);
        }
        return "h1:" +
               query_text("SELECT encode(sha256(convert_to(" + entries + ", 'UTF8')), 'base64')") +
               "\n" + lines;
    }

    std::string quote(const std::string& text) const {
        return query_text("SELECT quote_literal(" + dollar(text) + ")");
    }
    static std::string dollar(const std::string& text) { return "$sg$" + text + "$sg$"; }

    // Atlas's revisions table, as its ent schema creates it on PostgreSQL.
    void create_atlas_revisions() {
        exec(
            "CREATE SCHEMA atlas_schema_revisions; CREATE TABLE "
            "atlas_schema_revisions.atlas_schema_revisions (version character varying NOT NULL, "
            "description character varying NOT NULL, type bigint NOT NULL DEFAULT 2, applied "
            "bigint NOT NULL DEFAULT 0, total bigint NOT NULL DEFAULT 0, executed_at timestamptz "
            "NOT NULL, execution_time bigint NOT NULL, error text NULL, error_stmt text NULL, "
            "hash character varying NOT NULL, partial_hashes jsonb NULL, operator_version "
            "character varying NOT NULL, PRIMARY KEY (version))");
    }

    void atlas_applied(std::size_t index, int applied, int total) {
        const std::string& name = kAtlasFiles[index].first;
        const std::string version = name.substr(0, name.find('_'));
        exec("INSERT INTO atlas_schema_revisions.atlas_schema_revisions VALUES ('" + version +
             "', 'x', 2, " + std::to_string(applied) + ", " + std::to_string(total) +
             ", now(), 1000, NULL, NULL, 'h', NULL, 'Atlas CLI v0.30.0')");
        if (applied == total) exec(kAtlasFiles[index].second);
    }
};

TEST_F(AtlasLayout, BuildsTheSchemaAtlasBuildsAndRerunsAsANoOp) {
    write_atlas_files();
    migrate_then_rerun("applied 3 migrations");
    EXPECT_NE(schema_dump(url_).find("CREATE INDEX users_email"), std::string::npos);
    EXPECT_EQ(
        schema_dump(url_),
        reference_schema({kAtlasFiles[0].second, kAtlasFiles[1].second,
                          "CREATE INDEX CONCURRENTLY \"users_email\" ON \"users\" (\"email\")"}));
    const auto status = gate({"validate"});
    EXPECT_NE(status.out.find("20240103120000_index_email.sql"), std::string::npos) << status.out;
}

TEST_F(AtlasLayout, ATamperedOrIncompleteDirectoryIsRefusedNamingTheFile) {
    write_atlas_files();
    const std::string before = database_fingerprint();
    write_migration(kAtlasFiles[1].first, kAtlasFiles[1].second + "DROP TABLE \"users\";\n");
    for (const char* command : {"migrate", "validate"}) {
        const auto refused = gate({command});
        EXPECT_EQ(refused.exit_code, 3) << refused.err;
        EXPECT_NE(refused.err.find("20240102120000_add_email.sql changed since atlas.sum was "
                                   "written"),
                  std::string::npos)
            << refused.err;
    }
    write_atlas_files();
    write_migration("20240104120000_more.sql", "CREATE TABLE more (id int);\n");
    const auto added = gate({"migrate"});
    EXPECT_EQ(added.exit_code, 3);
    EXPECT_NE(added.err.find("20240104120000_more.sql is not in atlas.sum"), std::string::npos)
        << added.err;
    std::filesystem::remove(migrations_ / "20240104120000_more.sql");
    std::filesystem::remove(migrations_ / kAtlasFiles[0].first);
    const auto removed = gate({"migrate"});
    EXPECT_EQ(removed.exit_code, 3);
    EXPECT_NE(removed.err.find(kAtlasFiles[0].first + " is in atlas.sum but not in the directory"),
              std::string::npos)
        << removed.err;
    EXPECT_EQ(database_fingerprint(), before);
}

TEST_F(AtlasLayout, AdoptThenMigrateAppliesExactlyThePendingFile) {
    write_atlas_files();
    create_atlas_revisions();
    atlas_applied(0, 1, 1);
    atlas_applied(1, 2, 2);
    exec(
        "INSERT INTO atlas_schema_revisions.atlas_schema_revisions VALUES ('.atlas_cleanup', "
        "'', 2, 0, 0, now(), 0, NULL, NULL, '', NULL, 'Atlas CLI v0.30.0')");
    expect_refused_migrate("schemagate adopt --from atlas");
    const auto adopted = gate({"adopt", "--from", "atlas"});
    ASSERT_EQ(adopted.exit_code, 0) << adopted.err;
    EXPECT_NE(adopted.out.find("took over 2 migrations from atlas"), std::string::npos)
        << adopted.out;
    EXPECT_NE(adopted.out.find("atlas (Atlas CLI v0.30.0)"), std::string::npos) << adopted.out;
    const auto migrated = gate({"migrate"});
    ASSERT_EQ(migrated.exit_code, 0) << migrated.err;
    EXPECT_NE(migrated.err.find("applied 1 migration"), std::string::npos) << migrated.err;
    EXPECT_EQ(query_int("SELECT count(*) FROM pg_indexes WHERE indexname = 'users_email'"), 1);
}

TEST_F(AtlasLayout, AdoptOfEverythingLeavesNothingToApply) {
    write_atlas_files();
    create_atlas_revisions();
    atlas_applied(0, 1, 1);
    atlas_applied(1, 2, 2);
    atlas_applied(2, 1, 1);
    ASSERT_EQ(gate({"adopt"}).exit_code, 0);
    const auto migrated = gate({"migrate"});
    ASSERT_EQ(migrated.exit_code, 0) << migrated.err;
    EXPECT_EQ(migrated.err.find("applied"), std::string::npos) << migrated.err;
    EXPECT_EQ(query_int("SELECT count(*) FROM schemagate.history"), 3);
}

TEST_F(AtlasLayout, ABaselineRevisionCountsTheFilesUpToIt) {
    write_atlas_files();
    create_atlas_revisions();
    // `atlas migrate apply --baseline 20240102120000`: one row, type 1, the files up to it
    // never run by Atlas.
    exec(
        "INSERT INTO atlas_schema_revisions.atlas_schema_revisions VALUES ('20240102120000', "
        "'add_email', 1, 0, 0, now(), 0, NULL, NULL, '', NULL, 'Atlas CLI v0.30.0')");
    exec(kAtlasFiles[0].second + kAtlasFiles[1].second);
    const auto adopted = gate({"adopt"});
    ASSERT_EQ(adopted.exit_code, 0) << adopted.err;
    EXPECT_NE(adopted.out.find("took over 2 migrations from atlas"), std::string::npos)
        << adopted.out;
    const auto migrated = gate({"migrate"});
    ASSERT_EQ(migrated.exit_code, 0) << migrated.err;
    EXPECT_NE(migrated.err.find("applied 1 migration"), std::string::npos) << migrated.err;
}

TEST_F(AtlasLayout, APartlyAppliedRevisionIsRefused) {
    write_atlas_files();
    create_atlas_revisions();
    atlas_applied(0, 1, 1);
    atlas_applied(1, 1, 2);  // its second statement failed
    exec(kAtlasFiles[1].second.substr(0, kAtlasFiles[1].second.find("-- Create \"orders\"")));
    const std::string before = database_fingerprint();
    const auto refused = gate({"adopt"});
    EXPECT_EQ(refused.exit_code, 5);
    EXPECT_NE(refused.err.find("Atlas applied revision 20240102120000 in part (1 of 2 statements)"),
              std::string::npos)
        << refused.err;
    EXPECT_EQ(database_fingerprint(), before);
}

// --- Liquibase ----------------------------------------------------------------------------

// Formatted SQL changelogs as Liquibase's documentation lays them out: one file per change,
// included by a master changelog (here in XML, which schemagate does not read).
const std::vector<std::pair<std::string, std::string>> kLiquibaseFiles = {
    {"001-create-tables.sql",
     "--liquibase formatted sql\n\n"
     "--changeset alice:1\n--comment: the users table\n"
     "CREATE TABLE users (id int PRIMARY KEY, name varchar(255) NOT NULL);\n"
     "--rollback DROP TABLE users;\n\n"
     "--changeset alice:2\n"
     "CREATE TABLE orders (\n  id int PRIMARY KEY,\n  user_id int REFERENCES users (id));\n"
     "--rollback DROP TABLE orders;\n"},
    {"002-indexes.sql",
     "--liquibase formatted sql\n\n"
     "--changeset bob:orders-user-index runInTransaction:false\n"
     "CREATE INDEX CONCURRENTLY orders_user_id ON orders (user_id);\n"
     "--rollback DROP INDEX orders_user_id;\n"},
    {"003-function.sql",
     "--liquibase formatted sql\n\n"
     "--changeset carol:order-count splitStatements:false\n"
     "CREATE FUNCTION order_count(u int) RETURNS bigint LANGUAGE sql\n"
     "  AS $$ SELECT count(*) FROM orders WHERE user_id = u $$;\n"
     "COMMENT ON FUNCTION order_count(int) IS 'orders of a user';\n"
     "--rollback DROP FUNCTION order_count(int);\n"},
};

// Each changeset's SQL as Liquibase runs it (rollback and comment lines left out).
const std::vector<std::string> kLiquibaseChangesets = {
    "CREATE TABLE users (id int PRIMARY KEY, name varchar(255) NOT NULL);",
    "CREATE TABLE orders (\n  id int PRIMARY KEY,\n  user_id int REFERENCES users (id));",
    "CREATE INDEX CONCURRENTLY orders_user_id ON orders (user_id);",
    "CREATE FUNCTION order_count(u int) RETURNS bigint LANGUAGE sql\n"
    "  AS $$ SELECT count(*) FROM orders WHERE user_id = u $$;\n"
    "COMMENT ON FUNCTION order_count(int) IS 'orders of a user';",
};

class LiquibaseLayout : public ToolLayouts {
  protected:
    void write_liquibase_files() {
        for (const auto& [name, sql] : kLiquibaseFiles) write_migration(name, sql);
        write_migration("db.changelog-master.xml",
                        "<databaseChangeLog><includeAll path=\"db/changelog/\"/>"
                        "</databaseChangeLog>\n");
    }

    // databasechangelog as Liquibase creates it on PostgreSQL.
    void create_databasechangelog() {
        exec(
            "CREATE TABLE databasechangelog (id VARCHAR(255) NOT NULL, author VARCHAR(255) NOT "
            "NULL, filename VARCHAR(255) NOT NULL, dateexecuted TIMESTAMP WITHOUT TIME ZONE NOT "
            "NULL, orderexecuted INTEGER NOT NULL, exectype VARCHAR(10) NOT NULL, md5sum "
            "VARCHAR(35), description VARCHAR(255), comments VARCHAR(255), tag VARCHAR(255), "
            "liquibase VARCHAR(20), contexts VARCHAR(255), labels VARCHAR(255), deployment_id "
            "VARCHAR(10))");
    }

    // A row as Liquibase 4.22+ writes it; its MD5SUM is checksum version 9 computed by the
    // server from the definition: md5 of the SQL without spaces, tabs, CRs and LFs, and the
    // changeset's md5 of "9:<that>:".
    void liquibase_applied(int order, const std::string& author, const std::string& id,
                           const std::string& file, std::size_t changeset,
                           const std::string& exectype = "EXECUTED") {
        const std::string sql = "$sg$" + kLiquibaseChangesets[changeset] + "$sg$";
        exec(
            "INSERT INTO databasechangelog (id, author, filename, dateexecuted, orderexecuted, "
            "exectype, md5sum, description, liquibase, deployment_id) VALUES ('" +
            id + "', '" + author + "', 'db/changelog/" + file + "', now(), " +
            std::to_string(order) + ", '" + exectype +
            "', '9:' || md5('9:' || md5(regexp_replace(" + sql +
            ", '[ \\t\\r\\n]', '', 'g')) || ':'), 'sql', '4.29.2', '1234567890')");
        if (exectype == "EXECUTED") exec(kLiquibaseChangesets[changeset]);
    }

    // The same, as Liquibase before 4.22 wrote it (checksum version 8): the header of its
    // defaults for formatted SQL, then the SQL with whitespace runs made one space.
    void liquibase_applied_v8(int order, const std::string& author, const std::string& id,
                              const std::string& file, std::size_t changeset) {
        const std::string sql = "$sg$" + kLiquibaseChangesets[changeset] + "$sg$";
        exec(
            "INSERT INTO databasechangelog (id, author, filename, dateexecuted, orderexecuted, "
            "exectype, md5sum, description, liquibase, deployment_id) VALUES ('" +
            id + "', '" + author + "', 'db/changelog/" + file + "', now(), " +
            std::to_string(order) +
            ", 'EXECUTED', '8:' || md5('8:' || md5('null:true:true:' || regexp_replace(btrim(" +
            sql +
            ", E' \\t\\r\\n'), '[ \t\r\n]+', ' ', 'g')) || ':'), 'sql', '4.9.1', "
            "'1234567890')");
        exec(kLiquibaseChangesets[changeset]);
    }

    void three_changesets_applied() {
        create_databasechangelog();
        liquibase_applied(1, "alice", "1", "001-create-tables.sql", 0);
        liquibase_applied(2, "alice", "2", "001-create-tables.sql", 1);
        liquibase_applied(3, "bob", "orders-user-index", "002-indexes.sql", 2);
    }
};

TEST_F(LiquibaseLayout, BuildsTheSchemaLiquibaseBuildsAndRerunsAsANoOp) {
    write_liquibase_files();
    migrate_then_rerun("applied 4 migrations");
    EXPECT_NE(schema_dump(url_).find("FUNCTION public.order_count"), std::string::npos);
    EXPECT_EQ(schema_dump(url_), reference_schema(kLiquibaseChangesets));
    EXPECT_EQ(query_text("SELECT string_agg(array_to_string(version, '.') || ' ' || description, "
                         "', ' ORDER BY version) FROM schemagate.history"),
              "1.1 alice:1, 1.2 alice:2, 2.1 bob:orders-user-index, 3.1 carol:order-count");
}

TEST_F(LiquibaseLayout, AdoptThenMigrateAppliesExactlyThePendingChangeset) {
    write_liquibase_files();
    three_changesets_applied();
    expect_refused_migrate("schemagate adopt --from liquibase");
    const auto adopted = gate({"adopt"});
    ASSERT_EQ(adopted.exit_code, 0) << adopted.err;
    EXPECT_NE(adopted.out.find("took over 3 migrations from liquibase, up to V2.1"),
              std::string::npos)
        << adopted.out;
    const auto migrated = gate({"migrate"});
    ASSERT_EQ(migrated.exit_code, 0) << migrated.err;
    EXPECT_NE(migrated.err.find("applied 1 migration"), std::string::npos) << migrated.err;
    EXPECT_EQ(query_int("SELECT order_count(1)"), 0);
}

TEST_F(LiquibaseLayout, AdoptOfEverythingLeavesNothingToApply) {
    write_liquibase_files();
    three_changesets_applied();
    liquibase_applied(4, "carol", "order-count", "003-function.sql", 3);
    ASSERT_EQ(gate({"adopt", "--from", "liquibase"}).exit_code, 0);
    const auto migrated = gate({"migrate"});
    ASSERT_EQ(migrated.exit_code, 0) << migrated.err;
    EXPECT_EQ(migrated.err.find("applied"), std::string::npos) << migrated.err;
}

TEST_F(LiquibaseLayout, AChangedChangesetIsRefusedUnlessAccepted) {
    write_liquibase_files();
    three_changesets_applied();
    // Whitespace does not count in Liquibase's checksum version 9; anything else does.
    std::string sql = kLiquibaseFiles[0].second;
    sql.replace(sql.find("  user_id"), 9, "\tuser_id");
    write_migration(kLiquibaseFiles[0].first, sql);
    const auto reformatted = gate({"adopt", "--timeout", "10s"});
    ASSERT_EQ(reformatted.exit_code, 0) << reformatted.err;
    exec("DROP SCHEMA schemagate CASCADE");
    sql.replace(sql.find("REFERENCES users (id)"), 21, "NOT NULL");
    write_migration(kLiquibaseFiles[0].first, sql);
    const std::string after_reset = database_fingerprint();
    const auto changed = gate({"adopt"});
    EXPECT_EQ(changed.exit_code, 5);
    EXPECT_NE(changed.err.find("MD5SUM differs): alice:2"), std::string::npos) << changed.err;
    EXPECT_EQ(database_fingerprint(), after_reset);
    EXPECT_EQ(gate({"adopt", "--accept-checksums"}).exit_code, 0);
}

TEST_F(LiquibaseLayout, ChecksumsOfOlderLiquibaseAreCheckedToo) {
    write_liquibase_files();
    create_databasechangelog();
    liquibase_applied_v8(1, "alice", "1", "001-create-tables.sql", 0);
    liquibase_applied_v8(2, "alice", "2", "001-create-tables.sql", 1);
    exec(
        "UPDATE databasechangelog SET md5sum = '8:00000000000000000000000000000000' WHERE id = "
        "'2'");
    const auto refused = gate({"adopt"});
    EXPECT_EQ(refused.exit_code, 5);
    EXPECT_NE(refused.err.find("older than Liquibase 4.22's (version 9)"), std::string::npos)
        << refused.err;
    exec("DELETE FROM databasechangelog WHERE id = '2'");
    exec("DROP TABLE orders");
    liquibase_applied_v8(2, "alice", "2", "001-create-tables.sql", 1);
    const auto adopted = gate({"adopt"});
    ASSERT_EQ(adopted.exit_code, 0) << adopted.err;
    EXPECT_NE(adopted.out.find("took over 2 migrations"), std::string::npos) << adopted.out;
}

TEST_F(LiquibaseLayout, AFailedRowIsRefused) {
    write_liquibase_files();
    create_databasechangelog();
    liquibase_applied(1, "alice", "1", "001-create-tables.sql", 0);
    liquibase_applied(2, "alice", "2", "001-create-tables.sql", 1, "FAILED");
    const auto refused = gate({"adopt"});
    EXPECT_EQ(refused.exit_code, 5);
    EXPECT_NE(refused.err.find("alice:2 (db/changelog/001-create-tables.sql) as FAILED"),
              std::string::npos)
        << refused.err;
}

TEST_F(LiquibaseLayout, RefusalsNameTheFileAndLine) {
    write_migration("001-x.sql",
                    "--liquibase formatted sql\n--changeset a:1\n--preconditions onFail:HALT\n"
                    "--precondition-sql-check expectedResult:0 SELECT count(*) FROM x\n"
                    "SELECT 1;\n");
    const auto refused = gate({"validate"});
    EXPECT_EQ(refused.exit_code, 3);
    EXPECT_NE(refused.err.find("001-x.sql line 3: Liquibase preconditions"), std::string::npos)
        << refused.err;
    std::filesystem::remove(migrations_ / "001-x.sql");
    write_migration("changelog.sql", "--liquibase formatted sql\n--changeset a:1\nSELECT 1;\n");
    const auto unnumbered = gate({"validate"});
    EXPECT_EQ(unnumbered.exit_code, 3);
    EXPECT_NE(unnumbered.err.find("XML or YAML"), std::string::npos) << unnumbered.err;
}

}  // namespace
}  // namespace schemagate::testing
