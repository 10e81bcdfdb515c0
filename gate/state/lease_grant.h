// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstdint>
#include <string>

namespace schemagate {

// What proves one acquisition of the lease. `token` is the counter people read (logs, status,
// history): it grows by one at every acquisition on one server, but a failover to a standby
// that missed the last acquisitions hands the same number out again. `id` is drawn at random
// by the acquiring gate and stored in the lease row with it: no two acquisitions share it,
// whatever a server forgets, so every fence, renewal and release matches both.
struct LeaseGrant {
    std::int64_t token = 0;
    std::string id;  // 32 hex digits (128 random bits)
};

// A fresh id for an acquisition, from the operating system's random source.
std::string new_lease_id();

}  // namespace schemagate
