// SPDX-License-Identifier: Apache-2.0
#include "fleet_run.h"

#include <spdlog/spdlog.h>

#include <atomic>
#include <condition_variable>
#include <deque>
#include <iostream>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <thread>

#include "errors.h"
#include "interrupt.h"
#include "logging.h"

namespace schemagate {

namespace {

using Kind = TenantOutcome::Kind;

// One tenant to try, since when it was found held by someone else (a home tenant tried
// again), and how often it was waited for.
struct Item {
    ShardWork work;
    std::optional<TimePoint> busy_since;
    int waits = 0;
};

double seconds_since(TimePoint start) {
    return std::chrono::duration<double>(SteadyClock::now() - start).count();
}

// The first pause before a home tenant held elsewhere is looked at again; it doubles up to
// --poll-interval, so a tenant a stealer finishes quickly is not left idle for the whole poll.
constexpr Millis kFirstRevisitPause{50};

// Other shards' tenants glanced at per snapshot read: few at first (a stealer meets the home
// shard's progress soon), doubling while a read finds nothing left to steal.
constexpr std::size_t kFirstStealGlance = 64;
constexpr std::size_t kMostStealGlance = 1000;

// The shared state of one shard's sessions.
class ShardQueue {
  public:
    ShardQueue(std::vector<ShardWork> order, const FleetRunSettings& settings,
               const TenantSnapshot& snapshot, Millis timeout)
        : order_(std::move(order)), settings_(settings), snapshot_(snapshot), timeout_(timeout) {
        for (const auto& item : order_) home_total_ += item.home ? 1 : 0;
    }

    // Before the sessions start: how many will end.
    void expect(std::size_t sessions) { running_ = sessions; }
    void session(const FleetWork& work);
    // Waits until every session ended, logging progress meanwhile.
    void wait_logging_progress(std::vector<std::thread>& sessions);
    int finish();

  private:
    std::optional<Item> next(TenantMigrator& migrator);
    void glance_at_next(TenantMigrator& migrator);
    void record(const Item& item, TenantOutcome out);
    void record_locked(const Item& item, TenantOutcome out);
    void log_progress();
    nlohmann::ordered_json summary() const;
    bool stopping() const { return stop_.load() || Interrupt::triggered(); }

