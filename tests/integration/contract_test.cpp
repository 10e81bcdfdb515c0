// SPDX-License-Identifier: Apache-2.0
// Expand and contract with real processes: a database at V9, sidecars of the old release
// (V1-V9) and of the new one (V10 expand, V11 contract dropping a column), the new release's
// gate, `schemagate contract` waiting for the old pods to go, and what happens to an old pod
// after the contract. The bounds asserted are the ones the README states (with the settings
// these tests pass), each measured and printed.
#include <gtest/gtest.h>
#include <httplib.h>

#include <chrono>
#include <csignal>
#include <deque>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <pqxx/nontransaction>
#include <string>
#include <vector>

#include "gate_fixture.h"
#include "reader_name.h"

namespace schemagate::testing {
namespace {

using Clock = std::chrono::steady_clock;

// The sidecars poll every 200 ms with a 1 s check timeout: the server ends a frozen one's
// session after 3 x 200 ms + 1 s idle (idle_session_timeout, set by the sidecar).
constexpr const char* kPoll = "200ms";
constexpr const char* kCheckTimeout = "1s";
constexpr Millis kIdleSessionTimeout{1600};

double seconds_since(Clock::time_point start) {
    return std::chrono::duration<double>(Clock::now() - start).count();
}

// One sidecar process of a release, with its HTTP port.
struct SidecarProcess {
    std::unique_ptr<Process> process;
    int port = 0;

    int readyz_status(nlohmann::json* body = nullptr) const {
        httplib::Client client("127.0.0.1", port);
        client.set_read_timeout(5, 0);
        const auto result = client.Get("/readyz");
        if (!result) return 0;
        if (body != nullptr) *body = nlohmann::json::parse(result->body);
        return result->status;
    }
    std::string metrics() const {
        httplib::Client client("127.0.0.1", port);
        const auto result = client.Get("/metrics");
        return result ? result->body : "";
    }
};

class Contract : public GateTest {
  protected:
    void SetUp() override {
        GateTest::SetUp();
        std::string pattern = "/tmp/sgnew.XXXXXX";
        ASSERT_NE(mkdtemp(pattern.data()), nullptr);
        new_release_ = pattern;
        // The old release: V1..V9; accounts has a column `legacy_name` that V11 drops.
        write_both("V1__accounts.sql",
                   "CREATE TABLE accounts (id int PRIMARY KEY, legacy_name text);\n");
        for (int v = 2; v <= 9; ++v) {
            write_both("V" + std::to_string(v) + "__step.sql",
                       "CREATE TABLE step_" + std::to_string(v) + " (id int);\n");
        }
        exec("CREATE TABLE harness.contract_runs (n int NOT NULL)");
        // The new release: V10 expands (the new column), V11 contracts (drops the old one).
        write_new("V10__add_display_name.sql",
                  "ALTER TABLE accounts ADD COLUMN display_name text;\n");
        write_new("V11__drop_legacy_name.sql",
                  "-- schemagate:contract\n"
                  "ALTER TABLE accounts DROP COLUMN legacy_name;\n"
                  "INSERT INTO harness.contract_runs VALUES (1);\n");
    }
    void TearDown() override {
        for (auto& sidecar : sidecars_) {
            if (!sidecar.process->exited()) {
                sidecar.process->signal(SIGCONT);
                sidecar.process->signal(SIGKILL);
                sidecar.process->wait_for_exit(Millis{5000});
            }
            keep_output(*sidecar.process);
        }
        if (!HasFailure()) std::filesystem::remove_all(new_release_);
        GateTest::TearDown();
    }

    void write_both(const std::string& name, const std::string& sql) const {
        write_migration(name, sql);
        write_new(name, sql);
    }
    void write_new(const std::string& name, const std::string& sql) const {
        std::ofstream(new_release_ / name, std::ios::binary) << sql;
    }

