// SPDX-License-Identifier: Apache-2.0
#include "fleet_wait.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <map>
#include <memory>
#include <set>

#include "backoff.h"
#include "change_listener.h"
#include "contract_plan.h"
#include "db_failure.h"
#include "errors.h"
#include "gate_connection.h"
#include "interrupt.h"
#include "logging.h"

namespace schemagate {

namespace {

using Kind = TenantWaitLook::Kind;

// Tenants named in one line: the first ten, then how many more.
constexpr std::size_t kTenantsNamed = 10;

std::string tenant_list(const std::vector<std::pair<std::string, std::string>>& tenants) {
    std::string out;
    for (std::size_t i = 0; i < tenants.size() && i < kTenantsNamed; ++i) {
        out += (i == 0 ? "" : ", ") + tenants[i].first + " (" + tenants[i].second + ")";
    }
    if (tenants.size() > kTenantsNamed) {
        out += fmt::format(" and {} more", tenants.size() - kTenantsNamed);
    }
    return out;
}

// Whether `fleet migrate` would leave the failed migration alone: the same file failed (a
// changed one runs again). Without files there is nothing to compare: it would.
bool failed_with_this_file(const MigrationSet& files, const RecordedFailure& failure) {
    if (files.migrations.empty()) return true;
    const auto file =
        std::find_if(files.migrations.begin(), files.migrations.end(),
                     [&](const Migration& m) { return m.version == failure.version; });
    return file != files.migrations.end() && file->checksum == failure.checksum;
}

// The fleet's state as the waiter knows it, and the loop that refreshes it.
class FleetWaiter {
  public:
    FleetWaiter(const TenantTargets& targets, const std::vector<std::string>& tenants,
                const MigrationSet& files, const FleetWaitSettings& settings)
        : targets_(targets),
          files_(files),
          settings_(settings),
          deadline_(settings.timeout),
          total_(tenants.size()),
          behind_(tenants) {
        if (targets_.per_database()) return;
        for (const auto& tenant : tenants) by_name_[targets_.of(tenant).state.name] = tenant;
    }

    int run();

  private:
    void round();
    void look_at_schemas();
    void look_at_databases();
    void look(const std::string& tenant, pqxx::connection& connection);
    bool noticed(const std::string& payload);
    void pause();
    void log_waiting();
    std::vector<std::pair<std::string, std::string>> behind_named() const;
    [[noreturn]] void stuck() const;
    [[noreturn]] void give_up() const;

