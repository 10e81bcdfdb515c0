// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "gate_config.h"

namespace schemagate {

// `schemagate fleet migrate` (docs/fleet.md): this shard's tenants to the target, then others'.
int run_fleet_migrate(const GateConfig& config);

// `schemagate fleet status`: how far the fleet is.
int run_fleet_status(const GateConfig& config);

// `schemagate wait --fleet`: until every tenant is at the target (docs/fleet.md).
int run_fleet_wait(const GateConfig& config);

}  // namespace schemagate
