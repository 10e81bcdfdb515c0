// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

#include "hazard_state.h"
#include "schema_state.h"

namespace schemagate {

// Upper bounds (seconds) of the check-duration histogram: a healthy local read takes about a
// millisecond; the top buckets catch a database that is struggling.
inline constexpr std::array<double, 8> kCheckDurationBuckets = {0.001, 0.0025, 0.005, 0.01,
                                                                0.05,  0.1,    0.5,   1.0};

// What the watcher last learned, copied out whole for each probe.
struct SchemaSnapshot {
    bool ever_read = false;                                 // false until the first successful read
    SchemaState state;                                      // the last successful read
    HazardState hazards;                                    // read with it (hazard_metrics.h)
    std::chrono::steady_clock::time_point last_success{};   // steady: for the grace period
    std::chrono::steady_clock::time_point first_failure{};  // of the current outage
    bool database_up = false;                               // was the last check a success?
    std::string last_error;                                 // scrubbed, for the reason text
    double checked_at_unix = 0;  // wall clock of the last check, success or not

    std::uint64_t checks_ok = 0;
    std::uint64_t checks_error = 0;
    std::array<std::uint64_t, kCheckDurationBuckets.size()> duration_buckets{};  // cumulative
    std::uint64_t duration_count = 0;
    double duration_sum = 0;
};

}  // namespace schemagate
