// SPDX-License-Identifier: Apache-2.0
// A failover to an asynchronous standby that missed the last acquisition of the lease: the
// new primary hands out the same token again, and the holder that acquired it on the dead
// primary reconnects through the same service address. A real streaming standby
// (pg_basebackup -R), made to lag by stopping its WAL receiver, promoted with pg_ctl, behind a
// proxy the test points at the new primary.
#include <gtest/gtest.h>
#include <unistd.h>

#include <csignal>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <optional>
#include <pqxx/nontransaction>
#include <pqxx/transaction>

#include "freezable_proxy.h"
#include "gate_fixture.h"

namespace schemagate::testing {
namespace {

// The server's own binaries (the version matrix sets PG_BIN); pg_basebackup is Debian's 15,
// which copies servers of its own major version and older ones.
std::string pg_bin(const std::string& program) {
    const char* bin = std::getenv("PG_BIN");
    return std::string(bin != nullptr ? bin : "/usr/lib/postgresql/15/bin") + "/" + program;
}
constexpr const char* kBaseBackup = "/usr/lib/postgresql/15/bin/pg_basebackup";

std::vector<std::string> as_server_user(std::vector<std::string> command) {
    if (geteuid() == 0)
        command.insert(command.begin(), {"/usr/sbin/runuser", "-u", "postgres", "--"});
    return command;
}

// A hot standby of the test server on a port of its own, removed with the object.
class Standby {
  public:
    Standby() {
        std::string pattern = "/tmp/sgstandby.XXXXXX";
        if (mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp");
        dir_ = pattern;
        port_ = free_port();
        if (geteuid() == 0) run({"/usr/bin/chown", "postgres:", dir_});
        const auto& primary = PostgresServer::instance();
        const auto copied = run(as_server_user(
            {kBaseBackup, "-h", primary.dir(), "-p", std::to_string(primary.port()), "-U",
             "postgres", "-D", dir_ + "/data", "-R", "-X", "stream", "-c", "fast"}));
        if (copied.exit_code != 0) throw std::runtime_error("pg_basebackup: " + copied.err);
        const auto started = run(as_server_user(
            {pg_bin("pg_ctl"), "-D", dir_ + "/data", "-l", dir_ + "/server.log", "-w", "-t", "60",
             "-o", "-p " + std::to_string(port_) + " -k " + dir_ + " -c listen_addresses=127.0.0.1",
             "start"}));
        if (started.exit_code != 0) throw std::runtime_error("standby start: " + started.err);
    }
    ~Standby() {
        run(as_server_user(
            {pg_bin("pg_ctl"), "-D", dir_ + "/data", "-m", "immediate", "-w", "stop"}));
        std::filesystem::remove_all(dir_);
    }
    Standby(const Standby&) = delete;
    Standby& operator=(const Standby&) = delete;

    int port() const { return port_; }

    // Replays everything the primary has written so far, then stops receiving WAL: what the
    // primary commits from now on, this standby never sees.
    void catch_up_then_stop_streaming(const std::string& primary_url,
                                      const std::string& own_url) const {
        const std::string lsn = query(primary_url, "SELECT pg_current_wal_lsn()::text");
        if (!eventually([&] {
                return query(own_url, "SELECT pg_last_wal_replay_lsn() >= '" + lsn + "'::pg_lsn") ==
                       "t";
            })) {
            throw std::runtime_error("the standby did not catch up");
        }
        // ALTER SYSTEM works on a standby (it writes no WAL); the receiver stops on reload.
        query(own_url, "ALTER SYSTEM SET primary_conninfo = ''");
        query(own_url, "SELECT pg_reload_conf()::text");
        if (!eventually([&] {
                return query(own_url, "SELECT count(*) FROM pg_stat_wal_receiver") == "0";
            })) {
            throw std::runtime_error("the standby's WAL receiver did not stop");
        }
    }

    void promote() const {
        const auto promoted =
            run(as_server_user({pg_bin("pg_ctl"), "-D", dir_ + "/data", "-w", "promote"}));
        if (promoted.exit_code != 0) throw std::runtime_error("promote: " + promoted.err);
    }

    static std::string query(const std::string& url, const std::string& sql) {
        pqxx::connection connection(url);
        pqxx::nontransaction work(connection);
        const auto rows = work.exec(sql);
        return rows.empty() || rows[0][0].is_null() ? "" : rows[0][0].as<std::string>();
    }

  private:
    std::string dir_;
    int port_ = 0;
};

// A session that holds an ACCESS EXCLUSIVE lock on table t until released, so that a gate
// applying a migration that writes t stops inside it with the lease held.
class TableLock {
  public:
    explicit TableLock(const std::string& url) : connection_(url), work_(connection_) {
        work_.exec("LOCK t");
    }
    void release() { work_.abort(); }

