// SPDX-License-Identifier: Apache-2.0
#include "fleet_status.h"

#include <iostream>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>

#include "backoff.h"
#include "db_failure.h"
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
        const TenantTarget where = targets.of(tenant);
        try {
            std::unique_ptr<GateConnection> own;
            if (targets.per_database())
                own = std::make_unique<GateConnection>(where.connect, deadline);
            GateConnection& db = own ? *own : *control;
            count(counts, tenant,
                  translate_db_errors([&] { return read_schema_state(db.get(), where.state); }),
                  target);
        } catch (const FatalError& e) {
            if (!targets.per_database() || e.code() != ExitCode::kUnreachable) throw;
            ++counts.unreachable;
        }
    }
    if (json) {
        nlohmann::json out{{"tenants", tenants.size()},
                           {"target", target.text()},
                           {"at_target", counts.at_target},
                           {"in_progress", counts.in_progress},
                           {"not_started", counts.not_started},
                           {"unreachable", counts.unreachable},
                           {"by_version", counts.by_version},
                           {"failed", counts.failed},
                           {"dirty", counts.dirty}};
        std::cout << out.dump(2) << std::endl;
    } else {
        print_text(counts, tenants.size(), target);
    }
    if (!exit_code) return 0;
    if (!counts.failed.empty() || !counts.dirty.empty()) return 1;
    return counts.at_target == tenants.size() ? 0 : 2;
}

}  // namespace schemagate
