// SPDX-License-Identifier: Apache-2.0
#include "fleet_bootstrap.h"

#include "db_failure.h"
#include "gate_connection.h"
#include "state_store.h"

namespace schemagate {

void prepare_fleet(const TenantTargets& targets, const std::vector<std::string>& tenants,
                   const StateLocation& state, const Deadline& deadline) {
    // Database tenants bootstrap their own state, and ask for no server settings.
    if (tenants.empty() || targets.per_database()) return;
    // A tenant's own options: the first connection asking for server settings is the one that
    // learns the server's version (core/connection.cpp).
    GateConnection db(targets.of(tenants.front()).connect, deadline);
    translate_db_errors([&] { StateStore(state).bootstrap(db.get()); });
}

}  // namespace schemagate