    // A sidecar of the release whose files are in `dir`, shown as pod `pod`.
    SidecarProcess& start_sidecar(const std::filesystem::path& dir, const std::string& pod) {
        auto process = std::make_unique<Process>(
            std::vector<std::string>{sidecar_binary(), "--migrations", dir.string(), "--listen",
                                     "127.0.0.1:0", "--poll-interval", kPoll, "--check-timeout",
                                     kCheckTimeout, "--pod-name", pod},
            gate_env());
        Process& started = *process;
        EXPECT_TRUE(eventually([&] {
            return started.err().find("listening on 127.0.0.1:") != std::string::npos ||
                   started.wait_for_exit(Millis{0});
        })) << started.err();
        const std::string err = started.err();
        const auto at = err.find("listening on 127.0.0.1:");
        EXPECT_NE(at, std::string::npos) << err;
        const int port = std::stoi(err.substr(at + std::string("listening on 127.0.0.1:").size()));
        sidecars_.push_back({std::move(process), port});
        return sidecars_.back();
    }

    // Sessions of pods named `pod` in pg_stat_activity, as any role sees them.
    long long reader_sessions(const std::string& pod) const {
        return query_int(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
            "AND application_name LIKE 'sgr1 % " +
            pod + "'");
    }
    bool column_exists(const std::string& column) const {
        return query_int(
                   "SELECT count(*) FROM information_schema.columns WHERE table_name = "
                   "'accounts' AND column_name = '" +
                   column + "'") == 1;
    }
    long long history_rows(int version) const {
        return query_int("SELECT count(*) FROM schemagate.history WHERE version = '{" +
                         std::to_string(version) + "}'");
    }

    // The database at V9 (the old release's gate), then the new release's gate: V10 applied,
    // V11 deferred, exit 0.
    void roll_out_new_release() {
        ASSERT_EQ(gate({"migrate"}).exit_code, 0);
        const RunResult gate_run = gate({"migrate", "--migrations", new_release_.string()});
        ASSERT_EQ(gate_run.exit_code, 0) << gate_run.err;
        EXPECT_NE(gate_run.err.find("V11 drop legacy name (V11__drop_legacy_name.sql) is a "
                                    "contract migration: deferred until"),
                  std::string::npos)
            << gate_run.err;
        EXPECT_EQ(query_text("SELECT max(version)::text FROM schemagate.history"), "{10}");
        EXPECT_TRUE(column_exists("display_name"));
        EXPECT_TRUE(column_exists("legacy_name"));
    }

    Process start_contract(const std::string& holder, const std::string& timeout = "60s") {
        return start_gate({"contract", "--migrations", new_release_.string(), "--timeout", timeout,
                           "--poll-interval", "100ms", "--reader-settle", "500ms", "--holder",
                           holder});
    }

