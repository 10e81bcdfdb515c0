// SPDX-License-Identifier: Apache-2.0
// The recipe in examples/recipes/move-from-another-database: another PostgreSQL database's
// rows copied into this one by a batched migration through postgres_fdw, run by the one-off
// Job, killed midway and resumed, checked by its .verify.sql; then the link dropped.
#include <gtest/gtest.h>

#include <csignal>
#include <filesystem>
#include <fstream>
#include <map>
#include <pqxx/nontransaction>
#include <regex>
#include <sstream>

#include "gate_fixture.h"

namespace schemagate::testing {
namespace {

constexpr int kRows = 20'000;

std::filesystem::path recipe() {
    return {SCHEMAGATE_RECIPE_DIR};
}

std::string read(const std::filesystem::path& path) {
    std::ostringstream text;
    text << std::ifstream(path).rdbuf();
    return text.str();
}

class MoveDataRecipe : public GateTest {
  protected:
    void SetUp() override {
        GateTest::SetUp();
        legacy_url_ = PostgresServer::instance().fresh_database("legacy");
        pqxx::connection legacy(legacy_url_);
        pqxx::nontransaction work(legacy);
        work.exec(
            "CREATE TABLE customers (id bigint PRIMARY KEY, name text NOT NULL, email text);"
            "INSERT INTO customers SELECT g * 3, 'customer ' || g, 'c' || g || '@example.com'"
            "  FROM generate_series(1, " +
            std::to_string(kRows) + ") g");
        operator_setup();
    }
    // setup.sql's statements, with its psql variables bound to the legacy database.
    void operator_setup() const {
        const std::regex parts(R"(postgresql://([^:]+):([^@]+)@([^:]+):(\d+)/(.+))");
        std::smatch m;
        ASSERT_TRUE(std::regex_match(legacy_url_, m, parts)) << "unexpected test URL form";
        std::string sql = read(recipe() / "setup.sql");
        const std::map<std::string, std::string> values = {
            {":'host'", "'" + m[3].str() + "'"},     {":'port'", "'" + m[4].str() + "'"},
            {":'dbname'", "'" + m[5].str() + "'"},   {":'user'", "'" + m[1].str() + "'"},
            {":'password'", "'" + m[2].str() + "'"}, {":\"app\"", "CURRENT_USER"}};
        for (const auto& [variable, value] : values) {
            for (auto at = sql.find(variable); at != std::string::npos; at = sql.find(variable)) {
                sql.replace(at, variable.size(), value);
            }
        }
        exec(sql);
    }
    void copy_migrations(const std::vector<std::string>& prefixes) const {
        for (const auto& entry : std::filesystem::directory_iterator(recipe() / "migrations")) {
            const auto name = entry.path().filename().string();
            for (const auto& prefix : prefixes) {
                if (name.rfind(prefix, 0) == 0) {
                    std::filesystem::copy_file(entry.path(), migrations_ / name);
                }
            }
        }
    }
    long long batches() const {
        return query_int(
            "SELECT coalesce((SELECT batches FROM schemagate.batch_progress), -1) "
            "WHERE to_regclass('schemagate.batch_progress') IS NOT NULL");
    }
    std::string legacy_url_;
};

TEST_F(MoveDataRecipe, TheJobCopiesEveryRowOnceAcrossAKillAndTheChecksCompareCounts) {
    copy_migrations({"V1__", "V2__", "V3__"});
    Process job = start_gate({"migrate", "--hazards=warn", "--lease-ttl", "3s"});
    ASSERT_TRUE(eventually(
        [&] {
            return query_int(
                       "SELECT count(*) FROM pg_tables WHERE schemaname = 'schemagate' AND "
                       "tablename = 'batch_progress'") == 1 &&
                   batches() >= 5;
        },
        Millis{60'000}))
        << job.err();
    job.signal(SIGKILL);
    ASSERT_TRUE(job.wait_for_exit(Millis{10'000}));
    keep_output(job);
    const long long copied = query_int("SELECT count(*) FROM customers");
    EXPECT_GT(copied, 0);
    EXPECT_LT(copied, kRows);

    const auto resumed = gate({"migrate", "--hazards=warn", "--timeout", "300s"});
    ASSERT_EQ(resumed.exit_code, 0) << resumed.err;
    EXPECT_EQ(query_int("SELECT count(*) FROM customers"), kRows);
    EXPECT_EQ(query_int("SELECT count(*) FROM customers c JOIN legacy.customers l USING (id) "
                        "WHERE c.name = l.name AND c.email = l.email"),
              kRows);
    EXPECT_EQ(
        query_int("SELECT count(*) FROM schemagate.history WHERE version = '{3}' AND success"), 1);
    EXPECT_EQ(gate({"verify"}).exit_code, 0);

    // The later release drops the link; the copied rows stay.
    copy_migrations({"V4__"});
    const auto later = gate({"migrate", "--timeout", "60s"});
    ASSERT_EQ(later.exit_code, 0) << later.err;
    EXPECT_EQ(query_int("SELECT count(*) FROM pg_namespace WHERE nspname = 'legacy'"), 0);
    EXPECT_EQ(query_int("SELECT count(*) FROM customers"), kRows);
}

TEST_F(MoveDataRecipe, CountsThatDifferFailTheChecksAndTheMigrationIsNotRecorded) {
    copy_migrations({"V1__", "V2__", "V3__"});
    // A row here that the other database lacks: the counts then differ.
    ASSERT_EQ(gate({"migrate", "--target", "2", "--timeout", "60s"}).exit_code, 0);
    exec("INSERT INTO customers VALUES (1, 'stray', NULL)");
    const auto run = gate({"migrate", "--hazards=warn", "--timeout", "300s"});
    EXPECT_EQ(run.exit_code, 1) << run.err;
    EXPECT_NE(run.err.find("V3__copy_customers.verify.sql"), std::string::npos) << run.err;
    EXPECT_EQ(
        query_int("SELECT count(*) FROM schemagate.history WHERE version = '{3}' AND success"), 0);
}

}  // namespace
}  // namespace schemagate::testing
