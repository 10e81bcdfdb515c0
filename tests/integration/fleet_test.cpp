// SPDX-License-Identifier: Apache-2.0
// A fleet of tenants (docs/fleet.md): a scaled-down version of issue #30's proof. Every tenant
// reaches the target exactly once (each migration counts its effect in harness.effects), a
// migration that fails for three tenants only is reported per tenant and finished by a rerun
// with the fixed file, shards run as separate processes survive a SIGKILL, tenants may be
// databases, and bad configuration exits 3 changing nothing.
#include <gtest/gtest.h>
#include <signal.h>

#include <algorithm>
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
        exec(
            "CREATE TABLE harness.effects (tenant text, version int);"
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
                sql +=
                    "INSERT INTO accounts (balance) SELECT balance FROM harness.seed WHERE "
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
        std::vector<std::string> args{
            "fleet",           "migrate",    "--tenants-file",      tenants_file_.string(),
            "--tenant-schema", "t_{tenant}", "--progress-interval", "1s"};
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

    // Statements the server ran in the test's database so far (pg_stat_database), once every
    // other session has ended: a backend reports its counts when it exits.
    long long statements_so_far() const {
        EXPECT_TRUE(eventually([this] {
            return query_int(
                       "SELECT count(*) FROM pg_stat_activity WHERE datname = "
                       "current_database() AND pid <> pg_backend_pid()") == 0;
        }));
        return query_int(
            "SELECT xact_commit + xact_rollback FROM pg_stat_database WHERE datname = "
            "current_database()");
    }

    std::filesystem::path tenants_file_;
};

