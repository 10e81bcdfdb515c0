// SPDX-License-Identifier: Apache-2.0
#include "fleet_status.h"

#include <fmt/format.h>

#include <algorithm>
#include <iostream>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>

#include "backoff.h"
#include "db_failure.h"
#include "fleet_rate.h"
#include "gate_connection.h"
#include "schema_state.h"

namespace schemagate {

namespace {

struct FleetCounts {
    std::map<std::string, std::size_t> by_version;  // "none" for not started
    std::size_t at_target = 0;
    std::size_t in_progress = 0;
    std::size_t not_started = 0;
    std::size_t unreachable = 0;
    nlohmann::json failed = nlohmann::json::array();
    nlohmann::json dirty = nlohmann::json::array();
    std::vector<double> arrivals;  // seconds since each tenant reached the target, if lately
    std::optional<FleetRate> rate;
};

void count(FleetCounts& counts, const std::string& tenant, const SchemaState& state,
           const MigrationVersion& target) {
    const std::string version = state.version ? state.version->text() : "none";
    ++counts.by_version[version];
    if (!state.version) ++counts.not_started;
    if (state.version && *state.version >= target) ++counts.at_target;
    if (state.lease && !state.lease->expired && !state.lease->holder.empty()) ++counts.in_progress;
    if (state.dirty) {
        counts.dirty.push_back({{"tenant", tenant},
                                {"version", state.dirty->version.text()},
                                {"file", state.dirty->file}});
    }
    // A failure below the version reached was overcome by a changed file since.
    if (state.failure && (!state.version || state.failure->version > *state.version)) {
        counts.failed.push_back({{"tenant", tenant},
                                 {"version", state.failure->version.text()},
                                 {"file", state.failure->file},
                                 {"line", state.failure->line},
                                 {"sqlstate", state.failure->sqlstate},
                                 {"message", state.failure->message},
                                 {"failed_at", state.failure->failed_at}});
    }
}

void print_text(const FleetCounts& counts, std::size_t total, const MigrationVersion& target) {
    std::cout << "tenants: " << total << ", target " << target.text() << "\n";
    std::cout << "at target: " << counts.at_target << ", in progress: " << counts.in_progress
              << ", not started: " << counts.not_started << ", failed: " << counts.failed.size()
              << ", dirty: " << counts.dirty.size() << ", unreachable: " << counts.unreachable
              << "\n";
    for (const auto& [version, n] : counts.by_version) {
        std::cout << "  version " << version << ": " << n << "\n";
    }
    for (const auto& failed : counts.failed) {
        std::cout << "failed: " << failed["tenant"].get<std::string>() << " "
                  << failed["file"].get<std::string>() << ":" << failed["line"].get<int>()
                  << " SQLSTATE " << failed["sqlstate"].get<std::string>() << ": "
                  << failed["message"].get<std::string>() << "\n";
    }
    for (const auto& dirty : counts.dirty) {
        std::cout << "dirty: " << dirty["tenant"].get<std::string>() << " "
                  << dirty["file"].get<std::string>() << "\n";
    }
    const std::string window = format_duration(kFleetRateWindow);
    if (!counts.rate) {
        std::cout << "rate: no tenant reached the target in the last " << window << "\n";
        return;
    }
    std::cout << fmt::format(
        "rate: {} reached the target in the last {}, {:.1f} tenants/min; "
        "ETA {} for the {} behind (failed and dirty aside)\n",
        counts.rate->reached, window, counts.rate->per_minute,
        format_duration(Millis{static_cast<long long>(counts.rate->eta_seconds * 1000.0)}),
        counts.rate->remaining);
}

// The pace from the history's arrival times (docs/fleet.md): one query on the control
// database for schema tenants; database tenants' arrivals were read with their state.
void add_rate(FleetCounts& counts, const TenantTargets& targets,
              const std::vector<std::string>& tenants, const MigrationVersion& target,
              GateConnection* control) {
    if (control != nullptr) {
        const auto arrivals = recent_arrivals(control->get(), targets.of(tenants.front()).state,
                                              target, kFleetRateWindow);
        for (const auto& tenant : tenants) {
            const auto arrived = arrivals.find(targets.of(tenant).state.name);
            if (arrived != arrivals.end()) counts.arrivals.push_back(arrived->second);
        }
    }
    // Failed and dirty tenants wait for an operator, not for the pace.
    const std::size_t behind = tenants.size() - counts.at_target;
    const std::size_t stuck = std::min(behind, counts.failed.size() + counts.dirty.size());
    counts.rate = fleet_rate(counts.arrivals, behind - stuck);
}

void read_tenant(FleetCounts& counts, const TenantTargets& targets, const std::string& tenant,
                 const MigrationVersion& target, GateConnection* control,
                 const Deadline& deadline) {
    const TenantTarget where = targets.of(tenant);
    std::unique_ptr<GateConnection> own;
    if (control == nullptr) own = std::make_unique<GateConnection>(where.connect, deadline);
    GateConnection& db = own ? *own : *control;
    translate_db_errors([&] {
        count(counts, tenant, read_schema_state(db.get(), where.state), target);
        if (!own) return;
        const auto arrivals = recent_arrivals(db.get(), where.state, target, kFleetRateWindow);
        const auto arrived = arrivals.find(where.state.name);
        if (arrived != arrivals.end()) counts.arrivals.push_back(arrived->second);
    });
}

nlohmann::json json_of(const FleetCounts& counts, std::size_t total,
                       const MigrationVersion& target) {
    nlohmann::json out{{"tenants", total},
                       {"target", target.text()},
                       {"at_target", counts.at_target},
                       {"in_progress", counts.in_progress},
                       {"not_started", counts.not_started},
                       {"unreachable", counts.unreachable},
                       {"by_version", counts.by_version},
                       {"failed", counts.failed},
                       {"dirty", counts.dirty}};
    if (counts.rate) {
        out["rate"] = {{"window_seconds", kFleetRateWindow.count() / 1000},
                       {"reached", counts.rate->reached},
                       {"tenants_per_minute", counts.rate->per_minute},
                       {"remaining", counts.rate->remaining},
                       {"eta_seconds", counts.rate->eta_seconds}};
    }
    return out;
}

}  // namespace

int run_fleet_status(const TenantTargets& targets, const std::vector<std::string>& tenants,
                     const MigrationVersion& target, bool json, bool exit_code, Millis timeout) {
    const Deadline deadline(timeout);
    FleetCounts counts;
    std::unique_ptr<GateConnection> control;
    if (!targets.per_database())
        control = std::make_unique<GateConnection>(targets.control(), deadline);
    for (const auto& tenant : tenants) {
        try {
            read_tenant(counts, targets, tenant, target, control.get(), deadline);
        } catch (const FatalError& e) {
            if (!targets.per_database() || e.code() != ExitCode::kUnreachable) throw;
            ++counts.unreachable;
        }
    }
    if (!tenants.empty()) add_rate(counts, targets, tenants, target, control.get());
    if (json) {
        std::cout << json_of(counts, tenants.size(), target).dump(2) << std::endl;
    } else {
        print_text(counts, tenants.size(), target);
    }
    if (!exit_code) return 0;
    if (!counts.failed.empty() || !counts.dirty.empty()) return 1;
    return counts.at_target == tenants.size() ? 0 : 2;
}

}  // namespace schemagate
