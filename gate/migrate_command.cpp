// SPDX-License-Identifier: Apache-2.0
#include "migrate_command.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <csignal>
#include <future>
#include <optional>
#include <pqxx/nontransaction>

#include "change_listener.h"
#include "connection.h"
#include "db_failure.h"
#include "errors.h"
#include "heartbeat.h"
#include "interrupt.h"
#include "lease.h"
#include "migration_name.h"
#include "migration_runner.h"
#include "plan.h"
#include "socket_deadline.h"
#include "state_store.h"
#include "statement_canceller.h"

namespace schemagate {

namespace {

// First pause of a waiter; doubles up to --poll-interval. Short, because most waits end with
// a NOTIFY anyway and a dead holder is only noticed by polling.
constexpr Millis kFirstPoll{50};
// Past --timeout, a query still running gets this long before its socket is cut: the deadline
// error itself is then reported by the normal path rather than as a broken connection.
constexpr Millis kDeadlineSlack{250};

[[noreturn]] void interrupted(const std::string& what) {
    throw FatalError(
        Interrupt::exit_code(),
        "interrupted by signal " + std::to_string(Interrupt::signal_number()) + " " + what);
}

void throw_if_lease_lost_or_interrupted(const Heartbeat& heartbeat) {
    if (heartbeat.lost()) {
        throw FatalError(ExitCode::kLeaseLost,
                         "lease lost: another holder took over; nothing more was committed by "
                         "this process");
    }
    if (Interrupt::triggered()) interrupted("while migrating; the lease is released");
}

// Wakes for what can end a wait: the target reached, the lease released, a repair.
std::function<bool(const std::string&)> wakes_for(const std::string& name, std::int64_t target) {
    return [name, target](const std::string& payload) {
        const auto event = notify_event(name, payload);
        if (!event) return false;
        if (*event == "released" || *event == "repaired") return true;
        try {
            return std::stoll(*event) >= target;
        } catch (const std::exception&) {
            return false;
        }
    };
}

// Lets the server notice a vanished holder even in the middle of a long statement (DESIGN.md,
// lease protocol step 5). The idle-in-transaction bound travels inside each migration
// transaction instead (MigrationSettings), where a transaction-pooling proxy cannot lose it.
void prepare_migration_session(pqxx::connection& connection) {
    try {
        pqxx::nontransaction check(connection);
        check.exec("SET client_connection_check_interval = 1000");
    } catch (...) {
        // PostgreSQL < 14 lacks the setting; the idle timeout still bounds a frozen holder.
        const DbFailure failure = current_db_failure();
        if (failure.kind == DbFailure::Kind::kConnection) throw;
    }
}

class MigrateCommand {
  public:
    MigrateCommand(const GateConfig& config, bool apply)
        : config_(config),
          apply_(apply),
          deadline_(config.timeout),
          store_(config.state),
          lease_(config.state, config.holder, config.lease_ttl),
          backoff_(kFirstPoll, config.poll_interval) {}

    int run();

  private:
    std::optional<int> step();
    std::optional<std::int64_t> live_token_if_unfinished(
        const std::optional<std::vector<AppliedMigration>>& history);
    int hold_and_apply(std::int64_t token);
    void apply_pending(std::int64_t token, Heartbeat& heartbeat, StatementCanceller& canceller);
    void ensure_connected();
    void drop_connection(const std::string& why);
    void release_quietly(std::int64_t token);

