// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "gate_config.h"

namespace schemagate {

// `schemagate migrate`: the initContainer's job. Returns 0 once the schema is at (or beyond)
// the target; throws FatalError for everything else.
int run_migrate(const GateConfig& config);

// `schemagate wait`: the same wait, never applying anything.
int run_wait(const GateConfig& config);

}  // namespace schemagate
