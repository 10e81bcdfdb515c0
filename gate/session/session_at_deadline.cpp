// SPDX-License-Identifier: Apache-2.0
#include "session_at_deadline.h"

#include <nlohmann/json.hpp>
#include <pqxx/nontransaction>

#include "schema_state.h"

namespace schemagate {

namespace {

// The session: by pid, or behind a pooler by application_name (the pid libpq reports is then
// the pooler's). MATERIALIZED: its one row is described in full before the outer SELECT
// cancels the statement (a row lock's wait is on the holder's transaction id; the relation is
// that of the tuple lock the waiter holds meanwhile). PostgreSQL 12+.
std::string describe_and_cancel_sql() {
    return "WITH ours AS MATERIALIZED (SELECT a.pid FROM pg_stat_activity a "
           "WHERE a.application_name = $2 AND a.pid <> pg_backend_pid() AND a.state = 'active' "
           "AND (a.pid = $1 OR NOT EXISTS (SELECT 1 FROM pg_stat_activity p WHERE p.pid = $1 "
           "AND p.application_name = $2)) LIMIT 1), "
           "waits AS MATERIALIZED (SELECT o.pid, w.locktype, w.mode, coalesce(w.relation, "
           "(SELECT t.relation FROM pg_locks t WHERE t.pid = o.pid AND t.locktype = 'tuple' "
           "LIMIT 1)) AS relation FROM ours o LEFT JOIN LATERAL (SELECT l.locktype, l.mode, "
           "l.relation FROM pg_locks l WHERE l.pid = o.pid AND NOT l.granted LIMIT 1) w ON true), "
           "described AS MATERIALIZED (SELECT w.pid, coalesce(w.locktype, '') AS locktype, "
           "coalesce(w.mode, '') AS mode, coalesce(w.relation::regclass::text, '') AS relation, "
           "(SELECT coalesce(json_agg(json_build_object('pid', b.pid, 'user', "
           "coalesce(b.usename::text, ''), 'application', coalesce(b.application_name, ''), "
           "'state', coalesce(b.state, ''), 'since', coalesce(" +
           iso_utc_sql("b.xact_start") +
           ", ''), 'holds', coalesce((SELECT string_agg(DISTINCT h.mode, ', ') FROM pg_locks h "
           "WHERE h.pid = b.pid AND h.granted AND h.relation = w.relation), '')) ORDER BY "
           "b.pid), '[]') FROM pg_stat_activity b WHERE b.pid = ANY (pg_blocking_pids(w.pid)))"
           "::text AS holders FROM waits w) "
           "SELECT locktype, mode, relation, holders, pg_cancel_backend(pid) FROM described";
}

std::string describe(const LockHolder& holder) {
    std::string text = "pid " + std::to_string(holder.pid) + " (";
    std::string details;
    const auto add = [&details](const std::string& part) {
        if (part.empty()) return;
        details += (details.empty() ? "" : ", ") + part;
    };
    add(holder.user.empty() ? "" : "user " + holder.user);
    add(holder.application.empty() ? "" : "application " + holder.application);
    add(holder.state);
    add(holder.since.empty() ? "" : "in a transaction since " + holder.since);
    add(holder.holds.empty() ? "" : "holding " + holder.holds);
    return text + (details.empty() ? "not visible to this role" : details) + ")";
}

}  // namespace

SessionAtDeadline describe_and_cancel(pqxx::connection& observer, int pid,
                                      const std::string& application_name) {
    pqxx::nontransaction session(observer);
    const auto rows = session.exec_params(describe_and_cancel_sql(), pid, application_name);
    SessionAtDeadline seen;
    if (rows.empty()) return seen;
    seen.found = true;
    seen.lock_type = rows[0][0].as<std::string>();
    seen.mode = rows[0][1].as<std::string>();
    seen.relation = rows[0][2].as<std::string>();
    for (const auto& holder : nlohmann::json::parse(rows[0][3].as<std::string>())) {
        seen.holders.push_back(LockHolder{holder.at("pid").get<int>(), holder.at("user"),
                                          holder.at("application"), holder.at("state"),
                                          holder.at("since"), holder.at("holds")});
    }
    return seen;
}

std::string describe(const SessionAtDeadline& session) {
    if (!session.found) return "";
    if (session.lock_type.empty()) return "was still running";
    std::string text = "waited for ";
    if (session.lock_type == "transactionid" && !session.relation.empty()) {
        text += "a row of " + session.relation + " locked by another transaction";
    } else {
        text += session.mode + " on " +
                (session.relation.empty() ? "a lock of type " + session.lock_type
                                          : "relation " + session.relation);
    }
    if (session.holders.empty()) return text;
    text += ", held by ";
    for (std::size_t i = 0; i < session.holders.size(); ++i) {
        text += (i == 0 ? "" : " and ") + describe(session.holders[i]);
    }
    return text;
}

}  // namespace schemagate
