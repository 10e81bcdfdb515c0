// SPDX-License-Identifier: Apache-2.0
// Transactional migrations, sent as chains (ChainRunner).
#include "migration_chain.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cctype>
#include <functional>
#include <limits>
#include <pqxx/nontransaction>
#include <pqxx/pipeline>
#include <set>

#include "db_failure.h"
#include "errors.h"
#include "migration_failure.h"
#include "migration_sql.h"
#include "sql_splitter.h"

namespace schemagate {

namespace {

// One exchange carries at most this much SQL (more only for a single larger file): it bounds
// the memory a long run of migrations takes (each exchange is held three times: pqxx's query
// list, its joined string, libpq's output buffer) while it costs one round trip per 128 KiB.
constexpr std::size_t kExchangeBytes = std::size_t{128} << 10;

// What a query in the chain belongs to, to name the right migration, statement and line when
// it fails, and to report a migration as applied when its COMMIT returns.
struct Slot {
    enum class Role { kStep, kDuration, kCommit };
    std::size_t migration = 0;
    const LexedStatement* statement = nullptr;
    Role role = Role::kStep;
};

// Sends a chain's queries in as few exchanges as their content allows and hands out their
// results in order, exchange by exchange: what pqxx keeps of a query (its text, its result)
// is let go once its result is retrieved, so a file of many statements costs the memory of
// one exchange at a time, not of all its statements at once. pqxx::pipeline joins an exchange's
// queries into one query string; should the server refuse to parse that string, it runs them
// one by one to find the one at fault, so every query must be exactly one statement.
class ChainSender {
  public:
    // `each` sees a query's slot before its result is read, `done` the slot and the result
    // after it succeeded. The first failure is thrown by the end_exchange() that reads it.
    using Each = std::function<void(const Slot&)>;
    using Done = std::function<void(const Slot&, const pqxx::result&)>;

    ChainSender(pqxx::transaction_base& session, Each each, Done done)
        : pipeline_(session), each_(std::move(each)), done_(std::move(done)) {
        pipeline_.retain(std::numeric_limits<int>::max());
    }

    ChainSender(const ChainSender&) = delete;
    ChainSender& operator=(const ChainSender&) = delete;

    // A failed or cancelled query leaves the rest of its string unexecuted: reading up to the
    // end of it keeps pqxx::pipeline from cancelling "pending" queries (with a cancel request
    // that could hit whatever the connection runs next).
    ~ChainSender() {
        try {
            pipeline_.flush();
        } catch (const std::exception&) {
            // A broken connection has nothing left to read.
        }
    }

    void add(const std::string& query, Slot slot) {
        bytes_ += query.size();
        exchange_bytes_ += query.size();
        queries_.emplace_back(pipeline_.insert(query), slot);
    }

    // Our own SQL, split into its statements.
    void add_statements(const std::string& sql, Slot slot) {
        for (const auto& statement : split_sql(sql)) add(statement.text, slot);
    }

    // Sends what was added so far, waits for it to run and reads its results: what is added
    // after goes in a later exchange, read by the server once this one ran.
    void end_exchange() {
        // The first retrieve sends the whole exchange; results are then read as they come and
        // each is let go once handed out, not all of an exchange's (thousands) held until the
        // last has arrived.
        for (const auto& [id, slot] : queries_) {
            each_(slot);
            done_(slot, pipeline_.retrieve(id));
        }
        queries_.clear();
        exchange_bytes_ = 0;
    }

    std::size_t bytes() const { return bytes_; }
    std::size_t exchange_bytes() const { return exchange_bytes_; }

