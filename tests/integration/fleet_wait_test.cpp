// SPDX-License-Identifier: Apache-2.0
// `schemagate wait --fleet` (docs/fleet.md): a pipeline step that waits for every tenant. It
// ends with 0 once the last tenant is at the target (woken by the tenants' notifications, not
// its poll), with 1 at once naming a tenant that failed with the file it would run again or is
// dirty, with 2 naming those behind when --timeout passes; bad flags exit 3. And the sidecar
// beside a fleet: readiness of the control set, or of one tenant's.
#include <gtest/gtest.h>
#include <httplib.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>
#include <pqxx/nontransaction>
#include <sstream>

#include "gate_fixture.h"

namespace schemagate::testing {
namespace {

class FleetWait : public GateTest {
  protected:
    void SetUp() override {
        GateTest::SetUp();
        exec("CREATE TABLE harness.seed (tenant text PRIMARY KEY, balance int)");
        tenants_file_ = migrations_.parent_path() / ("tenants-" + migrations_.filename().string());
    }

    // V1..V3; V2 requires the tenant's seed balance to be non-negative unless `fixed`.
    void write_set(bool fixed = false) {
        write_migration("V1__accounts.sql",
                        "CREATE TABLE accounts (balance int);\n"
                        "INSERT INTO accounts SELECT balance FROM harness.seed WHERE 't_' || "
                        "tenant = current_schema();\n");
        write_migration("V2__positive.sql",
                        std::string(fixed ? "UPDATE accounts SET balance = 0;\n" : "") +
                            "ALTER TABLE accounts ADD CHECK (balance >= 0);\n");
        write_migration("V3__more.sql", "ALTER TABLE accounts ADD COLUMN note text;\n");
    }

    // Tenants c0..c(n-1); the first `negative` of them with a negative seed balance.
    void write_tenants(int n, int negative = 0) {
        std::ofstream file(tenants_file_);
        for (int i = 0; i < n; ++i) {
            const std::string name = "c" + std::to_string(i);
            file << name << "\n";
            exec("INSERT INTO harness.seed VALUES ('" + name + "', " + (i < negative ? "-1" : "1") +
                 ")");
        }
    }

    std::vector<std::string> tenant_args(std::vector<std::string> head,
                                         const std::vector<std::string>& tail = {}) const {
        head.insert(head.end(),
                    {"--tenants-file", tenants_file_.string(), "--tenant-schema", "t_{tenant}"});
        head.insert(head.end(), tail.begin(), tail.end());
        return head;
    }

    // The lines saying what went wrong (the run_started line aside).
    static long long error_lines(const std::string& text) {
        std::istringstream stream(text);
        long long n = 0;
        for (std::string line; std::getline(stream, line);) {
            n += line.find(" error ") != std::string::npos ? 1 : 0;
        }
        return n;
    }

