// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <string>
#include <vector>

#include "migration_version.h"
#include "tenant_target.h"

namespace schemagate {

// `schemagate fleet status`: every tenant's state read (read-only, one connection to the
// control database for schema tenants, one at a time for database tenants): tenants per
// version, at the target, failed (tenant, version, file, line, SQLSTATE), dirty, in progress
// (a live lease), not started. Text or one JSON document on standard output. Returns 0, or with
// `exit_code`: 1 when some failed or are dirty, 2 when some are behind, else 0.
int run_fleet_status(const TenantTargets& targets, const std::vector<std::string>& tenants,
                     const MigrationVersion& target, bool json, bool exit_code, Millis timeout);

}  // namespace schemagate
