// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "backoff.h"
#include "gate_connection.h"
#include "holder_session.h"
#include "migration_set.h"
#include "plan.h"
#include "tenant_snapshot.h"
#include "tenant_target.h"

namespace schemagate {

// How one tenant's turn ended.
struct TenantOutcome {
    enum class Kind {
        kAtTarget,  // at the target (now, or already)
        kFailed,    // a migration failed (now, or before with this very file: not run again)
        kRefused,   // dirty, drifted or out of order: an operator's turn
        kBusy,      // another session holds its lease
        kError,     // unreachable, deadline, lease lost: nothing wrong with the tenant itself
    };
    Kind kind = Kind::kError;
    std::size_t applied = 0;   // migrations this session applied
    MigrationVersion version;  // where it stands, as far as known
    std::optional<RecordedFailure> failure;
    std::string message;  // for kFailed, kRefused, kBusy and kError
};

const char* kind_name(TenantOutcome::Kind kind);

// The hazard policy (--hazards) for one tenant's pending migrations, before its lease, on the
// tenant's own session: the relations they lock are the tenant's, and so are their sizes.
// Returns false when the tenant is deferred (--hazards=defer); throws FatalError(kStateRefused)
// when the policy refuses. Called from every session's thread.
using TenantHazardCheck = std::function<bool(pqxx::connection&, const TenantTarget&,
                                             const std::vector<const Migration*>&)>;

// What every session of a fleet run shares. Read-only while sessions run.
struct FleetWork {
    const TenantTargets& targets;
    const MigrationSet& files;
    MigrationVersion target;
    HolderOptions holder;
    // --retry-failed: a remembered failure of this very file is forgotten and the migration run
    // again (its cause was fixed outside the file, as `schemagate retry` does for one set).
    bool retry_failed = false;
    TenantHazardCheck hazards;  // empty: --hazards=off
    // --baseline-version: a tenant with tables and no history counts the files up to it as
    // applied (recorded under its own lease), as `migrate --baseline-version` does.
    std::optional<MigrationVersion> baseline_version;
};

// One session (one thread): looks at a tenant's state, and when anything is pending takes the
// tenant's lease and migrates it with the same HolderSession as `schemagate migrate`.
class TenantMigrator {
  public:
    explicit TenantMigrator(const FleetWork& work) : work_(work) {}
    // Throws only what must end the whole run: a signal, or a misconfiguration found on the
    // first tenant (FatalError kBadInput).
    TenantOutcome migrate(const std::string& tenant);
    // The snapshot's glance at `tenants`, on the session's control connection; empty (every
    // tenant gets the full look) when it cannot be read.
    std::map<std::string, TenantGlance> glance(const TenantSnapshot& snapshot,
                                               const std::vector<std::string>& tenants);
    const MigrationVersion& target() const { return work_.target; }

  private:
    TenantOutcome attempt(const TenantTarget& target);
    // `unseen`: the look found no history for the tenant (checked again under the lease).
    TenantOutcome under_lease(const TenantTarget& target, GateConnection& db,
                              const MigrationVersion& stop, bool bootstrap, bool unseen);
    std::vector<const Migration*> to_run(const Plan& plan, bool no_history) const;
    pqxx::connection& look_connection(const TenantTarget& target,
                                      std::unique_ptr<GateConnection>& own);

    const FleetWork& work_;
    Deadline deadline_{Millis{1}};
    // Schema per tenant: the session's connection to the control database, kept from tenant to
    // tenant for looking at their state (docs/fleet.md, "Connection budget").
    std::unique_ptr<GateConnection> look_;
};

}  // namespace schemagate
