// SPDX-License-Identifier: Apache-2.0
#include "fleet_shard.h"

#include <algorithm>
#include <charconv>

#include "errors.h"

namespace schemagate {

namespace {

std::optional<int> whole_number(std::string_view text) {
    int value = 0;
    const auto* end = text.data() + text.size();
    const auto [ptr, ec] = std::from_chars(text.data(), end, value);
    if (text.empty() || ec != std::errc() || ptr != end || value < 0) return std::nullopt;
    return value;
}

// An Indexed Job allows up to 100,000 completions; more shards than that is a typo.
constexpr int kMostShards = 100'000;

}  // namespace

std::optional<Shard> parse_shard(const std::string& text) {
    const auto slash = text.find('/');
    if (slash == std::string::npos) return std::nullopt;
    const auto index = whole_number(std::string_view(text).substr(0, slash));
    const auto count = whole_number(std::string_view(text).substr(slash + 1));
    if (!index || !count || *count < 1 || *count > kMostShards || *index >= *count) {
        return std::nullopt;
    }
    return Shard{*index, *count};
}

Shard choose_shard(const std::string& flag, const std::string& job_index, int shards) {
    if (!flag.empty()) {
        const auto shard = parse_shard(flag);
        if (!shard) {
            throw FatalError(ExitCode::kBadInput,
                             "--shard: '" + flag + "' is not I/N with 0 <= I < N <= 100000");
        }
        if (shards != 0 && shards != shard->count) {
            throw FatalError(ExitCode::kBadInput, "--shard: N differs from --shards");
        }
        return *shard;
    }
    if (job_index.empty()) {
        if (shards > 1) {
            throw FatalError(ExitCode::kBadInput,
                             "--shards: needs JOB_COMPLETION_INDEX (an Indexed Job) or --shard");
        }
        return {};
    }
    const auto index = whole_number(job_index);
    if (!index) {
        throw FatalError(ExitCode::kBadInput,
                         "JOB_COMPLETION_INDEX: '" + job_index + "' is not a number");
    }
    if (shards < 1 || shards > kMostShards) {
        throw FatalError(ExitCode::kBadInput,
                         "--shards: JOB_COMPLETION_INDEX is set; say how many shards (the "
                         "Job's completions) with --shards or SCHEMAGATE_SHARDS");
    }
    if (*index >= shards) {
        throw FatalError(ExitCode::kBadInput, "JOB_COMPLETION_INDEX: " + job_index +
                                                  " is not below --shards " +
                                                  std::to_string(shards));
    }
    return Shard{*index, shards};
}

int home_shard(const std::string& tenant, int count) {
    std::uint64_t hash = 14695981039346656037ULL;
    for (const char c : tenant) {
        hash ^= static_cast<std::uint8_t>(c);
        hash *= 1099511628211ULL;
    }
    return static_cast<int>(hash % static_cast<std::uint64_t>(std::max(count, 1)));
}

std::vector<ShardWork> shard_order(const std::vector<std::string>& tenants, const Shard& shard,
                                   bool steal) {
    std::vector<std::vector<const std::string*>> by_shard(static_cast<std::size_t>(shard.count));
    for (const auto& tenant : tenants) {
        by_shard[static_cast<std::size_t>(home_shard(tenant, shard.count))].push_back(&tenant);
    }
    std::vector<ShardWork> order;
    for (const auto* tenant : by_shard[static_cast<std::size_t>(shard.index)]) {
        order.push_back({*tenant, true});
    }
    if (!steal) return order;
    // The next shard first: neighbours' work spreads over different stealers.
    for (int step = 1; step < shard.count; ++step) {
        const auto other = static_cast<std::size_t>((shard.index + step) % shard.count);
        const auto& theirs = by_shard[other];
        for (std::size_t i = theirs.size(); i-- > 0;) order.push_back({*theirs[i], false});
    }
    return order;
}

int sessions_within_budget(int asked, int shards, int per_session, int budget) {
    const long per_shard = static_cast<long>(shards) * per_session;
    if (per_shard <= 0) return 0;
    return static_cast<int>(std::min<long>(asked, budget / per_shard));
}

}  // namespace schemagate
