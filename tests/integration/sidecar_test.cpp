// SPDX-License-Identifier: Apache-2.0
// The real sidecar process, a real HTTP client, a real PostgreSQL, and the real gate.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <httplib.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <pqxx/nontransaction>
#include <sstream>
#include <thread>

#include "freezable_proxy.h"
#include "gate_fixture.h"
#include "prometheus_text.h"

namespace schemagate::testing {
namespace {

using Clock = std::chrono::steady_clock;
constexpr const char* kKubeletAddress = "127.0.0.2";

class Sidecar : public GateTest {
  protected:
    void TearDown() override {
        if (sidecar_) {
            sidecar_->signal(SIGKILL);
            sidecar_->wait_for_exit(Millis{5000});
            keep_output(*sidecar_);
        }
        GateTest::TearDown();
    }

    // Starts the sidecar on a free port and waits until it serves.
    void start_sidecar(std::vector<std::string> args, std::map<std::string, std::string> env = {},
                       const std::vector<std::string>& prefix = {}) {
        args.insert(args.begin(), sidecar_binary());
        args.insert(args.begin(), prefix.begin(), prefix.end());
        args.insert(args.end(), {"--listen", "127.0.0.1:0"});
        sidecar_.emplace(std::move(args), gate_env(std::move(env)));
        ASSERT_TRUE(eventually([&] {
            return sidecar_->err().find("listening on") != std::string::npos ||
                   sidecar_->wait_for_exit(Millis{0});
        })) << sidecar_->err();
        const std::string err = sidecar_->err();
        const auto at = err.find("listening on 127.0.0.1:");
        ASSERT_NE(at, std::string::npos) << err;
        port_ = std::stoi(err.substr(at + std::string("listening on 127.0.0.1:").size()));
        client_ = std::make_unique<httplib::Client>("127.0.0.1", port_);
        client_->set_read_timeout(5, 0);
    }

    struct Answer {
        int status = 0;
        nlohmann::json body;
        std::string text;
    };
    Answer get(const std::string& path) {
        const auto result = client_->Get(path.c_str());
        if (!result) return {};
        captured_ += result->body;
        Answer answer{result->status, nullptr, result->body};
        if (result->get_header_value("Content-Type") == "application/json") {
            answer.body = nlohmann::json::parse(result->body);
        }
        return answer;
    }

    // A bare TCP connection to the sidecar, for requests no HTTP client would send.
    // `from`: the client's own loopback address (all of 127/8 reaches the sidecar), to act as
    // another client than the others.
    int connect_raw(const char* from = nullptr) const {
        const int fd = socket(AF_INET, SOCK_STREAM, 0);
        if (from != nullptr) {
            sockaddr_in source{};
            source.sin_family = AF_INET;
            inet_pton(AF_INET, from, &source.sin_addr);
            if (::bind(fd, reinterpret_cast<sockaddr*>(&source), sizeof source) != 0) {
                close(fd);
                return -1;
            }
        }
        sockaddr_in address{};
        address.sin_family = AF_INET;
        address.sin_port = htons(static_cast<std::uint16_t>(port_));
        address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        if (connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
            close(fd);
            return -1;
        }
        return fd;
    }

    // How many times the sidecar has read the schema state, from pg_stat_statements.
    long long state_queries() const {
        return query_int(
            "SELECT coalesce(sum(calls), 0) FROM pg_stat_statements s "
            "JOIN pg_database d ON d.oid = s.dbid "
            "WHERE d.datname = current_database() AND s.query LIKE '%LEFT JOIN LATERAL%'");
    }

    // A fresh client's probe, as the kubelet makes it: one new connection, a 1 s budget, from
    // an address of its own (the node's; the clients under test use others).
    bool fresh_probe_answers_within_a_second() const {
        httplib::Client fresh("127.0.0.1", port_);
        fresh.set_interface(kKubeletAddress);
        fresh.set_connection_timeout(1, 0);
        fresh.set_read_timeout(1, 0);
        fresh.set_write_timeout(1, 0);
        const auto started = Clock::now();
        const auto result = fresh.Get("/livez");
        return result && result->status == 200 && Clock::now() - started < std::chrono::seconds(1);
    }

    long resident_kib() const {
        std::ifstream status("/proc/" + std::to_string(sidecar_->pid()) + "/status");
        for (std::string line; std::getline(status, line);) {
            if (line.rfind("VmRSS:", 0) == 0) return std::stol(line.substr(6));
        }
        return -1;
    }

    // A login role of its own for the sidecar: only the grants the README documents.
    std::string reader_url(const std::string& password) const {
        const std::string database = query_text("SELECT current_database()");
        const std::string role = "reader_" + database;
        exec("DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '" + role +
             "') THEN CREATE ROLE " + role +
             " LOGIN; END IF; END $$;"
             "ALTER ROLE " +
             role + " PASSWORD '" + password +
             "';"
             "GRANT USAGE ON SCHEMA schemagate TO " +
             role +
             ";"
             "GRANT SELECT ON schemagate.history, schemagate.lease TO " +
             role);
        return "postgresql://" + role + ":" + password +
               "@127.0.0.1:" + std::to_string(PostgresServer::instance().port()) + "/" + database;
    }