    const GateConfig& config_;
    bool apply_;
    Deadline deadline_;
    StateStore store_;
    Lease lease_;
    Backoff backoff_;
    MigrationSet files_;
    std::int64_t target_ = 0;
    ConnectOptions connect_;
    Connection connection_;
    std::unique_ptr<ChangeListener> listener_;
    std::string last_wait_reason_;
    // --timeout on the client side: a server that stops answering (a network cut that TCP
    // keepalives have not noticed yet, a hung proxy) cannot hold a query past the deadline.
    // Declared last so that it stops before the connection's socket closes.
    SocketDeadline query_deadline_;
};

int MigrateCommand::run() {
    connect_.target = resolve_database_target(config_.database_url, config_.database_url_file);
    connect_.application_name = "schemagate " + config_.holder;
    // The first connection attempt (a TCP and SCRAM round trip or three) overlaps with reading
    // and hashing the migration files; a failed attempt is simply made again, with retries and
    // the proper error, by ensure_connected(). Connecting changes nothing, so bad files still
    // exit 3 with the database untouched.
    auto early_connection = std::async(std::launch::async, [this]() -> Connection {
        try {
            return connect_once(connect_);
        } catch (...) {
            return nullptr;
        }
    });
    if (apply_ || !config_.target) {
        files_ = load_migration_set(config_.migrations_dir);
        target_ = choose_target(files_, config_.target);
    } else {
        target_ = *config_.target;
    }
    connection_ = early_connection.get();
    if (connection_)
        query_deadline_.arm(connection_->sock(), deadline_.remaining() + kDeadlineSlack);
    spdlog::info("schemagate {}: target {}, {} migration files, database {}, holder {}",
                 apply_ ? "migrate" : "wait", version_label(target_), files_.migrations.size(),
                 connect_.target.description, config_.holder);
    for (;;) {
        try {
            ensure_connected();
            if (auto exit_code = step()) return *exit_code;
        } catch (const RetryableError& e) {
            drop_connection(e.what());
        } catch (const FatalError&) {
            throw;
        } catch (...) {
            const DbFailure failure = current_db_failure();
            if (failure.kind != DbFailure::Kind::kConnection) throw;
            drop_connection(failure.message);
        }
        if (deadline_.passed()) {
            throw FatalError(ExitCode::kDeadline,
                             "deadline (--timeout " + format_duration(config_.timeout) +
                                 ") passed before the schema reached " + version_label(target_) +
                                 (last_wait_reason_.empty() ? "" : ": " + last_wait_reason_));
        }
    }
}

void MigrateCommand::ensure_connected() {
    if (connection_) return;
    connection_ = connect_until(connect_, deadline_);
    query_deadline_.arm(connection_->sock(), deadline_.remaining() + kDeadlineSlack);
}

void MigrateCommand::drop_connection(const std::string& why) {
    spdlog::warn("{}; reconnecting", why);
    listener_.reset();
    // Before the socket closes: its number may be reused by the next one.
    query_deadline_.disarm();
    connection_.reset();
}

// Only when the history shows an unfinished non-transactional migration does a waiter need
// the lease row too: to tell one in progress (wait) from one whose holder died (dirty).
std::optional<std::int64_t> MigrateCommand::live_token_if_unfinished(
    const std::optional<std::vector<AppliedMigration>>& history) {
    if (!history) return std::nullopt;
    const auto unfinished = std::find_if(history->begin(), history->end(),
                                         [](const AppliedMigration& m) { return !m.success; });
    if (unfinished == history->end()) return std::nullopt;
    // The dirty verdict comes from one statement that reads the history and the lease in the
    // same snapshot: reading them apart would mistake a migration that finished (and whose
    // holder released the lease) between the two reads for an abandoned one.
    const SchemaState state = read_schema_state(*connection_, config_.state);
    if (state.dirty) return std::nullopt;
    // Not dirty: in progress under a live lease, or finished since the history was read;
    // either way, wait and look again.
    return state.lease && !state.lease->expired && !state.lease->holder.empty() ? state.lease->token
                                                                                : unfinished->token;
}

// One look at the database: done, or take the lease, or wait a little.
std::optional<int> MigrateCommand::step() {
    if (Interrupt::triggered()) interrupted("while waiting");
    if (!apply_) {
        const SchemaState state = read_schema_state(*connection_, config_.state);
        if (state.dirty) {
            throw FatalError(ExitCode::kStateRefused,
                             version_label(state.dirty->version) + " (" + state.dirty->file +
                                 ") is dirty: started by " + state.dirty->applied_by + " at " +
                                 state.dirty->applied_at +
                                 " and never finished; an operator must run `schemagate repair`");
        }
        const std::int64_t current = state.version.value_or(0);
        if (current >= target_) {
            spdlog::info("schema is at {} (target {}): ready", version_label(current),
                         version_label(target_));
            return 0;
        }
        const std::string reason =
            "schema at " + version_label(current) + ", waiting for " + version_label(target_);
        if (reason != last_wait_reason_) spdlog::info("waiting: {}", reason);
        last_wait_reason_ = reason;
    } else {
        const auto history = store_.read_history(*connection_);
        const auto live_token = live_token_if_unfinished(history);
        const Plan plan = make_plan(files_, history.value_or(std::vector<AppliedMigration>{}),
                                    target_, live_token);
        if (plan.done()) {
            spdlog::info("schema is at {} (target {}): nothing to do", version_label(plan.current),
                         version_label(target_));
            return 0;
        }
        if (!history) store_.bootstrap(*connection_);
        if (!listener_) {
            // LISTEN before trying the lease, then look again at once: a commit that lands
            // in between is then either seen by the read or announced to the listener.
            listener_ = std::make_unique<ChangeListener>(*connection_,
                                                         wakes_for(config_.state.name, target_));
            return std::nullopt;
        }
        const AcquireOutcome outcome = lease_.try_acquire(*connection_);
        if (const auto* acquired = std::get_if<LeaseAcquired>(&outcome)) {
            return hold_and_apply(acquired->token);
        }
        const auto& held = std::get<LeaseHeld>(outcome);
        std::string reason = "schema at " + version_label(plan.current) + ", " +
                             std::to_string(plan.pending.size()) + " pending; lease held by " +
                             (held.by.holder.empty() ? "(releasing)" : held.by.holder);
        if (!held.busy) reason += " until " + held.by.expires_at;
        if (reason != last_wait_reason_) spdlog::info("waiting: {}", reason);
        last_wait_reason_ = reason;
    }
    if (!listener_) {
        listener_ =
            std::make_unique<ChangeListener>(*connection_, wakes_for(config_.state.name, target_));
        return std::nullopt;
    }
    switch (listener_->wait(next_wait(backoff_, deadline_))) {
        case ChangeListener::Woke::kInterrupted:
            interrupted("while waiting");
        case ChangeListener::Woke::kNotified:
            backoff_.reset();
            break;
        case ChangeListener::Woke::kTimeout:
            break;
    }
    return std::nullopt;
}

int MigrateCommand::hold_and_apply(std::int64_t token) {
    spdlog::info("lease acquired (token {}, ttl {})", token, format_duration(config_.lease_ttl));
    // Waiting is over: the listener's queue would only fill up while we migrate.
    listener_.reset();
    StatementCanceller canceller;
    canceller.attach(connection_.get());
    Interrupt::on_signal([&canceller](int) { canceller.cancel(); });
    struct SignalHookReset {
        ~SignalHookReset() { Interrupt::on_signal(nullptr); }
    } reset_hook;
    if (Interrupt::triggered()) canceller.cancel();
    Heartbeat heartbeat(connect_, lease_, token, [&canceller] { canceller.cancel(); });
    try {
        apply_pending(token, heartbeat, canceller);
    } catch (const FatalError& e) {
        canceller.attach(nullptr);
        if (e.code() != ExitCode::kLeaseLost) release_quietly(token);
        throw;
    }
    canceller.attach(nullptr);
    lease_.release(*connection_, token);
    return 0;
}

void MigrateCommand::apply_pending(std::int64_t token, Heartbeat& heartbeat,
                                   StatementCanceller& canceller) {
    MigrationSettings settings = config_.migration;
    settings.idle_in_transaction_timeout = config_.lease_ttl / 2;
    const MigrationRunner runner(store_, lease_, settings,
                                 [&heartbeat] { return heartbeat.lost(); });
    const auto started = SteadyClock::now();
    std::size_t applied = 0;
    for (;;) {
        try {
            prepare_migration_session(*connection_);
            // After a reconnect (or a freeze) the lease may be gone: only go on if the token
            // still holds it.
            if (lease_.renew(*connection_, token) == Renewal::kLost) {
                throw FatalError(ExitCode::kLeaseLost,
                                 "lease lost (token " + std::to_string(token) +
                                     " was taken over); nothing more was committed by this "
                                     "process");
            }
            // Under the lease the history is authoritative: plan again from it.
            const auto history = store_.read_history(*connection_);
            const Plan plan =
                make_plan(files_, history.value_or(std::vector<AppliedMigration>{}), target_);
            const std::size_t total = plan.pending.size();
            for (std::size_t i = 0; i < total; ++i) {
                const Migration& migration = *plan.pending[i];
                if (Interrupt::triggered()) interrupted("before " + label(migration));
                if (heartbeat.lost()) {
                    throw FatalError(ExitCode::kLeaseLost, "lease lost before " + label(migration) +
                                                               "; nothing more "
                                                               "was committed by this process");
                }
                if (migration.no_transaction) {
                    spdlog::info("{} runs without a transaction ({}){}", label(migration),
                                 migration.no_transaction_reason,
                                 migration.mixed ? "; it holds other statements too: a failure "
                                                   "midway leaves it partly applied and dirty"
                                                 : "");
                }
                const Millis took = runner.apply(*connection_, migration, token, deadline_);
                ++applied;
                spdlog::info("applying {}/{} {}{} ... {} ms", i + 1, total, label(migration),
                             migration.no_transaction ? " (no transaction)" : "", took.count());
            }
            const auto elapsed =
                std::chrono::duration_cast<Millis>(SteadyClock::now() - started).count();
            spdlog::info("schema is at {}: applied {} migration{} in {} ms", version_label(target_),
                         applied, applied == 1 ? "" : "s", elapsed);
            return;
        } catch (const RetryableError& e) {
            throw_if_lease_lost_or_interrupted(heartbeat);
            spdlog::warn("{}; reconnecting to go on under the same lease", e.what());
        } catch (const FatalError&) {
            throw;
        } catch (...) {
            const DbFailure failure = current_db_failure();
            // The heartbeat or a signal may have cancelled whatever statement was running,
            // including the bookkeeping between migrations.
            throw_if_lease_lost_or_interrupted(heartbeat);
            if (failure.kind != DbFailure::Kind::kConnection) throw;
            spdlog::warn("connection lost: {}; reconnecting to go on under the same lease",
                         failure.message);
        }
        canceller.attach(nullptr);
        query_deadline_.disarm();
        connection_.reset();
        ensure_connected();
        canceller.attach(connection_.get());
    }
}

void MigrateCommand::release_quietly(std::int64_t token) {
    try {
        if (!connection_ || !connection_->is_open()) {
            // Past the deadline the exit must not wait for a server that does not answer.
            if (deadline_.passed()) throw RetryableError("deadline passed");
            query_deadline_.disarm();
            ConnectOptions quick = connect_;
            quick.connect_timeout_seconds = 2;
            connection_ = connect_once(quick);
        }
        lease_.release(*connection_, token);
        spdlog::info("lease released");
    } catch (...) {
        // It expires by itself after the ttl; the failure that got us here matters more.
        spdlog::warn("could not release the lease; it expires in {}",
                     format_duration(config_.lease_ttl));
    }
}

}  // namespace

int run_migrate(const GateConfig& config) {
    return MigrateCommand(config, true).run();
}

int run_wait(const GateConfig& config) {
    return MigrateCommand(config, false).run();
}

}  // namespace schemagate
