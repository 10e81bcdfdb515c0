// SPDX-License-Identifier: Apache-2.0
// The lease protocol under real concurrency: many gate processes, killed, frozen and
// terminated holders, and a CREATE INDEX CONCURRENTLY with waiters around it.
#include <gtest/gtest.h>

#include <csignal>
#include <filesystem>
#include <fstream>

#include "freezable_proxy.h"
#include "gate_fixture.h"
#include "postgres_server.h"
#include "process.h"

namespace schemagate::testing {
namespace {

// Far beyond any plausible run (the gates' own --timeout is 15-30 s): reached only by a hang.
constexpr Millis kHangGuard{180'000};

class GateConcurrency : public GateTest {
  protected:
    // Each migration bumps its own counter row: applied twice would show as 2.
    void counted_migrations(int count) {
        exec("CREATE TABLE harness.applied_count (version int PRIMARY KEY, n int NOT NULL)");
        for (int v = 1; v <= count; ++v) {
            write_migration("V" + std::to_string(v) + "__step.sql",
                            "CREATE TABLE t" + std::to_string(v) +
                                " (id int);\n"
                                "INSERT INTO applied_count VALUES (" +
                                std::to_string(v) +
                                ", 1) "
                                "ON CONFLICT (version) DO UPDATE SET n = applied_count.n + 1;\n");
        }
    }

    // A migration that sleeps only in the session of holders whose name contains `who`, so
    // that the pod taking over afterwards is fast. The sleep is not the last statement: the
    // holder must still send one more query (with the COMMIT) after it, which a frozen or
    // killed holder never does.
    void slow_for(int version, const std::string& who, int seconds) {
        write_migration("V" + std::to_string(version) + "__slow.sql",
                        "INSERT INTO applied_count VALUES (" + std::to_string(version) +
                            ", 1) "
                            "ON CONFLICT (version) DO UPDATE SET n = applied_count.n + 1;\n"
                            "SELECT pg_sleep(" +
                            std::to_string(seconds) +
                            ") WHERE "
                            "current_setting('application_name') LIKE '%" +
                            who +
                            "%';\n"
                            "CREATE TABLE after_sleep_" +
                            std::to_string(version) + " (id int);\n");
    }

    // Forty counted migrations that each sleep 0.3 s in `who`'s sessions only: a holder that is
    // busy for a while, with a heartbeat beating meanwhile, and a fast successor.
    void forty_short_sleeps_for(const std::string& who) {
        for (int v = 1; v <= 40; ++v) {
            write_migration(
                "V" + std::to_string(v) + "__sleep.sql",
                "INSERT INTO applied_count VALUES (" + std::to_string(v) +
                    ", 1) ON CONFLICT (version) DO UPDATE SET n = applied_count.n + 1;\n"
                    "SELECT pg_sleep(0.3) WHERE current_setting('application_name') "
                    "LIKE '%" +
                    who + "%';\n");
        }
    }

    bool sleeping_in_migration(const std::string& who) const {
        return query_int(
                   "SELECT count(*) FROM pg_stat_activity WHERE wait_event = 'PgSleep' "
                   "AND state = 'active' AND application_name LIKE '%" +
                   who +
                   "%' "
                   "AND pid <> pg_backend_pid()") > 0;
    }

    // When the lease row now says the current holder's lease ends (as the server's text).
    std::string lease_expiry() const {
        return query_text("SELECT expires_at FROM schemagate.lease");
    }

    // The lease changed hands once after `token` (nobody in between), and only once the lease
    // had expired: the taker's acquisition is not before `expiry`, and the old holder, whose
    // open transaction kept the row from being taken, has no transaction left.
    void expect_one_takeover_after(long long token, const std::string& expiry) {
        EXPECT_EQ(query_int("SELECT token FROM schemagate.lease"), token + 1);
        EXPECT_EQ(query_int("SELECT count(*) FROM schemagate.lease WHERE acquired_at >= '" +
                            expiry + "'::timestamptz"),
                  1)
            << "taken over before the lease expired at " << expiry;
        EXPECT_EQ(query_int("SELECT count(*) FROM pg_stat_activity WHERE application_name LIKE "
                            "'%pod-a%' AND xact_start IS NOT NULL"),
                  0);
    }

    void expect_each_applied_once(int count) {
        EXPECT_EQ(query_int("SELECT count(*) FROM applied_count WHERE n = 1"), count);
        EXPECT_EQ(query_int("SELECT count(*) FROM applied_count WHERE n <> 1"), 0);
        EXPECT_EQ(query_int("SELECT count(*) FROM schemagate.history WHERE success"), count);
    }
};

TEST_F(GateConcurrency, FiftyGatesAtOnceApplyEachMigrationExactlyOnce) {
    counted_migrations(30);
    std::vector<Process> gates;
    for (int i = 0; i < 50; ++i) {
        gates.push_back(
            start_gate({"migrate", "--holder", "herd-" + std::to_string(i), "--timeout", "5m"}));
    }
    int succeeded = 0;
    for (auto& g : gates) {
        ASSERT_TRUE(g.wait_for_exit(Millis{300'000}));
        keep_output(g);
        if (g.exit_code() == 0)
            ++succeeded;
        else
            ADD_FAILURE() << "gate exited " << g.exit_code() << ": " << g.err();
    }
    EXPECT_EQ(succeeded, 50);
    expect_each_applied_once(30);
    // One holder applied everything (nobody died, so nobody took over).
    EXPECT_EQ(query_int("SELECT count(DISTINCT token) FROM schemagate.history"), 1);
}

// The server's log lines about this test's database at ERROR or worse.
std::vector<std::string> server_errors_about(const std::string& database) {
    std::ifstream log(PostgresServer::instance().dir() + "/server.log");
    std::vector<std::string> errors;
    for (std::string line; std::getline(log, line);) {
        if (line.find("] " + database + " ") == std::string::npos) continue;
        if (line.find(" ERROR: ") != std::string::npos ||
            line.find(" FATAL: ") != std::string::npos ||
            line.find(" PANIC: ") != std::string::npos) {
            errors.push_back(line);
        }
    }
    return errors;
}

TEST_F(GateConcurrency, NormalRunsLeaveNoErrorLineInTheServerLog) {
    // Anyone alerting on the server's log must not be woken by a normal rollout: a sidecar
    // polling an empty database, a herd racing on a first run (waiters looking at a lease row
    // the holder's migration has locked, the holder's heartbeat meeting its own lock), then a
    // no-op run and the admin commands.
    counted_migrations(4);
    slow_for(5, "", 2);
    const std::string database = query_text("SELECT current_database()");
    Process sidecar(
        {sidecar_binary(), "--listen", "127.0.0.1:0", "--expect", "5", "--poll-interval", "100ms"},
        gate_env());
    ASSERT_TRUE(eventually([&] {
        return query_int(
                   "SELECT count(*) FROM pg_stat_activity WHERE application_name LIKE "
                   "'sgr1 %' AND datname = current_database()") == 1;
    }));
    std::vector<Process> gates;
    for (int i = 0; i < 8; ++i) {
        gates.push_back(start_gate({"migrate", "--holder", "herd-" + std::to_string(i),
                                    "--poll-interval", "100ms", "--lease-ttl", "3s"}));
    }
    for (auto& g : gates) {
        ASSERT_TRUE(g.wait_for_exit(Millis{120'000}));
        keep_output(g);
        EXPECT_EQ(g.exit_code(), 0) << g.err();
    }
    expect_each_applied_once(5);
    EXPECT_EQ(gate({"migrate"}).exit_code, 0);
    EXPECT_EQ(gate({"status"}).exit_code, 0);
    EXPECT_EQ(gate({"validate"}).exit_code, 0);
    sidecar.signal(SIGTERM);
    ASSERT_TRUE(sidecar.wait_for_exit(Millis{10'000}));
    const auto errors = server_errors_about(database);
    EXPECT_TRUE(errors.empty()) << errors.size() << " error lines, the first: " << errors.front();
}

TEST_F(GateConcurrency, KilledHolderIsTakenOverAfterTheTtl) {
    counted_migrations(1);
    // Before PostgreSQL 14 (no client_connection_check_interval) the server notices a killed
    // client only when the statement it runs ends: the takeover waits for that (README).
    const bool checks_clients =
        query_int("SELECT current_setting('server_version_num')::int") >= 140000;
    slow_for(2, "pod-a", checks_clients ? 60 : 8);
    write_migration("V3__after.sql",
                    "INSERT INTO applied_count VALUES (3, 1) "
                    "ON CONFLICT (version) DO UPDATE SET n = applied_count.n + 1;");
    Process holder = start_gate({"migrate", "--holder", "pod-a", "--lease-ttl", "3s"});
    ASSERT_TRUE(eventually([&] { return sleeping_in_migration("pod-a"); })) << holder.err();
    Process waiter = start_gate(
        {"migrate", "--holder", "pod-b", "--lease-ttl", "3s", "--poll-interval", "200ms"});
    ASSERT_TRUE(eventually([&] { return waiter.err().find("waiting:") != std::string::npos; }))
        << waiter.err();
    holder.signal(SIGKILL);
    ASSERT_TRUE(holder.wait_for_exit(Millis{5000}));
    keep_output(holder);
    ASSERT_TRUE(waiter.wait_for_exit(Millis{60'000})) << waiter.err();
    keep_output(waiter);
    EXPECT_EQ(waiter.exit_code(), 0) << waiter.err();
    expect_each_applied_once(3);
    // From 14 the server ends the dead holder's session mid-statement and V2 rolls back; before
    // 14 it finishes the exchange the holder sent, V2 included (its lease was never taken: the
    // row stayed locked), and stops at V3's fence: either way, once.
    EXPECT_EQ(query_text("SELECT applied_by FROM schemagate.history WHERE version = '{2}'"),
              checks_clients ? "pod-b" : "pod-a");
    EXPECT_EQ(query_text("SELECT applied_by FROM schemagate.history WHERE version = '{3}'"),
              "pod-b");
}

// A frozen holder's server session runs what it was sent: V2, sent with V3 in one exchange,
// commits while the lease is still the holder's. V2 sleeps past half the ttl, so V3's fence
// refuses to go on without the holder (the exchange is spent); the frozen holder cannot send it
// again, its lease expires, another gate takes over and applies V3, and nothing commits under
// the frozen token after that.
TEST_F(GateConcurrency, FrozenHolderIsFencedAndCommitsNothing) {
    counted_migrations(1);
    slow_for(2, "pod-a", 2);
    write_migration("V3__after.sql",
                    "INSERT INTO applied_count VALUES (3, 1) "
                    "ON CONFLICT (version) DO UPDATE SET n = applied_count.n + 1;");
    Process holder = start_gate({"migrate", "--holder", "pod-a", "--lease-ttl", "3s"});
    ASSERT_TRUE(eventually([&] { return sleeping_in_migration("pod-a"); })) << holder.err();
    holder.signal(SIGSTOP);
    const long long frozen_token = query_int("SELECT token FROM schemagate.lease");
    Process taker = start_gate(
        {"migrate", "--holder", "pod-b", "--lease-ttl", "3s", "--poll-interval", "200ms"});
    ASSERT_TRUE(taker.wait_for_exit(Millis{60'000})) << taker.err();
    keep_output(taker);
    EXPECT_EQ(taker.exit_code(), 0) << taker.err();
    holder.signal(SIGCONT);
    ASSERT_TRUE(holder.wait_for_exit(Millis{30'000})) << holder.err();
    keep_output(holder);
    EXPECT_EQ(holder.exit_code(), 6) << holder.err();
    EXPECT_NE(holder.err().find("lease lost"), std::string::npos) << holder.err();
    expect_each_applied_once(3);
    EXPECT_EQ(query_text("SELECT applied_by FROM schemagate.history WHERE version = '{3}'"),
              "pod-b");
    EXPECT_EQ(query_int("SELECT count(*) FROM schemagate.history WHERE token = " +
                        std::to_string(frozen_token) +
                        " AND applied_at > (SELECT min(applied_at) FROM schemagate.history "
                        "WHERE token > " +
                        std::to_string(frozen_token) + ")"),
              0);
}

// The heartbeat's renewal is frozen mid-flight: its session waits for the lease row behind the
// holder's own migration transaction when the whole holder is stopped. A renewal that is one
// autocommit statement leaves nothing open, so the server ends the frozen holder's idle
// migration transaction and a waiter takes over once the lease has expired.
// The heartbeat skips the lease row while the holder's own migration has it locked (it used to
// queue for it): a holder frozen in that state is still taken over, and commits nothing after.
TEST_F(GateConcurrency, HolderFrozenWhileItsMigrationHoldsTheRowIsTakenOver) {
    for (int trial = 0; trial < 3; ++trial) {
        SCOPED_TRACE("trial " + std::to_string(trial));
        std::filesystem::remove_all(migrations_);
        std::filesystem::create_directories(migrations_);
        exec("DROP TABLE IF EXISTS applied_count; DROP SCHEMA IF EXISTS schemagate CASCADE");
        counted_migrations(0);
        forty_short_sleeps_for("pod-a");
        Process holder = start_gate({"migrate", "--holder", "pod-a", "--lease-ttl", "3s"});
        ASSERT_TRUE(eventually([&] { return sleeping_in_migration("pod-a"); })) << holder.err();
        holder.signal(SIGSTOP);
        EXPECT_EQ(query_int("SELECT count(*) FROM pg_stat_activity WHERE application_name LIKE "
                            "'%pod-a (heartbeat)%' AND wait_event_type = 'Lock'"),
                  0)
            << "the heartbeat queued behind its own migration's row lock";
        const long long frozen_token = query_int("SELECT token FROM schemagate.lease");
        const std::string frozen_expiry = lease_expiry();
        Process taker = start_gate({"migrate", "--holder", "pod-b", "--lease-ttl", "3s",
                                    "--poll-interval", "200ms", "--timeout", "15s"});
        ASSERT_TRUE(taker.wait_for_exit(kHangGuard)) << "hang guard: " << taker.err();
        keep_output(taker);
        // The taker finished within its own --timeout, while the holder was still stopped.
        EXPECT_EQ(taker.exit_code(), 0) << taker.err();
        expect_one_takeover_after(frozen_token, frozen_expiry);
        holder.signal(SIGCONT);
        ASSERT_TRUE(holder.wait_for_exit(Millis{30'000})) << holder.err();
        keep_output(holder);
        EXPECT_EQ(holder.exit_code(), 6) << holder.err();
        EXPECT_EQ(query_int("SELECT count(*) FROM applied_count WHERE n <> 1"), 0);
        EXPECT_EQ(query_int("SELECT count(*) FROM applied_count"), 40);
        // Nothing committed under the frozen token after the takeover.
        EXPECT_EQ(query_int("SELECT count(*) FROM schemagate.history h WHERE token = " +
                            std::to_string(frozen_token) +
                            " AND applied_at > (SELECT min(applied_at) FROM schemagate.history "
                            "WHERE token > " +
                            std::to_string(frozen_token) + ")"),
                  0);
    }
}

// The holder is cut off mid-run (its traffic silently stops both ways): a waiter takes over
// once the lease has expired, the cut-off holder commits nothing more, and its
// --timeout holds whatever the network does.
TEST_F(GateConcurrency, CutOffHolderIsTakenOverAndItsTimeoutHolds) {
    counted_migrations(0);
    forty_short_sleeps_for("pod-a");
    FreezableProxy proxy(PostgresServer::instance().port());
    const std::string through = url_through_port(proxy.port());
    Process holder =
        start_gate({"migrate", "--holder", "pod-a", "--lease-ttl", "3s", "--timeout", "12s"},
                   {{"DATABASE_URL", through}});
    ASSERT_TRUE(eventually([&] { return sleeping_in_migration("pod-a"); })) << holder.err();
    proxy.freeze();
    const long long cut_token = query_int("SELECT token FROM schemagate.lease");
    const std::string cut_expiry = lease_expiry();
    Process taker = start_gate({"migrate", "--holder", "pod-b", "--lease-ttl", "3s",
                                "--poll-interval", "200ms", "--timeout", "30s"});
    ASSERT_TRUE(taker.wait_for_exit(kHangGuard)) << "hang guard: " << taker.err();
    keep_output(taker);
    EXPECT_EQ(taker.exit_code(), 0) << taker.err();
    expect_one_takeover_after(cut_token, cut_expiry);
    // The network never comes back (the proxy stays frozen): the holder ends by itself, on its
    // own --timeout, instead of waiting for the kernel to give up on the connection.
    ASSERT_TRUE(holder.wait_for_exit(kHangGuard)) << "hang guard: " << holder.err();
    keep_output(holder);
    EXPECT_NE(holder.exit_code(), 0) << holder.err();
    const std::string said = holder.err();
    EXPECT_TRUE(said.find("until the deadline (12s)") != std::string::npos ||
                said.find("deadline (--timeout 12s") != std::string::npos)
        << said;
    EXPECT_EQ(query_int("SELECT count(*) FROM applied_count WHERE n <> 1"), 0);
    EXPECT_EQ(query_int("SELECT count(*) FROM applied_count"), 40);
    EXPECT_EQ(query_int("SELECT count(*) FROM schemagate.history WHERE token = " +
                        std::to_string(cut_token) +
                        " AND applied_at > (SELECT min(applied_at) FROM schemagate.history "
                        "WHERE token > " +
                        std::to_string(cut_token) + ")"),
              0);
}

TEST_F(GateConcurrency, SigtermReleasesTheLeaseAndAWaiterGoesOnBeforeItExpires) {
    counted_migrations(1);
    slow_for(2, "pod-a", 60);
    // A lease that would expire only in an hour: a waiter that goes on was let in by the
    // release.
    Process holder = start_gate({"migrate", "--holder", "pod-a", "--lease-ttl", "1h"});
    ASSERT_TRUE(eventually([&] { return sleeping_in_migration("pod-a"); })) << holder.err();
    Process waiter = start_gate({"migrate", "--holder", "pod-b"});
    ASSERT_TRUE(eventually([&] { return waiter.err().find("waiting:") != std::string::npos; }))
        << waiter.err();
    holder.signal(SIGTERM);
    ASSERT_TRUE(holder.wait_for_exit(Millis{5000})) << "SIGTERM did not stop the holder";
    keep_output(holder);
    EXPECT_EQ(holder.exit_code(), 143) << holder.err();
    EXPECT_NE(holder.err().find("interrupted by signal while applying V2 slow; rolled back"),
              std::string::npos)
        << holder.err();
    ASSERT_TRUE(waiter.wait_for_exit(Millis{60'000})) << waiter.err();
    keep_output(waiter);
    EXPECT_EQ(waiter.exit_code(), 0) << waiter.err();
    expect_each_applied_once(2);
}

// On the server's own session every notification arrives, so a waiter polls only at
// --poll-interval (here longer than its --timeout): while the holder migrates it looks twice,
// before and after its LISTEN, and never again -- where it used to poll from 50 ms up, a
// herd's looks crowding the holder's server.
TEST_F(GateConcurrency, AWaiterWhereNotificationsArriveDoesNotPollWhileTheHolderMigrates) {
    counted_migrations(1);
    slow_for(2, "pod-a", 60);
    exec("CREATE EXTENSION IF NOT EXISTS pg_stat_statements");
    const auto history_reads = [&] {
        return query_int(
            "SELECT coalesce(sum(calls), 0) FROM pg_stat_statements s JOIN pg_database d ON "
            "d.oid = s.dbid WHERE d.datname = current_database() AND s.query LIKE "
            "'SELECT version::text, description, file, checksum%'");
    };
    Process holder = start_gate({"migrate", "--holder", "pod-a", "--lease-ttl", "1h"});
    ASSERT_TRUE(eventually([&] { return sleeping_in_migration("pod-a"); })) << holder.err();
    const long long before = history_reads();
    Process waiter =
        start_gate({"migrate", "--holder", "pod-b", "--poll-interval", "10m", "--timeout", "5s"});
    ASSERT_TRUE(waiter.wait_for_exit(Millis{60'000})) << waiter.err();
    keep_output(waiter);
    EXPECT_EQ(waiter.exit_code(), 2) << waiter.err();
    EXPECT_NE(waiter.err().find("waiting: schema at V1, 1 pending; lease held by pod-a"),
              std::string::npos)
        << waiter.err();
    EXPECT_LE(history_reads() - before, 2);
    holder.signal(SIGTERM);
    ASSERT_TRUE(holder.wait_for_exit(Millis{5000}));
    keep_output(holder);
}

TEST_F(GateConcurrency, SigtermWhileWaitingExitsAtOnce) {
    counted_migrations(1);
    ASSERT_EQ(gate({"migrate"}).exit_code, 0);
    write_migration("V2__next.sql", "SELECT 1;");
    exec(
        "UPDATE schemagate.lease SET holder = 'other/1', expires_at = clock_timestamp() + interval "
        "'1 hour'");
    Process waiter = start_gate({"migrate", "--poll-interval", "10s"});
    ASSERT_TRUE(eventually([&] { return waiter.err().find("waiting:") != std::string::npos; }));
    waiter.signal(SIGINT);
    ASSERT_TRUE(waiter.wait_for_exit(Millis{1000}));
    keep_output(waiter);
    EXPECT_EQ(waiter.exit_code(), 130) << waiter.err();
}

// SIGTERM while the holder's statement, and the cancel request the signal sends, are stuck in a
// network cut (the proxy accepts and acknowledges, forwards nothing): the holder cannot cancel
// nor release, but it must not wait for the network, nor until its --timeout (ten minutes
// here): it gives the cancel a second, exits 143 with the proxy still frozen, and the lease
// expires for the next gate, which applies each migration exactly once.
TEST_F(GateConcurrency, SigtermDuringANetworkCutStopsTheHolderWithoutTheNetwork) {
    counted_migrations(0);
    forty_short_sleeps_for("pod-a");
    FreezableProxy proxy(PostgresServer::instance().port());
    Process holder =
        start_gate({"migrate", "--holder", "pod-a", "--lease-ttl", "3s", "--timeout", "10m"},
                   {{"DATABASE_URL", url_through_port(proxy.port())}});
    ASSERT_TRUE(eventually([&] { return sleeping_in_migration("pod-a"); })) << holder.err();
    proxy.freeze();
    holder.signal(SIGTERM);
    ASSERT_TRUE(holder.wait_for_exit(Millis{60'000})) << "waited for the network: " << holder.err();
    keep_output(holder);
    EXPECT_EQ(holder.exit_code(), 143) << holder.err();
    const auto taker =
        gate({"migrate", "--holder", "pod-b", "--lease-ttl", "3s", "--timeout", "60s"});
    EXPECT_EQ(taker.exit_code, 0) << taker.err;
    EXPECT_EQ(query_int("SELECT count(*) FROM applied_count WHERE n <> 1"), 0);
    EXPECT_EQ(query_int("SELECT count(*) FROM applied_count"), 40);
}

// The same for a waiter whose poll is stuck in the cut: it exits 143, not at its --timeout.
TEST_F(GateConcurrency, SigtermDuringANetworkCutStopsAWaiterWithoutTheNetwork) {
    counted_migrations(1);
    ASSERT_EQ(gate({"migrate"}).exit_code, 0);
    write_migration("V2__next.sql", "SELECT 1;");
    exec(
        "UPDATE schemagate.lease SET holder = 'other/1', expires_at = clock_timestamp() + interval "
        "'1 hour'");
    FreezableProxy proxy(PostgresServer::instance().port());
    Process waiter = start_gate({"migrate", "--poll-interval", "100ms", "--timeout", "10m"},
                                {{"DATABASE_URL", url_through_port(proxy.port())}});
    ASSERT_TRUE(eventually([&] { return waiter.err().find("waiting:") != std::string::npos; }));
    proxy.freeze();
    // The next poll reaches the proxy and waits there for an answer that cannot come.
    ASSERT_TRUE(eventually([&] { return proxy.holds_unforwarded_data(); })) << waiter.err();
    waiter.signal(SIGTERM);
    ASSERT_TRUE(waiter.wait_for_exit(Millis{60'000})) << "waited for the network: " << waiter.err();
    keep_output(waiter);
    EXPECT_EQ(waiter.exit_code(), 143) << waiter.err();
}

TEST_F(GateConcurrency, CreateIndexConcurrentlyWithTenWaitersDoesNotDeadlock) {
    write_migration("V1__table.sql",
                    "CREATE TABLE big (id int, v int);\n"
                    "INSERT INTO big SELECT g, g % 97 FROM generate_series(1, 200000) g;\n");
    write_migration("V2__index.sql",
                    "-- schemagate:no-transaction\n"
                    "CREATE INDEX CONCURRENTLY big_v_idx ON big (v);\n");
    write_migration("V3__after.sql", "ALTER TABLE big ADD COLUMN note text;\n");
    std::vector<Process> gates;
    for (int i = 0; i < 11; ++i) {
        gates.push_back(
            start_gate({"migrate", "--holder", "cic-" + std::to_string(i), "--timeout", "2m"}));
    }
    for (auto& g : gates) {
        ASSERT_TRUE(g.wait_for_exit(Millis{150'000}));
        keep_output(g);
        EXPECT_EQ(g.exit_code(), 0) << g.err();
    }
    EXPECT_EQ(query_int("SELECT count(*) FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid "
                        "WHERE c.relname = 'big_v_idx' AND i.indisvalid"),
              1);
    EXPECT_EQ(query_int("SELECT count(*) FROM schemagate.history WHERE success"), 3);
}

// The middle file needs to run outside a transaction and says nothing about it: detected
// from its statements, run once, by one gate, with nine others waiting.
TEST_F(GateConcurrency, TenGatesOnASetWhoseMiddleFileCannotRunInATransaction) {
    exec("CREATE TABLE harness.applied_count (version int PRIMARY KEY, n int NOT NULL)");
    write_migration("V1__table.sql",
                    "CREATE TABLE big (id int, v int);\n"
                    "INSERT INTO big SELECT g, g % 97 FROM generate_series(1, 100000) g;\n"
                    "INSERT INTO applied_count VALUES (1, 1) ON CONFLICT (version) DO UPDATE "
                    "SET n = applied_count.n + 1;\n");
    write_migration("V2__index.sql",
                    "-- built without blocking writes\n"
                    "INSERT INTO applied_count VALUES (2, 1) ON CONFLICT (version) DO UPDATE "
                    "SET n = applied_count.n + 1;\n"
                    "CREATE INDEX CONCURRENTLY big_v_idx ON big (v);\n");
    write_migration("V3__after.sql",
                    "ALTER TABLE big ADD COLUMN note text;\n"
                    "INSERT INTO applied_count VALUES (3, 1) ON CONFLICT (version) DO UPDATE "
                    "SET n = applied_count.n + 1;\n");
    std::vector<Process> gates;
    for (int i = 0; i < 10; ++i) {
        gates.push_back(
            start_gate({"migrate", "--holder", "auto-" + std::to_string(i), "--timeout", "2m"}));
    }
    int logged = 0;
    for (auto& g : gates) {
        ASSERT_TRUE(g.wait_for_exit(Millis{150'000}));
        keep_output(g);
        EXPECT_EQ(g.exit_code(), 0) << g.err();
        if (g.err().find("V2 index runs without a transaction (line 3: CREATE INDEX "
                         "CONCURRENTLY); it holds other statements too") != std::string::npos) {
            ++logged;
        }
    }
    EXPECT_EQ(logged, 1);
    EXPECT_EQ(query_int("SELECT count(*) FROM applied_count WHERE n = 1"), 3);
    EXPECT_EQ(query_int("SELECT count(*) FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid "
                        "WHERE c.relname = 'big_v_idx' AND i.indisvalid"),
              1);
    EXPECT_EQ(query_int("SELECT count(*) FROM schemagate.history WHERE success"), 3);
}

TEST_F(GateConcurrency, HolderKilledDuringANonTransactionalMigrationLeavesItDirty) {
    exec("CREATE TABLE harness.applied_count (version int PRIMARY KEY, n int NOT NULL)");
    write_migration("V1__slow_no_tx.sql", "-- schemagate:no-transaction\nSELECT pg_sleep(60);\n");
    Process holder = start_gate({"migrate", "--holder", "pod-a", "--lease-ttl", "3s"});
    ASSERT_TRUE(eventually([&] { return sleeping_in_migration("pod-a"); })) << holder.err();
    holder.signal(SIGKILL);
    ASSERT_TRUE(holder.wait_for_exit(Millis{5000}));
    const auto result =
        gate({"migrate", "--holder", "pod-b", "--lease-ttl", "3s", "--timeout", "30s"});
    EXPECT_EQ(result.exit_code, 5) << result.err;
    EXPECT_NE(result.err.find("V1__slow_no_tx.sql) is dirty: started by pod-a"), std::string::npos)
        << result.err;
}

}  // namespace
}  // namespace schemagate::testing
