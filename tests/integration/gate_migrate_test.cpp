// SPDX-License-Identifier: Apache-2.0
// `schemagate migrate`, `wait`, `status`, `validate`, `unlock`, `repair` against a real server.
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <pqxx/connection>
#include <pqxx/transaction>

#include "gate_fixture.h"

namespace schemagate::testing {
namespace {

namespace fs = std::filesystem;

using GateMigrate = GateTest;

TEST_F(GateMigrate, EmptyDatabaseReachesTheTargetWithHistory) {
    use_examples();
    const auto result = gate({"migrate", "--holder", "pod-a"});
    ASSERT_EQ(result.exit_code, 0) << result.err;
    EXPECT_NE(result.err.find("applying 1/5 V1 create customers"), std::string::npos) << result.err;
    EXPECT_NE(result.err.find("applying 4/5 V4 index orders by customer (no transaction)"),
              std::string::npos)
        << result.err;
    EXPECT_NE(result.err.find("schema is at V5: applied 5 migrations"), std::string::npos);
    EXPECT_EQ(query_int("SELECT (max(version))[1] FROM schemagate.history WHERE success"), 5);
    EXPECT_EQ(query_int("SELECT count(*) FROM schemagate.history WHERE applied_by = 'pod-a'"), 5);
    EXPECT_EQ(query_int("SELECT count(DISTINCT checksum) FROM schemagate.history "
                        "WHERE length(checksum) = 64"),
              5);
    // The backfill ran, the trigger exists, the concurrent index is valid.
    EXPECT_EQ(query_int("SELECT sum(lifetime_cents) - (SELECT sum(total_cents) FROM orders) "
                        "FROM customers"),
              0);
    EXPECT_EQ(query_int("SELECT count(*) FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid "
                        "WHERE c.relname = 'orders_customer_placed_idx' AND i.indisvalid"),
              1);
    // The lease was released, not left to expire.
    EXPECT_EQ(query_int("SELECT count(*) FROM schemagate.lease WHERE holder IS NULL "
                        "AND expires_at <= clock_timestamp()"),
              1);
}

// The reader role's grant in docs/deploying.md names every table the sidecar reads: each must
// exist once any gate has bootstrapped, or the one GRANT statement fails whole.
TEST_F(GateMigrate, TheSidecarReadersGrantWorksAfterTheFirstBootstrap) {
    use_examples();
    ASSERT_EQ(gate({"migrate", "--holder", "pod-a"}).exit_code, 0);
    exec("CREATE ROLE docs_reader LOGIN");
    exec(
        "GRANT USAGE ON SCHEMA schemagate TO docs_reader; GRANT SELECT ON schemagate.history, "
        "schemagate.lease, schemagate.failure, schemagate.batch_progress, "
        "schemagate.hazard_deferral TO docs_reader");
    EXPECT_EQ(query_int("SELECT count(*) FROM unnest(ARRAY['history', 'lease', 'failure', "
                        "'batch_progress', 'hazard_deferral']) t WHERE "
                        "has_table_privilege('docs_reader', 'schemagate.' || t, 'SELECT')"),
              5);
}

// The set's name and schema are quoted inside the fence's dollar-quoted DO block: a name that
// holds a dollar-quote tag (the fence's own, before its tag was drawn at random) must not end
// the block early.
TEST_F(GateMigrate, ANameHoldingDollarQuotesIsOnlyAName) {
    use_examples();
    const std::string name = "a$schemagate_fence$b$$c";
    const auto result = gate({"migrate", "--name", name, "--schema", "s$$q"});
    ASSERT_EQ(result.exit_code, 0) << result.err;
    EXPECT_EQ(
        query_int("SELECT count(*) FROM \"s$$q\".history WHERE name = 'a$schemagate_fence$b$$c' "
                  "AND success"),
        5);
    // Each acquisition carried its own 128-bit id, recorded with what it applied.
    EXPECT_EQ(query_int("SELECT count(DISTINCT lease_id) FROM \"s$$q\".history "
                        "WHERE length(lease_id) = 32"),
              1);
}

// State tables bootstrapped by a schemagate from before lease ids: status still reads them,
// and the first gate that takes the lease adds the columns and goes on.
TEST_F(GateMigrate, StateTablesWithoutLeaseIdsAreUpgradedByTheNextHolder) {
    use_examples();
    ASSERT_EQ(gate({"migrate", "--target", "3"}).exit_code, 0);
    // The functions stay: a column found missing is added even where they say the
    // bootstrap has nothing to do.
    exec(
        "ALTER TABLE schemagate.lease DROP COLUMN lease_id; "
        "ALTER TABLE schemagate.history DROP COLUMN lease_id");
    const auto before = gate({"status", "--json"});
    ASSERT_EQ(before.exit_code, 0) << before.err;
    EXPECT_TRUE(nlohmann::json::parse(before.out)["lease"]["lease_id"].is_null()) << before.out;
    // An older gate holds the lease: unlock --force breaks it on the old tables too.
    exec(
        "UPDATE schemagate.lease SET holder = 'old-pod/1', "
        "expires_at = clock_timestamp() + interval '1 hour'");
    const auto broken = gate({"unlock", "--force"});
    ASSERT_EQ(broken.exit_code, 0) << broken.err;
    EXPECT_EQ(query_int("SELECT token FROM schemagate.lease"), 2);
    // An older gate's migration holds the lease row: the upgrade does not queue behind it
    // (every reader of the table would queue behind the ALTER); the new gate waits instead.
    pqxx::connection old_gate(url_);
    pqxx::work old_migration(old_gate);
    old_migration.exec("UPDATE schemagate.lease SET renewed_at = clock_timestamp()");
    Process upgrading = start_gate({"migrate", "--timeout", "120s"});
    ASSERT_TRUE(eventually([&] { return upgrading.err().find("waiting") != std::string::npos; }))
        << upgrading.err();
    EXPECT_EQ(query_int("SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
                        "AND query LIKE '%ADD COLUMN lease_id%'"),
              0);
    EXPECT_EQ(query_int("SELECT count(*) FROM schemagate.lease"), 1);  // not queued
    old_migration.commit();
    ASSERT_TRUE(upgrading.wait_for_exit(Millis{120'000}));
    keep_output(upgrading);
    ASSERT_EQ(upgrading.exit_code(), 0) << upgrading.err();
    EXPECT_EQ(query_int("SELECT count(*) FROM schemagate.history WHERE success"), 5);
    EXPECT_EQ(query_int("SELECT count(*) FROM schemagate.history WHERE lease_id IS NOT NULL"), 2);
}

// State tables bootstrapped before the fence became a function (fence_function.h) get it from
// the next holder's bootstrap, and a bootstrap that finds it creates nothing.
TEST_F(GateMigrate, StateSchemaWithoutTheFenceFunctionGetsItFromTheNextHolder) {
    use_examples();
    ASSERT_EQ(gate({"migrate", "--target", "3"}).exit_code, 0);
    const std::string fence =
        "to_regprocedure('schemagate.fence_v2(text,bigint,text,bigint,bigint,text[])')";
    ASSERT_EQ(query_int("SELECT count(*) FROM pg_proc WHERE oid = " + fence), 1);
    exec("DROP FUNCTION schemagate.fence_v2");
    const auto result = gate({"migrate"});
    ASSERT_EQ(result.exit_code, 0) << result.err;
    EXPECT_EQ(query_int("SELECT count(*) FROM schemagate.history WHERE success"), 5);
    const long long created =
        query_int("SELECT xmin::text::bigint FROM pg_proc WHERE oid = " + fence);
    write_migration("V6__more.sql", "CREATE TABLE more_rows (id int);\n");
    ASSERT_EQ(gate({"migrate"}).exit_code, 0);
    EXPECT_EQ(query_int("SELECT xmin::text::bigint FROM pg_proc WHERE oid = " + fence), created);
}

// A state schema this version bootstrapped is not bootstrapped again: the next holder takes
// no bootstrap lock (one held elsewhere would stop it until --timeout).
TEST_F(GateMigrate, AHolderSkipsTheBootstrapOfACurrentStateSchema) {
    use_examples();
    ASSERT_EQ(gate({"migrate", "--target", "3"}).exit_code, 0);
    pqxx::connection other(url_);
    pqxx::work holding(other);
    holding.exec("SELECT pg_advisory_xact_lock(7367000001)");  // the bootstrap's lock key
    const auto result = gate({"migrate", "--timeout", "60s"});
    ASSERT_EQ(result.exit_code, 0) << result.err;
    EXPECT_EQ(query_int("SELECT count(*) FROM schemagate.history WHERE success"), 5);
}

// Readers take record_v1's presence as proof that the history has its `contract` column
// (state_tables.h); without the function (tables an older gate bootstrapped) they ask the
// catalog, and still read the contracts: an older release's gate is refused after one.
TEST_F(GateMigrate, AHistoryFromBeforeTheRecordFunctionStillHoldsItsContracts) {
    use_examples();
    ASSERT_EQ(gate({"migrate"}).exit_code, 0);
    exec(
        "DROP FUNCTION schemagate.record_v1; "
        "UPDATE schemagate.history SET contract = true WHERE version = '{5}'");
    for (const auto& entry : std::filesystem::directory_iterator(migrations_)) {
        if (entry.path().filename().string().starts_with("V5__")) {
            std::filesystem::remove(entry.path());
        }
    }
    const auto old_release = gate({"migrate"});
    EXPECT_EQ(old_release.exit_code, 5) << old_release.err;
    EXPECT_NE(old_release.err.find("the schema was contracted by V5"), std::string::npos)
        << old_release.err;
}

TEST_F(GateMigrate, SecondRunIsANoOpOnOneConnection) {
    use_examples();
    ASSERT_EQ(gate({"migrate"}).exit_code, 0);
    // A role allowed a single connection: a second connection (heartbeat, lease) would fail.
    exec("CREATE ROLE limited LOGIN PASSWORD 'limited-pw' CONNECTION LIMIT 1");
    exec("GRANT USAGE ON SCHEMA schemagate TO limited");
    exec("GRANT SELECT ON ALL TABLES IN SCHEMA schemagate TO limited");
    const std::string before = database_fingerprint();
    std::string limited_url = url_;
    limited_url.replace(limited_url.find("postgres:"),
                        limited_url.find('@') - limited_url.find("postgres:"),
                        "limited:limited-pw");
    const auto result = gate({"migrate", "--timeout", "5s"}, {{"DATABASE_URL", limited_url}});
    EXPECT_EQ(result.exit_code, 0) << result.err;
    EXPECT_NE(result.err.find("nothing to do"), std::string::npos) << result.err;
    EXPECT_EQ(database_fingerprint(), before);
}

TEST_F(GateMigrate, WaitIsReleasedByAnotherProcessMigrating) {
    use_examples();
    Process waiter = start_gate({"wait", "--target", "5", "--timeout", "60s"});
    ASSERT_TRUE(eventually([&] {
        return waiter.err().find("waiting: schema at no migration") != std::string::npos;
    })) << waiter.err();
    ASSERT_EQ(gate({"migrate"}).exit_code, 0);
    ASSERT_TRUE(waiter.wait_for_exit(Millis{10'000})) << waiter.err();
    keep_output(waiter);
    EXPECT_EQ(waiter.exit_code(), 0) << waiter.err();
    EXPECT_NE(waiter.err().find("schema is at V5"), std::string::npos) << waiter.err();
}

TEST_F(GateMigrate, WaitNeverApplies) {
    use_examples();
    const auto result = gate({"wait", "--target", "2", "--timeout", "1s"});
    EXPECT_EQ(result.exit_code, 2) << result.err;
    EXPECT_EQ(query_int("SELECT (to_regclass('customers') IS NULL)::int"), 1);
}

TEST_F(GateMigrate, TargetBelowTheHighestFileStopsThere) {
    use_examples();
    ASSERT_EQ(gate({"migrate", "--target", "2"}).exit_code, 0);
    EXPECT_EQ(query_int("SELECT (max(version))[1] FROM schemagate.history"), 2);
    ASSERT_EQ(gate({"migrate"}).exit_code, 0);
    EXPECT_EQ(query_int("SELECT (max(version))[1] FROM schemagate.history"), 5);
}

TEST_F(GateMigrate, StatusExitCodeForScripts) {
    use_examples();
    ASSERT_EQ(gate({"migrate", "--target", "3"}).exit_code, 0);
    EXPECT_EQ(gate({"status"}).exit_code, 0);
    EXPECT_EQ(gate({"status", "--exit-code"}).exit_code, 2);
    EXPECT_EQ(gate({"status", "--exit-code", "--target", "3"}).exit_code, 0);
    exec(
        "INSERT INTO schemagate.history (name, version, description, file, checksum, applied_by, "
        "token, success) VALUES ('default', '{4}', 'idx', 'V4__index_orders_by_customer.sql', "
        "'x', 'dead-pod/1', 1, false)");
    EXPECT_EQ(gate({"status", "--exit-code"}).exit_code, 5);
    // No database named at all: exit 3 at once, not a 15 s retry of a local socket (which
    // would log "retrying until the deadline" first).
    const auto nowhere = gate({"status"}, {{"DATABASE_URL", ""}});
    EXPECT_EQ(nowhere.exit_code, 3) << nowhere.err;
    EXPECT_NE(nowhere.err.find("no database given"), std::string::npos) << nowhere.err;
    EXPECT_EQ(nowhere.err.find("retrying"), std::string::npos) << nowhere.err;
}

// Every runbook starts with `status`: a file changed after it was applied is what `migrate`
// refuses (exit 5), so status shows it and --exit-code says 5 too.
TEST_F(GateMigrate, StatusShowsChecksumDriftAndExitsFiveForIt) {
    use_examples();
    ASSERT_EQ(gate({"migrate"}).exit_code, 0);
    EXPECT_EQ(gate({"status", "--exit-code"}).exit_code, 0);
    std::ofstream(migrations_ / "V2__create_orders.sql", std::ios::app) << "-- edited\n";
    const auto text = gate({"status", "--exit-code"});
    EXPECT_EQ(text.exit_code, 5) << text.out;
    EXPECT_NE(text.out.find("drift      V2__create_orders.sql changed after it was applied"),
              std::string::npos)
        << text.out;
    const auto json = gate({"status", "--json"});
    ASSERT_EQ(json.exit_code, 0) << json.err;
    const auto drift = nlohmann::json::parse(json.out)["drift"];
    ASSERT_EQ(drift.size(), 1U) << json.out;
    EXPECT_EQ(drift[0]["file"], "V2__create_orders.sql");
    EXPECT_NE(drift[0]["applied_checksum"], drift[0]["file_checksum"]);
    EXPECT_EQ(gate({"migrate"}).exit_code, 5);
}

TEST_F(GateMigrate, StatusJsonIsComplete) {
    use_examples();
    ASSERT_EQ(gate({"migrate", "--target", "3", "--holder", "pod-s"}).exit_code, 0);
    const auto result = gate({"status", "--json"});
    ASSERT_EQ(result.exit_code, 0) << result.err;
    const auto status = nlohmann::json::parse(result.out);
    EXPECT_EQ(status["current_version"], 3);
    EXPECT_EQ(status["target_version"], 5);
    EXPECT_EQ(status["up_to_date"], false);
    ASSERT_EQ(status["pending"].size(), 2u);
    EXPECT_EQ(status["pending"][0]["file"], "V4__index_orders_by_customer.sql");
    EXPECT_EQ(status["pending"][0]["transaction"], false);
    EXPECT_EQ(status["pending"][1]["transaction"], true);
    EXPECT_EQ(status["lease"]["held"], false);
    EXPECT_EQ(status["lease"]["token"], 1);
    ASSERT_EQ(status["recent"].size(), 3u);
    EXPECT_EQ(status["recent"][0]["version"], 3);
    EXPECT_EQ(status["recent"][0]["applied_by"], "pod-s");
    const auto text = gate({"status"});
    EXPECT_NE(text.out.find("V4__index_orders_by_customer.sql (no transaction), V5__"),
              std::string::npos)
        << text.out;
}

TEST_F(GateMigrate, ValidateOfflineThenAgainstTheDatabase) {
    use_examples();
    auto offline = gate({"validate"}, {{"DATABASE_URL", ""}});
    EXPECT_EQ(offline.exit_code, 0) << offline.err;
    EXPECT_NE(offline.out.find("no database given"), std::string::npos) << offline.out;
    ASSERT_EQ(gate({"migrate"}).exit_code, 0);
    const auto online = gate({"validate"});
    EXPECT_EQ(online.exit_code, 0) << online.err;
    EXPECT_NE(online.out.find("checksums of 5 applied migrations match"), std::string::npos);
    write_migration("V2__create_orders.sql", "SELECT 'edited after the fact';");
    const auto drift = gate({"validate"});
    EXPECT_EQ(drift.exit_code, 5) << drift.err;
    EXPECT_NE(drift.err.find("V2__create_orders.sql"), std::string::npos) << drift.err;
    write_migration("V9_bad-name.sql", "SELECT 1;");
    EXPECT_EQ(gate({"validate"}, {{"DATABASE_URL", ""}}).exit_code, 3);
}

TEST_F(GateMigrate, UnlockShowsTheHolderAndForceFencesIt) {
    use_examples();
    ASSERT_EQ(gate({"migrate", "--target", "1"}).exit_code, 0);
    exec(
        "UPDATE schemagate.lease SET holder = 'stuck-pod/1', token = 7, "
        "expires_at = clock_timestamp() + interval '1 hour'");
    const auto show = gate({"unlock"});
    EXPECT_EQ(show.exit_code, 0);
    EXPECT_NE(show.out.find("held by stuck-pod/1 (token 7)"), std::string::npos) << show.out;
    EXPECT_EQ(query_int("SELECT token FROM schemagate.lease"), 7);
    const auto broken = gate({"unlock", "--force"});
    EXPECT_EQ(broken.exit_code, 0) << broken.err;
    EXPECT_NE(broken.err.find("broke the lease of stuck-pod/1 (token 7)"), std::string::npos);
    EXPECT_EQ(query_int("SELECT token FROM schemagate.lease"), 8);
    EXPECT_EQ(gate({"migrate", "--timeout", "10s"}).exit_code, 0);
    EXPECT_EQ(query_int("SELECT token FROM schemagate.lease"), 9);
}

// A holder frozen with a transaction open on the lease row: the row's expiry says "free", but
// nobody can take it. status says who holds the row; unlock --force ends that session.
TEST_F(GateMigrate, StatusShowsARowLockAndForceUnlockEndsTheSessionHoldingIt) {
    use_examples();
    ASSERT_EQ(gate({"migrate", "--target", "1"}).exit_code, 0);
    pqxx::connection frozen(url_ + "?application_name=frozen-holder");
    pqxx::work open_transaction(frozen);
    open_transaction.exec("UPDATE schemagate.lease SET renewed_at = clock_timestamp()");
    const auto status = gate({"status"});
    EXPECT_EQ(status.exit_code, 0) << status.err;
    EXPECT_NE(status.out.find("LOCKED by pid " + std::to_string(frozen.backendpid()) +
                              " (frozen-holder), idle in transaction"),
              std::string::npos)
        << status.out;
    const auto json_status = nlohmann::json::parse(gate({"status", "--json"}).out);
    EXPECT_EQ(json_status["lease"]["row_locked_by"][0]["pid"].get<int>(), frozen.backendpid());
    const auto broken = gate({"unlock", "--force"});
    EXPECT_EQ(broken.exit_code, 0) << broken.err;
    EXPECT_NE(broken.err.find("ended session pid " + std::to_string(frozen.backendpid()) +
                              " (frozen-holder, idle in transaction"),
              std::string::npos)
        << broken.err;
    EXPECT_EQ(query_int("SELECT count(*) FROM pg_stat_activity WHERE application_name = "
                        "'frozen-holder'"),
              0);
    EXPECT_EQ(gate({"migrate", "--timeout", "10s"}).exit_code, 0);
}

TEST_F(GateMigrate, DirtySetBlocksUntilRepaired) {
    use_examples();
    ASSERT_EQ(gate({"migrate", "--target", "3"}).exit_code, 0);
    // What a pod killed in the middle of V4's CREATE INDEX CONCURRENTLY leaves behind.
    exec(
        "INSERT INTO schemagate.history (name, version, description, file, checksum, applied_by, "
        "token, success) SELECT 'default', '{4}', 'index orders by customer', "
        "'V4__index_orders_by_customer.sql', 'x', 'crashed-pod/1', 2, false");
    const std::string before = database_fingerprint();
    const auto refused = gate({"migrate"});
    EXPECT_EQ(refused.exit_code, 5) << refused.err;
    EXPECT_NE(
        refused.err.find("V4__index_orders_by_customer.sql) is dirty: started by crashed-pod/1"),
        std::string::npos)
        << refused.err;
    EXPECT_EQ(database_fingerprint(), before);
    EXPECT_EQ(gate({"wait", "--target", "5", "--timeout", "5s"}).exit_code, 5);
    EXPECT_EQ(gate({"repair", "--version", "3", "--remove"}).exit_code, 3);
    // The index the killed CREATE INDEX CONCURRENTLY left behind, as PostgreSQL leaves it.
    exec(
        "CREATE INDEX half_built_idx ON orders (id); UPDATE pg_index SET indisvalid = false "
        "WHERE indexrelid = 'half_built_idx'::regclass");
    const auto repaired = gate({"repair", "--version", "4", "--remove"});
    EXPECT_EQ(repaired.exit_code, 0) << repaired.err;
    EXPECT_NE(repaired.err.find("index public.half_built_idx is INVALID"), std::string::npos)
        << repaired.err;
    const auto after = gate({"migrate"});
    EXPECT_EQ(after.exit_code, 0) << after.err;
    EXPECT_EQ(query_int("SELECT count(*) FROM schemagate.history WHERE success"), 5);
}

TEST_F(GateMigrate, EmptyFilesAreRecordedAsAppliedWithAWarning) {
    write_migration("V1__placeholder.sql", "-- reserved for a migration that was dropped\n");
    write_migration("V2__table.sql", "CREATE TABLE after_placeholder (id int);\n");
    const auto result = gate({"migrate"});
    EXPECT_EQ(result.exit_code, 0) << result.err;
    EXPECT_NE(result.err.find("V1__placeholder.sql holds no SQL statement"), std::string::npos)
        << result.err;
    EXPECT_EQ(query_int("SELECT count(*) FROM schemagate.history WHERE success"), 2);
    EXPECT_EQ(gate({"migrate"}).exit_code, 0);
}

// The JSON log's events, as collectors match them: by name and fields, not by wording.
std::vector<nlohmann::json> events_in(const std::string& log) {
    std::istringstream lines(log);
    std::vector<nlohmann::json> events;
    for (std::string line; std::getline(lines, line);)
        events.push_back(nlohmann::json::parse(line));
    return events;
}

std::vector<nlohmann::json> named(const std::vector<nlohmann::json>& events, const char* name) {
    std::vector<nlohmann::json> found;
    for (const auto& e : events) {
        if (e.value("event", "") == name) found.push_back(e);
    }
    return found;
}

TEST_F(GateMigrate, JsonLogsAreOneObjectPerLineWithStableEvents) {
    use_examples();
    const auto result = gate({"migrate", "--log-format", "json", "--holder", "pod-1"});
    ASSERT_EQ(result.exit_code, 0);
    const auto events = events_in(result.err);
    for (const auto& e : events) {
        EXPECT_TRUE(e.contains("ts") && e.contains("level") && e.contains("msg")) << e;
        EXPECT_TRUE(e["level"] == "info" || e["level"] == "warn" || e["level"] == "debug") << e;
    }
    ASSERT_EQ(named(events, "run_started").size(), 1U);
    EXPECT_EQ(named(events, "run_started")[0]["target"], "5");
    const auto acquired = named(events, "lease_acquired");
    ASSERT_EQ(acquired.size(), 1U);
    EXPECT_EQ(acquired[0]["holder"], "pod-1");
    const auto applied = named(events, "migration_applied");
    ASSERT_EQ(applied.size(), 5U);
    EXPECT_EQ(applied[3]["version"], "4");
    EXPECT_EQ(applied[3]["file"], "V4__index_orders_by_customer.sql");
    EXPECT_EQ(applied[3]["transaction"], false);
    EXPECT_TRUE(applied[3]["duration_ms"].is_number());
    EXPECT_EQ(applied[3]["token"], acquired[0]["token"]);
    ASSERT_EQ(named(events, "migrations_done").size(), 1U);
    EXPECT_EQ(named(events, "migrations_done")[0]["applied"], 5);
    EXPECT_EQ(named(events, "lease_released").size(), 1U);

    const auto second = gate({"migrate", "--log-format", "json"});
    const auto again = events_in(second.err);
    ASSERT_EQ(named(again, "schema_ready").size(), 1U) << second.err;
    EXPECT_EQ(named(again, "schema_ready")[0]["version"], "5");
}

TEST_F(GateMigrate, AFailureIsAnEventWithItsFileLineAndSqlstate) {
    write_migration("V1__t.sql", "CREATE TABLE t (id int);\n\nCREATE TABLE t (id int);\n");
    const auto result = gate({"migrate", "--log-format", "json"});
    ASSERT_EQ(result.exit_code, 1);
    const auto events = events_in(result.err);
    const auto failed = named(events, "migration_failed");
    ASSERT_EQ(failed.size(), 1U) << result.err;
    EXPECT_EQ(failed[0]["level"], "error");
    EXPECT_EQ(failed[0]["version"], "1");
    EXPECT_EQ(failed[0]["file"], "V1__t.sql");
    EXPECT_EQ(failed[0]["line"], 3);
    EXPECT_EQ(failed[0]["sqlstate"], "42P07");
    const auto exit = named(events, "run_failed");
    ASSERT_EQ(exit.size(), 1U);
    EXPECT_EQ(exit[0]["exit_code"], 1);
    EXPECT_EQ(named(events, "failure_remembered").size(), 1U);
}

}  // namespace
}  // namespace schemagate::testing
