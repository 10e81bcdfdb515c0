// SPDX-License-Identifier: Apache-2.0
#include "gate_fixture.h"

#include <fstream>
#include <iostream>
#include <pqxx/nontransaction>

namespace schemagate::testing {

void GateTest::SetUp() {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    url_ = PostgresServer::instance().fresh_database(info->name());
    // Tests keep their own bookkeeping tables (counters of applied statements) in a schema
    // of their own, found through the search_path: the schema migrations write to (public)
    // starts empty, as on a database schemagate is meant to create from nothing.
    exec("CREATE SCHEMA harness; ALTER DATABASE " + url_.substr(url_.rfind('/') + 1) +
         " SET search_path = public, harness");
    std::string pattern = "/tmp/sgmig.XXXXXX";
    ASSERT_NE(mkdtemp(pattern.data()), nullptr);
    migrations_ = pattern;
}

void GateTest::TearDown() {
    const std::string& password = PostgresServer::instance().password();
    EXPECT_EQ(captured_.find(password), std::string::npos)
        << "the database password appeared in a gate's output";
    if (HasFailure()) {
        // The evidence outlives the run: the migrations and the server's data directory.
        auto& server = PostgresServer::instance();
        server.keep_for_inspection();
        std::cerr << "kept for inspection: migrations in " << migrations_.string() << ", database "
                  << url_.substr(url_.rfind('/') + 1) << " in " << server.dir() << '\n';
        return;
    }
    std::filesystem::remove_all(migrations_);
}

void GateTest::use_examples() const {
    for (const auto& entry : std::filesystem::directory_iterator(examples_migrations())) {
        std::filesystem::copy_file(entry.path(), migrations_ / entry.path().filename());
    }
}

void GateTest::write_migration(const std::string& name, const std::string& sql) const {
    std::ofstream(migrations_ / name, std::ios::binary) << sql;
}

std::vector<std::string> GateTest::gate_args(std::vector<std::string> args) const {
    args.insert(args.begin(), gate_binary());
    return args;
}

std::map<std::string, std::string> GateTest::gate_env(
    std::map<std::string, std::string> extra) const {
    extra.try_emplace("DATABASE_URL", url_);
    extra.try_emplace("SCHEMAGATE_MIGRATIONS", migrations_.string());
    return extra;
}

RunResult GateTest::gate(std::vector<std::string> args, std::map<std::string, std::string> env) {
    RunResult result = run(gate_args(std::move(args)), gate_env(std::move(env)));
    captured_ += result.out + result.err;
    return result;
}

Process GateTest::start_gate(std::vector<std::string> args,
                             std::map<std::string, std::string> env) {
    return Process(gate_args(std::move(args)), gate_env(std::move(env)));
}

void GateTest::keep_output(const Process& process) {
    captured_ += process.out() + process.err();
}

long long GateTest::query_int(const std::string& sql) const {
    pqxx::connection connection(url_);
    pqxx::nontransaction work(connection);
    return work.exec(sql)[0][0].as<long long>();
}

std::string GateTest::query_text(const std::string& sql) const {
    pqxx::connection connection(url_);
    pqxx::nontransaction work(connection);
    const auto row = work.exec(sql)[0];
    return row[0].is_null() ? "" : row[0].as<std::string>();
}

void GateTest::exec(const std::string& sql) const {
    pqxx::connection connection(url_);
    pqxx::nontransaction work(connection);
    work.exec(sql);
}

std::string GateTest::url_through_port(int port) const {
    std::string through = url_;
    const std::string direct = ":" + std::to_string(PostgresServer::instance().port()) + "/";
    through.replace(through.find(direct), direct.size(), ":" + std::to_string(port) + "/");
    return through;
}

std::string GateTest::database_fingerprint() const {
    std::string fingerprint = query_text(
        "SELECT coalesce(string_agg(table_schema || '.' || table_name, ',' "
        "ORDER BY table_schema, table_name), '') FROM information_schema.tables "
        "WHERE table_schema NOT IN ('pg_catalog', 'information_schema')");
    if (query_int("SELECT (to_regclass('schemagate.history') IS NOT NULL)::int") == 1) {
        fingerprint +=
            "|" +
            query_text(
                "SELECT coalesce(string_agg(format('%s:%s:%s', version, success, checksum), ',' "
                "ORDER BY version), '') FROM schemagate.history");
        fingerprint += "|" + query_text(
                                 "SELECT coalesce(string_agg(format('%s:%s:%s:%s', name, holder, "
                                 "token, expires_at), ','), '') "
                                 "FROM schemagate.lease");
    }
    return fingerprint;
}

}  // namespace schemagate::testing
