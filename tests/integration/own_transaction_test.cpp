// SPDX-License-Identifier: Apache-2.0
// golang-migrate files that bring their own BEGIN ... COMMIT, as its PostgreSQL tutorial
// teaches (issue 26, item 1), on a real server. golang-migrate sends a file as one query
// (its postgres driver's Run: one ExecContext of the whole file); the reference database here
// gets each file the same way, and the schemas are compared.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <pqxx/nontransaction>

#include "gate_fixture.h"
#include "postgres_server.h"

namespace schemagate::testing {
namespace {

// Tables, columns, types and indexes of the public schema, in a stable order.
std::string schema_of(const std::string& url) {
    pqxx::connection connection(url);
    pqxx::nontransaction work(connection);
    return work
        .exec(
            "SELECT coalesce(string_agg(x, E'\\n' ORDER BY x), '') FROM ("
            "SELECT format('%s.%s %s %s', table_name, column_name, data_type, is_nullable) x "
            "FROM information_schema.columns WHERE table_schema = 'public' "
            "AND table_name <> 'schema_migrations' "
            "UNION ALL SELECT indexdef FROM pg_indexes WHERE schemaname = 'public' "
            "AND tablename <> 'schema_migrations') s")[0][0]
        .as<std::string>();
}

class OwnTransaction : public GateTest {
  protected:
    // Each file as golang-migrate runs it: the whole file in one query, in version order.
    std::string reference_schema(const std::vector<std::string>& files) {
        const std::string url = PostgresServer::instance().fresh_database(
            std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()) + "_ref");
        pqxx::connection connection(url);
        for (const auto& sql : files) {
            pqxx::nontransaction work(connection);
            work.exec(sql);
        }
        return schema_of(url);
    }
};

constexpr const char* kWrapped =
    "BEGIN ISOLATION LEVEL SERIALIZABLE;\n"
    "CREATE TABLE users (id bigserial PRIMARY KEY, email text NOT NULL);\n"
    "CREATE TABLE seen (level text, xid bigint);\n"
    "INSERT INTO seen SELECT current_setting('transaction_isolation'), txid_current();\n"
    "COMMIT;\n";

constexpr const char* kPlainWrapped =
    "-- as golang-migrate's PostgreSQL tutorial writes it\n"
    "BEGIN;\nCREATE TABLE tags (name text PRIMARY KEY);\nCOMMIT;\n";

constexpr const char* kTwoBlocks =
    "BEGIN;\nCREATE TABLE orders (id bigserial PRIMARY KEY, user_id bigint);\nCOMMIT;\n"
    "CREATE INDEX orders_user ON orders (user_id);\n"
    "BEGIN;\nALTER TABLE users ADD COLUMN name text;\nCOMMIT;\n";

TEST_F(OwnTransaction, OneBlockIsTheMigrationsTransactionWithItsModes) {
    write_migration("000001_users.up.sql", kWrapped);
    write_migration("000001_users.down.sql", "DROP TABLE seen; DROP TABLE users;\n");
    const auto result = gate({"migrate"});
    ASSERT_EQ(result.exit_code, 0) << result.err;
    EXPECT_EQ(query_text("SELECT level FROM seen"), "serializable");
    // The history row was written by the same transaction as the file's statements.
    EXPECT_EQ(query_int("SELECT count(*) FROM schemagate.history h, seen s "
                        "WHERE h.xmin::text::bigint = s.xid % 4294967296"),
              1);
    const auto plan = gate({"plan", "--json"});
    EXPECT_EQ(plan.exit_code, 0) << plan.err;
    EXPECT_EQ(gate({"migrate"}).exit_code, 0);
    EXPECT_EQ(query_int("SELECT count(*) FROM schemagate.history"), 1);
    EXPECT_EQ(gate({"validate"}).exit_code, 0);
}

TEST_F(OwnTransaction, AFailureInsideTheBlockRollsBackEverythingAndIsNotDirty) {
    write_migration("000001_users.up.sql",
                    "BEGIN;\nCREATE TABLE users (id int);\nSELECT 1/0;\nCOMMIT;\n");
    const auto result = gate({"migrate"});
    EXPECT_EQ(result.exit_code, 1) << result.err;
    EXPECT_NE(result.err.find("000001_users.up.sql line 3"), std::string::npos) << result.err;
    EXPECT_EQ(query_int("SELECT count(*) FROM pg_tables WHERE tablename = 'users'"), 0);
    EXPECT_EQ(query_int("SELECT count(*) FROM schemagate.history"), 0);
}

TEST_F(OwnTransaction, SeveralBlocksRunAsGolangMigrateRunsThem) {
    write_migration("000001_users.up.sql", kWrapped);
    write_migration("000002_tags.up.sql", kPlainWrapped);
    write_migration("000003_orders.up.sql", kTwoBlocks);
    const auto validate = gate({"validate"});
    EXPECT_EQ(validate.exit_code, 0) << validate.err;
    EXPECT_NE(validate.out.find("000003_orders.up.sql) runs without a transaction (its own "
                                "BEGIN ... COMMIT (lines 1, 5)"),
              std::string::npos)
        << validate.out;
    const auto plan = nlohmann::json::parse(gate({"plan", "--json"}).out);
    EXPECT_NE(plan["pending"][2]["mode"].get<std::string>().find("as golang-migrate does"),
              std::string::npos)
        << plan.dump();
    const auto result = gate({"migrate"});
    ASSERT_EQ(result.exit_code, 0) << result.err;
    std::size_t said = 0;
    for (std::size_t at = result.err.find("as golang-migrate does"); at != std::string::npos;
         at = result.err.find("as golang-migrate does", at + 1)) {
        ++said;
    }
    EXPECT_EQ(said, 1U) << result.err;
    EXPECT_EQ(schema_of(url_), reference_schema({kWrapped, kPlainWrapped, kTwoBlocks}));
    const auto again = gate({"migrate"});
    EXPECT_EQ(again.exit_code, 0) << again.err;
    EXPECT_EQ(again.err.find("applying"), std::string::npos) << again.err;
    EXPECT_EQ(query_int("SELECT count(*) FROM schemagate.history WHERE success"), 3);
    EXPECT_EQ(gate({"validate"}).exit_code, 0);
}

TEST_F(OwnTransaction, AFailureInAWholeFileLeavesWhatCommittedAndIsDirty) {
    write_migration("000001_x.up.sql",
                    "BEGIN;\nCREATE TABLE a (id int);\nCOMMIT;\n"
                    "BEGIN;\nCREATE TABLE b (id int);\nSELECT 1/0;\nCOMMIT;\n");
    const auto result = gate({"migrate"});
    EXPECT_EQ(result.exit_code, 1) << result.err;
    EXPECT_NE(result.err.find("dirty"), std::string::npos) << result.err;
    // As under golang-migrate: the first block committed, the second rolled back.
    EXPECT_EQ(query_int("SELECT count(*) FROM pg_tables WHERE tablename IN ('a', 'b')"), 1);
    EXPECT_EQ(query_int("SELECT count(*) FROM schemagate.history WHERE NOT success"), 1);
    EXPECT_EQ(gate({"migrate", "--timeout", "5s"}).exit_code, 5);
}

TEST_F(OwnTransaction, UnpairedTransactionControlIsRefusedBeforeAnythingRuns) {
    write_migration("000001_users.up.sql", kWrapped);
    write_migration("000002_x.up.sql", "BEGIN;\nCREATE TABLE b (id int);\nROLLBACK;\n");
    const std::string before = database_fingerprint();
    const auto result = gate({"migrate"});
    EXPECT_EQ(result.exit_code, 3) << result.err;
    EXPECT_NE(result.err.find("000002_x.up.sql line 3: ROLLBACK"), std::string::npos) << result.err;
    EXPECT_EQ(database_fingerprint(), before);
}

TEST_F(OwnTransaction, AdoptedFromGolangMigrateThenNothingToApply) {
    write_migration("000001_users.up.sql", kWrapped);
    write_migration("000002_orders.up.sql", kTwoBlocks);
    exec(kWrapped);
    exec(kTwoBlocks);
    exec(
        "CREATE TABLE schema_migrations (version bigint not null primary key, dirty boolean "
        "not null); INSERT INTO schema_migrations VALUES (2, false)");
    const auto adopted = gate({"adopt", "--from", "golang-migrate"});
    ASSERT_EQ(adopted.exit_code, 0) << adopted.err;
    const auto migrated = gate({"migrate"});
    ASSERT_EQ(migrated.exit_code, 0) << migrated.err;
    EXPECT_EQ(migrated.err.find("applying"), std::string::npos) << migrated.err;
    EXPECT_EQ(query_int("SELECT count(*) FROM seen"), 1);
}

}  // namespace
}  // namespace schemagate::testing
