// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <string>
#include <vector>

#include "fleet_shard.h"
#include "tenant_migration.h"

namespace schemagate {

struct FleetRunSettings {
    Shard shard;
    int sessions = 1;  // threads, each a TenantMigrator
    bool steal = true;
    Millis poll_interval{2000};  // between looks at a home tenant someone else holds
    Millis progress_interval{10'000};
};

// One shard's run (docs/fleet.md): its home tenants, then (stealing) the others', over
// `sessions` threads; a progress line every progress_interval; one JSON summary line on
// standard output at the end. Returns 0 when every tenant it owns or took is at the target,
// 1 when some failed, were refused or could not be reached (each listed). Throws FatalError
// for what ends the run (a signal, a misconfiguration).
int run_fleet(const FleetWork& work, const FleetRunSettings& settings,
              const std::vector<std::string>& tenants);

}  // namespace schemagate
