// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <pqxx/connection>

#include "adoption.h"
#include "lease.h"
#include "state_store.h"

namespace schemagate {

// Writes `adoption` (adopt, baseline, migrate --baseline-version) in one transaction fenced by
// `grant`; false when this set has history already (someone else got there first), and then
// writes nothing.
bool write_adoption(pqxx::connection& connection, const StateStore& store, const Lease& lease,
                    const LeaseGrant& grant, const Adoption& adoption);

}  // namespace schemagate
