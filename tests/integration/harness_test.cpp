// SPDX-License-Identifier: Apache-2.0
// The PostgreSQL test harness itself: a real server, a fresh database per test, stop/start.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <pqxx/connection>
#include <pqxx/nontransaction>

#include "postgres_server.h"

namespace schemagate::testing {
namespace {

int query_int(const std::string& url, const std::string& sql) {
    pqxx::connection connection(url);
    pqxx::nontransaction work(connection);
    return work.exec(sql)[0][0].as<int>();
}

TEST(Harness, ServerAcceptsQueriesOverTcpWithAPassword) {
    auto& server = PostgresServer::instance();
    ASSERT_TRUE(server.running());
    EXPECT_EQ(query_int(server.url(), "SELECT 40 + 2"), 42);
    pqxx::connection connection(server.url());
    pqxx::nontransaction work(connection);
    EXPECT_EQ(work.exec("SHOW server_version_num")[0][0].as<int>() / 10000, 15);
    // Password authentication is really on: a wrong password is refused.
    EXPECT_THROW(pqxx::connection("postgresql://postgres:wrong@127.0.0.1:" +
                                  std::to_string(server.port()) + "/postgres"),
                 pqxx::broken_connection);
}

TEST(Harness, EachTestGetsAFreshDatabase) {
    auto& server = PostgresServer::instance();
    const std::string first = server.fresh_database("harness");
    const std::string second = server.fresh_database("harness");
    EXPECT_NE(first, second);
    {
        pqxx::connection connection(first);
        pqxx::nontransaction work(connection);
        work.exec("CREATE TABLE only_here (x int)");
    }
    EXPECT_EQ(query_int(second, "SELECT count(*) FROM pg_tables WHERE tablename = 'only_here'"), 0);
}

TEST(Harness, StopsAndRestartsMidTest) {
    auto& server = PostgresServer::instance();
    const std::string url = server.fresh_database("restart");
    server.stop_server();
    EXPECT_THROW(pqxx::connection{url}, pqxx::broken_connection);
    server.start_server();
    EXPECT_EQ(query_int(url, "SELECT 1"), 1);
}

// Used by harness_cleanup_test.sh: reports where the server lives, then (optionally) hangs
// until the script kills this binary.
TEST(Harness, ReportsLocationForTheCleanupCheck) {
    const char* report = std::getenv("HARNESS_REPORT");
    if (report == nullptr) GTEST_SKIP() << "only run by tests/harness/harness_cleanup_test.sh";
    auto& server = PostgresServer::instance();
    {
        std::ofstream out(report);
        out << server.dir() << ' ' << server.port() << '\n';
    }
    ASSERT_TRUE(std::filesystem::exists(server.dir()));
    if (std::getenv("HARNESS_HANG") != nullptr) {
        for (;;) pause();
    }
}

}  // namespace
}  // namespace schemagate::testing
