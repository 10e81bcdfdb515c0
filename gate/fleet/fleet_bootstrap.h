// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <string>
#include <vector>

#include "backoff.h"
#include "tenant_target.h"

namespace schemagate {

// Before a shard's sessions start, on one connection that is closed after: schema tenants'
// state tables created in the state schema (under the bootstrap's own advisory lock, so the
// shards starting together do not collide), and the server's version learnt, so that no
// session's first connection is made twice (the connection budget holds from the start).
void prepare_fleet(const TenantTargets& targets, const std::vector<std::string>& tenants,
                   const StateLocation& state, const Deadline& deadline);

}  // namespace schemagate
