// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "connection.h"
#include "gate_config.h"

namespace schemagate {

// The operator's commands. Each returns the exit code or throws FatalError.
int run_status(const GateConfig& config);    // status [--json] [--exit-code]
int run_validate(const GateConfig& config);  // validate
int run_unlock(const GateConfig& config);    // unlock [--force]
int run_repair(const GateConfig& config);    // repair --version N --mark-applied|--remove
int run_retry(const GateConfig& config);     // retry --version N

// Operator commands are interactive: connects within a short budget (a server that does not
// answer is reported, not waited for), and fails at once (exit 3) when no database is named.
Connection connect_for_admin(const GateConfig& config);

}  // namespace schemagate
