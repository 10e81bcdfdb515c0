// SPDX-License-Identifier: Apache-2.0
// Transactional migrations, sent as chains: MigrationRunner::apply_in_transactions.
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
#include "migration_runner.h"
#include "migration_sql.h"
#include "sql_splitter.h"

namespace schemagate {

namespace {

// One exchange carries at most this much SQL (more only for a single larger file): it bounds
// the memory a long run of migrations takes while it costs one round trip per 256 KiB.
constexpr std::size_t kExchangeBytes = std::size_t{256} << 10;

// What a query in the chain belongs to, to name the right migration, statement and line when
// it fails, and to report a migration as applied when its COMMIT returns.
struct Slot {
    enum class Role { kStep, kDuration, kCommit };
    std::size_t migration = 0;
    const SqlStatement* statement = nullptr;
    Role role = Role::kStep;
};

// Statements that cannot end the transaction they run in (they call no procedure and run no
// code block that could COMMIT): no check needs to follow them.
bool cannot_end_the_transaction(const SqlStatement& statement) {
    static const std::set<std::string, std::less<>> safe_keywords = {
        "ALTER",  "ANALYZE", "COMMENT",  "CREATE",  "DELETE", "DROP",   "GRANT",
        "INSERT", "LOCK",    "MERGE",    "REFRESH", "RESET",  "REVOKE", "SELECT",
        "SET",    "TABLE",   "TRUNCATE", "UPDATE",  "VALUES", "WITH"};
    return safe_keywords.contains(first_keyword(statement));
}

// The server reads a whole query string before running any of it, with the string settings
// in force when it arrives: a statement that may change them ends the exchange, so that what
// follows is read the way the file was checked (sql_splitter.h).
bool changes_how_sql_is_read(const SqlStatement& statement) {
    const std::string keyword = first_keyword(statement);
    if (keyword == "SET" || keyword == "RESET") return true;
    // Searched in place: a lower-case copy would double a large statement in memory.
    const auto mentions = [&statement](std::string_view name) {
        const auto found = std::search(
            statement.text.begin(), statement.text.end(), name.begin(), name.end(),
            [](char a, char b) { return std::tolower(static_cast<unsigned char>(a)) == b; });
        return found != statement.text.end();
    };
    return mentions("standard_conforming_strings") || mentions("backslash_quote");
}

// Sends a chain's queries in as few exchanges as their content allows and hands out their
// results in order, exchange by exchange: what pqxx keeps of a query (its text, its result)
// is let go once the exchange returned, so a file of many statements costs the memory of one
// exchange at a time, not of all its statements at once. pqxx::pipeline joins an exchange's
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
        pipeline_.complete();
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

// A migration's statements, each followed by the check that it left the fenced transaction
// open where it could have ended it. An exchange ends after a statement that may change how
// the server reads SQL, at every statement where the timeout would span the exchange, and
// once it carries kExchangeBytes; a statement that large goes in an exchange of its own (the
// query string pqxx sends is then the statement itself, not a copy joined to others).
void add_statements(ChainSender& sender, const Migration& migration, std::size_t taken,
                    const std::string& still_fenced_sql, bool timeout_spans_exchange) {
    for (const auto& statement : migration.statements) {
        if (statement.text.size() >= kExchangeBytes) sender.end_exchange();
        sender.add(statement.text + "\n", Slot{taken, &statement});
        if (!cannot_end_the_transaction(statement)) {
            sender.add(still_fenced_sql, Slot{taken, &statement});
        }
        if (changes_how_sql_is_read(statement) || timeout_spans_exchange ||
            sender.exchange_bytes() >= kExchangeBytes) {
            sender.end_exchange();
        }
    }
}

}  // namespace

// A chain of migrations in one exchange: for each, BEGIN, the timeouts and the fence; each
// statement followed by the check that it left the fenced transaction open; the history row,
// the lease renewal, the NOTIFY and COMMIT. The server stops at the first error, so what
// follows a failed migration never runs, and what precedes it committed. A migration with
// checks goes alone: they run between its last statement and its COMMIT. Statements end with
// a newline: a trailing `-- comment` must not swallow the separator that follows.
void MigrationRunner::apply_in_transactions(pqxx::connection& connection,
                                            std::span<const Migration* const> chain,
                                            std::int64_t token, bool durable,
                                            const Applied& applied) const {
    const Migration* failing = chain.front();
    const SqlStatement* current = nullptr;
    try {
        translate_db_errors([&] {
            pqxx::nontransaction session(connection);
            // Before PostgreSQL 13, statement_timeout bounded a whole query string, not each
            // of its statements: there, with a timeout, each statement goes on its own.
            constexpr int kFirstWithTimeoutPerStatement = 130000;
            const bool timeout_spans_exchange =
                settings_.statement_timeout > Millis{0} &&
                connection.server_version() < kFirstWithTimeoutPerStatement;
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
                std::size_t taken = 0;
                for (; taken < chain.size(); ++taken) {
                    const Migration& migration = *chain[taken];
                    if (taken > 0 && (!chainable(migration) || sender.bytes() >= kExchangeBytes)) {
                        break;
                    }
                    const bool last = taken + 1 == chain.size();
                    sender.add("BEGIN", Slot{taken});
                    sender.add(transaction_settings_sql(settings_, durable && last), Slot{taken});
                    sender.add(lease_.fence_or_fail_sql(session, token, taken > 0), Slot{taken});
                    add_statements(sender, migration, taken,
                                   lease_.still_in_fenced_transaction_sql(token),
                                   timeout_spans_exchange);
                    if (!migration.checks.empty()) {
                        checks_pending = true;
                        ++taken;
                        break;
                    }
                    // It returns the duration the server measured: the client only hears of
                    // the commit when the whole exchange is done.
                    sender.add(record_applied(session, migration, token),
                               Slot{taken, nullptr, Slot::Role::kDuration});
                    const std::string compat_writes =
                        compat(session, migration, kTransactionAgeMsSql);
                    if (!compat_writes.empty()) sender.add_statements(compat_writes, Slot{taken});
                    sender.add("COMMIT", Slot{taken, nullptr, Slot::Role::kCommit});
                }
                sender.end_exchange();
            }
            if (checks_pending) {
                const auto started = SteadyClock::now();
                current = nullptr;
                run_checks(session, *failing);
                session.exec(record_applied(session, *failing, token) + "; " +
                             compat(session, *failing, kTransactionAgeMsSql) + "COMMIT");
                applied(*failing, std::chrono::duration_cast<Millis>(SteadyClock::now() - started));
            }
        });
    } catch (const ConnectionLost& e) {
        fail(*failing, current, false, e.failure());
    } catch (const CheckFailed& e) {
        roll_back(connection);
        checks_failed(*failing, e);
    } catch (const DbError& e) {
        roll_back(connection);
        // Not a failure: the rest of the chain goes in a new exchange.
        if (e.is(kExchangeSpentState)) {
            spdlog::info(
                "{} waited in an exchange that ran past half the lease ttl: sending it "
                "and the rest again (the server logs this as an error '{}')",
                label(*failing), "schemagate exchange spent");
            return;
        }
        if (e.is(kLeaseLostState)) lease_lost_error(*failing);
        fail(*failing, current, false, e.failure());
    }
}

std::string MigrationRunner::record_applied(pqxx::transaction_base& session,
                                            const Migration& migration, std::int64_t token) const {
    return store_.record_applied_sql(session, migration, lease_.holder(), token,
                                     lease_.fence_sql(session, token));
}

}  // namespace schemagate
