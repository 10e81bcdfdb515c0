// SPDX-License-Identifier: Apache-2.0
#include "fleet_command.h"

#include <spdlog/spdlog.h>

#include <cstdlib>

#include "connect_options.h"
#include "errors.h"
#include "fleet_bootstrap.h"
#include "fleet_run.h"
#include "fleet_shard.h"
#include "fleet_status.h"
#include "fleet_wait.h"
#include "hazard_check.h"
#include "hazard_rules.h"
#include "logging.h"
#include "migration_name.h"
#include "tenant_source.h"

namespace schemagate {

namespace {

std::string env_or_empty(const char* name) {
    const char* value = std::getenv(name);
    return value == nullptr ? "" : value;
}

// --parallel within --connection-budget (docs/fleet.md, "Connection budget").
int sessions_for(const GateConfig& config, const Shard& shard, const TenantTargets& targets) {
    const int per_session = targets.connections_per_session();
    const int sessions = sessions_within_budget(config.fleet.parallel, shard.count, per_session,
                                                config.fleet.connection_budget);
    if (sessions < 1) {
        throw FatalError(ExitCode::kBadInput,
                         "--connection-budget: " + std::to_string(config.fleet.connection_budget) +
                             " cannot give each of " + std::to_string(shard.count) +
                             " shards one session of " + std::to_string(per_session) +
                             " connections");
    }
    if (sessions < config.fleet.parallel) {
        spdlog::info(
            "--parallel {} clamped to {}: {} shards x {} sessions x {} connections "
            "within --connection-budget {}",
            config.fleet.parallel, sessions, shard.count, sessions, per_session,
            config.fleet.connection_budget);
    }
    return sessions;
}

// --hazards for each tenant, as `migrate` applies it before its lease: on the tenant's session
// (its relations and their sizes differ from tenant to tenant), naming the tenant's set in a
// deferral and a notification.
TenantHazardCheck hazard_check(const GateConfig& config) {
    if (config.hazards.mode == HazardMode::kOff) return {};
    return [&config](pqxx::connection& connection, const TenantTarget& target,
                     const std::vector<const Migration*>& pending) {
        if (pending.empty()) return true;
        GateConfig tenant = config;
        tenant.state = target.state;
        return check_hazards(connection, tenant, pending) == HazardVerdict::kGo;
    };
}

}  // namespace

int run_fleet_migrate(const GateConfig& config) {
    const TenantTargets targets(
        config.fleet, connect_options(config, "schemagate " + config.holder), config.state);
    const Shard shard =
        choose_shard(config.fleet.shard, env_or_empty("JOB_COMPLETION_INDEX"), config.fleet.shards);
    const int sessions = sessions_for(config, shard, targets);
    const MigrationSet files = load_migration_set(config.migrations_dir, config.limits);
    check_allowances(files);
    const MigrationVersion target = choose_target(files, config.target);
    const Deadline deadline(config.timeout);
    const auto tenants = read_tenants(config.fleet, targets.control(), deadline);
    targets.check(tenants);
    prepare_fleet(targets, tenants, config.state, deadline);
    log_event(spdlog::level::info, "fleet_started",
              {{"shard", shard.index},
               {"shards", shard.count},
               {"sessions", sessions},
               {"tenants", tenants.size()},
               {"target", target.text()}},
              fmt::format("schemagate fleet migrate: shard {}/{}, {} sessions, {} tenants listed, "
                          "target {}, holder {}",
                          shard.index, shard.count, sessions, tenants.size(), version_label(target),
                          config.holder));
    const FleetWork work{
        targets,
        files,
        target,
        HolderOptions{config.holder, config.lease_ttl, config.timeout, config.migration},
        config.fleet.retry_failed,
        hazard_check(config),
        config.baseline_version};
    return run_fleet(
        work,
        {shard, sessions, config.fleet.steal, config.poll_interval, config.fleet.progress_interval},
        tenants);
}

int run_fleet_wait(const GateConfig& config) {
    const TenantTargets targets(config.fleet, connect_options(config, "schemagate wait --fleet"),
                                config.state);
    // As `wait` and `fleet status`: --target, else the newest file in --migrations; the files,
    // when given, also tell a failure of the very file (waited on no longer) from a fixed one.
    MigrationSet files;
    MigrationVersion target;
    if (!config.target || config.migrations_given) {
        files = load_migration_set(config.migrations_dir, config.limits);
        target = choose_target(files, config.target);
    } else {
        target = *config.target;
    }
    const Deadline deadline(config.timeout);
    const auto tenants = read_tenants(config.fleet, targets.control(), deadline);
    targets.check(tenants);
    log_event(spdlog::level::info, "run_started",
              {{"command", "wait --fleet"}, {"target", target.text()}, {"tenants", tenants.size()}},
              fmt::format("schemagate wait --fleet: {} tenants, target {}", tenants.size(),
                          version_label(target)));
    return run_fleet_wait(targets, tenants, files, {target, config.timeout, config.poll_interval});
}

int run_fleet_status(const GateConfig& config) {
    const TenantTargets targets(config.fleet, connect_options(config, "schemagate fleet status"),
                                config.state);
    MigrationVersion target;
    if (config.target) {
        target = *config.target;
    } else {
        target = choose_target(load_migration_set(config.migrations_dir, config.limits), {});
    }
    const Deadline deadline(config.timeout);
    const auto tenants = read_tenants(config.fleet, targets.control(), deadline);
    targets.check(tenants);
    return run_fleet_status(targets, tenants, target, config.json, config.status_exit_code,
                            config.timeout);
}

}  // namespace schemagate
