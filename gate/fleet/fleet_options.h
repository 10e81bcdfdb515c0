// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <string>

#include "duration.h"

namespace schemagate {

// What `schemagate fleet` reads from the command line beyond migrate's own flags
// (docs/fleet.md).
struct FleetOptions {
    std::string tenants_file;          // --tenants-file: one tenant per line
    std::string tenants_query;         // --tenants-query: SQL on the control database, a row each
    std::string tenant_schema;         // --tenant-schema: the schema template, with {tenant}
    std::string tenant_url;            // --tenant-url: the database URL template; a secret
    std::string tenant_url_file;       // --tenant-url-file: the same from a mounted Secret
    std::string shard;                 // --shard I/N
    int shards = 0;                    // --shards: the Indexed Job's completions
    int parallel = 4;                  // --parallel: sessions (threads) per shard
    int connection_budget = 60;        // --connection-budget: the whole fleet's connections
    bool steal = true;                 // --no-steal turns it off
    bool retry_failed = false;         // --retry-failed
    Millis progress_interval{10'000};  // --progress-interval
};

}  // namespace schemagate