  private:
    pqxx::pipeline pipeline_;
    Each each_;
    Done done_;
    std::vector<std::pair<pqxx::pipeline::query_id, Slot>> queries_;
    std::size_t bytes_ = 0;
    std::size_t exchange_bytes_ = 0;
};

// The migration's statements, each statement of a unit on its own and named by its own line,
// each that could end the transaction followed by the check that it did not; the exchange ends
// after each that may change how the server reads what follows, after every one when
// `statement_per_exchange`, and once it carries kExchangeBytes. Returns true when one may
// change how SQL is read.
bool add_statements(ChainSender& sender, const Migration& migration, Slot slot, const Lease& lease,
                    const LeaseGrant& grant, bool statement_per_exchange) {
    bool changes_reading = false;
    for (const auto& unit : migration.statements) {
        for (const auto& statement : statements_of(unit)) {
            // A statement that large goes in an exchange of its own: the query string pqxx
            // sends is then the statement itself, not a copy joined to others.
            if (statement.text.size() >= kExchangeBytes) sender.end_exchange();
            slot.statement = &statement;
            sender.add(statement.text + "\n", slot);
            if (statement.traits.may_end_transaction) {
                sender.add(lease.still_in_fenced_transaction_sql(grant), slot);
            }
            // The server lexes a whole query string before running any of it, with the string
            // settings in force when it arrives: a statement that changes them ends the
            // exchange, so that what follows is read the way the file was checked.
            const bool changes = statement.traits.string_reading != StringReading::kUnchanged;
            changes_reading = changes_reading || changes;
            if (changes || statement_per_exchange || sender.exchange_bytes() >= kExchangeBytes) {
                sender.end_exchange();
            }
        }
    }
    return changes_reading;
}

// Before PostgreSQL 13, statement_timeout bounded a whole query string, not each of its
// statements: there, with a timeout, each statement goes in an exchange of its own.
bool statement_per_exchange(const pqxx::connection& connection, const MigrationSettings& settings) {
    constexpr int kFirstWithTimeoutPerStatement = 130000;
    return settings.statement_timeout > Millis{0} &&
           connection.server_version() < kFirstWithTimeoutPerStatement;
}

}  // namespace

struct ChainRunner::Envelope {
    std::string fence;        // Lease::fence_call_sql, which sets the transaction's settings
    std::string settings;     // transaction_settings_sql, for what follows the session reset
    std::string bookkeeping;  // record_applied_sql: the settings, the history row, the renewal
                              // and NOTIFY; empty: checks first
    std::string compat;       // --compat's writes, or nothing
};

namespace {

using Envelope = ChainRunner::Envelope;

// BEGIN, the fence with the settings, the statements; the session back to its own role and
// settings (migration_sql.h), so that the checks, the bookkeeping and the next migration start
// from there, and are read as they were checked; the bookkeeping (which sets the settings
// again) and COMMIT, unless the migration's checks must run first, under the settings.
void queue_migration(ChainSender& sender, const Migration& migration, std::size_t index,
                     const Envelope& envelope, const Lease& lease, const LeaseGrant& grant,
                     bool statement_per_exchange) {
    // The file's own BEGIN [modes] and SET TRANSACTION, when it brings them (own_transaction.h):
    // the fence, the file and the bookkeeping run in the transaction it asked for. Each goes
    // alone: pqxx::pipeline starts an exchange of several queries with a SELECT, whose
    // snapshot would come before them, and PostgreSQL sets an isolation level only before any.
    if (migration.opening.empty()) sender.add("BEGIN", Slot{index});
    for (const auto& statement : migration.opening) {
        sender.end_exchange();
        sender.add(statement.text + "\n", Slot{index, &statement});
        sender.end_exchange();
    }
    // The settings come first in the fence, so that its row lock waits under the migration's
    // lock_timeout.
    sender.add("SELECT " + envelope.fence, Slot{index});
    const bool changes_reading =
        add_statements(sender, migration, Slot{index}, lease, grant, statement_per_exchange);
    for (const char* reset : kSessionReset) sender.add(reset, Slot{index});
    // The bookkeeping sets the settings again itself, but the checks run first, and an
    // exchange that ends here leaves the transaction idle, under idle_in_transaction_session_
    // timeout only if it is set again (a frozen holder must not keep the lease row locked).
    if (envelope.bookkeeping.empty() || changes_reading) sender.add(envelope.settings, Slot{index});
    if (changes_reading) sender.end_exchange();
    if (envelope.bookkeeping.empty()) return;
    // It returns the duration the server measured: the client only hears of the commit when
    // the whole exchange is done.
    sender.add(envelope.bookkeeping, Slot{index, nullptr, Slot::Role::kDuration});
    if (!envelope.compat.empty()) sender.add_statements(envelope.compat, Slot{index});
    sender.add("COMMIT", Slot{index, nullptr, Slot::Role::kCommit});
}

// Queues the chain's migrations in one exchange, up to one that is not chainable() or the
// exchange's size; a migration with checks goes last, without its COMMIT: true then.
bool queue_chain(ChainSender& sender, std::span<const Migration* const> chain,
                 const std::function<Envelope(const Migration&, std::size_t)>& envelope_of,
                 const Lease& lease, const LeaseGrant& grant, bool statement_per_exchange) {
    for (std::size_t taken = 0; taken < chain.size(); ++taken) {
        const Migration& migration = *chain[taken];
        if (taken > 0 && (!chainable(migration) || sender.bytes() >= kExchangeBytes)) break;
        queue_migration(sender, migration, taken, envelope_of(migration, taken), lease, grant,
                        statement_per_exchange);
        if (!migration.checks.empty()) return true;
    }
    return false;
}

}  // namespace

// A chain of migrations in one exchange: for each, BEGIN, the timeouts and the fence; each
// statement followed by the check that it left the fenced transaction open; the session reset,
// the history row, the lease renewal (once a third of the ttl has passed since the fence), the
// NOTIFY and COMMIT. The server stops at the first error, so what follows a failed migration
// never runs, and what precedes it committed. A migration with checks goes alone: they run
// between its reset and its COMMIT. Statements end with a newline: a trailing `-- comment`
// must not swallow the separator that follows.
Attempt ChainRunner::apply(pqxx::connection& connection, std::span<const Migration* const> chain,
                           const LeaseGrant& grant, bool durable,
                           const AppliedCallback& applied) const {
    const Migration* failing = chain.front();
    const LexedStatement* current = nullptr;
    // A migration with checks goes alone: it starts with the exchange.
    const auto started = SteadyClock::now();
    try {
        translate_db_errors([&] {
            pqxx::nontransaction session(connection);
            bool checks_pending = false;
            {
                Millis took{0};
                ChainSender sender(
                    session,
                    [&](const Slot& slot) {
                        failing = chain[slot.migration];
                        current = slot.statement;
                    },
                    [&](const Slot& slot, const pqxx::result& result) {
                        if (slot.role == Slot::Role::kDuration) {
                            took = Millis{result.at(0).at(0).as<std::int64_t>()};
                        } else if (slot.role == Slot::Role::kCommit) {
                            applied(*chain[slot.migration], took);
                        }
                    });
                checks_pending = queue_chain(
                    sender, chain,
                    [&](const Migration& migration, std::size_t taken) {
                        return envelope(session, migration, grant, taken > 0,
                                        durable && taken + 1 == chain.size());
                    },
                    lease_, grant, statement_per_exchange(connection, settings_));
                sender.end_exchange();
            }
            if (checks_pending) {
                current = nullptr;
                run_checks(session, *failing);
                session.exec(
                    record_applied(session, *failing, grant,
                                   transaction_settings_array_sql(
                                       connection, settings_, durable && failing == chain.back())) +
                    "; " + compat(session, *failing, kRecordedDurationMsSql) + "COMMIT");
                applied(*failing, std::chrono::duration_cast<Millis>(SteadyClock::now() - started));
            }
        });
    } catch (const ConnectionLost& e) {
        fail(*failing, current, false, e.failure());
    } catch (const CheckFailed& e) {
        recover(connection);
        checks_failed(*failing, e);
    } catch (const DbError& e) {
        recover(connection);
        return after_error(e, *failing, current);
    }
    return Attempt::kGoOn;
}

ChainRunner::Envelope ChainRunner::envelope(pqxx::transaction_base& session,
                                            const Migration& migration, const LeaseGrant& grant,
                                            bool chained, bool durable_commit) const {
    auto& connection = session.conn();
    const std::string settings =
        transaction_settings_array_sql(connection, settings_, durable_commit);
    std::string fence = lease_.fence_call_sql(session, grant, chained, settings);
    std::string again = transaction_settings_sql(connection, settings_, durable_commit);
    if (!migration.checks.empty()) return Envelope{std::move(fence), std::move(again), "", ""};
    return Envelope{std::move(fence), std::move(again),
                    record_applied(session, migration, grant, settings),
                    compat(session, migration, kRecordedDurationMsSql)};
}

// What an error of `failing` (at `current`) in an exchange means, after the rollback.
Attempt ChainRunner::after_error(const DbError& error, const Migration& failing,
                                 const LexedStatement* current) const {
    // Not a failure: the rest of the chain goes in a new exchange.
    if (error.is(kExchangeSpentState)) {
        spdlog::info(
            "{} waited in an exchange that ran past half the lease ttl: sending it and "
            "the rest again (the server logs this as an error '{}')",
            label(failing), "schemagate exchange spent");
        return Attempt::kGoOn;
    }
    if (error.is(kLeaseLostState)) lease_lost_error(failing);
    if (error.is(sqlstate::kLockNotAvailable)) return Attempt::kLockTimedOut;
    fail(failing, current, false, error.failure());
}

std::string ChainRunner::record_applied(pqxx::transaction_base& session, const Migration& migration,
                                        const LeaseGrant& grant,
                                        const std::string& settings) const {
    return store_.record_applied_sql(session, migration, lease_.holder(), grant, settings,
                                     lease_.ttl());
}

}  // namespace schemagate
