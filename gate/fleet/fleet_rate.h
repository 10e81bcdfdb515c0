// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <map>
#include <optional>
#include <pqxx/connection>
#include <string>
#include <vector>

#include "duration.h"
#include "migration_version.h"
#include "state_tables.h"

namespace schemagate {

// How far back `fleet status` looks for its rate: long enough to smooth a run's pace, short
// enough that a run that stopped an hour ago shows no rate at all.
constexpr Millis kFleetRateWindow{10 * 60 * 1000};

// The migration sets of the state schema `where` names that first reached `target` within
// `window`, with how many seconds ago (the database's clock): one query on the history.
// Empty when the state tables do not exist.
std::map<std::string, double> recent_arrivals(pqxx::connection& connection,
                                              const StateLocation& where,
                                              const MigrationVersion& target, Millis window);

struct FleetRate {
    std::size_t reached = 0;    // tenants that reached the target within the window
    double per_minute = 0;      // reached / the time since the first of them arrived
    std::size_t remaining = 0;  // tenants the ETA is for
    double eta_seconds = 0;     // the remaining at that pace
};

// Pure: the pace from each recent arrival's age, and the time `remaining` tenants take at it.
// nullopt without a recent arrival (no pace to extrapolate).
std::optional<FleetRate> fleet_rate(const std::vector<double>& seconds_ago, std::size_t remaining);

}  // namespace schemagate