    std::filesystem::path tenants_file_;
};

TEST_F(FleetWait, EndsWhenTheLastTenantArrivesWokenByItsNotifications) {
    write_set();
    write_tenants(6);
    const auto partway = gate(tenant_args({"fleet", "migrate"}, {"--target", "2"}));
    ASSERT_EQ(partway.exit_code, 0) << partway.err;
    // The target is the newest file (V3); a poll far beyond the test's life: only the
    // notifications of the tenants' migrations can end the wait in time.
    Process waiter = start_gate(
        tenant_args({"wait", "--fleet"}, {"--poll-interval", "10m", "--timeout", "10m"}));
    while (waiter.err().find("waiting: 6 of 6 tenants behind V3") == std::string::npos) {
        ASSERT_FALSE(waiter.wait_for_exit(Millis{20})) << waiter.err();
    }
    const auto rest = gate(tenant_args({"fleet", "migrate"}));
    ASSERT_EQ(rest.exit_code, 0) << rest.err;
    ASSERT_TRUE(waiter.wait_for_exit(Millis{120'000})) << waiter.err();
    keep_output(waiter);
    EXPECT_EQ(waiter.exit_code(), 0) << waiter.err();
    EXPECT_NE(waiter.err().find("every tenant (6) at V3"), std::string::npos) << waiter.err();
    // Already there: at once.
    const auto again = gate(tenant_args({"wait", "--fleet", "--target", "3"}));
    EXPECT_EQ(again.exit_code, 0) << again.err;
}

TEST_F(FleetWait, StopsAtOnceNamingFailedAndDirtyTenantsAndTimesOutNamingThoseBehind) {
    write_set();
    write_tenants(5, 2);
    const auto run = gate(tenant_args({"fleet", "migrate"}));
    ASSERT_EQ(run.exit_code, 1) << run.err;
    // c4's V3 left unfinished by a holder that is gone: dirty.
    exec("UPDATE schemagate.history SET success = false WHERE name = 't_c4' AND version[1] = 3");
    // --timeout far beyond the gate() call's own limit: only the verdict ends it.
    const auto stuck = gate(tenant_args({"wait", "--fleet"}, {"--timeout", "10m"}));
    EXPECT_EQ(stuck.exit_code, 1) << stuck.err;
    EXPECT_EQ(error_lines(stuck.err), 1) << stuck.err;
    EXPECT_NE(stuck.err.find("3 of 5 tenants cannot reach V3 unaided: c0 (failed: "
                             "V2__positive.sql line 1, SQLSTATE 23514), c1 (failed: "),
              std::string::npos)
        << stuck.err;
    EXPECT_NE(stuck.err.find("c4 (dirty: V3__more.sql"), std::string::npos) << stuck.err;
    // The V2 file fixed (another checksum: the next fleet migrate runs it again) and c4
    // repaired: those tenants are behind, not stuck, and the timeout names them.
    write_set(true);
    exec("UPDATE schemagate.history SET success = true WHERE name = 't_c4'");
    const auto behind = gate(tenant_args({"wait", "--fleet"}, {"--timeout", "300ms"}));
    EXPECT_EQ(behind.exit_code, 2) << behind.err;
    EXPECT_NE(behind.err.find("2 of 5 behind: c0 (at 1), c1 (at 1)"), std::string::npos)
        << behind.err;
    // Without the files (--target alone) a remembered failure cannot be told from a fixed one.
    const auto no_files = gate(tenant_args({"wait", "--fleet", "--target", "3"},
                                           {"--migrations", "/nonexistent", "--timeout", "10m"}));
    EXPECT_EQ(no_files.exit_code, 3) << no_files.err;
    const auto target_only =
        gate(tenant_args({"wait", "--fleet", "--target", "3"}, {"--timeout", "10m"}),
             {{"SCHEMAGATE_MIGRATIONS", ""}});
    EXPECT_EQ(target_only.exit_code, 1) << target_only.err;
}

// Database tenants are polled, one connection attempt each; one that cannot be reached is
// behind (named when --timeout passes), and the URL's password is never printed.
TEST_F(FleetWait, DatabaseTenantsArePolledAndAnUnreachableOneIsNamedBehind) {
    auto& server = PostgresServer::instance();
    {
        pqxx::connection admin(server.url());
        pqxx::nontransaction work(admin);
        for (const char* name : {"fwdb_a", "fwdb_b"})
            work.exec0(std::string("CREATE DATABASE ") + name);
    }
    write_migration("V1__t.sql", "CREATE TABLE t (id int);\n");
    const std::map<std::string, std::string> env{
        {"SCHEMAGATE_TENANT_URL", server.url("fwdb_{tenant}")}};
    std::ofstream(tenants_file_) << "a\nb\n";
    const std::vector<std::string> tenants{"--tenants-file", tenants_file_.string()};
    std::vector<std::string> migrate{"fleet", "migrate"};
    migrate.insert(migrate.end(), tenants.begin(), tenants.end());
    ASSERT_EQ(gate(migrate, env).exit_code, 0);
    std::vector<std::string> wait{"wait", "--fleet", "--poll-interval", "50ms"};
    wait.insert(wait.end(), tenants.begin(), tenants.end());
    const auto done = gate(wait, env);
    EXPECT_EQ(done.exit_code, 0) << done.err;
    EXPECT_NE(done.err.find("every tenant (2) at V1"), std::string::npos) << done.err;
    std::ofstream(tenants_file_) << "a\nb\nc\n";
    wait.insert(wait.end(), {"--timeout", "300ms"});
    const auto missing = gate(wait, env);
    EXPECT_EQ(missing.exit_code, 2) << missing.err;
    EXPECT_NE(missing.err.find("1 of 3 behind: c (unreachable)"), std::string::npos) << missing.err;
    EXPECT_EQ(captured_.find(server.password()), std::string::npos);
}

// A real sidecar started beside the fleet, answering over real HTTP.
struct SidecarBeside {
    Process process;
    std::unique_ptr<httplib::Client> client;

    // /readyz: the status and the JSON body (status 0 when no answer).
    std::pair<int, nlohmann::json> readyz() const {
        const auto result = client->Get("/readyz");
        if (!result) return {0, nullptr};
        return {result->status, nlohmann::json::parse(result->body)};
    }
};

// docs/fleet.md, "Readiness of an app serving all tenants": a sidecar watching the control set
// (--name default) stays ready at its version whatever the tenants' state; one watching a
// tenant's set (--name t_<tenant>, the tenant's schema) is not ready for a tenant whose
// migration failed and is ready for a migrated one.
TEST_F(FleetWait, SidecarWatchesTheControlSetOrOneTenantsSet) {
    const auto control = migrations_.parent_path() / ("control-" + migrations_.filename().string());
    std::filesystem::create_directories(control);
    std::ofstream(control / "V1__plans.sql") << "CREATE TABLE plans (id int);\n";
    ASSERT_EQ(gate({"migrate", "--migrations", control.string()}).exit_code, 0);
    write_set();
    write_tenants(3, 1);
    const auto run = gate(tenant_args({"fleet", "migrate"}));
    ASSERT_EQ(run.exit_code, 1) << run.err;  // c0 failed at V2

    const auto start = [this](const std::string& name, const std::string& migrations) {
        Process process({sidecar_binary(), "--name", name, "--migrations", migrations, "--listen",
                         "127.0.0.1:0"},
                        gate_env());
        const std::string listening = "listening on 127.0.0.1:";
        EXPECT_TRUE(eventually([&] {
            return process.err().find(listening) != std::string::npos ||
                   process.wait_for_exit(Millis{0});
        })) << process.err();
        const std::string err = process.err();
        const auto at = err.find(listening);
        const int port = at == std::string::npos ? 0 : std::stoi(err.substr(at + listening.size()));
        auto client = std::make_unique<httplib::Client>("127.0.0.1", port);
        client->set_read_timeout(5, 0);
        return SidecarBeside{std::move(process), std::move(client)};
    };
    const SidecarBeside app = start("default", control.string());
    const SidecarBeside failed = start("t_c0", migrations_.string());
    const SidecarBeside migrated = start("t_c1", migrations_.string());
    // Each sidecar's first verdict, once it has read the state.
    for (const SidecarBeside* sidecar : {&app, &failed, &migrated}) {
        ASSERT_TRUE(eventually([&] { return sidecar->readyz().second["checked_at"].is_string(); }))
            << sidecar->process.err();
    }
    const auto [app_status, app_body] = app.readyz();
    EXPECT_EQ(app_status, 200) << app_body.dump();
    EXPECT_EQ(app_body["version"], 1);
    const auto [failed_status, failed_body] = failed.readyz();
    EXPECT_EQ(failed_status, 503) << failed_body.dump();
    EXPECT_EQ(failed_body["ready"], false);
    EXPECT_EQ(failed_body["version"], 1);
    EXPECT_EQ(failed_body["failure"]["file"], "V2__positive.sql") << failed_body.dump();
    const auto [migrated_status, migrated_body] = migrated.readyz();
    EXPECT_EQ(migrated_status, 200) << migrated_body.dump();
    EXPECT_EQ(migrated_body["version"], 3);
    for (const SidecarBeside* sidecar : {&app, &failed, &migrated}) keep_output(sidecar->process);
}

TEST_F(FleetWait, BadFlagsExitThreeInOneLineNamingTheFlag) {
    write_set();
    write_tenants(2);
    const std::string tenants = tenants_file_.string();
    const std::vector<std::pair<std::vector<std::string>, std::string>> cases{
        {{"wait", "--tenants-file", tenants}, "--tenants-file: only with wait --fleet"},
        {{"wait", "--tenant-schema", "t_{tenant}"}, "--tenant-schema: only with wait --fleet"},
        {{"wait", "--fleet", "--tenants-file", tenants}, "--tenant-schema or --tenant-url"},
        {{"wait", "--fleet", "--tenant-schema", "t_{tenant}"}, "--tenants-file or --tenants-query"},
        {{"wait", "--fleet", "--tenants-file", tenants, "--tenant-schema", "t"},
         "--tenant-schema: must hold {tenant}"},
        {{"wait", "--fleet", "--tenants-file", tenants, "--tenant-schema", "t_{tenant}", "--target",
          "x"},
         "--target"},
    };
    const std::string before = database_fingerprint();
    for (const auto& [args, names] : cases) {
        const auto result = gate(args);
        EXPECT_EQ(result.exit_code, 3) << names << ": " << result.err;
        EXPECT_NE(result.err.find(names), std::string::npos) << result.err;
        EXPECT_EQ(std::count(result.err.begin(), result.err.end(), '\n'), 1) << result.err;
    }
    EXPECT_EQ(database_fingerprint(), before);
}

}  // namespace
}  // namespace schemagate::testing
