// SPDX-License-Identifier: Apache-2.0
#include "migrate_command.h"

#include <spdlog/spdlog.h>

#include <future>
#include <memory>
#include <optional>

#include "change_listener.h"
#include "compat_writer.h"
#include "connect_options.h"
#include "contract_plan.h"
#include "db_failure.h"
#include "errors.h"
#include "gate_connection.h"
#include "hazard_check.h"
#include "holder_session.h"
#include "interrupt.h"
#include "lease.h"
#include "live_readers.h"
#include "logging.h"
#include "migration_name.h"
#include "notifier.h"
#include "other_tools.h"
#include "plan.h"
#include "state_store.h"
#include "takeover_commands.h"
#include "wait_decision.h"

namespace schemagate {

namespace {

HolderOptions holder_options(const GateConfig& config) {
    return {config.holder, config.lease_ttl, config.timeout, config.migration};
}

// --notify-on-success: one webhook once the lease is released, when this gate applied any.
void notify_applied(const GateConfig& config, std::size_t applied, const MigrationVersion& target) {
    if (!config.notify_on_success || applied == 0) return;
    const std::string summary = "schemagate " + config.state.name + " on " + config.holder +
                                ": applied " + std::to_string(applied) + " migration" +
                                (applied == 1 ? "" : "s") + ", schema at " + version_label(target);
    notify_run_event(config.notify, config.state, config.holder, "applied", summary,
                     {{"applied", applied}, {"version", target.text()}});
}

// First pause of a waiter that polls with backoff (behind a pooler, or waiting for something
// that sends no NOTIFY); doubles up to --poll-interval.
constexpr Millis kFirstPoll{50};

[[noreturn]] void interrupted_while_waiting() {
    throw FatalError(
        Interrupt::exit_code(),
        "interrupted by signal " + std::to_string(Interrupt::signal_number()) + " while waiting");
}

// Wakes for what can end a wait: the target reached, the lease released, a repair.
std::function<bool(const std::string&)> wakes_for(const std::string& name,
                                                  const MigrationVersion& target) {
    return [name, target](const std::string& payload) {
        const auto change = parse_change(name, payload);
        if (!change) return false;
        if (change->event == StateEvent::kReleased || change->event == StateEvent::kRepaired) {
            return true;
        }
        return change->event == StateEvent::kApplied && change->version >= target;
    };
}

// The loop `migrate` and `wait` share (DESIGN.md, lease protocol step 4): look at the
// database, decide, then finish, or take the lease and migrate, or wait for a notification or
// the next poll. Connection trouble is retried until --timeout.
class Gate {
  public:
    // `contract`: apply contract migrations too, once no live reader lacks them.
    Gate(const GateConfig& config, WaitMode mode, bool contract = false)
        : config_(config),
          mode_(mode),
          contract_(contract),
          deadline_(config.timeout),
          store_(config.state),
          lease_(config.state, config.holder, config.lease_ttl),
          backoff_(kFirstPoll, config.poll_interval),
          safety_net_(config.poll_interval, config.poll_interval) {}

    int run();

  private:
    void start();
    const char* command_name() const {
        if (contract_) return "contract";
        return mode_ == WaitMode::kMigrate ? "migrate" : "wait";
    }
    std::optional<int> round();
    void prepare_unseen_database(pqxx::connection& connection);
    Look look_at(pqxx::connection& connection);
    void look_at_schema(pqxx::connection& connection, Look& look);
    std::string contract_hold(pqxx::connection& connection,
                              const std::vector<AppliedMigration>& history);
    void log_done(const Look& look, const std::string& reason) const;
    void log_deferred(const MigrationVersion& current) const;
    AcquireOutcome acquire(pqxx::connection& connection);
    void wait_for_change(const std::string& reason, bool notified_of_every_change);
    [[noreturn]] void give_up(const std::string& reason) const;