    std::optional<Process> sidecar_;
    int port_ = 0;
    std::unique_ptr<httplib::Client> client_;
};

TEST_F(Sidecar, TurnsReadyOnTheGatesNotifyNotOnItsNextPoll) {
    use_examples();
    // A poll ten minutes away (the longest allowed): only the gate's NOTIFY can make the switch
    // while the test waits. (How fast it is, bench/ measures.)
    start_sidecar({"--migrations", migrations_.string(), "--poll-interval", "10m"});
    ASSERT_TRUE(eventually(
        [&] { return get("/readyz").status == 503 && get("/readyz").body["version"] == 0; }));
    const auto before = get("/readyz");
    EXPECT_EQ(before.body["reason"], "schema behind: at 0, app expects 5");
    EXPECT_EQ(before.body["ready"], false);
    ASSERT_EQ(gate({"migrate"}).exit_code, 0);
    ASSERT_TRUE(eventually([&] { return get("/readyz").status == 200; }));
    const auto after = get("/readyz");
    EXPECT_EQ(after.body["version"], 5);
    EXPECT_EQ(after.body["expected"], 5);
    EXPECT_EQ(after.body["reason"], "schema at 5");
    EXPECT_TRUE(after.body["checked_at"].is_string());
}

// The default: a database outage is everyone's, so the last verdict stands (fail static), and
// the answer says it is stale.
TEST_F(Sidecar, KeepsTheLastVerdictThroughAnOutageAndSaysItIsStale) {
    use_examples();
    ASSERT_EQ(gate({"migrate"}).exit_code, 0);
    start_sidecar({"--expect", "5", "--poll-interval", "100ms", "--grace", "1s"});
    ASSERT_TRUE(eventually([&] { return get("/readyz").status == 200; }));
    auto& server = PostgresServer::instance();
    server.stop_server();
    ASSERT_TRUE(eventually([&] { return get("/readyz").body["stale"] == true; }, Millis{10'000}));
    const auto stale = get("/readyz");
    EXPECT_EQ(stale.status, 200);
    EXPECT_NE(stale.body["reason"].get<std::string>().find("keeping the last verdict"),
              std::string::npos)
        << stale.text;
    EXPECT_NE(get("/metrics").text.find("schemagate_stale{name=\"default\"} 1"), std::string::npos);
    server.start_server();
    ASSERT_TRUE(eventually([&] { return get("/readyz").body["stale"] == false; }, Millis{15'000}));
    EXPECT_EQ(get("/readyz").status, 200);
}

TEST_F(Sidecar, StrictOnOutageRidesOutTheGraceThenFailsThenRecovers) {
    use_examples();
    ASSERT_EQ(gate({"migrate"}).exit_code, 0);
    start_sidecar(
        {"--expect", "5", "--poll-interval", "100ms", "--grace", "2s", "--on-outage", "unready"});
    ASSERT_TRUE(eventually([&] { return get("/readyz").status == 200; }));
    auto& server = PostgresServer::instance();
    const auto stopped = Clock::now();
    server.stop_server();
    // The sidecar notices at once (its connection drops) but keeps the last answer.
    ASSERT_TRUE(eventually([&] {
        return get("/metrics").text.find("schemagate_database_up{name=\"default\"} 0") !=
               std::string::npos;
    }));
    if (Clock::now() - stopped < std::chrono::milliseconds(1500)) {
        EXPECT_EQ(get("/readyz").status, 200)
            << "an outage shorter than --grace must not fail readiness";
    }
    ASSERT_TRUE(eventually([&] { return get("/readyz").status == 503; }, Millis{10'000}));
    const auto down = get("/readyz");
    EXPECT_EQ(down.body["reason"].get<std::string>().rfind("database unreachable for ", 0), 0u)
        << down.text;
    EXPECT_GE(Clock::now() - stopped, std::chrono::seconds(2));
    server.start_server();
    ASSERT_TRUE(eventually([&] { return get("/readyz").status == 200; }, Millis{15'000}));
    EXPECT_EQ(get("/readyz").body["version"], 5);
}

TEST_F(Sidecar, MaxVersionBoundsTheCompatibilityWindow) {
    use_examples();
    ASSERT_EQ(gate({"migrate"}).exit_code, 0);
    start_sidecar({"--expect", "2", "--max-version", "3", "--poll-interval", "100ms"});
    ASSERT_TRUE(eventually([&] { return get("/readyz").body["version"] == 5; }));
    const auto answer = get("/readyz");
    EXPECT_EQ(answer.status, 503);
    EXPECT_EQ(answer.body["reason"], "schema ahead: at 5, app supports up to 3");
    EXPECT_EQ(answer.body["max_version"], 3);
    EXPECT_EQ(get("/version").status, 200) << "/version always answers 200";
}

TEST_F(Sidecar, DirtyIsNotReadyOnlyForAnAppThatNeedsThatMigration) {
    use_examples();
    ASSERT_EQ(gate({"migrate"}).exit_code, 0);
    exec(
        "INSERT INTO schemagate.history (name, version, description, file, checksum, applied_by, "
        "token, success) VALUES ('default', '{6}', 'idx', 'V6__idx.sql', 'x', 'dead-pod/1', 1, "
        "false)");
    start_sidecar({"--expect", "6"});
    ASSERT_TRUE(eventually([&] { return get("/readyz").body["dirty"] == true; }));
    const auto answer = get("/readyz");
    EXPECT_EQ(answer.status, 503);
    EXPECT_EQ(answer.body["reason"], "V6 is dirty");
    // The pod of the release before (expects V5) keeps serving, and still reports it.
    sidecar_->signal(SIGTERM);
    sidecar_->wait_for_exit(Millis{5000});
    keep_output(*sidecar_);
    start_sidecar({"--expect", "5"});
    ASSERT_TRUE(eventually([&] { return get("/readyz").body["dirty"] == true; }));
    const auto old_pod = get("/readyz");
    EXPECT_EQ(old_pod.status, 200);
    EXPECT_EQ(old_pod.body["reason"], "schema at 5 (V6, above what this app expects, is dirty)");
    EXPECT_NE(get("/metrics").text.find("schemagate_dirty{name=\"default\"} 1"), std::string::npos);
}

TEST_F(Sidecar, ReadsTheGatesTargetSetting) {
    use_examples();
    ASSERT_EQ(gate({"migrate", "--target", "3"}).exit_code, 0);
    start_sidecar({"--migrations", migrations_.string()}, {{"SCHEMAGATE_TARGET", "3"}});
    ASSERT_TRUE(eventually([&] { return get("/readyz").status == 200; }));
    EXPECT_EQ(get("/readyz").body["expected"], 3);
}

TEST_F(Sidecar, MetricsAgreeWithReadyz) {
    use_examples();
    ASSERT_EQ(gate({"migrate", "--target", "3"}).exit_code, 0);
    start_sidecar({"--expect", "5", "--name", "default"});
    ASSERT_TRUE(eventually([&] { return get("/readyz").body["version"] == 3; }));
    const auto metrics = get("/metrics");
    ASSERT_EQ(metrics.status, 200);
    auto parsed = testing::parse_prometheus_text(metrics.text);
    ASSERT_TRUE(parsed.malformed.empty()) << parsed.malformed.front();
    auto& types = parsed.types;
    auto& values = parsed.values;
    EXPECT_EQ(values["schemagate_schema_version{name=\"default\"}"], 3);
    EXPECT_EQ(values["schemagate_expected_version{name=\"default\"}"], 5);
    EXPECT_EQ(values["schemagate_schema_behind{name=\"default\"}"], 1);
    EXPECT_EQ(values["schemagate_ready{name=\"default\"}"], 0);
    EXPECT_EQ(values["schemagate_database_up{name=\"default\"}"], 1);
    EXPECT_EQ(values["schemagate_dirty{name=\"default\"}"], 0);
    EXPECT_GE(values["schemagate_checks_total{name=\"default\",result=\"ok\"}"], 1);
    EXPECT_EQ(values["schemagate_check_duration_seconds_count{name=\"default\"}"],
              values["schemagate_checks_total{name=\"default\",result=\"ok\"}"]);
    EXPECT_EQ(values["schemagate_check_duration_seconds_bucket{name=\"default\",le=\"+Inf\"}"],
              values["schemagate_check_duration_seconds_count{name=\"default\"}"]);
    EXPECT_GT(values["schemagate_last_check_timestamp_seconds{name=\"default\"}"], 1.7e9);
    EXPECT_EQ(types["schemagate_check_duration_seconds"], "histogram");
    EXPECT_EQ(types["schemagate_checks_total"], "counter");
    EXPECT_EQ(types["schemagate_ready"], "gauge");
}

TEST_F(Sidecar, DottedVersionsAreComparedAndReportedAsFlywayWritesThem) {
    write_migration("V1.9__a.sql", "CREATE TABLE a (id int);\n");
    write_migration("V1.10__b.sql", "CREATE TABLE b (id int);\n");
    ASSERT_EQ(gate({"migrate", "--target", "1.9"}).exit_code, 0);
    // --migrations: the highest file is 1.10, above 1.9 (not below, as text would have it).
    start_sidecar({"--migrations", migrations_.string(), "--max-version", "2.0.10"});
    ASSERT_TRUE(eventually([&] { return get("/readyz").body["version"] == "1.9"; }));
    auto answer = get("/readyz");
    EXPECT_EQ(answer.status, 503);
    EXPECT_EQ(answer.body["expected"], "1.10");
    EXPECT_EQ(answer.body["max_version"], "2.0.10");
    EXPECT_EQ(answer.body["reason"], "schema behind: at 1.9, app expects 1.10");
    ASSERT_EQ(gate({"migrate"}).exit_code, 0);
    ASSERT_TRUE(eventually([&] { return get("/readyz").status == 200; }));
    const auto metrics = testing::parse_prometheus_text(get("/metrics").text);
    // A float64 gauge cannot carry 1.10 apart from 1.1: the version is in the _info labels.
    EXPECT_FALSE(metrics.values.contains("schemagate_schema_version{name=\"default\"}"));
    EXPECT_EQ(metrics.values.at("schemagate_schema_version_info{name=\"default\",version=\"1.10\","
                                "expected=\"1.10\"}"),
              1);
}

TEST_F(Sidecar, ARoleWithOnlyReadGrantsIsEnough) {
    use_examples();
    ASSERT_EQ(gate({"migrate"}).exit_code, 0);
    start_sidecar({"--expect", "5", "--poll-interval", "100ms"},
                  {{"DATABASE_URL", reader_url("read-only-pw")}});
    ASSERT_TRUE(eventually([&] { return get("/readyz").status == 200; })) << sidecar_->err();
    EXPECT_EQ(get("/readyz").body["version"], 5);
    EXPECT_EQ(query_int("SELECT count(*) FROM pg_stat_activity WHERE application_name LIKE "
                        "'sgr1 %' AND datname = current_database() AND usename LIKE 'reader_%'"),
              1);
}

// Tables that exist but this role may not read (failure, batch_progress: granted only the
// first two) are looked up once a minute, not on every poll.
TEST_F(Sidecar, TablesARoleMayNotReadCostNoLookupPerPoll) {
    use_examples();
    ASSERT_EQ(gate({"migrate"}).exit_code, 0);
    exec("CREATE EXTENSION IF NOT EXISTS pg_stat_statements");
    const auto lookups = [this] {
        return query_int(
            "SELECT coalesce(sum(calls), 0) FROM pg_stat_statements s "
            "JOIN pg_database d ON d.oid = s.dbid WHERE d.datname = current_database() "
            "AND s.query LIKE '%to_regclass($3) IS NOT NULL AND to_regclass($4)%'");
    };
    const long long lookups_before = lookups();
    const long long polls_before = state_queries();
    start_sidecar({"--expect", "5", "--poll-interval", "50ms"},
                  {{"DATABASE_URL", reader_url("read-only-pw")}});
    ASSERT_TRUE(eventually([&] { return state_queries() >= polls_before + 30; }))
        << sidecar_->err();
    EXPECT_EQ(get("/readyz").status, 200);
    EXPECT_LE(lookups() - lookups_before, 2)
        << "over " << state_queries() - polls_before << " polls";
}

TEST_F(Sidecar, ARotatedUrlFileIsReadAgainOnTheNextReconnect) {
    use_examples();
    ASSERT_EQ(gate({"migrate"}).exit_code, 0);
    const auto url_file = migrations_.parent_path() / "database-url";
    const auto write_url = [&url_file](const std::string& url) {
        // As the kubelet updates a mounted Secret: a new file swapped in by rename.
        const auto next = url_file.string() + ".next";
        std::ofstream(next) << url << '\n';
        std::filesystem::rename(next, url_file);
    };
    write_url(reader_url("first-pw"));
    start_sidecar(
        {"--expect", "5", "--poll-interval", "100ms", "--database-url-file", url_file.string()},
        {{"DATABASE_URL", ""}});
    ASSERT_TRUE(eventually([&] { return get("/readyz").status == 200; })) << sidecar_->err();
    // The password rotates: the old one stops working, the file holds the new one, and the
    // sidecar's connection is cut (as a database restart or failover would).
    write_url(reader_url("second-pw"));
    const double before = testing::parse_prometheus_text(get("/metrics").text)
                              .values.at("schemagate_checks_total{name=\"default\",result=\"ok\"}");
    exec(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
        "WHERE application_name LIKE 'sgr1 %' AND datname = current_database()");
    ASSERT_TRUE(eventually([&] {
        return query_int(
                   "SELECT count(*) FROM pg_stat_activity WHERE application_name LIKE "
                   "'sgr1 %' AND datname = current_database()") == 1 &&
               testing::parse_prometheus_text(get("/metrics").text)
                       .values.at("schemagate_checks_total{name=\"default\",result=\"ok\"}") >
                   before + 2;
    })) << sidecar_->err();
    EXPECT_EQ(get("/readyz").status, 200);
    EXPECT_EQ(sidecar_->err().find("second-pw"), std::string::npos) << "a password was logged";
    EXPECT_EQ(sidecar_->err().find("first-pw"), std::string::npos) << "a password was logged";
}

TEST_F(Sidecar, ARememberedFailureIsInTheBodyAndTheMetrics) {
    write_migration("V1__t.sql", "CREATE TABLE t (id int);\n");
    write_migration("V2__broken.sql", "CREATE TABLE t (id int);\n");
    ASSERT_EQ(gate({"migrate"}).exit_code, 1);
    start_sidecar({"--expect", "1", "--poll-interval", "100ms"});
    ASSERT_TRUE(eventually([&] { return get("/readyz").status == 200; })) << sidecar_->err();
    const auto body = get("/readyz").body;
    EXPECT_EQ(body["failure"]["version"], 2);
    EXPECT_EQ(body["failure"]["file"], "V2__broken.sql");
    EXPECT_EQ(body["failure"]["sqlstate"], "42P07");
    const auto metrics = testing::parse_prometheus_text(get("/metrics").text);
    EXPECT_EQ(metrics.values.at("schemagate_migration_failed{name=\"default\"}"), 1);
    // Fixed and applied: the record is gone, and the sidecar hears of it.
    write_migration("V2__broken.sql", "CREATE TABLE u (id int);\n");
    ASSERT_EQ(gate({"migrate"}).exit_code, 0);
    ASSERT_TRUE(eventually([&] { return get("/readyz").body["failure"].is_null(); }));
    EXPECT_EQ(testing::parse_prometheus_text(get("/metrics").text)
                  .values.at("schemagate_migration_failed{name=\"default\"}"),
              0);
}

// The probe endpoints answer anyone who can reach the pod. A remembered failure's message
// carries the server's DETAIL, which quotes the application's rows: it stays in `status`
// (database credentials needed) and the logs; the probes say where it failed and its SQLSTATE,
// and name neither the database's user, host, port and name nor the pod that failed.
TEST_F(Sidecar, ARememberedFailuresRowDataAndWhereaboutsStayOffTheProbes) {
    write_migration("V1__users.sql",
                    "CREATE TABLE users (id int PRIMARY KEY, email text UNIQUE);\n"
                    "INSERT INTO users VALUES (1, 'alice@example.com');\n");
    write_migration("V2__more.sql", "INSERT INTO users VALUES (2, 'alice@example.com');\n");
    const auto failed = gate({"migrate", "--holder", "shop-pod-7f9c/1"});
    ASSERT_EQ(failed.exit_code, 1) << failed.err;
    ASSERT_NE(failed.err.find("alice@example.com"), std::string::npos)
        << "the gate's own log keeps the detail: " << failed.err;
    const auto status = gate({"status"});
    EXPECT_NE(status.out.find("alice@example.com"), std::string::npos) << status.out;
    start_sidecar({"--expect", "1", "--poll-interval", "100ms"});
    ASSERT_TRUE(eventually([&] { return !get("/readyz").body["failure"].is_null(); }))
        << sidecar_->err();
    const auto readyz = get("/readyz");
    EXPECT_EQ(readyz.status, 200);
    EXPECT_EQ(readyz.body["failure"]["version"], 2);
    EXPECT_EQ(readyz.body["failure"]["file"], "V2__more.sql");
    EXPECT_EQ(readyz.body["failure"]["line"], 1);
    EXPECT_EQ(readyz.body["failure"]["sqlstate"], "23505");
    const std::string database = url_.substr(url_.rfind('/') + 1);
    const std::string port = std::to_string(PostgresServer::instance().port());
    for (const auto& path : {"/readyz", "/version", "/metrics"}) {
        const std::string body = get(path).text;
        for (const std::string& hidden :
             {std::string("alice@example.com"), std::string("shop-pod-7f9c"), database,
              std::string("127.0.0.1"), ":" + port, std::string("postgres")}) {
            EXPECT_EQ(body.find(hidden), std::string::npos)
                << hidden << " in " << path << ": " << body;
        }
    }
}

TEST_F(Sidecar, HeadWorksOtherMethodsAre405UnknownPaths404) {
    start_sidecar({"--expect", "1"});
    EXPECT_EQ(get("/livez").status, 200);
    const auto head = client_->Head("/readyz");
    ASSERT_TRUE(head);
    EXPECT_EQ(head->status, 503);
    EXPECT_TRUE(head->body.empty());
    const auto post = client_->Post("/readyz", "x", "text/plain");
    ASSERT_TRUE(post);
    EXPECT_EQ(post->status, 405);
    EXPECT_EQ(post->get_header_value("Allow"), "GET, HEAD");
    const auto del = client_->Delete("/metrics");
    ASSERT_TRUE(del);
    EXPECT_EQ(del->status, 405);
    EXPECT_EQ(get("/nope").status, 404);
    EXPECT_EQ(get("/readyz/extra").status, 404);
}

TEST_F(Sidecar, SigtermFinishesTheInFlightRequestAndExitsZero) {
    start_sidecar({"--expect", "1"});
    // A request whose headers are not finished yet: in flight when SIGTERM arrives.
    const int fd = connect_raw();
    ASSERT_GE(fd, 0);
    const std::string head = "GET /livez HTTP/1.1\r\nHost: x\r\n";
    ASSERT_EQ(write(fd, head.data(), head.size()), static_cast<ssize_t>(head.size()));
    // Wait until a worker has picked the connection up (it then reads the partial request).
    ASSERT_TRUE(eventually([&] { return get("/livez").status == 200; }));
    sidecar_->signal(SIGTERM);
    ASSERT_TRUE(eventually([&] { return sidecar_->err().find("draining") != std::string::npos; }));
    const std::string rest = "Connection: close\r\n\r\n";
    ASSERT_EQ(write(fd, rest.data(), rest.size()), static_cast<ssize_t>(rest.size()));
    std::string response;
    char buffer[512];
    for (ssize_t n; (n = read(fd, buffer, sizeof buffer)) > 0;)
        response.append(buffer, static_cast<std::size_t>(n));
    close(fd);
    EXPECT_EQ(response.rfind("HTTP/1.1 200", 0), 0u) << response;
    // The drain ends with the last request in flight (or at its 800 ms limit): the exit is
    // awaited, not timed.
    ASSERT_TRUE(sidecar_->wait_for_exit(Millis{30'000}));
    EXPECT_EQ(sidecar_->exit_code(), 0) << "signal " << sidecar_->term_signal() << "\n"
                                        << sidecar_->err();
}

TEST_F(Sidecar, AStuckClientCannotHoldTheOnlyWorker) {
    start_sidecar({"--expect", "1", "--workers", "1", "--request-timeout", "300ms"});
    const int fd = connect_raw();
    ASSERT_GE(fd, 0);
    const std::string partial = "GET /livez HTTP/1.1\r\n";  // and then nothing, ever
    ASSERT_EQ(write(fd, partial.data(), partial.size()), static_cast<ssize_t>(partial.size()));
    // Answered at all (the client gives up after its 5 s read timeout): the stuck client does
    // not hold the worker.
    EXPECT_EQ(get("/livez").status, 200);
    close(fd);
}

TEST_F(Sidecar, ABurstOfProbesCausesAHandfulOfQueries) {
    use_examples();
    ASSERT_EQ(gate({"migrate"}).exit_code, 0);
    exec("CREATE EXTENSION IF NOT EXISTS pg_stat_statements");
    start_sidecar({"--expect", "5", "--poll-interval", "5s"});
    ASSERT_TRUE(eventually([&] { return get("/readyz").status == 200; }));
    const long long before = state_queries();
    const auto started = Clock::now();
    int ok = 0;
    for (int i = 0; i < 2000; ++i) {
        const auto result = client_->Get("/readyz");
        if (result && result->status == 200) ++ok;
    }
    const auto seconds =
        std::chrono::duration_cast<std::chrono::seconds>(Clock::now() - started).count();
    const long long queries = state_queries() - before;
    EXPECT_EQ(ok, 2000);
    // One query per 5s poll interval, whatever the probe rate.
    EXPECT_LE(queries, 1 + seconds / 5 + 1)
        << queries << " queries for 2000 probes in " << seconds << "s";
}

TEST_F(Sidecar, PortInUseExits3) {
    start_sidecar({"--expect", "1"});
    const auto result =
        run({sidecar_binary(), "--expect", "1", "--listen", "127.0.0.1:" + std::to_string(port_)},
            gate_env());
    captured_ += result.out + result.err;
    EXPECT_EQ(result.exit_code, 3) << result.err;
    EXPECT_NE(result.err.find("--listen: cannot listen on 127.0.0.1:" + std::to_string(port_)),
              std::string::npos)
        << result.err;
}

// In a pod the address comes from SCHEMAGATE_LISTEN: the refusal names that variable.
TEST_F(Sidecar, APortInUseFromTheEnvironmentIsNamedByItsVariable) {
    start_sidecar({"--expect", "1"});
    const std::string address = "127.0.0.1:" + std::to_string(port_);
    auto env = gate_env();
    env["SCHEMAGATE_LISTEN"] = address;
    const auto result = run({sidecar_binary(), "--expect", "1"}, env);
    captured_ += result.out + result.err;
    EXPECT_EQ(result.exit_code, 3) << result.err;
    EXPECT_NE(result.err.find("SCHEMAGATE_LISTEN: cannot listen on " + address), std::string::npos)
        << result.err;
    EXPECT_EQ(result.err.find("--listen"), std::string::npos) << result.err;
}

// The kernel's keepalive timer on the server's end of a session (/proc/net/tcp: timer kind 2,
// its expiry in clock ticks), or nothing while another timer runs. It counts down from
// tcp_keepalives_idle while the session is idle: PostgreSQL always enables keepalives, with the
// kernel's two-hour idle unless the session asked for its own.
std::optional<Millis> server_keepalive_timer(int client_port) {
    std::ifstream table("/proc/net/tcp");
    std::string line;
    std::getline(table, line);  // the header
    while (std::getline(table, line)) {
        unsigned local_port = 0, remote_port = 0, state = 0, kind = 0;
        unsigned long ticks = 0;
        if (std::sscanf(line.c_str(), " %*u: %*8X:%X %*8X:%X %X %*X:%*X %X:%lX", &local_port,
                        &remote_port, &state, &kind, &ticks) != 5) {
            continue;
        }
        if (local_port != static_cast<unsigned>(PostgresServer::instance().port()) ||
            remote_port != static_cast<unsigned>(client_port)) {
            continue;
        }
        if (kind != 2) return std::nullopt;
        const auto ticks_per_second = static_cast<unsigned long>(sysconf(_SC_CLK_TCK));
        return Millis{static_cast<long long>(ticks * 1000 / ticks_per_second)};
    }
    return std::nullopt;
}

// A cut-off client of an idle session (the gate's heartbeat between beats, the sidecar between
// polls) must be noticed by the server as fast as the client notices a dead server: the
// server's end of every schemagate session probes after 5 s idle, where a plain client's
// waits two hours.
TEST_F(Sidecar, TheServersEndOfOurSessionsProbesAfterFiveIdleSeconds) {
    use_examples();
    ASSERT_EQ(gate({"migrate"}).exit_code, 0);
    write_migration("V6__slow.sql", "SELECT pg_sleep(60);");
    start_sidecar({"--expect", "5"});
    auto holder = start_gate({"migrate", "--holder", "pod-k", "--lease-ttl", "30s"});
    const auto client_port = [this](const std::string& application) {
        long long port = -1;
        eventually([&] {
            port = query_int(
                "SELECT coalesce(max(client_port), -1) FROM pg_stat_activity "
                "WHERE datname = current_database() AND application_name LIKE '" +
                application + "'");
            return port > 0;
        });
        return static_cast<int>(port);
    };
    pqxx::connection plain(url_);
    const int plain_port =
        pqxx::nontransaction(plain).exec("SELECT inet_client_port()")[0][0].as<int>();
    const std::map<std::string, int> sessions = {
        {"the gate's heartbeat", client_port("schemagate pod-k (heartbeat)")},
        {"the sidecar", client_port("sgr1 %")}};
    for (const auto& [session, port] : sessions) {
        ASSERT_GT(port, 0) << session << " not found; gate: " << holder.err();
        std::optional<Millis> timer;
        ASSERT_TRUE(eventually([&] { return (timer = server_keepalive_timer(port)).has_value(); }))
            << session;
        EXPECT_LE(*timer, Millis{5000}) << session;
    }
    // The control: the same observable on a plain session shows the kernel's default.
    std::optional<Millis> plain_timer;
    ASSERT_TRUE(
        eventually([&] { return (plain_timer = server_keepalive_timer(plain_port)).has_value(); }));
    EXPECT_GT(*plain_timer, Millis{60'000});
    holder.signal(SIGKILL);
    holder.wait_for_exit(Millis{5000});
    keep_output(holder);
}

TEST_F(Sidecar, UnreachableAtStartIsNotReadyAndSaysWhy) {
    start_sidecar(
        {"--expect", "1", "--database-url",
         "postgresql://postgres:" + PostgresServer::instance().password() + "@127.0.0.1:1/x"});
    ASSERT_TRUE(eventually([&] {
        return get("/readyz").body["reason"].is_string() &&
               get("/readyz").body["reason"].get<std::string>().find("not reached yet") !=
                   std::string::npos;
    }));
    EXPECT_EQ(get("/readyz").status, 503);
    // TearDown checks that the password in that URL appeared in no answer and no log line.
}

}  // namespace
}  // namespace schemagate::testing

namespace schemagate::testing {
namespace {

// Hostile clients: whoever can reach the pod must not be able to make it unready (or, through
// the liveness probe, restarted), nor grow the sidecar past its memory limit (32 MiB in the
// manifests).
constexpr long kMemoryLimitKib = 32 * 1024;

TEST_F(Sidecar, TwoThousandIdleConnectionsDoNotStarveAFreshProbe) {
    rlimit files{};
    getrlimit(RLIMIT_NOFILE, &files);
    files.rlim_cur = std::min<rlim_t>(files.rlim_max, 8192);
    setrlimit(RLIMIT_NOFILE, &files);
    if (files.rlim_cur < 2200)
        GTEST_SKIP() << "this machine allows only " << files.rlim_cur << " files";
    start_sidecar({"--expect", "1", "--request-timeout", "30s"});
    std::vector<int> idle;
    for (int i = 0; i < 2000; ++i) {
        const int fd = connect_raw();
        ASSERT_GE(fd, 0) << "connection " << i;
        idle.push_back(fd);
    }
    EXPECT_TRUE(fresh_probe_answers_within_a_second());
    EXPECT_LT(resident_kib(), kMemoryLimitKib);
    for (const int fd : idle) close(fd);
    EXPECT_TRUE(fresh_probe_answers_within_a_second());
}

TEST_F(Sidecar, FiftySlowlorisConnectionsDoNotStarveAFreshProbe) {
    start_sidecar({"--expect", "1", "--request-timeout", "30s"});
    std::vector<int> slow;
    for (int i = 0; i < 50; ++i) {
        const int fd = connect_raw();
        ASSERT_GE(fd, 0);
        const std::string head = "GET /livez HTTP/1.1\r\nHost: x\r\n";
        ASSERT_EQ(write(fd, head.data(), head.size()), static_cast<ssize_t>(head.size()));
        slow.push_back(fd);
    }
    std::atomic<bool> stop{false};
    std::thread trickle([&] {
        // One header byte per connection every 200 ms: never idle, never finished.
        while (!stop) {
            for (const int fd : slow) [[maybe_unused]] const auto n = write(fd, "X", 1);
            std::this_thread::sleep_for(std::chrono::milliseconds(200));
        }
    });
    for (int i = 0; i < 5; ++i) EXPECT_TRUE(fresh_probe_answers_within_a_second()) << i;
    stop = true;
    trickle.join();
    for (const int fd : slow) close(fd);
}

TEST_F(Sidecar, AHeaderFloodIsCutOffAndMemoryStaysBounded) {
    start_sidecar({"--expect", "1"});
    const long before = resident_kib();
    const int fd = connect_raw();
    ASSERT_GE(fd, 0);
    signal(SIGPIPE, SIG_IGN);
    std::string request = "GET /livez HTTP/1.1\r\nHost: x\r\n";
    ASSERT_EQ(write(fd, request.data(), request.size()), static_cast<ssize_t>(request.size()));
    const std::string header = "X-Flood: " + std::string(8 * 1024, 'a') + "\r\n";
    std::size_t sent = 0;
    // Up to 20,000 headers of 8 KB; the server must refuse long before.
    for (int i = 0; i < 20'000; ++i) {
        const ssize_t n = send(fd, header.data(), header.size(), MSG_NOSIGNAL);
        if (n <= 0) break;
        sent += static_cast<std::size_t>(n);
    }
    std::string answer;
    char buffer[512];
    timeval wait{1, 0};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &wait, sizeof wait);
    for (ssize_t n; (n = read(fd, buffer, sizeof buffer)) > 0;)
        answer.append(buffer, static_cast<std::size_t>(n));
    close(fd);
    EXPECT_LT(sent, std::size_t{20'000} * header.size()) << "the server read every header";
    EXPECT_EQ(answer.find("HTTP/1.1 200"), std::string::npos) << answer.substr(0, 200);
    EXPECT_LT(resident_kib(), std::max(before + 4096, 16L * 1024));
    EXPECT_TRUE(fresh_probe_answers_within_a_second());
}

TEST_F(Sidecar, BigBodiesAreRefusedUnreadAndMemoryStaysBounded) {
    start_sidecar({"--expect", "1"});
    signal(SIGPIPE, SIG_IGN);
    std::vector<std::thread> posters;
    std::atomic<int> refused{0};
    for (int i = 0; i < 8; ++i) {
        posters.emplace_back([&] {
            const int fd = connect_raw();
            if (fd < 0) return;
            const std::size_t size = 10 * 1024 * 1024;
            const std::string head =
                "POST /readyz HTTP/1.1\r\nHost: x\r\nContent-Length: " + std::to_string(size) +
                "\r\n\r\n";
            [[maybe_unused]] auto n = send(fd, head.data(), head.size(), MSG_NOSIGNAL);
            const std::string chunk(64 * 1024, 'b');
            for (std::size_t sent = 0; sent < size; sent += chunk.size()) {
                if (send(fd, chunk.data(), chunk.size(), MSG_NOSIGNAL) <= 0) break;
            }
            char buffer[256];
            timeval wait{2, 0};
            setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &wait, sizeof wait);
            const ssize_t got = read(fd, buffer, sizeof buffer);
            if (got > 0 && std::string(buffer, static_cast<std::size_t>(got)).find(" 405 ") !=
                               std::string::npos) {
                ++refused;
            }
            close(fd);
        });
    }
    EXPECT_TRUE(fresh_probe_answers_within_a_second());
    for (auto& poster : posters) poster.join();
    EXPECT_EQ(refused.load(), 8);
    EXPECT_LT(resident_kib(), kMemoryLimitKib);
    EXPECT_TRUE(fresh_probe_answers_within_a_second());
}

TEST_F(Sidecar, PipelinedRequestsAreAnsweredInOrder) {
    start_sidecar({"--expect", "1"});
    const int fd = connect_raw();
    ASSERT_GE(fd, 0);
    std::string requests;
    for (int i = 0; i < 99; ++i) requests += "GET /livez HTTP/1.1\r\nHost: x\r\n\r\n";
    requests += "GET /nope HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
    ASSERT_EQ(write(fd, requests.data(), requests.size()), static_cast<ssize_t>(requests.size()));
    std::string answers;
    char buffer[4096];
    timeval wait{5, 0};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &wait, sizeof wait);
    for (ssize_t n; (n = read(fd, buffer, sizeof buffer)) > 0;)
        answers.append(buffer, static_cast<std::size_t>(n));
    close(fd);
    int ok = 0;
    for (auto at = answers.find("HTTP/1.1 200"); at != std::string::npos;
         at = answers.find("HTTP/1.1 200", at + 1))
        ++ok;
    EXPECT_EQ(ok, 99);
    // The last answer is the 404, after every 200: in order.
    EXPECT_GT(answers.rfind("HTTP/1.1 404"), answers.rfind("HTTP/1.1 200"));
}

// Waits for the server to close the connection (EOF or reset), reading and dropping what it
// sends. The cap only keeps a regression from hanging the suite.
bool closed_by_server(int fd, Millis cap = Millis{60'000}) {
    const auto until = Clock::now() + cap;
    char buffer[512];
    while (Clock::now() < until) {
        pollfd event{fd, POLLIN | POLLRDHUP, 0};
        const auto left = std::chrono::duration_cast<Millis>(until - Clock::now()).count();
        if (poll(&event, 1, static_cast<int>(std::max<long long>(left, 1))) <= 0) continue;
        if (recv(fd, buffer, sizeof buffer, MSG_DONTWAIT) <= 0) return true;
    }
    return false;
}

// Sends a header line on each connection every `pace` (below the idle timeout), so that
// none is ever idle and none ever ends its request: slowloris.
class Trickle {
  public:
    Trickle(const std::vector<int>& fds, Millis pace)
        : thread_([this, fds, pace] {
              while (!stop_) {
                  for (const int fd : fds) {
                      [[maybe_unused]] auto n = send(fd, "X-Slow: 1\r\n", 11, MSG_NOSIGNAL);
                  }
                  std::this_thread::sleep_for(pace);
              }
          }) {}
    ~Trickle() {
        stop_ = true;
        thread_.join();
    }
    Trickle(const Trickle&) = delete;
    Trickle& operator=(const Trickle&) = delete;

  private:
    std::atomic<bool> stop_{false};
    std::thread thread_;
};

int slowloris_connection(int fd) {
    const std::string head = "GET /livez HTTP/1.1\r\nHost: x\r\n";
    if (fd >= 0) [[maybe_unused]]
        auto n = send(fd, head.data(), head.size(), MSG_NOSIGNAL);
    return fd;
}

TEST_F(Sidecar, ASlowlorisConnectionIsClosedAfterTheRequestTimeout) {
    start_sidecar({"--expect", "1", "--request-timeout", "2s"});
    signal(SIGPIPE, SIG_IGN);
    const int fd = slowloris_connection(connect_raw());
    ASSERT_GE(fd, 0);
    {
        // A header line a second: never idle for the 2 s timeout, never a whole request (and
        // its 8 KiB budget lasts for minutes).
        const Trickle trickle({fd}, Millis{1000});
        EXPECT_TRUE(closed_by_server(fd)) << "the server kept a request open without end";
    }
    close(fd);
}

void raise_own_file_limit(rlim_t wanted) {
    rlimit files{};
    getrlimit(RLIMIT_NOFILE, &files);
    files.rlim_cur = std::min<rlim_t>(files.rlim_max, wanted);
    setrlimit(RLIMIT_NOFILE, &files);
}

TEST_F(Sidecar, ProbesGetThroughWhenClientsTakeEveryDescriptorItHas) {
    raise_own_file_limit(8192);
    // The sidecar with 256 descriptors (a container's soft limit is commonly 1024): cheap to
    // exhaust, as the campaign exhausted 1024 with 2,000 idle connections.
    start_sidecar({"--expect", "1", "--request-timeout", "30s"}, {},
                  {"/usr/bin/prlimit", "--nofile=256:256", "--"});
    signal(SIGPIPE, SIG_IGN);
    std::vector<int> held;
    // One client holding as many idle connections as it is given...
    for (int i = 0; i < 1000; ++i) {
        if (const int fd = connect_raw(); fd >= 0) held.push_back(fd);
    }
    // ... and ten more, from addresses of their own, trickling headers (slowloris).
    std::vector<int> slow;
    for (int client = 3; client < 13; ++client) {
        const std::string from = "127.0.0." + std::to_string(client);
        for (int i = 0; i < 40; ++i) {
            if (const int fd = slowloris_connection(connect_raw(from.c_str())); fd >= 0) {
                slow.push_back(fd);
            }
        }
    }
    {
        const Trickle trickle(slow, Millis{300});
        int answered = 0;
        for (int i = 0; i < 20; ++i) answered += fresh_probe_answers_within_a_second() ? 1 : 0;
        EXPECT_EQ(answered, 20);
        EXPECT_LT(resident_kib(), kMemoryLimitKib);
    }
    for (const int fd : held) close(fd);
    for (const int fd : slow) close(fd);
}

TEST_F(Sidecar, TheSoftOpenFilesLimitIsRaisedToTheHardOne) {
    start_sidecar({"--expect", "1"}, {}, {"/usr/bin/prlimit", "--nofile=100:2048", "--"});
    std::ifstream limits("/proc/" + std::to_string(sidecar_->pid()) + "/limits");
    std::string line;
    while (std::getline(limits, line) && line.rfind("Max open files", 0) != 0) {
    }
    std::istringstream fields(line.substr(std::string("Max open files").size()));
    std::string soft;
    std::string hard;
    fields >> soft >> hard;
    EXPECT_EQ(soft, "2048") << line;
    EXPECT_EQ(hard, "2048") << line;
}

}  // namespace
}  // namespace schemagate::testing

namespace schemagate::testing {
namespace {

// A silent network cut (nothing forwarded, nothing closed): every check is bounded on the
// client side, so readiness follows the grace policy instead of freezing on its last answer,
// and SIGTERM still ends the sidecar at once.
TEST_F(Sidecar, ASilentNetworkCutIsNoticedWithinBoundsAndSigtermStillExitsAtOnce) {
    use_examples();
    ASSERT_EQ(gate({"migrate"}).exit_code, 0);
    FreezableProxy proxy(PostgresServer::instance().port());
    const std::string through = url_through_port(proxy.port());
    start_sidecar({"--expect", "5", "--poll-interval", "200ms", "--check-timeout", "1s", "--grace",
                   "2s", "--on-outage", "unready"},
                  {{"DATABASE_URL", through}});
    ASSERT_TRUE(eventually([&] { return get("/readyz").status == 200; }));
    proxy.freeze();
    const auto cut_at = Clock::now();
    // Within the grace the last verdict stands...
    EXPECT_EQ(get("/readyz").status, 200);
    // ...and after it readiness fails, within poll + check timeout + grace (+ slack).
    ASSERT_TRUE(eventually([&] { return get("/readyz").status == 503; }, Millis{15'000}));
    const auto noticed = Clock::now() - cut_at;
    EXPECT_GE(noticed, std::chrono::seconds(2));
    EXPECT_LT(noticed, std::chrono::seconds(6));
    EXPECT_NE(get("/readyz").body["reason"].get<std::string>().find("unreachable"),
              std::string::npos);
    sidecar_->signal(SIGTERM);
    const auto signalled = Clock::now();
    ASSERT_TRUE(sidecar_->wait_for_exit(Millis{5000}));
    EXPECT_LT(Clock::now() - signalled, std::chrono::milliseconds(1500));
    EXPECT_EQ(sidecar_->exit_code(), 0) << sidecar_->err();
}

// SIGTERM while the watcher's reconnect is stuck in a cut: libpq cannot interrupt a connection
// attempt, and this one's connect_timeout is a minute. The sidecar leaves it behind and exits 0
// with the proxy still frozen, where it used to wait for it (up to a second, then leave it).
TEST_F(Sidecar, SigtermLeavesAConnectionAttemptStuckInACutBehind) {
    use_examples();
    ASSERT_EQ(gate({"migrate"}).exit_code, 0);
    FreezableProxy proxy(PostgresServer::instance().port());
    const std::string through = url_through_port(proxy.port()) + "?connect_timeout=60";
    start_sidecar({"--expect", "5", "--poll-interval", "200ms", "--check-timeout", "1s"},
                  {{"DATABASE_URL", through}});
    ASSERT_TRUE(eventually([&] { return get("/readyz").status == 200; }));
    const int connections = proxy.accepted();
    proxy.freeze();
    // The check in flight is cut after --check-timeout; the reconnect then reaches the proxy
    // and waits for an answer that cannot come.
    ASSERT_TRUE(eventually([&] { return proxy.accepted() > connections; })) << sidecar_->err();
    sidecar_->signal(SIGTERM);
    ASSERT_TRUE(sidecar_->wait_for_exit(Millis{30'000})) << "waited for the connection attempt";
    EXPECT_EQ(sidecar_->exit_code(), 0) << sidecar_->err();
    EXPECT_NE(sidecar_->err().find("a connection attempt in flight is left behind"),
              std::string::npos)
        << sidecar_->err();
}

// A backfill under way (its holder was killed): /metrics and /version show where it stands,
// and follow it as the next holder goes on.
TEST_F(Sidecar, ShowsABatchedMigrationsProgressRateAndEta) {
    write_migration("V1__t.sql",
                    "CREATE TABLE t (id bigint PRIMARY KEY, v text);\n"
                    "INSERT INTO t (id) SELECT generate_series(1, 20000);\n");
    write_migration("V2__fill.sql",
                    "-- schemagate:batch size=200 pause=50ms key=bigint\n"
                    "UPDATE t SET v = 'x' || id WHERE id IN\n"
                    "  (SELECT id FROM t WHERE id > coalesce($2, 0) ORDER BY id LIMIT $1)\n"
                    "RETURNING id;\n"
                    "-- schemagate:batch-total\n"
                    "SELECT count(*) FROM t WHERE v IS NULL;\n");
    const auto progress_rows = [&] {
        if (query_int("SELECT count(*) FROM pg_tables WHERE schemaname = 'schemagate' AND "
                      "tablename = 'batch_progress'") == 0) {
            return 0LL;
        }
        return query_int("SELECT coalesce(max(rows), 0) FROM schemagate.batch_progress");
    };
    {
        Process holder = start_gate({"migrate", "--lease-ttl", "3s"});
        ASSERT_TRUE(eventually([&] { return progress_rows() >= 1000; }, Millis{60'000}))
            << holder.err();
        holder.signal(SIGKILL);
        ASSERT_TRUE(holder.wait_for_exit(Millis{10'000}));
    }
    const long long rows = progress_rows();
    start_sidecar({"--expect", "1", "--poll-interval", "100ms"});
    ASSERT_TRUE(eventually([&] { return get("/readyz").status == 200; }));
    const auto metrics = get("/metrics").text;
    EXPECT_NE(metrics.find("schemagate_batch_rows{name=\"default\",version=\"2\"} " +
                           std::to_string(rows) + "\n"),
              std::string::npos)
        << metrics;
    EXPECT_NE(metrics.find("schemagate_batch_rows_total{name=\"default\",version=\"2\"} 20000\n"),
              std::string::npos);
    EXPECT_NE(metrics.find("schemagate_batch_eta_seconds{"), std::string::npos);
    EXPECT_NE(metrics.find("schemagate_batch_rows_per_second{"), std::string::npos);
    const auto version = get("/version");
    EXPECT_EQ(version.body["batch"]["rows"], rows);
    EXPECT_EQ(version.body["batch"]["version"], 2);
    EXPECT_FALSE(version.body["batch"].contains("last_key"));
    EXPECT_FALSE(version.body["batch"].contains("updated_by")) << "the pod's name";
    // The next holder resumes; the sidecar follows it to the end, when the series go.
    const auto finish = gate({"migrate", "--lease-ttl", "3s"});
    ASSERT_EQ(finish.exit_code, 0) << finish.err;
    ASSERT_TRUE(eventually([&] { return get("/version").body["version"] == 2; }));
    EXPECT_TRUE(get("/version").body["batch"].is_null());
    EXPECT_EQ(get("/metrics").text.find("schemagate_batch_rows{"), std::string::npos);
}

}  // namespace
}  // namespace schemagate::testing
