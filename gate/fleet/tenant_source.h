// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <string>
#include <vector>

#include "backoff.h"
#include "connection.h"
#include "fleet_options.h"

namespace schemagate {

// The tenants: --tenants-file, or --tenants-query run in a read-only transaction on the
// control database (its first column, one row per tenant). Exactly one of them; every name
// checked (tenant_names.h). Throws FatalError(kBadInput) naming the flag.
std::vector<std::string> read_tenants(const FleetOptions& options, const ConnectOptions& control,
                                      const Deadline& deadline);

}  // namespace schemagate
