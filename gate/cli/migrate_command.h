// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "gate_config.h"

namespace schemagate {

// `schemagate migrate`: the initContainer's job. Returns 0 once the schema is at (or beyond)
// the target; throws FatalError for everything else.
int run_migrate(const GateConfig& config);

// `schemagate wait`: the same wait, never applying anything.
int run_wait(const GateConfig& config);

// `schemagate contract`: migrate, contract migrations included, once no live reader's release
// lacks them (README, "Expand and contract"); waits for that up to --timeout (exit 2).
int run_contract(const GateConfig& config);

}  // namespace schemagate
