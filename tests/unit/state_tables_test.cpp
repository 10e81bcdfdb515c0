// SPDX-License-Identifier: Apache-2.0
#include "state_tables.h"

#include <gtest/gtest.h>

namespace schemagate {
namespace {

MigrationVersion version(const char* text) {
    return *MigrationVersion::parse(text);
}

TEST(StateTables, EveryEventReadsBackAsWritten) {
    const StateChange changes[] = {
        {StateEvent::kApplied, version("2.0.10")},
        {StateEvent::kRepeatable, {}},
        {StateEvent::kReleased, {}},
        {StateEvent::kRepaired, {}},
        {StateEvent::kFailed, {}},
        {StateEvent::kRetry, {}},
    };
    for (const auto& change : changes) {
        const auto read = parse_change("orders", change_payload("orders", change));
        ASSERT_TRUE(read.has_value()) << change_payload("orders", change);
        EXPECT_EQ(read->event, change.event);
        EXPECT_EQ(read->version, change.version);
    }
}

TEST(StateTables, PayloadsAreTheWireFormatOlderGatesAndSidecarsRead) {
    EXPECT_EQ(change_payload("default", {StateEvent::kApplied, version("7")}), "default:7");
    EXPECT_EQ(change_payload("default", {StateEvent::kReleased, {}}), "default:released");
    EXPECT_EQ(change_payload("a:b", {StateEvent::kRepaired, {}}), "a:b:repaired");
}

TEST(StateTables, AnotherSetsOrUnknownPayloadIsNoChangeOfOurs) {
    EXPECT_FALSE(parse_change("orders", "billing:7"));
    EXPECT_FALSE(parse_change("orders", "orders2:7"));
    EXPECT_FALSE(parse_change("orders", "orders:"));
    EXPECT_FALSE(parse_change("orders", "orders"));
    EXPECT_FALSE(parse_change("orders", "orders:exploded"));
    EXPECT_FALSE(parse_change("a", "a:b:released"));
}

TEST(StateTables, TableNamesAreTheOnesInTheStateSchema) {
    EXPECT_EQ(table_name(StateTable::kLease), "lease");
    EXPECT_EQ(table_name(StateTable::kHistory), "history");
    EXPECT_EQ(table_name(StateTable::kFailure), "failure");
    EXPECT_EQ(table_name(StateTable::kBatchProgress), "batch_progress");
    EXPECT_EQ(table_name(StateTable::kRepeatable), "repeatable");
    EXPECT_EQ(table_name(StateTable::kAdoption), "adoption");
}

}  // namespace
}  // namespace schemagate
