// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "gate_config.h"

namespace schemagate {

// The operator's commands. Each returns the exit code or throws FatalError.
int run_status(const GateConfig& config);    // status [--json]
int run_validate(const GateConfig& config);  // validate
int run_unlock(const GateConfig& config);    // unlock [--force]
int run_repair(const GateConfig& config);
int run_retry(const GateConfig& config);     // retry --version N    // repair --version N --mark-applied|--remove

}  // namespace schemagate
