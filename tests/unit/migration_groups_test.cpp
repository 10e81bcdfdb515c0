// SPDX-License-Identifier: Apache-2.0
#include "migration_groups.h"

#include <gtest/gtest.h>

#include <set>
#include <vector>

namespace schemagate {
namespace {

enum class Kind { kTransaction, kNoTransaction, kBatch, kChecked };

// One migration per kind, versions 1, 2, 3, ... in order.
std::vector<Migration> migrations(std::initializer_list<Kind> kinds) {
    std::vector<Migration> out;
    for (const Kind kind : kinds) {
        Migration migration;
        migration.version = *MigrationVersion::parse(std::to_string(out.size() + 1));
        migration.no_transaction = kind == Kind::kNoTransaction;
        if (kind == Kind::kBatch) migration.batch = BatchOptions{};
        if (kind == Kind::kChecked) migration.checks.push_back({});
        out.push_back(std::move(migration));
    }
    return out;
}

// The groups as [first, end) pairs, with the versions in `failed` failed before.
std::vector<std::pair<std::size_t, std::size_t>> groups(const std::vector<Migration>& all,
                                                        std::set<std::string> failed = {}) {
    std::vector<const Migration*> pending;
    for (const auto& migration : all) pending.push_back(&migration);
    std::vector<std::pair<std::size_t, std::size_t>> out;
    for (std::size_t next = 0; next < pending.size();) {
        const std::size_t end = group_end(pending, next, [&](const Migration& migration) {
            return failed.contains(migration.version.text());
        });
        out.emplace_back(next, end);
        next = end;
    }
    return out;
}

using Groups = std::vector<std::pair<std::size_t, std::size_t>>;

TEST(MigrationGroups, TransactionalMigrationsTravelTogether) {
    const auto all = migrations({Kind::kTransaction, Kind::kTransaction, Kind::kTransaction});
    EXPECT_EQ(groups(all), (Groups{{0, 3}}));
}

TEST(MigrationGroups, EachOtherKindGoesAlone) {
    const auto all =
        migrations({Kind::kTransaction, Kind::kNoTransaction, Kind::kTransaction, Kind::kBatch,
                    Kind::kChecked, Kind::kTransaction, Kind::kTransaction});
    EXPECT_EQ(groups(all), (Groups{{0, 1}, {1, 2}, {2, 3}, {3, 4}, {4, 5}, {5, 7}}));
}

TEST(MigrationGroups, OneThatFailedBeforeStartsAGroupOfItsOwn) {
    const auto all = migrations(
        {Kind::kTransaction, Kind::kTransaction, Kind::kTransaction, Kind::kTransaction});
    // The ones before it still run together; it comes first in its group, to be refused there.
    EXPECT_EQ(groups(all, {"3"}), (Groups{{0, 2}, {2, 4}}));
    EXPECT_EQ(groups(all, {"1"}), (Groups{{0, 4}}));
}

TEST(MigrationGroups, OnlyChainableMigrationsAreChainable) {
    const auto all =
        migrations({Kind::kTransaction, Kind::kNoTransaction, Kind::kBatch, Kind::kChecked});
    EXPECT_TRUE(chainable(all[0]));
    EXPECT_FALSE(chainable(all[1]));
    EXPECT_FALSE(chainable(all[2]));
    EXPECT_FALSE(chainable(all[3]));
}

}  // namespace
}  // namespace schemagate
