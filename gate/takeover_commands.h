// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <pqxx/connection>

#include "adoption.h"
#include "gate_config.h"
#include "lease.h"
#include "migration_set.h"
#include "state_store.h"

namespace schemagate {

// `schemagate adopt [--from TOOL] [--accept-checksums]`: records what another tool applied as
// schemagate history, under the lease, in one transaction. Idempotent.
int run_adopt(const GateConfig& config);

// `schemagate baseline --version V`: for a database no tool manages, records every file up to V
// as applied without running it. Refused once any history exists.
int run_baseline(const GateConfig& config);

// Writes `adoption` in one transaction fenced by `grant`; false when this set has history
// already (someone else got there first), and then writes nothing.
bool write_adoption(pqxx::connection& connection, const StateStore& store, const Lease& lease,
                    const LeaseGrant& grant, const Adoption& adoption);

// The refusal `migrate` gives on a database without schemagate history that another tool
// manages, or whose schema holds tables: nullopt when it is fresh. `baseline_version` (the
// --baseline-version flag) turns the second case into a baseline instead.
std::optional<std::string> takeover_needed(pqxx::connection& connection, const GateConfig& config);

}  // namespace schemagate