TEST_F(Fleet, EveryTenantOnceThreeFailuresReportedAndARerunFinishesThem) {
    write_set();
    write_tenants(200, 3);
    const auto first = gate(fleet_args({"--parallel", "4"}));
    EXPECT_EQ(first.exit_code, 1) << first.err;
    // Progress lines (at least the last one), then the summary line.
    EXPECT_NE(first.err.find("fleet shard 0/1: 200/200 home tenants done, 3 not at target"),
              std::string::npos)
        << first.err;
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

// A no-op pass reads every tenant's state in one batched query (docs/fleet.md, "Which shard
// does what"), not a look per tenant: a few statements for 200 tenants at the target, whether
// the shard has them all or steals half of them; each per-tenant look alone would be 200.
TEST_F(Fleet, ANoOpPassReadsTheTenantsStateInABatch) {
    constexpr int kTenants = 200;
    write_set();
    write_tenants(kTenants);
    const auto first = gate(fleet_args({"--parallel", "4"}));
    ASSERT_EQ(first.exit_code, 0) << first.err;
    for (const char* shard : {"0/1", "0/2"}) {
        const long long before = statements_so_far();
        const auto again = gate(fleet_args({"--parallel", "4", "--shard", shard}));
        const long long statements = statements_so_far() - before;
        EXPECT_EQ(again.exit_code, 0) << again.err;
        EXPECT_EQ(summary_of(again.out)["migrations_applied"], 0);
        EXPECT_EQ(summary_of(again.out)["not_at_target"], 0);
        EXPECT_LT(statements, kTenants / 4) << "shard " << shard << ": " << statements;
    }
    EXPECT_EQ(query_int("SELECT count(*) FROM harness.effects"), kTenants * kMigrations);
}

// A tenant schema that already holds tables but has no schemagate history was migrated by
// someone else: it is refused and listed, as `migrate` refuses such a schema, and left as it is.
TEST_F(Fleet, ATenantWithTablesAndNoHistoryIsRefusedAndLeftAlone) {
    write_set();
    write_tenants(3);
    exec("CREATE SCHEMA t_c0001; CREATE TABLE t_c0001.legacy (id int)");
    const auto run = gate(fleet_args({}));
    EXPECT_EQ(run.exit_code, 1) << run.err;
    const auto summary = summary_of(run.out);
    ASSERT_EQ(summary["problems"].size(), 1U) << run.out;
    EXPECT_EQ(summary["problems"][0]["tenant"], "c0001");
    EXPECT_EQ(summary["problems"][0]["outcome"], "refused");
    EXPECT_NE(summary["problems"][0]["message"].get<std::string>().find("t_c0001.legacy"),
              std::string::npos)
        << summary.dump();
    EXPECT_EQ(tenants_at(kMigrations), 2);
    EXPECT_EQ(query_int("SELECT count(*) FROM harness.effects WHERE tenant = 't_c0001'"), 0);
    EXPECT_EQ(query_int("SELECT count(*) FROM pg_tables WHERE schemaname = 't_c0001'"), 1);
}

// fleet status's rate and ETA come from the history's arrival times (one query): tenants that
// reached the target in the last ten minutes; with none, no rate.
TEST_F(Fleet, StatusShowsRateAndEtaFromRecentArrivalsAndNoneWithoutThem) {
    write_set();
    write_tenants(10);
    std::ofstream(tenants_file_) << "c0000\nc0001\nc0002\nc0003\nc0004\nc0005\n";
    ASSERT_EQ(gate(fleet_args({})).exit_code, 0);
    std::ofstream(tenants_file_) << "c0000\nc0001\nc0002\nc0003\nc0004\nc0005\nc0006\nc0007\n"
                                    "c0008\nc0009\n";
    const std::vector<std::string> status{"fleet",           "status",
                                          "--tenants-file",  tenants_file_.string(),
                                          "--tenant-schema", "t_{tenant}"};
    std::vector<std::string> as_json = status;
    as_json.emplace_back("--json");
    const auto json = nlohmann::json::parse(gate(as_json).out);
    ASSERT_TRUE(json.contains("rate")) << json.dump();
    EXPECT_EQ(json["rate"]["reached"], 6);
    EXPECT_EQ(json["rate"]["remaining"], 4);
    const double per_minute = json["rate"]["tenants_per_minute"];
    EXPECT_GT(per_minute, 0);
    EXPECT_NEAR(json["rate"]["eta_seconds"].get<double>(), 4 * 60.0 / per_minute, 1e-6);
    EXPECT_NE(gate(status).out.find("rate: 6 reached the target in the last 10m, "),
              std::string::npos);
    // Long ago: no pace to extrapolate.
    exec("UPDATE schemagate.history SET applied_at = applied_at - interval '1 hour'");
    EXPECT_FALSE(nlohmann::json::parse(gate(as_json).out).contains("rate"));
    EXPECT_NE(gate(status).out.find("rate: no tenant reached the target in the last 10m"),
              std::string::npos);
}

// --hazards before each tenant's lease, on the tenant's own session: the same index build is a
// hazard on the tenant whose table holds data and none on the empty ones. refuse: that tenant
// is refused and left as it was (no lease taken, nothing applied), the others go on; defer:
// the same, with the deferral recorded under the tenant's set; warn: applied.
TEST_F(Fleet, HazardPolicyIsAppliedPerTenantBeforeItsLease) {
    write_migration("V1__accounts.sql",
                    "CREATE TABLE accounts (id int, note text);\n"
                    "INSERT INTO accounts SELECT i, repeat('x', 100) FROM generate_series(1, "
                    "2000) i WHERE current_schema() = 't_c0001';\n");
    std::ofstream(tenants_file_) << "c0000\nc0001\nc0002\n";
    ASSERT_EQ(gate(fleet_args({})).exit_code, 0);
    write_migration("V2__index.sql", "CREATE INDEX accounts_note ON accounts (note);\n");
    const auto token = [this](const std::string& where) {
        return query_int("SELECT coalesce(sum(token), 0) FROM schemagate.lease WHERE " + where);
    };
    const long long refused_token = token("name = 't_c0001'");
    const long long others_tokens = token("name <> 't_c0001'");
    const auto refused = gate(fleet_args({"--hazard-threshold", "16kB"}));
    EXPECT_EQ(refused.exit_code, 1) << refused.err;
    auto summary = summary_of(refused.out);
    ASSERT_EQ(summary["problems"].size(), 1U) << refused.out;
    EXPECT_EQ(summary["problems"][0]["tenant"], "c0001");
    EXPECT_EQ(summary["problems"][0]["outcome"], "refused");
    EXPECT_NE(summary["problems"][0]["message"].get<std::string>().find(
                  "hazard: V2 index: V2__index.sql line 1: create-index"),
              std::string::npos)
        << summary.dump();
    EXPECT_EQ(tenants_at(2), 2);
    EXPECT_EQ(query_int("SELECT count(*) FROM pg_indexes WHERE schemaname = 't_c0001' AND "
                        "indexname = 'accounts_note'"),
              0);
    // The other tenants' leases were taken; the refused tenant's was not.
    EXPECT_GT(token("name <> 't_c0001'"), others_tokens);
    EXPECT_EQ(token("name = 't_c0001'"), refused_token);

    const auto deferred = gate(fleet_args({"--hazard-threshold", "16kB", "--hazards", "defer"}));
    EXPECT_EQ(deferred.exit_code, 1) << deferred.err;
    summary = summary_of(deferred.out);
    ASSERT_EQ(summary["problems"].size(), 1U) << deferred.out;
    EXPECT_NE(summary["problems"][0]["message"].get<std::string>().find("--hazards=defer"),
              std::string::npos);
    EXPECT_EQ(query_int("SELECT count(*) FROM schemagate.hazard_deferral WHERE name = 't_c0001' "
                        "AND rule = 'create-index'"),
              1);

    const auto warned = gate(fleet_args({"--hazard-threshold", "16kB", "--hazards", "warn"}));
    EXPECT_EQ(warned.exit_code, 0) << warned.err;
    EXPECT_EQ(summary_of(warned.out)["migrations_applied"], 1);
    EXPECT_EQ(tenants_at(2), 3);
}

// --baseline-version: a tenant whose schema already holds what V1 creates, with no history,
// counts V1 as applied (recorded under its own lease) and runs the rest; an empty tenant runs
// every file; a tenant whose tables carry another tool's history is refused, left as it was.
TEST_F(Fleet, BaselineVersionBaselinesEachTenantWithTablesUnderItsOwnLease) {
    write_set();
    write_tenants(3);
    exec("CREATE SCHEMA t_c0001; CREATE TABLE t_c0001.accounts (id serial, balance int)");
    exec(
        "CREATE SCHEMA t_c0002; CREATE TABLE t_c0002.accounts (id serial, balance int);"
        "CREATE TABLE t_c0002.schema_migrations (version bigint PRIMARY KEY, dirty boolean "
        "NOT NULL); INSERT INTO t_c0002.schema_migrations VALUES (1, false)");
    const auto run = gate(fleet_args({"--baseline-version", "1"}));
    EXPECT_EQ(run.exit_code, 1) << run.err;
    const auto summary = summary_of(run.out);
    ASSERT_EQ(summary["problems"].size(), 1U) << run.out;
    EXPECT_EQ(summary["problems"][0]["tenant"], "c0002");
    EXPECT_NE(summary["problems"][0]["message"].get<std::string>().find("golang-migrate"),
              std::string::npos)
        << summary.dump();
    EXPECT_EQ(tenants_at(kMigrations), 2);
    // c0001: V1 recorded, not run; V2..V20 run once each. c0000: all twenty.
    EXPECT_EQ(query_int("SELECT count(*) FROM harness.effects WHERE tenant = 't_c0001'"),
              kMigrations - 1);
    EXPECT_EQ(query_int("SELECT count(*) FROM harness.effects WHERE tenant = 't_c0001' AND "
                        "version = 1"),
              0);
    EXPECT_EQ(query_int("SELECT count(*) FROM harness.effects WHERE tenant = 't_c0000'"),
              kMigrations);
    EXPECT_EQ(query_int("SELECT count(*) FROM schemagate.adoption WHERE name = 't_c0001' AND "
                        "source = 'baseline 1'"),
              1);
    EXPECT_EQ(query_int("SELECT count(*) FROM harness.effects WHERE tenant = 't_c0002'"), 0);
    EXPECT_EQ(query_int("SELECT count(*) FROM schemagate.history WHERE name = 't_c0002'"), 0);
    EXPECT_EQ(repeated_effects(), 0);
}

TEST_F(Fleet, ShardsAsProcessesSurviveAKillAndStealTheKilledShardsTenants) {
    write_set();
    write_tenants(90);
    const auto shard = [this](int index, const std::string& holder) {
        return start_gate(fleet_args({"--shards", "3", "--parallel", "2", "--lease-ttl", "3s",
                                      "--poll-interval", "200ms", "--holder", holder}),
                          {{"JOB_COMPLETION_INDEX", std::to_string(index)}});
    };
    // Shard 1 alone until it committed a migration, then SIGKILLed mid-way.
    Process first = shard(1, "shard-1");
    for (;;) {
        if (query_int("SELECT count(*) FROM pg_tables WHERE schemaname = 'schemagate' AND "
                      "tablename = 'history'") == 1 &&
            query_int("SELECT count(*) FROM schemagate.history WHERE applied_by = 'shard-1' "
                      "AND success") > 0) {
            break;
        }
        ASSERT_FALSE(first.wait_for_exit(Millis{20})) << first.err();
    }
    first.signal(SIGKILL);
    ASSERT_TRUE(first.wait_for_exit(Millis{60'000}));
    keep_output(first);
    // Shards 0 and 2 do their own tenants, then take shard 1's that nobody holds.
    Process zero = shard(0, "shard-0");
    Process two = shard(2, "shard-2");
    long long stolen = 0;
    for (Process* p : {&zero, &two}) {
        ASSERT_TRUE(p->wait_for_exit(Millis{300'000}));
        keep_output(*p);
        EXPECT_EQ(p->exit_code(), 0) << p->err();
        stolen += summary_of(p->out())["stolen"].get<long long>();
    }
    EXPECT_GT(stolen, 0) << "nobody took the killed shard's tenants";
    // Shard 1 again (the Job's retry): finishes what the kill left under its expired lease.
    const auto again = gate(fleet_args({"--shards", "3", "--parallel", "2", "--lease-ttl", "3s",
                                        "--poll-interval", "200ms", "--holder", "shard-1b"}),
                            {{"JOB_COMPLETION_INDEX", "1"}});
    EXPECT_EQ(again.exit_code, 0) << again.err;
    EXPECT_EQ(tenants_at(kMigrations), 90);
    EXPECT_EQ(repeated_effects(), 0);
    EXPECT_EQ(query_int("SELECT count(*) FROM harness.effects"), 90 * kMigrations);
}

TEST_F(Fleet, DatabasePerTenantAndAnUnreachableOneIsListed) {
    auto& server = PostgresServer::instance();
    {
        pqxx::connection admin(server.url());
        pqxx::nontransaction work(admin);
        for (int i = 1; i <= 5; ++i) work.exec0("CREATE DATABASE fdb_d" + std::to_string(i));
    }
    write_migration("V1__t.sql",
                    "CREATE TABLE effects (version int);\nINSERT INTO effects VALUES (1);\n");
    write_migration("V2__t.sql", "INSERT INTO effects VALUES (2);\n");
    write_migration("V3__t.sql", "INSERT INTO effects VALUES (3);\n");
    std::ofstream(tenants_file_) << "d1\nd2\nd3\nd4\nd5\nd6\n";
    const std::map<std::string, std::string> env{
        {"SCHEMAGATE_TENANT_URL", server.url("fdb_{tenant}")}};
    const std::vector<std::string> args{
        "fleet",      "migrate", "--tenants-file", tenants_file_.string(),
        "--parallel", "3",       "--timeout",      "5s"};
    const auto run = gate(args, env);
    EXPECT_EQ(run.exit_code, 1) << run.err;
    const auto summary = summary_of(run.out);
    EXPECT_EQ(summary["at_target"], 5);
    ASSERT_EQ(summary["problems"].size(), 1U);
    EXPECT_EQ(summary["problems"][0]["tenant"], "d6");
    EXPECT_EQ(summary["problems"][0]["outcome"], "error");
    for (int i = 1; i <= 5; ++i) {
        pqxx::connection tenant(server.url("fdb_d" + std::to_string(i)));
        pqxx::nontransaction work(tenant);
        EXPECT_EQ(work.exec1("SELECT count(*) FROM effects")[0].as<int>(), 3);
        EXPECT_EQ(work.exec1("SELECT count(*) FROM schemagate.history WHERE success")[0].as<int>(),
                  3);
    }
    // Again: nothing to do; the password never printed.
    const auto again = gate(args, env);
    EXPECT_EQ(summary_of(again.out)["migrations_applied"], 0);
    EXPECT_EQ(captured_.find(server.password()), std::string::npos);
}

TEST_F(Fleet, BadConfigurationExitsThreeNamingTheFlagAndChangesNothing) {
    write_set();
    write_tenants(3);
    const std::string tenants = tenants_file_.string();
    const auto bad_names = migrations_.parent_path() / ("bad-" + migrations_.filename().string());
    std::ofstream(bad_names) << "ok\nnot a name\n";
    struct Case {
        std::vector<std::string> args;
        std::map<std::string, std::string> env;
        std::string names;
    };
    const std::vector<Case> cases{
        {{"--tenant-schema", "t_{tenant}"}, {}, "--tenants-file or --tenants-query"},
        {{"--tenants-file", tenants}, {}, "--tenant-schema or --tenant-url"},
        {{"--tenants-file", tenants, "--tenant-schema", "t_{tenant}", "--tenant-url",
          "postgresql://x@h/{tenant}"},
         {},
         "--tenant-schema or --tenant-url"},
        {{"--tenants-file", tenants, "--tenant-schema", "tenant"}, {}, "--tenant-schema"},
        {{"--tenants-file", tenants, "--tenant-url", "postgresql://u@{tenant}/db"},
         {},
         "--tenant-url"},
        {{"--tenants-file", bad_names.string(), "--tenant-schema", "t_{tenant}"},
         {},
         "--tenants-file"},
        {{"--tenants-file", tenants, "--tenant-schema", "pg_{tenant}"}, {}, "reserved"},
        {{"--tenants-file", tenants, "--tenant-schema", "t_{tenant}", "--shard", "3/2"},
         {},
         "--shard"},
        {{"--tenants-file", tenants, "--tenant-schema", "t_{tenant}"},
         {{"JOB_COMPLETION_INDEX", "1"}},
         "--shards"},
        {{"--tenants-file", tenants, "--tenant-schema", "t_{tenant}", "--shards", "4",
          "--connection-budget", "11"},
         {{"JOB_COMPLETION_INDEX", "1"}},
         "--connection-budget"},
        {{"--tenants-query", "SELECT nonsense FROM nowhere", "--tenant-schema", "t_{tenant}"},
         {},
         "--tenants-query"},
        {{"--tenants-query", "SELECT NULL", "--tenant-schema", "t_{tenant}"},
         {},
         "--tenants-query"},
    };
    const std::string before = database_fingerprint();
    for (const auto& c : cases) {
        std::vector<std::string> args{"fleet", "migrate"};
        args.insert(args.end(), c.args.begin(), c.args.end());
        const auto result = gate(args, c.env);
        EXPECT_EQ(result.exit_code, 3) << c.names << ": " << result.err;
        EXPECT_NE(result.err.find(c.names), std::string::npos) << result.err;
        EXPECT_EQ(std::count(result.err.begin(), result.err.end(), '\n'), 1) << result.err;
    }
    EXPECT_EQ(database_fingerprint(), before);
    EXPECT_EQ(query_int("SELECT count(*) FROM harness.effects"), 0);
}

}  // namespace
}  // namespace schemagate::testing
