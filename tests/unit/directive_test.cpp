// SPDX-License-Identifier: Apache-2.0
#include "directive.h"

#include <gtest/gtest.h>

namespace schemagate {
namespace {

TEST(Directive, NameAndArgumentsAfterTheMarker) {
    const auto directive = read_directive("  --  schemagate:batch  size=100 pause=1s  ");
    ASSERT_TRUE(directive);
    EXPECT_EQ(directive->name, "batch");
    EXPECT_EQ(directive->arguments, "size=100 pause=1s");
    const auto flag = read_directive("-- schemagate:no-transaction");
    ASSERT_TRUE(flag);
    EXPECT_EQ(flag->name, "no-transaction");
    EXPECT_EQ(flag->arguments, "");
}

TEST(Directive, SpacesAroundTheColonAsEarlierVersionsRead) {
    EXPECT_TRUE(read_directive("--schemagate: no-transaction"));
    EXPECT_TRUE(read_directive("--schemagate:no-transaction\t"));
}

TEST(Directive, AnythingElseIsAnOrdinaryComment) {
    EXPECT_FALSE(read_directive("-- schemagate"));
    EXPECT_FALSE(read_directive("-- schemagate:"));
    EXPECT_FALSE(read_directive("-- see schemagate:batch"));
    EXPECT_FALSE(read_directive("- schemagate:batch"));
    EXPECT_FALSE(read_directive("SELECT 1 -- schemagate:batch"));
    EXPECT_FALSE(read_directive("-- schemagate:batch;size=1"));
    EXPECT_FALSE(read_directive("/* schemagate:batch */"));
}

TEST(Directive, FirstLineOnlyAfterAByteOrderMark) {
    EXPECT_TRUE(
        has_first_line_flag("\xEF\xBB\xBF-- schemagate:transaction\nSELECT 1", "transaction"));
    EXPECT_TRUE(has_first_line_flag("-- schemagate:transaction\r\nSELECT 1", "transaction"));
    EXPECT_FALSE(has_first_line_flag("SELECT 1;\n-- schemagate:transaction", "transaction"));
    EXPECT_FALSE(has_first_line_flag("-- schemagate:transactions", "transaction"));
    EXPECT_FALSE(has_first_line_flag("-- schemagate:no-transaction", "transaction"));
    // A flag with words after it is not that flag.
    EXPECT_FALSE(has_first_line_flag("-- schemagate:transaction please", "transaction"));
    const auto batch = first_line_directive("-- schemagate:batch size=5\nUPDATE t SET x = 1");
    ASSERT_TRUE(batch);
    EXPECT_EQ(batch->arguments, "size=5");
}

}  // namespace
}  // namespace schemagate
