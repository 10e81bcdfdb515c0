// SPDX-License-Identifier: Apache-2.0
#include "lease.h"

#include <pqxx/nontransaction>
#include <pqxx/result_iterator.hxx>
#include <pqxx/transaction>

#include "db_failure.h"
#include "fence_function.h"

namespace schemagate {

namespace {

// Long enough for a normal row-lock hand-off, short enough that a waiter never queues
// behind a migration's transaction.
constexpr Millis kAcquireLockTimeout{200};
// Renewal runs every ttl/3; waiting a second for a row lock still leaves two chances.
constexpr Millis kRenewLockTimeout{1000};

// Ends a backend and waits (up to 5 s) until it is gone, so that its row locks are released
// when this returns. pg_terminate_backend's timeout argument exists from PostgreSQL 14; before
// it, the same wait is a loop over pg_stat_activity.
std::string terminate_and_wait_sql(const pqxx::connection& connection, int pid) {
    constexpr int kFirstWithTerminateTimeout = 140000;
    const std::string id = std::to_string(pid);
    if (connection.server_version() >= kFirstWithTerminateTimeout) {
        return "SELECT pg_terminate_backend(" + id + ", 5000)";
    }
    return "DO $terminate$ BEGIN PERFORM pg_terminate_backend(" + id +
           "); FOR i IN 1..500 LOOP PERFORM pg_stat_clear_snapshot(); EXIT WHEN NOT EXISTS "
           "(SELECT 1 FROM pg_stat_activity "
           "WHERE pid = " +
           id + "); PERFORM pg_sleep(0.01); END LOOP; END $terminate$";
}

std::string lock_timeout_sql(Millis timeout) {
    return "SET LOCAL lock_timeout = " + std::to_string(timeout.count());
}

}  // namespace

Lease::Lease(StateLocation where, std::string holder, Millis ttl)
    : where_(std::move(where)), holder_(std::move(holder)), ttl_(ttl) {}

std::string Lease::ttl_interval() const {
    return "interval '" + std::to_string(ttl_.count()) + " milliseconds'";
}

AcquireOutcome Lease::try_acquire(pqxx::connection& connection) const {
    const std::string table = qualified(connection, where_, StateTable::kLease);
    LeaseGrant grant{0, new_lease_id()};
    pqxx::result acquired;
    try {
        acquired = translate_db_errors([&] {
            pqxx::nontransaction session(connection);
            const std::string name = session.quote(where_.name);
            const std::string mine = session.quote(holder_) + ", " + session.quote(grant.id);
            // One query string, one round trip: the server runs it as one implicit transaction and
            // commits before answering, so a holder frozen or cut off right after sending it leaves
            // no transaction open on the lease row. A row locked by the holder's migration is
            // skipped, not waited for (SKIP LOCKED): waiting would end in a lock timeout, an ERROR
            // in the server's log for every waiter at every look.
            return session.exec(
                lock_timeout_sql(kAcquireLockTimeout) + "; WITH free AS (SELECT name FROM " +
                table + " WHERE name = " + name +
                " AND expires_at < clock_timestamp() FOR UPDATE SKIP "
                "LOCKED), taken AS (UPDATE " +
                table + " AS l SET (holder, lease_id) = (" + mine +
                "), token = l.token + 1, acquired_at = clock_timestamp(), renewed_at = "
                "clock_timestamp(), expires_at = clock_timestamp() + " +
                ttl_interval() +
                " FROM free WHERE l.name = free.name RETURNING l.token), created AS (INSERT INTO " +
                table +
                " (name, holder, lease_id, token, acquired_at, renewed_at, expires_at) "
                "SELECT " +
                name + ", " + mine +
                ", 1, clock_timestamp(), clock_timestamp(), "
                "clock_timestamp() + " +
                ttl_interval() + " WHERE NOT EXISTS (SELECT 1 FROM " + table +
                " WHERE name = " + name +
                ") ON CONFLICT (name) DO NOTHING RETURNING token) "
                "SELECT token, false FROM taken UNION ALL SELECT token, false FROM created "
                "UNION ALL SELECT NULL, EXISTS (SELECT 1 FROM " +
                table + " WHERE name = " + name +
                " AND expires_at < clock_timestamp()) WHERE NOT EXISTS (SELECT 1 FROM taken) "
                "AND NOT EXISTS (SELECT 1 FROM created)");
        });
    } catch (const DbError& e) {
        // A concurrent first insert still being committed: someone else is taking it.
        if (!e.is(sqlstate::kLockNotAvailable)) throw;
        acquired = pqxx::result{};
    }
    if (!acquired.empty() && !acquired[0][0].is_null()) {
        grant.token = acquired[0][0].as<std::int64_t>();
        return grant;
    }
    LeaseHeld held;
    // Expired but locked: the holder's migration is committing (and renews it as it does).
    held.busy = !acquired.empty() && acquired[0][1].as<bool>();
    if (auto state = read_schema_state(connection, where_); state.lease) held.by = *state.lease;
    return held;
}

std::string Lease::held_by(pqxx::transaction_base& work, const LeaseGrant& grant) const {
    return "name = " + work.quote(where_.name) + " AND token = " + std::to_string(grant.token) +
           " AND lease_id = " + work.quote(grant.id);
}

std::string Lease::fence_sql(pqxx::transaction_base& work, const LeaseGrant& grant) const {
    return "UPDATE " + qualified(work.conn(), where_, StateTable::kLease) +
           " SET renewed_at = clock_timestamp(), expires_at = clock_timestamp() + " +
           ttl_interval() + " WHERE " + held_by(work, grant);
}

std::string Lease::fence_call_sql(pqxx::transaction_base& work, const LeaseGrant& grant,
                                  bool chained, const std::string& settings) const {
    // fence_function.h: the bootstrap created it; a function is compiled once per session.
    return fence_function_name(work, where_) + "(" + work.quote(where_.name) + ", " +
           std::to_string(grant.token) + ", " + work.quote(grant.id) + ", " +
           std::to_string(ttl_.count()) + ", " +
           (chained ? std::to_string(ttl_.count() / 2) : std::string("NULL")) + ", " + settings +
           "::text[])";
}

std::string Lease::fence_or_fail_sql(pqxx::transaction_base& work, const LeaseGrant& grant,
                                     bool chained) const {
    return "SELECT " + fence_call_sql(work, grant, chained);
}

std::string Lease::still_in_fenced_transaction_sql(const LeaseGrant& grant) const {
    return "DO $schemagate_check$ BEGIN IF current_setting('schemagate.fenced_token', true) IS "
           "DISTINCT FROM '" +
           grant.id +
           "' THEN RAISE EXCEPTION 'the statement ended the migration transaction' USING "
           "ERRCODE = '" +
           kTransactionEndedState + "'; END IF; END $schemagate_check$";
}

Renewal Lease::renew(pqxx::connection& connection, const LeaseGrant& grant) const {
    try {
        return translate_db_errors([&] {
            pqxx::nontransaction session(connection);
            const std::string table = qualified(connection, where_, StateTable::kLease);
            const std::string mine = held_by(session, grant);
            // One round trip (see try_acquire): never a transaction left open between two.
            // Our own migration's transaction locks the row while it runs: skipped rather than
            // waited for (no lock-timeout ERROR in the server log); that migration's fence renewed
            // the lease, and its commit renews it again once a third of the ttl has passed.
            const auto row = session.exec1(
                lock_timeout_sql(kRenewLockTimeout) + "; WITH locked AS (SELECT name FROM " +
                table + " WHERE " + mine + " FOR UPDATE SKIP LOCKED), renewed AS (UPDATE " + table +
                " AS l SET renewed_at = clock_timestamp(), expires_at = "
                "clock_timestamp() + " +
                ttl_interval() +
                " FROM locked WHERE l.name = "
                "locked.name RETURNING 1) SELECT EXISTS (SELECT 1 FROM renewed), EXISTS "
                "(SELECT 1 FROM " +
                table + " WHERE " + mine + ")");
            if (row[0].as<bool>()) return Renewal::kRenewed;
            return row[1].as<bool>() ? Renewal::kBusy : Renewal::kLost;
        });
    } catch (const DbError& e) {
        if (e.is(sqlstate::kLockNotAvailable)) return Renewal::kBusy;
        throw;
    }
}

void Lease::release(pqxx::connection& connection, const LeaseGrant& grant) const {
    pqxx::nontransaction session(connection);
    session.exec("UPDATE " + qualified(connection, where_, StateTable::kLease) +
                 " SET holder = NULL, expires_at = clock_timestamp() WHERE " +
                 held_by(session, grant) + "; SELECT " +
                 notify_call_sql(connection, where_, {StateEvent::kReleased, {}}));
}

std::vector<RowLocker> Lease::row_lockers(pqxx::connection& connection) const {
    pqxx::nontransaction session(connection);
    // A row lock itself is not listed in pg_locks, but the writer's RowExclusiveLock on the
    // table is, and lasts exactly as long as its transaction.
    const auto rows = session.exec_params(
        "SELECT a.pid, coalesce(a.application_name, ''), coalesce(a.state, ''), "
        "coalesce(" +
            iso_utc_sql("a.xact_start") +
            ", '') FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid "
            "WHERE l.locktype = 'relation' AND l.relation = to_regclass($1) "
            "AND l.mode = 'RowExclusiveLock' AND l.granted AND a.pid <> pg_backend_pid() "
            "AND a.backend_xid IS NOT NULL ORDER BY a.xact_start",
        qualified(connection, where_, StateTable::kLease));
    std::vector<RowLocker> lockers;
    for (const auto& row : rows) {
        lockers.push_back(RowLocker{row[0].as<int>(), row[1].as<std::string>(),
                                    row[2].as<std::string>(), row[3].as<std::string>()});
    }
    return lockers;
}

BrokenLease Lease::force_break(pqxx::connection& connection, Millis lock_wait) const {
    BrokenLease broken;
    broken.before = read_schema_state(connection, where_).lease;
    if (!broken.before) return broken;
    const auto terminate = [&](const RowLocker& locker) {
        pqxx::nontransaction session(connection);
        session.exec(terminate_and_wait_sql(connection, locker.pid));
        broken.terminated.push_back(locker);
    };
    for (const auto& locker : row_lockers(connection)) {
        if (locker.state != "active") terminate(locker);
    }
    const std::string update =
        "UPDATE " + qualified(connection, where_, StateTable::kLease) +
        // The new token alone fences the holder (fences match token and id), and leaves state
        // tables from before lease ids (no such column) breakable too.
        " SET token = token + 1, holder = NULL, expires_at = clock_timestamp() WHERE name = " +
        connection.quote(where_.name) + "; SELECT " +
        notify_call_sql(connection, where_, {StateEvent::kReleased, {}});
    try {
        translate_db_errors([&] {
            pqxx::nontransaction session(connection);
            session.exec(lock_timeout_sql(lock_wait) + "; " + update);
        });
        return broken;
    } catch (const DbError& e) {
        if (!e.is(sqlstate::kLockNotAvailable)) throw;
    }
    for (const auto& locker : row_lockers(connection)) terminate(locker);
    pqxx::nontransaction session(connection);
    session.exec(lock_timeout_sql(lock_wait) + "; " + update);
    return broken;
}

}  // namespace schemagate
