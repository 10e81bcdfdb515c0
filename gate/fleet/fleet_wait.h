// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "duration.h"
#include "migration_set.h"
#include "migration_version.h"
#include "schema_state.h"
#include "tenant_target.h"

namespace schemagate {

// Where one tenant stands for `wait --fleet`.
struct TenantWaitLook {
    enum class Kind {
        kReady,   // at (or past) the target
        kBehind,  // not yet: someone may still bring it there
        kStuck,   // failed with the file it would run again, or dirty: nobody will, unaided
    };
    Kind kind = Kind::kBehind;
    std::string why;  // kStuck: file, line, SQLSTATE or "dirty"
};

// Pure: a tenant's state against the target. A remembered failure above the version reached
// counts only when its file is the one in `files` (a changed file is run again by the next
// `fleet migrate`); without files, every such failure counts. With files, a contract migration
// not applied yet is not waited for (as `wait` does, wait_stop).
TenantWaitLook look_at_tenant(const SchemaState& state, const MigrationVersion& target,
                              const MigrationSet& files);

struct FleetWaitSettings {
    MigrationVersion target;
    Millis timeout{600'000};      // --timeout: exit 2 with tenants still behind
    Millis poll_interval{2'000};  // --poll-interval: between looks at every tenant not ready
};

// `schemagate wait --fleet` (docs/fleet.md): waits until every tenant is at the target.
// Returns 0; throws FatalError(kMigrationFailed) naming the tenants as soon as one is stuck,
// FatalError(kDeadline) naming those behind once --timeout passed. Schema tenants are read on
// one connection that also LISTENs (a notification about a tenant re-reads that tenant at
// once); database tenants are polled. Only tenants not ready yet are read again.
int run_fleet_wait(const TenantTargets& targets, const std::vector<std::string>& tenants,
                   const MigrationSet& files, const FleetWaitSettings& settings);

}  // namespace schemagate