    const GateConfig& config_;
    WaitMode mode_;
    bool contract_;
    Deadline deadline_;
    StateStore store_;
    Lease lease_;
    Backoff backoff_;
    // Where every notification arrives and every change that ends the wait sends one,
    // polling is only for a holder that died (its lease runs out silently), at
    // --poll-interval from the first wait: a herd of waiters then costs the holder nothing
    // while it migrates.
    Backoff safety_net_;
    MigrationSet files_;
    MigrationVersion target_;
    // Where this run stops: target_, or (migrate) the last version before a deferred contract.
    MigrationVersion stop_;
    // `contract`: since when no live reader lacked the contract (reset by a reconnect).
    std::optional<TimePoint> clear_since_;
    bool history_missing_ = false;
    bool baseline_first_ = false;            // --baseline-version applies: the schema had tables
    std::vector<const Migration*> pending_;  // as the last look planned it
    bool hazards_checked_ = false;
    std::unique_ptr<GateConnection> db_;
    std::unique_ptr<ChangeListener> listener_;
    std::string last_wait_reason_;
};

int Gate::run() {
    start();
    for (;;) {
        try {
            if (auto exit_code = translate_db_errors([this] { return round(); })) {
                return *exit_code;
            }
        } catch (const RetryableError& e) {
            spdlog::warn("{}; reconnecting", e.what());
            clear_since_.reset();
            listener_.reset();
            db_->drop();
        }
        if (deadline_.passed()) give_up(last_wait_reason_);
    }
}

// The files, the target and the first connection.
void Gate::start() {
    const ConnectOptions options = connect_options(config_, "schemagate " + config_.holder);
    db_ = std::make_unique<GateConnection>(options, deadline_);
    // The first connection attempt (a TCP and SCRAM round trip or three) overlaps with reading
    // and hashing the migration files; a failed attempt is simply made again, with retries and
    // the proper error, by the first round. Connecting changes nothing, so bad files still
    // exit 3 with the database untouched.
    auto early_connection = std::async(std::launch::async, [options]() -> Connection {
        try {
            return connect_once(options);
        } catch (const Error&) {
            return nullptr;
        }
    });
    if (mode_ == WaitMode::kMigrate || !config_.target) {
        files_ = load_migration_set(config_.migrations_dir, config_.limits);
        check_allowances(files_);
        target_ = choose_target(files_, config_.target);
        if (config_.migration.compat) {
            if (const auto problem = compat_problem(*config_.migration.compat, files_)) {
                throw FatalError(ExitCode::kBadInput, *problem);
            }
        }
    } else {
        target_ = *config_.target;
    }
    stop_ = target_;
    db_->adopt(early_connection.get());
    log_event(spdlog::level::info, "run_started",
              {{"command", command_name()},
               {"target", target_.text()},
               {"files", files_.migrations.size()},
               {"holder", config_.holder}},
              fmt::format("schemagate {}: target {}, {} migration files, database {}, holder {}",
                          command_name(), version_label(target_), files_.migrations.size(),
                          options.target.description, config_.holder));
}

// One look at the database and what follows from it.
std::optional<int> Gate::round() {
    if (Interrupt::triggered()) interrupted_while_waiting();
    pqxx::connection& connection = db_->get();
    Look look = look_at(connection);
    WaitDecision decision = decide(mode_, look, deadline_);
    switch (decision.action) {
        case WaitDecision::Action::kDone:
            log_done(look, decision.reason);
            return 0;
        case WaitDecision::Action::kRefuse:
            throw FatalError(ExitCode::kStateRefused, decision.reason);
        case WaitDecision::Action::kGiveUp:
            give_up(last_wait_reason_.empty() ? decision.reason : last_wait_reason_);
        case WaitDecision::Action::kTakeLease:
        case WaitDecision::Action::kWait:
            break;
    }
    if (decision.action == WaitDecision::Action::kTakeLease && !hazards_checked_) {
        // Before anything is written (our own tables included): a refusal changes nothing.
        hazards_checked_ = true;
        if (check_hazards(connection, config_, pending_) == HazardVerdict::kDefer) {
            mode_ = WaitMode::kWait;
            return std::nullopt;
        }
    }
    if (history_missing_) prepare_unseen_database(connection);
    if (decision.action == WaitDecision::Action::kTakeLease) {
        const AcquireOutcome outcome = acquire(connection);
        if (const auto* acquired = std::get_if<LeaseGrant>(&outcome)) {
            // Waiting is over: the listener's queue would only fill up while we migrate.
            listener_.reset();
            HolderSession holder(holder_options(config_), *db_, store_, lease_, files_, stop_,
                                 *acquired);
            if (baseline_first_) holder.baseline_first(*config_.baseline_version);
            notify_applied(config_, holder.run(deadline_), stop_);
            log_deferred(stop_);
            return 0;
        }
        look.lease_held = std::get<LeaseHeld>(outcome);
        decision = decide(mode_, look, deadline_);
    }
    if (!listener_) {
        // LISTEN before waiting, then look again at once: a commit that lands in between is
        // then either seen by that look or announced to the listener. A gate that gets the
        // lease at once never listens.
        listener_ =
            std::make_unique<ChangeListener>(connection, wakes_for(config_.state.name, stop_));
        return std::nullopt;
    }
    // Some ends of a wait send nothing: old releases' pods going away (a contract held back by
    // them), and the end of a transaction that held the lease row locked or kept a competing
    // gate from reading it (busy, or a holder not read). Those are polled with backoff.
    const bool silent_end =
        !look.held_back.empty() ||
        (look.lease_held && (look.lease_held->busy || look.lease_held->by.holder.empty()));
    wait_for_change(decision.reason, !silent_end);
    return std::nullopt;
}

// A database schemagate has never seen: take nothing for granted (another tool's history, or
// tables nobody recorded) before writing anything, then create our tables.
void Gate::prepare_unseen_database(pqxx::connection& connection) {
    if (const auto refusal = takeover_needed(connection, config_)) {
        throw FatalError(ExitCode::kStateRefused, *refusal);
    }
    baseline_first_ =
        config_.baseline_version && !user_tables(connection, config_.state.schema, 1).empty();
    store_.bootstrap(connection);
}

AcquireOutcome Gate::acquire(pqxx::connection& connection) {
    try {
        return lease_.try_acquire(connection);
    } catch (const DbError& e) {
        // State tables bootstrapped by a schemagate before lease ids: upgrade them, once.
        if (!e.is(sqlstate::kUndefinedColumn)) throw;
    }
    try {
        store_.bootstrap(connection);
    } catch (const DbError& e) {
        // An older gate's migration holds the tables: wait for it like for any holder.
        if (!e.is(sqlstate::kLockNotAvailable)) throw;
        return LeaseHeld{{}, true};
    }
    return lease_.try_acquire(connection);
}

// migrate: the history and the plan; wait: the schema's version and whether it is dirty.
Look Gate::look_at(pqxx::connection& connection) {
    Look look;
    look.target = target_;
    if (mode_ == WaitMode::kWait) {
        look_at_schema(connection, look);
        return look;
    }
    const auto history = store_.read_history(connection);
    Applied applied{history.value_or(std::vector<AppliedMigration>{}), {}};
    if (history && !files_.repeatables.empty()) {
        applied.repeatables = store_.read_repeatables(connection);
    }
    // Expand and contract: migrate stops before the first contract migration not applied yet.
    stop_ = contract_ ? target_ : migrate_stop(files_, applied.history, target_);
    look.target = stop_;
    const Plan plan =
        make_plan(files_, applied, stop_, store_.running_token(connection, applied.history));
    history_missing_ = !history;
    pending_ = plan.pending;
    look.current = plan.current;
    look.pending = plan.pending.size();
    look.refusal =
        contracted_past(highest_applied_contract(applied.history), files_.highest_version())
            .value_or("");
    if (contract_ && look.refusal.empty()) {
        look.held_back = contract_hold(connection, applied.history);
    }
    return look;
}

// wait: the schema's version, whether it is dirty, and whether it was contracted past this
// release; a contract migration not applied yet is deferred as migrate defers it.
void Gate::look_at_schema(pqxx::connection& connection, Look& look) {
    const SchemaState state = read_schema_state(connection, config_.state);
    look.current = state.version.value_or(0);
    look.dirty = state.dirty;
    const bool have_files = !files_.migrations.empty();
    if (have_files) stop_ = wait_stop(files_, look.current, target_);
    look.target = stop_;
    look.refusal = contracted_past(state.contract, have_files ? files_.highest_version() : target_)
                       .value_or("");
}

// `contract`: why the pending contract migrations may not be applied yet, or "" when they may.
// No live reader may lack the highest of them, and none may have been seen for
// --reader-settle: a reader whose connection blipped is invisible until it reconnects.
std::string Gate::contract_hold(pqxx::connection& connection,
                                const std::vector<AppliedMigration>& history) {
    const auto pending = pending_contracts(files_, history, target_);
    if (pending.empty()) return "";
    const Migration& last = *pending.back();
    const auto holding =
        readers_holding_back(read_live_readers(connection, config_.state), last.version);
    if (!holding.empty()) {
        clear_since_.reset();
        return held_back_text(last, holding);
    }
    const auto now = SteadyClock::now();
    if (!clear_since_) clear_since_ = now;
    const auto left =
        config_.reader_settle - std::chrono::duration_cast<Millis>(now - *clear_since_);
    if (left <= Millis{0}) return "";
    return "no live pod lacks " + label(last) + "; making sure for " + format_duration(left) +
           " more (--reader-settle: a pod whose connection blipped is invisible until it "
           "reconnects)";
}

void Gate::log_done(const Look& look, const std::string& reason) const {
    log_event(spdlog::level::info, "schema_ready",
              {{"version", look.current.text()}, {"target", stop_.text()}}, reason);
    log_deferred(look.current);
}

// Says which contract migration migrate left for `schemagate contract`, if any.
void Gate::log_deferred(const MigrationVersion& current) const {
    if (mode_ == WaitMode::kWait || contract_ || stop_ == target_) return;
    std::string deferred;
    std::size_t count = 0;
    for (const auto& migration : files_.migrations) {
        if (migration.version <= stop_ || migration.version > target_) continue;
        if (deferred.empty()) deferred = label(migration) + " (" + migration.file + ")";
        ++count;
    }
    log_event(
        spdlog::level::info, "contract_deferred",
        {{"version", current.text()}, {"deferred", count}},
        fmt::format("{} is a contract migration: deferred{} until `schemagate contract` "
                    "finds no live pod of a release without it (run it after the "
                    "rollout); schema at {}",
                    deferred, count > 1 ? fmt::format(", with the {} after it,", count - 1) : "",
                    version_label(current)));
}

void Gate::wait_for_change(const std::string& reason, bool notified_of_every_change) {
    if (reason != last_wait_reason_) {
        log_event(spdlog::level::info, "waiting", {{"reason", reason}, {"holder", config_.holder}},
                  "waiting: " + reason);
    }
    last_wait_reason_ = reason;
    Backoff& polls = notified_of_every_change && listener_->delivers_every_notification()
                         ? safety_net_
                         : backoff_;
    switch (listener_->wait(next_wait(polls, deadline_))) {
        case ChangeListener::Woke::kInterrupted:
            interrupted_while_waiting();
        case ChangeListener::Woke::kNotified:
            backoff_.reset();
            break;
        case ChangeListener::Woke::kTimeout:
            break;
    }
}

void Gate::give_up(const std::string& reason) const {
    throw FatalError(ExitCode::kDeadline,
                     "deadline (--timeout " + format_duration(config_.timeout) +
                         ") passed before the schema reached " + version_label(target_) +
                         (reason.empty() ? "" : ": " + reason));
}

}  // namespace

int run_migrate(const GateConfig& config) {
    return Gate(config, WaitMode::kMigrate).run();
}

int run_wait(const GateConfig& config) {
    return Gate(config, WaitMode::kWait).run();
}

int run_contract(const GateConfig& config) {
    return Gate(config, WaitMode::kMigrate, true).run();
}

}  // namespace schemagate
