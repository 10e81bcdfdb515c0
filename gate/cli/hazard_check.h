// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <pqxx/connection>
#include <vector>

#include "gate_config.h"
#include "hazard_sizing.h"

namespace schemagate {

enum class HazardVerdict {
    kGo,     // migrate
    kDefer,  // --hazards=defer found one: apply nothing, wait for the Job to apply it
};

// migrate, before it takes the lease (so that a refusal changes nothing, not even our tables):
// sizes the pending migrations' hazards, logs each as a `hazard` event, and applies --hazards:
// refuse throws FatalError(kStateRefused) naming the first unallowed blocking hazard; defer
// returns kDefer; warn posts a `hazard` notification and returns kGo.
HazardVerdict check_hazards(pqxx::connection& connection, const GateConfig& config,
                            const std::vector<const Migration*>& pending);

// status: every allowance recorded in the history of `where` ([{version, file, rule, reason,
// line, relation}], ascending); empty before the column exists.
nlohmann::json read_allowed_hazards(pqxx::connection& connection, const StateLocation& where);

}  // namespace schemagate
