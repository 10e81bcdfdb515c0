// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <pqxx/connection>
#include <string>

#include "hazard_sizing.h"
#include "state_tables.h"

namespace schemagate {

// The hazard_deferral table's CREATE TABLE IF NOT EXISTS, for `table` (qualified). The
// bootstrap creates it with the other tables, so a reader role can be granted it up front.
std::string create_hazard_deferral_sql(const std::string& table);

// Records that this gate left `migration` for the migration Job (`--hazards=defer`): one row
// per unallowed blocking hazard in `hazard_deferral` (core/hazard_state.h), which the bootstrap
// creates (and this, for a state schema an older schemagate bootstrapped); the sidecar exports it
// (schemagate_hazard_deferred) until the version is applied. A database whose state schema does not
// exist yet gets no row (the deferral is still logged); a write that fails is logged and does not
// stop the gate from waiting.
void record_hazard_deferral(pqxx::connection& connection, const StateLocation& where,
                            const MigrationHazards& migration, const std::string& holder);

}  // namespace schemagate
