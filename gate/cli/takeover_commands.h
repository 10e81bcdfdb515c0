// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <pqxx/connection>

#include "adoption.h"
#include "adoption_writer.h"
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

// The refusal `migrate` gives on a database without schemagate history that another tool
// manages, or whose schema holds tables: nullopt when it is fresh. `baseline_version` (the
// --baseline-version flag) turns the second case into a baseline instead.
std::optional<std::string> takeover_needed(pqxx::connection& connection, const GateConfig& config);

}  // namespace schemagate
