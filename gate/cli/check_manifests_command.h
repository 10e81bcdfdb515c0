// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "gate_config.h"

namespace schemagate {

// check-manifests [FILE]: 0 when every workload labelled for schemagate has it, 3 with one line
// per problem (or when no workload is gated at all) otherwise. Needs no database.
int run_check_manifests(const GateConfig& config);

}  // namespace schemagate
