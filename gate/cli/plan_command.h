// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <nlohmann/json.hpp>

#include "applied_migration.h"
#include "gate_config.h"
#include "hazard_sizing.h"
#include "migration_set.h"
#include "schema_state.h"

namespace schemagate {

// plan [--json]: what `migrate` would do, in order, and every check that would refuse;
// changes nothing (no bootstrap, no lease). Exit 0 when migrate would go ahead, 5 when it
// would refuse, 1 when a remembered failure would stop it.
int run_plan(const GateConfig& config);

// The report, from what was read; pure. `refusals` are the one-line reasons migrate would
// give, in the order it meets them.
struct PlanReport {
    MigrationVersion current;
    MigrationVersion target;
    std::vector<const Migration*> pending;
    std::vector<std::string> refusals;
    bool stopped_by_failure = false;
    // The pending migrations' hazards on the live database (those with any), and the policy
    // that judges them.
    std::vector<MigrationHazards> hazards;
    HazardPolicy policy;
    // --hazards=defer and a hazard found: why migrate would wait for the migration Job.
    std::string deferred;
    // Contract migrations migrate defers, with the live readers holding each back
    // (deferred_contracts_json); they and every migration after them are not in `pending`.
    nlohmann::json deferred_contracts = nlohmann::json::array();
};
nlohmann::json plan_json(const PlanReport& report);
std::string plan_text(const PlanReport& report);

}  // namespace schemagate
