// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace schemagate {

// Which of the fleet's N shards this process is (docs/fleet.md, "Which shard does what").
struct Shard {
    int index = 0;
    int count = 1;
};

// "I/N" with 0 <= I < N; nullopt when malformed.
std::optional<Shard> parse_shard(const std::string& text);

// The shard from --shard (`flag`, may be empty), else from an Indexed Job's
// JOB_COMPLETION_INDEX (`job_index`, may be empty) with --shards (`shards`, 0: not given), else
// 0/1. Throws FatalError(kBadInput) naming the flag or variable.
Shard choose_shard(const std::string& flag, const std::string& job_index, int shards);

// A tenant's home shard: FNV-1a-64 of its name mod `count`. Depends on nothing else, so
// adding tenants never moves one.
int home_shard(const std::string& tenant, int count);

// One tenant to try, in order, and whether this shard is its home.
struct ShardWork {
    std::string tenant;
    bool home = false;
};

// This shard's tenants in list order, then (stealing) every other shard's tenants from the end
// of that shard's list, shard after shard, so that a stealer meets a home shard in the middle.
std::vector<ShardWork> shard_order(const std::vector<std::string>& tenants, const Shard& shard,
                                   bool steal);

// Sessions per shard within the fleet's connection budget: min(asked, budget / (shards *
// per_session)). 0 when the budget cannot give every shard one session.
int sessions_within_budget(int asked, int shards, int per_session, int budget);

}  // namespace schemagate