    std::vector<ShardWork> order_;
    const FleetRunSettings& settings_;
    const TenantSnapshot& snapshot_;
    Millis timeout_;
    TimePoint started_ = SteadyClock::now();
    std::size_t glanced_ = 0;  // order_[0, glanced_) went through the snapshot
    std::size_t steal_glance_ = kFirstStealGlance;
    std::mutex mutex_;
    std::condition_variable all_done_;
    std::deque<Item> ready_;     // tenants the snapshot did not tell settled, in order
    std::deque<Item> revisits_;  // home tenants someone else held, to look at again
    std::map<std::string, TenantOutcome> results_;
    std::size_t home_total_ = 0;
    std::size_t home_done_ = 0;  // home tenants with a final outcome
    std::size_t applied_ = 0;
    std::size_t stolen_ = 0;  // others' tenants this shard migrated
    std::size_t running_ = 0;
    std::atomic<bool> stop_{false};
    std::optional<FatalError> fatal_;
};

// Under mutex_: the next tenants in order through the snapshot (docs/fleet.md, "Which shard
// does what"): every home tenant at once, then other shards' tenants a few at a time, so that
// what a stealer picks is as fresh as one read. Settled home tenants are at the target without
// a look of their own; settled or held others' tenants are not this shard's to try.
void ShardQueue::glance_at_next(TenantMigrator& migrator) {
    const bool home = order_[glanced_].home;
    std::size_t end = glanced_;
    while (end < order_.size() && order_[end].home == home &&
           (home || end - glanced_ < steal_glance_)) {
        ++end;
    }
    std::vector<std::string> names;
    for (std::size_t i = glanced_; i < end; ++i) names.push_back(order_[i].tenant);
    const auto glances = migrator.glance(snapshot_, names);
    const std::size_t before = ready_.size();
    for (std::size_t i = glanced_; i < end; ++i) {
        const auto found = glances.find(order_[i].tenant);
        // Not in the snapshot (it could not be read): the tenant's own look tells.
        const TenantGlance glance = found == glances.end() ? TenantGlance{} : found->second;
        if (glance.settled && home) {
            TenantOutcome out;
            out.kind = Kind::kAtTarget;
            out.version = migrator.target();
            record_locked({order_[i], std::nullopt}, std::move(out));
        } else if (!glance.settled && (home || !glance.held)) {
            ready_.push_back({order_[i], std::nullopt});
        }
    }
    if (!home) {
        steal_glance_ = ready_.size() == before ? std::min(steal_glance_ * 2, kMostStealGlance)
                                                : kFirstStealGlance;
    }
    glanced_ = end;
}

// The next tenant in order; then the home tenants held elsewhere, each after a pause (their
// holder's commits may reach us only by polling, through a pooler).
std::optional<Item> ShardQueue::next(TenantMigrator& migrator) {
    std::optional<Item> revisit;
    {
        const std::lock_guard lock(mutex_);
        while (!stopping() && ready_.empty() && glanced_ < order_.size()) {
            glance_at_next(migrator);
        }
        if (stopping()) return std::nullopt;
        if (!ready_.empty()) {
            Item item = std::move(ready_.front());
            ready_.pop_front();
            return item;
        }
        if (revisits_.empty()) return std::nullopt;
        revisit = revisits_.front();
        revisits_.pop_front();
    }
    const int doublings = std::min(revisit->waits, 8);
    Interrupt::wait_for(std::min(settings_.poll_interval, kFirstRevisitPause * (1 << doublings)));
    ++revisit->waits;
    return stopping() ? std::nullopt : revisit;
}

void ShardQueue::record(const Item& item, TenantOutcome out) {
    const std::lock_guard lock(mutex_);
    record_locked(item, std::move(out));
}

void ShardQueue::record_locked(const Item& item, TenantOutcome out) {
    if (out.kind == Kind::kBusy) {
        // Someone else's (a stealer's, or a previous run's until its lease expires).
        if (!item.work.home) return;
        const TimePoint since = item.busy_since.value_or(SteadyClock::now());
        if (SteadyClock::now() - since < timeout_) {
            revisits_.push_back({item.work, since, item.waits});
            return;
        }
        out.kind = Kind::kError;
        out.message += ", still after --timeout";
    }
    applied_ += out.applied;
    if (item.work.home) ++home_done_;
    if (!item.work.home && out.applied > 0) ++stolen_;
    if (out.kind != Kind::kAtTarget) {
        log_event(spdlog::level::err, "tenant_" + std::string(kind_name(out.kind)),
                  {{"tenant", item.work.tenant}, {"version", out.version.text()}},
                  "tenant " + item.work.tenant + ": " + out.message);
    }
    results_[item.work.tenant] = std::move(out);
}

void ShardQueue::session(const FleetWork& work) {
    TenantMigrator migrator(work);
    try {
        while (const auto item = next(migrator)) record(*item, migrator.migrate(item->work.tenant));
    } catch (const FatalError& e) {
        const std::lock_guard lock(mutex_);
        if (!fatal_) fatal_ = e;
        stop_ = true;
    } catch (const std::exception& e) {
        const std::lock_guard lock(mutex_);
        if (!fatal_) fatal_ = FatalError(ExitCode::kUnreachable, e.what());
        stop_ = true;
    }
    const std::lock_guard lock(mutex_);
    --running_;
    all_done_.notify_all();
}

void ShardQueue::log_progress() {
    std::size_t failed = 0;
    for (const auto& [tenant, out] : results_) failed += out.kind != Kind::kAtTarget ? 1 : 0;
    const double seconds = seconds_since(started_);
    const double rate = seconds > 0 ? static_cast<double>(home_done_) / seconds : 0;
    const std::size_t left = home_total_ - home_done_;
    const double eta = rate > 0 ? static_cast<double>(left) / rate : 0;
    log_event(spdlog::level::info, "fleet_progress",
              {{"shard", settings_.shard.index},
               {"home_done", home_done_},
               {"home_total", home_total_},
               {"not_ok", failed},
               {"applied", applied_},
               {"tenants_per_second", rate},
               {"eta_seconds", eta}},
              fmt::format("fleet shard {}/{}: {}/{} home tenants done, {} not at target, {} "
                          "migrations applied, {:.1f} tenants/s, ETA {:.0f}s",
                          settings_.shard.index, settings_.shard.count, home_done_, home_total_,
                          failed, applied_, rate, eta));
}

void ShardQueue::wait_logging_progress(std::vector<std::thread>& sessions) {
    {
        std::unique_lock lock(mutex_);
        while (!all_done_.wait_for(lock, settings_.progress_interval,
                                   [this] { return running_ == 0; })) {
            log_progress();
        }
    }
    for (auto& thread : sessions) thread.join();
}

nlohmann::ordered_json ShardQueue::summary() const {
    nlohmann::ordered_json not_ok = nlohmann::ordered_json::array();
    std::size_t at_target = 0;
    for (const auto& [tenant, out] : results_) {
        if (out.kind == Kind::kAtTarget) {
            ++at_target;
            continue;
        }
        nlohmann::ordered_json entry{{"tenant", tenant}, {"outcome", kind_name(out.kind)}};
        if (out.failure) {
            entry["version"] = out.failure->version.text();
            entry["file"] = out.failure->file;
            entry["line"] = out.failure->line;
            entry["sqlstate"] = out.failure->sqlstate;
        } else {
            entry["at_version"] = out.version.text();
        }
        entry["message"] = out.message;
        not_ok.push_back(std::move(entry));
    }
    const double seconds = seconds_since(started_);
    return {
        {"event", "fleet_summary"},
        {"shard", settings_.shard.index},
        {"shards", settings_.shard.count},
        {"home_tenants", home_total_},
        {"tenants_seen", results_.size()},
        {"at_target", at_target},
        {"not_at_target", not_ok.size()},
        {"migrations_applied", applied_},
        {"stolen", stolen_},
        {"seconds", seconds},
        {"tenants_per_second", seconds > 0 ? static_cast<double>(results_.size()) / seconds : 0},
        {"problems", not_ok}};
}

int ShardQueue::finish() {
    if (fatal_) throw FatalError(fatal_->code(), fatal_->what());
    if (Interrupt::triggered()) {
        throw FatalError(Interrupt::exit_code(),
                         "interrupted by signal " + std::to_string(Interrupt::signal_number()) +
                             "; each session's migration in flight rolled back");
    }
    log_progress();
    const nlohmann::ordered_json result = summary();
    std::cout << result.dump() << std::endl;
    return result["not_at_target"].get<std::size_t>() == 0 ? 0 : 1;
}

}  // namespace

int run_fleet(const FleetWork& work, const FleetRunSettings& settings,
              const std::vector<std::string>& tenants) {
    const TenantSnapshot snapshot(work.targets, work.files, work.target);
    ShardQueue queue(shard_order(tenants, settings.shard, settings.steal), settings, snapshot,
                     work.holder.timeout);
    std::vector<std::thread> sessions;
    sessions.reserve(static_cast<std::size_t>(settings.sessions));
    queue.expect(static_cast<std::size_t>(settings.sessions));
    for (int i = 0; i < settings.sessions; ++i) {
        sessions.emplace_back([&queue, &work] { queue.session(work); });
    }
    queue.wait_logging_progress(sessions);
    return queue.finish();
}

}  // namespace schemagate
