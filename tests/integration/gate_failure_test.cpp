// SPDX-License-Identifier: Apache-2.0
// Every failure exit code of `schemagate migrate`, each with a real server (or a real absence
// of one), and what the failure leaves behind: nothing, or exactly what was committed.
#include <gtest/gtest.h>

#include <fstream>
#include <pqxx/transaction>
#include <sstream>

#include "gate_fixture.h"

namespace schemagate::testing {
namespace {

std::string read_file(const std::filesystem::path& path) {
    std::ifstream file(path);
    std::ostringstream content;
    content << file.rdbuf();
    return content.str();
}

int count_of(const std::string& haystack, const std::string& needle) {
    int count = 0;
    for (auto pos = haystack.find(needle); pos != std::string::npos;
         pos = haystack.find(needle, pos + 1)) {
        ++count;
    }
    return count;
}

class GateFailure : public GateTest {
  protected:
    void two_migrations() {
        write_migration("V1__accounts.sql", "CREATE TABLE accounts (id int PRIMARY KEY);\n");
        write_migration("V2__ledger.sql", "CREATE TABLE ledger (id int);\n");
    }
    std::string unreachable_url() const {
        // A port nothing listens on: the server's own port after its server has moved on is
        // not reliable, so bind-and-close is replaced by a privileged port nobody serves.
        return "postgresql://postgres:" + PostgresServer::instance().password() + "@127.0.0.1:1/x";
    }
};

TEST_F(GateFailure, ChecksumDriftExits5AndChangesNothing) {
    two_migrations();
    ASSERT_EQ(gate({"migrate"}).exit_code, 0);
    write_migration("V1__accounts.sql", "CREATE TABLE accounts (id bigint PRIMARY KEY);\n");
    write_migration("V3__more.sql", "CREATE TABLE more (id int);\n");
    const std::string before = database_fingerprint();
    const auto result = gate({"migrate"});
    EXPECT_EQ(result.exit_code, 5) << result.err;
    EXPECT_NE(result.err.find("checksum drift: V1__accounts.sql"), std::string::npos) << result.err;
    EXPECT_EQ(database_fingerprint(), before);
}

TEST_F(GateFailure, OutOfOrderExits5) {
    write_migration("V1__a.sql", "CREATE TABLE a (x int);");
    write_migration("V3__c.sql", "CREATE TABLE c (x int);");
    ASSERT_EQ(gate({"migrate"}).exit_code, 0);
    write_migration("V2__b.sql", "CREATE TABLE b (x int);");
    const std::string before = database_fingerprint();
    const auto result = gate({"migrate"});
    EXPECT_EQ(result.exit_code, 5) << result.err;
    EXPECT_NE(result.err.find("out-of-order migration: V2__b.sql"), std::string::npos)
        << result.err;
    EXPECT_EQ(database_fingerprint(), before);
}

TEST_F(GateFailure, FailingMigrationExits1NamingFileLineAndSqlstate) {
    two_migrations();
    write_migration("V3__broken.sql",
                    "-- creates a table, then trips over a missing one\n"
                    "CREATE TABLE half_done (id int);\n"
                    "\n"
                    "INSERT INTO no_such_table VALUES (1);\n");
    write_migration("V4__never.sql", "CREATE TABLE never (id int);\n");
    const auto termination = migrations_ / "termination-log";
    const auto result = gate({"migrate", "--termination-log", termination.string()});
    EXPECT_EQ(result.exit_code, 1) << result.err;
    EXPECT_NE(result.err.find("V3 broken failed at V3__broken.sql line 4: SQLSTATE 42P01"),
              std::string::npos)
        << result.err;
    EXPECT_NE(result.err.find("no_such_table"), std::string::npos);
    // Earlier migrations committed, the failing one rolled back entirely, later ones never ran.
    EXPECT_EQ(query_int("SELECT (max(version))[1] FROM schemagate.history"), 2);
    EXPECT_EQ(query_int("SELECT (to_regclass('half_done') IS NULL)::int"), 1);
    EXPECT_EQ(query_int("SELECT (to_regclass('never') IS NULL)::int"), 1);
    // The lease is free for the next attempt.
    EXPECT_EQ(query_int("SELECT count(*) FROM schemagate.lease WHERE holder IS NULL"), 1);
    const std::string message = read_file(termination);
    EXPECT_EQ(message.rfind("schemagate: V3 broken failed at V3__broken.sql line 4", 0), 0u)
        << message;
    EXPECT_EQ(count_of(message, "\n"), 1) << message;
}

TEST_F(GateFailure, DeadlineWhileAnotherHolderKeepsTheLeaseExits2) {
    two_migrations();
    ASSERT_EQ(gate({"migrate", "--target", "1"}).exit_code, 0);
    exec(
        "UPDATE schemagate.lease SET holder = 'busy-pod/1', token = token + 1, "
        "expires_at = clock_timestamp() + interval '1 hour'");
    const std::string before = database_fingerprint();
    const auto result = gate({"migrate", "--timeout", "1500ms"});
    EXPECT_EQ(result.exit_code, 2) << result.err;
    EXPECT_NE(result.err.find("lease held by busy-pod/1"), std::string::npos) << result.err;
    EXPECT_NE(result.err.find("deadline (--timeout 1s500ms) passed"), std::string::npos)
        << result.err;
    EXPECT_EQ(database_fingerprint(), before);
}

TEST_F(GateFailure, UnreachableServerIsRetriedThenExits4) {
    two_migrations();
    const auto result = gate({"migrate", "--timeout", "2s"}, {{"DATABASE_URL", unreachable_url()}});
    EXPECT_EQ(result.exit_code, 4) << result.err;
    EXPECT_NE(result.err.find("database unreachable until the deadline"), std::string::npos)
        << result.err;
    // Each distinct reason is logged once, not once per attempt.
    EXPECT_EQ(count_of(result.err, "retrying until the deadline"), 1) << result.err;
}

// Settings no retry can fix fail at once, saying why, instead of waiting out --timeout.
TEST_F(GateFailure, TheServersDetailAndHintAreShownWithTheError) {
    write_migration("V1__dup.sql",
                    "CREATE TABLE u (id int PRIMARY KEY);\nINSERT INTO u VALUES (1), (1);\n");
    const auto result = gate({"migrate"});
    EXPECT_EQ(result.exit_code, 1) << result.err;
    EXPECT_NE(result.err.find("V1__dup.sql line 2: SQLSTATE 23505"), std::string::npos)
        << result.err;
    EXPECT_NE(result.err.find("(DETAIL: Key (id)=(1) already exists.)"), std::string::npos)
        << result.err;
    // The run's last line (after the migration_failed event's) holds it all, on one line.
    EXPECT_EQ(count_of(result.err.substr(result.err.rfind("SQLSTATE 23505")), "\n"), 1)
        << result.err;
}

TEST_F(GateFailure, TlsDemandedOfAServerWithoutItAndABadPortFailAtOnce) {
    two_migrations();
    const std::string separator = url_.find('?') == std::string::npos ? "?" : "&";
    for (const auto& [url, says] : std::vector<std::pair<std::string, std::string>>{
             {url_ + separator + "sslmode=require", "does not support SSL"},
             {"postgresql://postgres:" + PostgresServer::instance().password() +
                  "@127.0.0.1:99999/x",
              "invalid"}}) {
        const auto result = gate({"migrate", "--timeout", "60s"}, {{"DATABASE_URL", url}});
        EXPECT_EQ(result.exit_code, 4) << result.err;
        EXPECT_NE(result.err.find(says), std::string::npos) << result.err;
        // The hint points at the setting at fault, not at the credentials.
        EXPECT_EQ(result.err.find("check the user, password"), std::string::npos) << result.err;
        // At once: refused on the first attempt, not retried until the deadline.
        EXPECT_EQ(result.err.find("retrying"), std::string::npos) << result.err;
    }
}

// The static build links libpq without Kerberos (core/libpq_static_shims.c): demanding GSSAPI
// encryption fails at once with libpq's own message, as with no Kerberos credentials.
TEST_F(GateFailure, GssEncryptionDemandedFailsAtOnceNamingGssapi) {
    two_migrations();
    const std::string separator = url_.find('?') == std::string::npos ? "?" : "&";
    const auto result = gate({"migrate", "--timeout", "60s"},
                             {{"DATABASE_URL", url_ + separator + "gssencmode=require"}});
    EXPECT_EQ(result.exit_code, 4) << result.err;
    EXPECT_NE(result.err.find("GSSAPI encryption required"), std::string::npos) << result.err;
    // No retry can bring Kerberos into this build: not retried until the deadline, and said why.
    EXPECT_EQ(result.err.find("retrying"), std::string::npos) << result.err;
    EXPECT_NE(result.err.find("Kerberos (GSSAPI) or LDAP could not be used"), std::string::npos)
        << result.err;
    EXPECT_EQ(query_int("SELECT count(*) FROM pg_tables WHERE tablename = 'accounts'"), 0);
}

TEST_F(GateFailure, WrongPasswordFailsAtOnceWithExit4) {
    two_migrations();
    std::string bad = url_;
    bad.replace(bad.find(PostgresServer::instance().password()),
                PostgresServer::instance().password().size(), "Wrong-Password-77");
    const auto result = gate({"migrate", "--timeout", "60s"}, {{"DATABASE_URL", bad}});
    EXPECT_EQ(result.exit_code, 4) << result.err;
    EXPECT_EQ(result.err.find("retrying"), std::string::npos)
        << "authentication failures must not be retried until the deadline\n"
        << result.err;
    EXPECT_NE(result.err.find("password authentication failed"), std::string::npos) << result.err;
    EXPECT_NE(result.err.find("check the user, password and database name"), std::string::npos);
    EXPECT_EQ(result.err.find("Wrong-Password-77"), std::string::npos) << result.err;
}

TEST_F(GateFailure, UnknownDatabaseFailsAtOnceWithExit4) {
    two_migrations();
    std::string bad = url_.substr(0, url_.rfind('/')) + "/no_such_db";
    const auto result = gate({"migrate", "--timeout", "60s"}, {{"DATABASE_URL", bad}});
    EXPECT_EQ(result.exit_code, 4) << result.err;
    EXPECT_NE(result.err.find("no_such_db\" does not exist"), std::string::npos) << result.err;
}

TEST_F(GateFailure, ServerStartedLateIsWaitedFor) {
    two_migrations();
    auto& server = PostgresServer::instance();
    server.stop_server();
    Process gate_process = start_gate({"migrate", "--timeout", "60s"});
    const bool saw_retry = eventually([&] {
        return gate_process.err().find("retrying until the deadline") != std::string::npos;
    });
    server.start_server();
    ASSERT_TRUE(saw_retry) << gate_process.err();
    ASSERT_TRUE(gate_process.wait_for_exit(Millis{60'000}));
    keep_output(gate_process);
    EXPECT_EQ(gate_process.exit_code(), 0) << gate_process.err();
    EXPECT_EQ(query_int("SELECT (max(version))[1] FROM schemagate.history"), 2);
}

TEST_F(GateFailure, BadInputExits3AndTouchesNothing) {
    two_migrations();
    write_migration("add_users.sql", "CREATE TABLE users (id int);");
    const std::string before = database_fingerprint();
    const auto bad_name = gate({"migrate"});
    EXPECT_EQ(bad_name.exit_code, 3) << bad_name.err;
    EXPECT_NE(bad_name.err.find("add_users.sql"), std::string::npos) << bad_name.err;
    std::filesystem::remove(migrations_ / "add_users.sql");
    const auto bad_target = gate({"migrate", "--target", "9"});
    EXPECT_EQ(bad_target.exit_code, 3) << bad_target.err;
    EXPECT_NE(bad_target.err.find("--target: 9 is above the highest migration file"),
              std::string::npos);
    const auto bad_flag = gate({"migrate", "--lease-ttl", "30x"});
    EXPECT_EQ(bad_flag.exit_code, 3);
    const auto bad_url_file =
        gate({"migrate", "--database-url-file", "/nonexistent/url"}, {{"DATABASE_URL", ""}});
    EXPECT_EQ(bad_url_file.exit_code, 3) << bad_url_file.err;
    EXPECT_NE(bad_url_file.err.find("--database-url-file"), std::string::npos);
    EXPECT_EQ(database_fingerprint(), before);
    EXPECT_EQ(query_int("SELECT count(*) FROM pg_namespace WHERE nspname = 'schemagate'"), 0);
}

// A pod's settings come from a ConfigMap: a bad one is named by the variable to fix, whether
// the flag table refuses it or the run does later, in stderr and the termination message alike.
TEST_F(GateFailure, ABadValueFromTheEnvironmentIsNamedByItsVariable) {
    two_migrations();
    const std::string before = database_fingerprint();
    const auto termination = migrations_.parent_path() / "termination-log";
    const std::map<std::string, std::string> log = {
        {"SCHEMAGATE_TERMINATION_LOG", termination.string()}};
    auto with = [&log](std::string variable, std::string value) {
        auto env = log;
        env[std::move(variable)] = std::move(value);
        return env;
    };
    const auto ttl = gate({"migrate"}, with("SCHEMAGATE_LEASE_TTL", "thirty"));
    EXPECT_EQ(ttl.exit_code, 3) << ttl.err;
    EXPECT_NE(ttl.err.find("SCHEMAGATE_LEASE_TTL: 'thirty' is not a duration"), std::string::npos)
        << ttl.err;
    EXPECT_EQ(ttl.err.find("--lease-ttl"), std::string::npos) << ttl.err;
    const auto target = gate({"migrate"}, with("SCHEMAGATE_TARGET", "9"));
    EXPECT_EQ(target.exit_code, 3) << target.err;
    EXPECT_NE(target.err.find("SCHEMAGATE_TARGET: 9 is above the highest migration file"),
              std::string::npos)
        << target.err;
    EXPECT_NE(read_file(termination).find("SCHEMAGATE_TARGET: 9 is above"), std::string::npos)
        << read_file(termination);
    const auto directory = gate({"migrate"}, with("SCHEMAGATE_MIGRATIONS", "/nonexistent/dir"));
    EXPECT_EQ(directory.exit_code, 3) << directory.err;
    EXPECT_NE(directory.err.find("SCHEMAGATE_MIGRATIONS: /nonexistent/dir"), std::string::npos)
        << directory.err;
    EXPECT_EQ(directory.err.find("--migrations"), std::string::npos) << directory.err;
    // The command line wins over the variable, and is what the message then names.
    const auto flag = gate({"migrate", "--target", "8"}, with("SCHEMAGATE_TARGET", "9"));
    EXPECT_EQ(flag.exit_code, 3) << flag.err;
    EXPECT_NE(flag.err.find("--target: 8 is above"), std::string::npos) << flag.err;
    EXPECT_EQ(database_fingerprint(), before);
}

TEST_F(GateFailure, UrlFromAMountedSecretFileNeverLeaks) {
    two_migrations();
    const auto secret = migrations_ / "url-secret";
    std::ofstream(secret) << url_ << "\n";
    const auto result =
        gate({"migrate", "--database-url-file", secret.string()}, {{"DATABASE_URL", ""}});
    EXPECT_EQ(result.exit_code, 0) << result.err;
    const auto status =
        gate({"status", "--json", "--database-url-file", secret.string()}, {{"DATABASE_URL", ""}});
    EXPECT_EQ(status.exit_code, 0);
    // TearDown asserts the password appears nowhere in the captured output.
}

TEST_F(GateFailure, LockTimeoutIsRetriedThenSucceeds) {
    write_migration("V1__t.sql", "CREATE TABLE t (id int);");
    ASSERT_EQ(gate({"migrate"}).exit_code, 0);
    write_migration("V2__alter.sql", "ALTER TABLE t ADD COLUMN note text;");
    pqxx::connection blocker(url_);
    auto blocking = std::make_unique<pqxx::work>(blocker);
    blocking->exec("LOCK TABLE t IN ACCESS SHARE MODE");  // what a long-running SELECT holds
    Process gate_process =
        start_gate({"migrate", "--lock-timeout", "100ms", "--lock-retries", "50"});
    ASSERT_TRUE(eventually([&] {
        return gate_process.err().find("lock timeout after 100ms") != std::string::npos;
    })) << gate_process.err();
    blocking->commit();
    ASSERT_TRUE(gate_process.wait_for_exit(Millis{60'000}));
    keep_output(gate_process);
    EXPECT_EQ(gate_process.exit_code(), 0) << gate_process.err();
    EXPECT_EQ(
        query_int("SELECT count(*) FROM information_schema.columns WHERE column_name = 'note'"), 1);
}

TEST_F(GateFailure, LockTimeoutRetriesAreBounded) {
    write_migration("V1__t.sql", "CREATE TABLE t (id int);");
    ASSERT_EQ(gate({"migrate"}).exit_code, 0);
    write_migration("V2__alter.sql", "ALTER TABLE t ADD COLUMN note text;");
    pqxx::connection blocker(url_);
    pqxx::work blocking(blocker);
    blocking.exec("LOCK TABLE t IN ACCESS SHARE MODE");
    const auto result = gate({"migrate", "--lock-timeout", "50ms", "--lock-retries", "2"});
    EXPECT_EQ(result.exit_code, 1) << result.err;
    EXPECT_NE(
        result.err.find("could not get its locks within --lock-timeout 50ms after 3 attempts"),
        std::string::npos)
        << result.err;
}

TEST_F(GateFailure, StatementTimeoutFailsTheMigration) {
    write_migration("V1__slow.sql", "SELECT pg_sleep(5);");
    const auto result = gate({"migrate", "--statement-timeout", "100ms"});
    EXPECT_EQ(result.exit_code, 1) << result.err;
    EXPECT_NE(result.err.find("SQLSTATE 57014"), std::string::npos) << result.err;
}

}  // namespace
}  // namespace schemagate::testing
