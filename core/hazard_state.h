// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstdint>
#include <pqxx/connection>
#include <string>
#include <vector>

#include "state_tables.h"

namespace schemagate {

// A hazardous migration a gate left for the migration Job (`--hazards=defer`), recorded in
// the state table `hazard_deferral` (one row per set, version and rule; the bootstrap creates
// it, and a deferring gate on a state schema an older version bootstrapped). It counts while that
// version is not applied.
struct HazardDeferral {
    MigrationVersion version;
    std::string rule;
    std::string relation;
    std::string file;
    double deferred_at_unix = 0;
};

// What the sidecar exports about hazards (sidecar/hazard_metrics.h).
struct HazardState {
    std::vector<HazardDeferral> deferred;  // versions not applied yet
    std::int64_t allowed = 0;              // `-- schemagate:allow` directives in the history
};

// Reads both, outside any transaction: the deferrals only when the table exists and the role
// may read it (a sidecar role granted the older tables still reads the rest); the allowance
// count through jsonb (history tables before the column lack it). Throws DbError.
HazardState read_hazard_state(pqxx::connection& connection, const StateLocation& where);

}  // namespace schemagate