    std::filesystem::path new_release_;
    std::deque<SidecarProcess> sidecars_;  // references stay valid as it grows
};

TEST_F(Contract, WaitsForTheOldPodsThenDropsTheColumnOnceAndOldPodsStayOut) {
    ASSERT_EQ(gate({"migrate"}).exit_code, 0);
    SidecarProcess& old1 = start_sidecar(migrations_, "shop-old-aaaaa");
    SidecarProcess& old2 = start_sidecar(migrations_, "shop-old-bbbbb");
    SidecarProcess& old3 = start_sidecar(migrations_, "shop-old-ccccc");
    ASSERT_TRUE(eventually([&] { return old3.readyz_status() == 200; }));
    const RunResult gate_run = gate({"migrate", "--migrations", new_release_.string()});
    ASSERT_EQ(gate_run.exit_code, 0) << gate_run.err;
    EXPECT_NE(gate_run.err.find("V11 drop legacy name (V11__drop_legacy_name.sql) is a contract "
                                "migration: deferred until"),
              std::string::npos)
        << gate_run.err;
    EXPECT_EQ(history_rows(10), 1);
    EXPECT_EQ(history_rows(11), 0);
    SidecarProcess& fresh = start_sidecar(new_release_, "shop-new-ddddd");
    nlohmann::json body;
    ASSERT_TRUE(eventually([&] { return fresh.readyz_status(&body) == 200; })) << body.dump();
    EXPECT_EQ(body["deferred_contract"], 11);
    EXPECT_EQ(body["expected"], 10);
    EXPECT_NE(fresh.metrics().find("schemagate_contract_deferred{name=\"default\"} 1"),
              std::string::npos);
    EXPECT_EQ(old1.readyz_status(), 200);

    // status and plan name the deferred contract and the three old pods holding it back.
    const RunResult status = gate({"status", "--json", "--migrations", new_release_.string()});
    ASSERT_EQ(status.exit_code, 0) << status.err;
    const auto report = nlohmann::json::parse(status.out);
    ASSERT_EQ(report["contracts"].size(), 1U) << status.out;
    EXPECT_EQ(report["contracts"][0]["version"], 11);
    ASSERT_EQ(report["contracts"][0]["held_back_by"].size(), 3U) << status.out;
    EXPECT_EQ(report["contracts"][0]["held_back_by"][0]["ships"], 9);
    const RunResult plan = gate({"plan", "--migrations", new_release_.string()});
    EXPECT_NE(plan.out.find("held back by 3 live pods"), std::string::npos) << plan.out;
    EXPECT_NE(plan.out.find("shop-old-bbbbb ships V9"), std::string::npos) << plan.out;

    Process contract = start_contract("job-1");
    ASSERT_TRUE(eventually([&] {
        return contract.err().find("3 live pods of a release without it") != std::string::npos;
    })) << contract.err();
    EXPECT_FALSE(contract.exited());
    old1.process->signal(SIGTERM);
    old2.process->signal(SIGTERM);
    ASSERT_TRUE(old1.process->wait_for_exit(Millis{10'000}));
    ASSERT_TRUE(old2.process->wait_for_exit(Millis{10'000}));
    ASSERT_TRUE(eventually([&] {
        return contract.err().find("1 live pod of a release without it") != std::string::npos;
    })) << contract.err();
    EXPECT_TRUE(column_exists("legacy_name"));
    EXPECT_EQ(history_rows(11), 0);

    const auto killed_at = Clock::now();
    old3.process->signal(SIGKILL);
    ASSERT_TRUE(contract.wait_for_exit(Millis{30'000}));
    const double took = seconds_since(killed_at);
    keep_output(contract);
    EXPECT_EQ(contract.exit_code(), 0) << contract.err();
    std::cout << "contract applied " << took
              << " s after the last old sidecar was killed (settle 0.5 s, poll 0.1 s)\n";
    // The stated bound for a killed pod: its session ends with its TCP connection, then
    // --reader-settle and one poll.
    EXPECT_LT(took, 0.5 + 0.1 + 2.0);
    EXPECT_FALSE(column_exists("legacy_name"));
    EXPECT_EQ(query_int("SELECT count(*) FROM harness.contract_runs"), 1);
    EXPECT_EQ(query_int("SELECT count(*) FROM schemagate.history WHERE contract"), 1);
    EXPECT_EQ(fresh.readyz_status(), 200);

    // An old pod started afterwards (a rollback scaling the old ReplicaSet up) is not Ready,
    // and its gate refuses with exit 5 saying why.
    SidecarProcess& late = start_sidecar(migrations_, "shop-old-eeeee");
    ASSERT_TRUE(eventually([&] {
        return late.readyz_status(&body) == 503 && body["contracted_past"] == true;
    })) << body.dump();
    EXPECT_NE(body["reason"].get<std::string>().find("contracted past this release"),
              std::string::npos)
        << body.dump();
    EXPECT_NE(late.metrics().find("schemagate_contracted_past{name=\"default\"} 1"),
              std::string::npos);
    const RunResult old_gate = gate({"migrate"});
    EXPECT_EQ(old_gate.exit_code, 5) << old_gate.err;
    EXPECT_NE(old_gate.err.find("the schema was contracted by V11"), std::string::npos)
        << old_gate.err;
}

// A frozen old sidecar (SIGSTOP): its socket stays open and the kernel answers keepalives, but
// the server ends its idle session after idle_session_timeout, and then it stops counting.
TEST_F(Contract, AFrozenReaderStopsCountingAfterTheIdleSessionTimeout) {
    if (query_int("SELECT current_setting('server_version_num')::int") < 140000) {
        GTEST_SKIP() << "idle_session_timeout needs PostgreSQL 14: a frozen reader counts until "
                        "it thaws or is killed (README)";
    }
    roll_out_new_release();
    SidecarProcess& old = start_sidecar(migrations_, "shop-old-frozen");
    ASSERT_TRUE(eventually([&] { return reader_sessions("shop-old-frozen") == 1; }));
    Process contract = start_contract("job-1");
    ASSERT_TRUE(eventually([&] {
        return contract.err().find("1 live pod of a release without it") != std::string::npos;
    })) << contract.err();
    const auto frozen_at = Clock::now();
    old.process->signal(SIGSTOP);
    ASSERT_TRUE(eventually([&] { return reader_sessions("shop-old-frozen") == 0; }));
    const double gone = seconds_since(frozen_at);
    ASSERT_TRUE(contract.wait_for_exit(Millis{30'000}));
    const double applied = seconds_since(frozen_at);
    keep_output(contract);
    EXPECT_EQ(contract.exit_code(), 0) << contract.err();
    std::cout << "frozen reader: session ended " << gone << " s after SIGSTOP, contract applied "
              << applied << " s after it (idle_session_timeout "
              << kIdleSessionTimeout.count() / 1000.0 << " s)\n";
    EXPECT_LT(gone, kIdleSessionTimeout.count() / 1000.0 + 1.0);
    EXPECT_FALSE(column_exists("legacy_name"));
    // Thawed, it finds its session gone, reconnects, and is not Ready any more.
    old.process->signal(SIGCONT);
    nlohmann::json body;
    ASSERT_TRUE(eventually([&] {
        return old.readyz_status(&body) == 503 && body["contracted_past"] == true;
    })) << body.dump();
}

// Five contract Jobs at once (a retried hook, two pipelines): one applies, all succeed.
TEST_F(Contract, FiveRacingRunnersApplyTheContractOnce) {
    roll_out_new_release();
    std::vector<Process> runners;
    for (int i = 0; i < 5; ++i) runners.push_back(start_contract("job-" + std::to_string(i)));
    int applied_by_runner = 0;
    for (auto& runner : runners) {
        ASSERT_TRUE(runner.wait_for_exit(Millis{60'000}));
        keep_output(runner);
        EXPECT_EQ(runner.exit_code(), 0) << runner.err();
        if (runner.err().find("applying 1/1 V11") != std::string::npos) ++applied_by_runner;
    }
    EXPECT_EQ(applied_by_runner, 1);
    EXPECT_EQ(query_int("SELECT count(*) FROM harness.contract_runs"), 1);
    EXPECT_EQ(history_rows(11), 1);
}

// contract gives up at --timeout while an old pod lives, naming it, and changes nothing.
TEST_F(Contract, GivesUpAtItsTimeoutNamingTheReader) {
    roll_out_new_release();
    start_sidecar(migrations_, "shop-old-stays");
    ASSERT_TRUE(eventually([&] { return reader_sessions("shop-old-stays") == 1; }));
    Process contract = start_contract("job-1", "2s");
    ASSERT_TRUE(contract.wait_for_exit(Millis{30'000}));
    keep_output(contract);
    EXPECT_EQ(contract.exit_code(), 2) << contract.err();
    EXPECT_NE(contract.err().find("shop-old-stays (ships up to V9"), std::string::npos)
        << contract.err();
    EXPECT_TRUE(column_exists("legacy_name"));
    EXPECT_EQ(history_rows(11), 0);
}

// The readers are visible to a role that has no privilege beyond logging in: the gate's role
// needs nothing new, and neither does the sidecar's (README, "Expand and contract").
TEST_F(Contract, ReadersAreVisibleToAnotherRoleWithoutGrants) {
    roll_out_new_release();
    start_sidecar(migrations_, "shop-old-seen");
    ASSERT_TRUE(eventually([&] { return reader_sessions("shop-old-seen") == 1; }));
    const std::string database = query_text("SELECT current_database()");
    exec("DROP ROLE IF EXISTS onlooker_" + database + "; CREATE ROLE onlooker_" + database +
         " LOGIN PASSWORD 'onlooker'");
    pqxx::connection onlooker("postgresql://onlooker_" + database + ":onlooker@127.0.0.1:" +
                              std::to_string(PostgresServer::instance().port()) + "/" + database);
    pqxx::nontransaction work(onlooker);
    const auto row = work.exec1(
        "SELECT application_name, backend_start IS NULL FROM pg_stat_activity "
        "WHERE application_name LIKE 'sgr1 % shop-old-seen'");
    const auto reader = decode_reader_name(row[0].as<std::string>());
    ASSERT_TRUE(reader) << row[0].as<std::string>();
    EXPECT_EQ(reader->shipped, MigrationVersion(9));
    EXPECT_EQ(reader->pod, "shop-old-seen");
    EXPECT_GT(reader->since_unix, 1'700'000'000);
    // Another role sees the name but not when the session started: the name carries it.
    EXPECT_TRUE(row[1].as<bool>());
}

}  // namespace
}  // namespace schemagate::testing
