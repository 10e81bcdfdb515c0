// SPDX-License-Identifier: Apache-2.0
// The fleet's pure parts: tenant lists and names, templates, shards, stealing order and the
// connection budget (docs/fleet.md).
#include "fleet_shard.h"

#include <gtest/gtest.h>

#include <set>

#include "errors.h"
#include "tenant_names.h"

namespace schemagate {
namespace {

TEST(TenantList, SkipsCommentsBlanksAndDuplicatesAndNamesTheBadLine) {
    EXPECT_EQ(parse_tenant_list("# tenants\n\n acme \nglobex\r\nacme\n", "f"),
              (std::vector<std::string>{"acme", "globex"}));
    try {
        parse_tenant_list("acme\nnot a name\n", "--tenants-file t.txt");
        FAIL() << "accepted a name with spaces";
    } catch (const FatalError& e) {
        EXPECT_EQ(e.code(), ExitCode::kBadInput);
        EXPECT_NE(std::string(e.what()).find("--tenants-file t.txt:2:"), std::string::npos);
    }
    EXPECT_THROW(parse_tenant_list("# only a comment\n", "f"), FatalError);
    EXPECT_TRUE(tenant_name_problem(std::string(64, 'a')));
    EXPECT_FALSE(tenant_name_problem(std::string(63, 'a')));
    EXPECT_TRUE(tenant_name_problem("a\"b"));
    EXPECT_THROW(checked_tenants({"a", "b\nc"}, "--tenants-query"), FatalError);
}

TEST(TenantList, ExpandsEveryPlaceholder) {
    EXPECT_EQ(expand_tenant("tenant_{tenant}", "acme"), "tenant_acme");
    EXPECT_EQ(expand_tenant("{tenant}-{tenant}", "x"), "x-x");
    EXPECT_EQ(expand_tenant("none", "x"), "none");
}

TEST(Shards, ParseAndChooseFromTheIndexedJob) {
    EXPECT_EQ(parse_shard("2/4")->index, 2);
    EXPECT_FALSE(parse_shard("4/4"));
    EXPECT_FALSE(parse_shard("1/0"));
    EXPECT_FALSE(parse_shard("-1/3"));
    EXPECT_FALSE(parse_shard("1/3x"));
    EXPECT_EQ(choose_shard("", "3", 5).index, 3);
    EXPECT_EQ(choose_shard("", "", 0).count, 1);
    EXPECT_THROW(choose_shard("", "3", 0), FatalError);  // completions unknown
    EXPECT_THROW(choose_shard("", "5", 5), FatalError);
    EXPECT_THROW(choose_shard("1/2", "", 3), FatalError);
    EXPECT_THROW(choose_shard("", "", 3), FatalError);
}

TEST(Shards, HomeIsStableWhenTenantsAreAddedAndSpreads) {
    std::vector<std::string> tenants;
    for (int i = 0; i < 1000; ++i) tenants.push_back("t" + std::to_string(i));
    std::vector<int> counts(4, 0);
    for (const auto& t : tenants) ++counts[static_cast<std::size_t>(home_shard(t, 4))];
    for (const int n : counts) EXPECT_GT(n, 200);
    // Adding tenants moves none: each shard's home list only grows.
    auto more = tenants;
    more.emplace_back("newcomer");
    for (int s = 0; s < 4; ++s) {
        std::set<std::string> before, after;
        for (const auto& w : shard_order(tenants, {s, 4}, false)) before.insert(w.tenant);
        for (const auto& w : shard_order(more, {s, 4}, false)) after.insert(w.tenant);
        for (const auto& t : before) EXPECT_TRUE(after.count(t));
    }
}

TEST(Shards, OwnTenantsFirstThenEveryOtherFromTheEnd) {
    const std::vector<std::string> tenants{"a", "b", "c", "d", "e", "f", "g", "h"};
    const Shard shard{0, 2};
    const auto order = shard_order(tenants, shard, true);
    ASSERT_EQ(order.size(), tenants.size());
    std::vector<std::string> others;
    for (const auto& t : tenants) {
        if (home_shard(t, 2) == 1) others.push_back(t);
    }
    std::size_t at = 0;
    while (at < order.size() && order[at].home) {
        EXPECT_EQ(home_shard(order[at].tenant, 2), 0);
        ++at;
    }
    ASSERT_EQ(order.size() - at, others.size());
    for (std::size_t i = 0; i < others.size(); ++i) {
        EXPECT_FALSE(order[at + i].home);
        EXPECT_EQ(order[at + i].tenant, others[others.size() - 1 - i]);
    }
    EXPECT_EQ(shard_order(tenants, shard, false).size(), at);
}

TEST(Shards, ConnectionBudgetClampsSessions) {
    EXPECT_EQ(sessions_within_budget(8, 4, 3, 60), 5);  // 4 x 5 x 3 = 60
    EXPECT_EQ(sessions_within_budget(2, 4, 3, 60), 2);
    EXPECT_EQ(sessions_within_budget(8, 4, 3, 11), 0);  // not even one session per shard
    EXPECT_EQ(sessions_within_budget(16, 100, 2, 1000), 5);
}

}  // namespace
}  // namespace schemagate