  private:
    pqxx::connection connection_;
    pqxx::work work_;
};

bool waits_for_a_lock(const std::string& url, const std::string& holder) {
    return Standby::query(url,
                          "SELECT count(*) FROM pg_stat_activity WHERE application_name = "
                          "'schemagate " +
                              holder + "' AND wait_event_type = 'Lock'") != "0";
}

bool holds_the_lease(const std::string& url, const std::string& holder) {
    return Standby::query(url, "SELECT count(*) FROM schemagate.lease WHERE holder = '" + holder +
                                   "' AND expires_at > clock_timestamp()") == "1";
}

// The shared test server is crashed mid-test: it is started again however the test ends, so a
// failed assertion does not take the rest of the binary down with it.
class Failover : public GateTest {
  protected:
    void TearDown() override {
        if (crashed_) PostgresServer::instance().start_server();
        GateTest::TearDown();
    }
    void crash_primary() {
        crashed_ = true;
        PostgresServer::instance().crash_server();
    }

  private:
    bool crashed_ = false;
};

TEST_F(Failover, TheHolderOfALostAcquisitionIsFencedOnTheNewPrimary) {
    write_migration("V1__t.sql", "CREATE TABLE t (id int);\n");
    ASSERT_EQ(gate({"migrate"}).exit_code, 0);  // token 1, released
    Standby standby;
    const std::string new_primary = url_through_port(standby.port());
    standby.catch_up_then_stop_streaming(url_, new_primary);

    write_migration("V2__insert.sql", "INSERT INTO t VALUES (2);\n");
    FreezableProxy service(PostgresServer::instance().port());
    const std::map<std::string, std::string> through{
        {"DATABASE_URL", url_through_port(service.port())}};
    const std::vector<std::string> flags = {"--timeout", "300s", "--lock-timeout", "10m"};

    // gate-a acquires token 2 on the primary and stops inside V2; then it freezes, the primary
    // dies, and the standby, which never saw that acquisition, is promoted.
    std::optional<TableLock> old_lock(std::in_place, url_);
    auto a_args = flags;
    a_args.insert(a_args.begin(), {"migrate", "--holder", "gate-a"});
    Process a = start_gate(a_args, through);
    ASSERT_TRUE(eventually([&] { return waits_for_a_lock(url_, "gate-a"); })) << a.err();
    ASSERT_EQ(Standby::query(url_, "SELECT token FROM schemagate.lease"), "2");
    a.signal(SIGSTOP);
    crash_primary();
    try {
        old_lock.reset();
    } catch (const std::exception&) {
        // Its server is gone.
    }
    standby.promote();
    service.retarget(standby.port());
    ASSERT_EQ(Standby::query(new_primary, "SELECT token FROM schemagate.lease"), "1");

    // gate-b acquires on the new primary: token 2 again, a different grant.
    TableLock new_lock(new_primary);
    auto b_args = flags;
    b_args.insert(b_args.begin(), {"migrate", "--holder", "gate-b"});
    Process b = start_gate(b_args, through);
    ASSERT_TRUE(eventually([&] {
        return holds_the_lease(new_primary, "gate-b") && waits_for_a_lock(new_primary, "gate-b");
    })) << b.err();
    ASSERT_EQ(Standby::query(new_primary, "SELECT token FROM schemagate.lease"), "2");

    // gate-a wakes, reconnects through the service address and presents token 2: it must
    // find itself fenced, not go on beside gate-b (whose migration it would then queue
    // behind, then repeat).
    a.signal(SIGCONT);
    ASSERT_TRUE(eventually(
        [&] { return a.wait_for_exit(Millis{0}) || waits_for_a_lock(new_primary, "gate-a"); },
        Millis{120'000}));
    ASSERT_TRUE(a.exited()) << "gate-a went on under gate-b's lease:\n" << a.err();
    EXPECT_EQ(a.exit_code(), 6) << a.err();
    EXPECT_NE(a.err().find("lease lost"), std::string::npos) << a.err();
    keep_output(a);

    new_lock.release();
    ASSERT_TRUE(b.wait_for_exit(Millis{120'000}));
    EXPECT_EQ(b.exit_code(), 0) << b.err();
    keep_output(b);
    EXPECT_EQ(Standby::query(new_primary, "SELECT count(*) FROM t"), "1");
    EXPECT_EQ(Standby::query(new_primary,
                             "SELECT string_agg(applied_by, ',') FROM "
                             "schemagate.history WHERE version = '{2}'"),
              "gate-b");
    EXPECT_EQ(Standby::query(new_primary, "SELECT count(*) FROM schemagate.failure"), "0");
    const auto status = gate({"status", "--json"}, through);
    ASSERT_EQ(status.exit_code, 0) << status.err;
    EXPECT_EQ(nlohmann::json::parse(status.out)["lease"]["lease_id"].get<std::string>().size(), 32U)
        << status.out;
}

}  // namespace
}  // namespace schemagate::testing