    const TenantTargets& targets_;
    const MigrationSet& files_;
    FleetWaitSettings settings_;
    Deadline deadline_;
    std::size_t total_;
    std::vector<std::string> behind_;             // not ready at the last look, in list order
    std::map<std::string, std::string> where_;    // a tenant behind: where it stands
    std::map<std::string, std::string> stuck_;    // a tenant nobody will bring on: why
    std::map<std::string, std::string> by_name_;  // a schema tenant's migration set -> tenant
    std::set<std::string> touched_;               // named by a notification since the last look
    bool full_look_ = true;
    std::size_t behind_logged_ = 0;  // how many were behind when it was last said
    TimePoint next_poll_ = SteadyClock::now();
    std::unique_ptr<GateConnection> control_;
    std::unique_ptr<ChangeListener> listener_;
};

int FleetWaiter::run() {
    for (;;) {
        if (Interrupt::triggered()) {
            throw FatalError(Interrupt::exit_code(),
                             "interrupted by signal " + std::to_string(Interrupt::signal_number()) +
                                 " while waiting");
        }
        try {
            translate_db_errors([this] { round(); });
        } catch (const RetryableError& e) {
            spdlog::warn("{}; reconnecting", e.what());
            listener_.reset();
            if (control_) control_->drop();
            full_look_ = true;
        }
        if (!stuck_.empty()) stuck();
        if (behind_.empty()) {
            log_event(
                spdlog::level::info, "fleet_ready",
                {{"tenants", total_}, {"target", settings_.target.text()}},
                fmt::format("every tenant ({}) at {}", total_, version_label(settings_.target)));
            return 0;
        }
        if (deadline_.passed()) give_up();
        log_waiting();
        pause();
    }
}

// Reads the tenants not ready (all of them on a poll, those a notification named otherwise)
// and keeps those still behind.
void FleetWaiter::round() {
    if (targets_.per_database()) {
        look_at_databases();
    } else {
        look_at_schemas();
    }
    behind_.erase(std::remove_if(behind_.begin(), behind_.end(),
                                 [this](const std::string& t) { return where_.count(t) == 0; }),
                  behind_.end());
}

void FleetWaiter::look_at_schemas() {
    if (!control_) control_ = std::make_unique<GateConnection>(targets_.control(), deadline_);
    pqxx::connection& connection = control_->get();
    if (!listener_) {
        // LISTEN first, then read every tenant: a commit in between is seen or announced.
        listener_ = std::make_unique<ChangeListener>(
            connection, [this](const std::string& payload) { return noticed(payload); });
        full_look_ = true;
    }
    const std::set<std::string> touched = std::exchange(touched_, {});
    for (const auto& tenant : std::vector<std::string>(behind_)) {
        if (full_look_ || touched.count(tenant) > 0) look(tenant, connection);
    }
}

// Database tenants: one connection attempt each per poll (no retries: a tenant down now is
// simply still behind; the next poll tries again).
void FleetWaiter::look_at_databases() {
    for (const auto& tenant : std::vector<std::string>(behind_)) {
        try {
            const Connection connection = connect_once(targets_.of(tenant).connect);
            translate_db_errors([&] { look(tenant, *connection); });
        } catch (const Error&) {
            if (Interrupt::triggered()) throw;
            where_[tenant] = "unreachable";
        }
    }
}

void FleetWaiter::look(const std::string& tenant, pqxx::connection& connection) {
    const SchemaState state = read_schema_state(connection, targets_.of(tenant).state);
    const TenantWaitLook seen = look_at_tenant(state, settings_.target, files_);
    where_.erase(tenant);
    switch (seen.kind) {
        case Kind::kReady:
            break;
        case Kind::kBehind:
            where_[tenant] = seen.why;
            break;
        case Kind::kStuck:
            where_[tenant] = seen.why;
            stuck_[tenant] = seen.why;
            break;
    }
}

// A notification about a tenant still behind: that tenant is read again at once.
bool FleetWaiter::noticed(const std::string& payload) {
    const auto colon = payload.rfind(':');
    if (colon == std::string::npos) return false;
    const auto tenant = by_name_.find(payload.substr(0, colon));
    if (tenant == by_name_.end() || where_.count(tenant->second) == 0) return false;
    touched_.insert(tenant->second);
    return true;
}

// Until the next poll of every tenant, or a notification, or the deadline.
void FleetWaiter::pause() {
    if (full_look_) next_poll_ = SteadyClock::now() + settings_.poll_interval;
    const auto until_poll = std::chrono::duration_cast<Millis>(next_poll_ - SteadyClock::now());
    const Millis wait = std::max(Millis{0}, std::min(until_poll, deadline_.remaining()));
    bool notified = false;
    if (!listener_) {
        Interrupt::wait_for(wait);
    } else {
        try {
            notified = translate_db_errors(
                [&] { return listener_->wait(wait) == ChangeListener::Woke::kNotified; });
        } catch (const RetryableError& e) {
            spdlog::warn("{}; reconnecting", e.what());
            listener_.reset();
            control_->drop();
        }
    }
    full_look_ = !notified || SteadyClock::now() >= next_poll_;
}

std::vector<std::pair<std::string, std::string>> FleetWaiter::behind_named() const {
    std::vector<std::pair<std::string, std::string>> named;
    for (const auto& tenant : behind_) {
        // A round cut short (a lost connection) leaves tenants not looked at yet.
        const auto where = where_.find(tenant);
        named.emplace_back(tenant, where == where_.end() ? "not looked at yet" : where->second);
    }
    return named;
}

// Whenever the number behind changed: how many, and the first of them.
void FleetWaiter::log_waiting() {
    if (behind_.size() == behind_logged_) return;
    behind_logged_ = behind_.size();
    log_event(spdlog::level::info, "fleet_waiting",
              {{"behind", behind_.size()}, {"tenants", total_}},
              fmt::format("waiting: {} of {} tenants behind {}: {}", behind_.size(), total_,
                          version_label(settings_.target), tenant_list(behind_named())));
}

void FleetWaiter::stuck() const {
    std::vector<std::pair<std::string, std::string>> named(stuck_.begin(), stuck_.end());
    throw FatalError(
        ExitCode::kMigrationFailed,
        fmt::format("wait --fleet: {} of {} tenants cannot reach {} unaided: {}", stuck_.size(),
                    total_, version_label(settings_.target), tenant_list(named)));
}

void FleetWaiter::give_up() const {
    throw FatalError(
        ExitCode::kDeadline,
        fmt::format("deadline (--timeout {}) passed before every tenant reached {}: "
                    "{} of {} behind: {}",
                    format_duration(settings_.timeout), version_label(settings_.target),
                    behind_.size(), total_, tenant_list(behind_named())));
}

}  // namespace

TenantWaitLook look_at_tenant(const SchemaState& state, const MigrationVersion& target,
                              const MigrationSet& files) {
    if (state.dirty) return {Kind::kStuck, "dirty: " + state.dirty->file + " never finished"};
    const MigrationVersion current = state.version.value_or(MigrationVersion{});
    const MigrationVersion stop =
        files.migrations.empty() ? target : wait_stop(files, current, target);
    if (state.version && *state.version >= stop) return {Kind::kReady, ""};
    const auto& failure = state.failure;
    if (failure && (!state.version || failure->version > *state.version) &&
        failure->version <= stop && failed_with_this_file(files, *failure)) {
        return {Kind::kStuck, fmt::format("failed: {} line {}, SQLSTATE {}", failure->file,
                                          failure->line, failure->sqlstate)};
    }
    return {Kind::kBehind, state.version ? "at " + state.version->text() : "not started"};
}

int run_fleet_wait(const TenantTargets& targets, const std::vector<std::string>& tenants,
                   const MigrationSet& files, const FleetWaitSettings& settings) {
    return FleetWaiter(targets, tenants, files, settings).run();
}

}  // namespace schemagate
