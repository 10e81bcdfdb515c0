// SPDX-License-Identifier: Apache-2.0
#include "holder_session.h"

#include <spdlog/spdlog.h>

#include <pqxx/nontransaction>

#include "adoption_writer.h"
#include "db_failure.h"
#include "errors.h"
#include "interrupt.h"
#include "logging.h"
#include "migration_failure.h"
#include "migration_name.h"
#include "migration_sql.h"
#include "plan.h"

namespace schemagate {

namespace {

[[noreturn]] void interrupted(const std::string& what) {
    throw FatalError(
        Interrupt::exit_code(),
        "interrupted by signal " + std::to_string(Interrupt::signal_number()) + " " + what);
}

[[noreturn]] void lease_lost(const std::string& when) {
    throw FatalError(ExitCode::kLeaseLost, "lease lost " + when +
                                               ": another holder took over; nothing more was " +
                                               "committed by this process");
}

// A migration that failed deterministically with this very file is not run again: a crash
// looping pod would repeat its expensive statements forever. A changed file is tried again.
const RecordedFailure* failed_before(const Migration& migration,
                                     const std::vector<RecordedFailure>& failures) {
    for (const auto& failure : failures) {
        if (failure.version != migration.version) continue;
        if (failure.checksum != migration.checksum) {
            spdlog::info("{} changed since it failed at {}: trying it again", label(migration),
                         failure.failed_at);
            return nullptr;
        }
        return &failure;
    }
    return nullptr;
}

void refuse_if_failed_before(const Migration& migration,
                             const std::vector<RecordedFailure>& failures) {
    const RecordedFailure* failure = failed_before(migration, failures);
    if (failure == nullptr) return;
    throw FatalError(ExitCode::kMigrationFailed,
                     label(migration) + " failed before and is not run again: at " +
                         failure->failed_at + " by " + failure->holder + ": " + failure->message +
                         " (change the file, or after fixing the cause outside it, run "
                         "`schemagate retry --version " +
                         migration.version.text() + "`)");
}

}  // namespace

HolderSession::HolderSession(HolderOptions options, GateConnection& db, const StateStore& store,
                             const Lease& lease, const MigrationSet& files, MigrationVersion target,
                             LeaseGrant grant)
    : options_(std::move(options)),
      db_(db),
      store_(store),
      lease_(lease),
      files_(files),
      target_(std::move(target)),
      grant_(std::move(grant)) {}

std::size_t HolderSession::run(const Deadline& deadline) {
    log_event(spdlog::level::info, "lease_acquired",
              {{"token", grant_.token}, {"holder", options_.holder}},
              fmt::format("lease acquired (token {}, ttl {})", grant_.token,
                          format_duration(options_.lease_ttl)));
    Heartbeat heartbeat(
        db_.options(), lease_, grant_, [this] { canceller_.cancel(); },
        DeadlineWatch{deadline_watch_at(deadline), [this] { return session_pid_.load(); },
                      db_.options().application_name});
    // Neither waits for the network (the signal thread must not hang in a cut).
    const SignalHook on_signal([this, &heartbeat](int) {
        canceller_.cancel();
        heartbeat.stop();
    });
    std::size_t applied = 0;
    try {
        applied = apply_pending(heartbeat, deadline);
        heartbeat.stand_down();
    } catch (const MigrationFailed& e) {
        heartbeat.stand_down();
        const RecordedFailure& failure = e.failure();
        log_event(spdlog::level::err, "migration_failed",
                  {{"version", failure.version.text()},
                   {"file", failure.file},
                   {"line", failure.line},
                   {"sqlstate", failure.sqlstate},
                   {"token", grant_.token},
                   {"holder", options_.holder}},
                  e.what());
        if (e.remember()) remember(e.failure());
        release_quietly();
        throw;
    } catch (const FatalError& e) {
        heartbeat.stand_down();
        if (e.code() != ExitCode::kLeaseLost) release_quietly();
        throw;
    } catch (const DbError&) {
        heartbeat.stand_down();
        release_quietly();
        throw;
    }
    lease_.release(db_.get(), grant_);
    log_event(spdlog::level::info, "lease_released", {{"token", grant_.token}}, "lease released");
    return applied;
}

// Far enough ahead of --timeout for the holder to roll back and release the lease after the
// watch cancelled its statement (the socket deadline cuts the connection at --timeout).
TimePoint HolderSession::deadline_watch_at(const Deadline& deadline) const {
    constexpr Millis kLongestMargin{1000};
    const Millis margin = std::min(kLongestMargin, options_.timeout / 10);
    return SteadyClock::now() + std::max(deadline.remaining() - margin, Millis{0});
}

void HolderSession::throw_if_stopped(Heartbeat& heartbeat) const {
    if (heartbeat.lost()) lease_lost("while migrating");
    if (Interrupt::triggered()) interrupted("while migrating; the lease is released");
    if (const auto doing = heartbeat.deadline_reached()) {
        throw FatalError(ExitCode::kDeadline,
                         "deadline (--timeout " + format_duration(options_.timeout) +
                             ") reached while migrating" +
                             (doing->empty() ? "" : ": the session " + *doing));
    }
}

std::size_t HolderSession::apply_pending(Heartbeat& heartbeat, const Deadline& deadline) {
    MigrationSettings settings = options_.migration;
    settings.idle_in_transaction_timeout = options_.lease_ttl / 2;
    settings.application_name = db_.options().application_name;
    const MigrationRunner runner(
        store_, lease_, settings,
        {[&heartbeat] { return heartbeat.lost(); },
         [&heartbeat] { return heartbeat.deadline_reached(); }, options_.timeout});
    const auto started = SteadyClock::now();
    std::size_t applied = 0;
    for (;;) {
        try {
            translate_db_errors([&] { apply_planned(runner, heartbeat, deadline, applied); });
            const auto elapsed =
                std::chrono::duration_cast<Millis>(SteadyClock::now() - started).count();
            log_event(
                spdlog::level::info, "migrations_done",
                {{"version", target_.text()},
                 {"applied", applied},
                 {"duration_ms", elapsed},
                 {"token", grant_.token}},
                fmt::format("schema is at {}: applied {} migration{} in {} ms",
                            version_label(target_), applied, applied == 1 ? "" : "s", elapsed));
            return applied;
        } catch (const RetryableError& e) {
            // The heartbeat or a signal may have cancelled whatever statement was running,
            // including the bookkeeping between migrations.
            throw_if_stopped(heartbeat);
            spdlog::warn("{}; reconnecting to go on under the same lease", e.what());
        } catch (const DbError&) {
            throw_if_stopped(heartbeat);
            throw;
        }
        db_.drop();
    }
}

// One pass on one connection: renew, plan from the history, apply what is pending, counting
// each applied migration in `applied`.
void HolderSession::apply_planned(const MigrationRunner& runner, const Heartbeat& heartbeat,
                                  const Deadline& deadline, std::size_t& applied) {
    const StatementCanceller::Attached attached(canceller_, db_);
    pqxx::connection& connection = attached.connection();
    session_pid_ = connection.backendpid();
    if (Interrupt::triggered()) canceller_.cancel();
    // After a reconnect (or a freeze, or a failover) the lease may be gone: only go on if the
    // row still carries this grant's id.
    if (lease_.renew(connection, grant_) == Renewal::kLost) {
        lease_lost("(token " + std::to_string(grant_.token) + ")");
    }
    // Under the lease the history is authoritative: plan again from it (after bringing the
    // state tables up to this version of schemagate).
    store_.bootstrap_unless_current(connection);
    record_baseline(connection);
    Applied recorded{store_.read_history(connection).value_or(std::vector<AppliedMigration>{}), {}};
    if (!files_.repeatables.empty()) recorded.repeatables = store_.read_repeatables(connection);
    const Plan plan = make_plan(files_, recorded, target_);
    run_plan(connection, runner, heartbeat, deadline, plan, applied);
}

// Before planning, once: --baseline-version's adoption, when the set had no history.
void HolderSession::record_baseline(pqxx::connection& connection) {
    if (!baseline_) return;
    const Adoption baseline = plan_baseline(files_, *baseline_);
    if (write_adoption(connection, store_, lease_, grant_, baseline)) {
        spdlog::info("baseline: {} files up to {} recorded as applied without running",
                     baseline.migrations.size(), version_label(*baseline_));
    }
    baseline_.reset();
}

// Applies `plan`'s pending migrations group by group (migration_groups.h), refusing one that
// failed before with the same file, counting each applied one in `applied`.
void HolderSession::run_plan(pqxx::connection& connection, const MigrationRunner& runner,
                             const Heartbeat& heartbeat, const Deadline& deadline, const Plan& plan,
                             std::size_t& applied) {
    const auto failures =
        plan.pending.empty() ? std::vector<RecordedFailure>{} : store_.read_failures(connection);
    const std::size_t total = plan.pending.size();
    std::size_t started = 0;
    const MigrationRunner::Applied log_applied = [&](const Migration& migration, Millis took) {
        ++applied;
        ++started;
        log_event(spdlog::level::info, "migration_applied",
                  {{"version", migration.repeatable ? "" : migration.version.text()},
                   {"file", migration.file},
                   {"duration_ms", took.count()},
                   {"transaction", !migration.no_transaction},
                   {"token", grant_.token}},
                  fmt::format("applying {}/{} {}{} ... {} ms", started, total, label(migration),
                              migration.no_transaction ? " (no transaction)" : "", took.count()));
    };
    std::size_t next = 0;
    while (next < total) {
        const Migration& first = *plan.pending[next];
        refuse_if_failed_before(first, failures);
        if (Interrupt::triggered()) interrupted("before " + label(first));
        if (heartbeat.lost()) lease_lost("before " + label(first));
        if (first.no_transaction) {
            spdlog::info("{} runs without a transaction ({}){}", label(first),
                         first.no_transaction_reason,
                         first.mixed ? "; it holds other statements too: a failure midway "
                                       "leaves it partly applied and dirty"
                                     : "");
        }
        const std::size_t end =
            group_end(plan.pending, next, [&failures](const Migration& migration) {
                return failed_before(migration, failures) != nullptr;
            });
        const std::span<const Migration* const> chain(plan.pending.data() + next, end - next);
        runner.apply(connection, chain, grant_, deadline, end == total, log_applied);
        next = end;
    }
}

void HolderSession::remember(const RecordedFailure& failure) {
    try {
        translate_db_errors(
            [&] { store_.record_failure(db_.get_quickly(), failure, lease_.holder(), grant_); });
        log_event(spdlog::level::info, "failure_remembered",
                  {{"version", failure.version.text()}, {"sqlstate", failure.sqlstate}},
                  fmt::format("{} failed with {}, an error the same file would repeat: "
                              "remembered, so that no gate runs it again until the file changes "
                              "or `schemagate retry`",
                              version_label(failure.version), failure.sqlstate));
    } catch (const Error& e) {
        // The exit code and the termination message still say what failed.
        spdlog::warn("could not record the failure of {}: {}", version_label(failure.version),
                     e.what());
    }
}

void HolderSession::release_quietly() {
    try {
        translate_db_errors([this] { lease_.release(db_.get_quickly(), grant_); });
        log_event(spdlog::level::info, "lease_released", {{"token", grant_.token}},
                  "lease released");
    } catch (const Error&) {
        // It expires by itself after the ttl; the failure that got us here matters more.
        spdlog::warn("could not release the lease; it expires in {}",
                     format_duration(options_.lease_ttl));
    }
}

}  // namespace schemagate
