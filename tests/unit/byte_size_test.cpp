// SPDX-License-Identifier: Apache-2.0
#include "byte_size.h"

#include <gtest/gtest.h>

namespace schemagate {
namespace {

TEST(ByteSize, ParsesBinaryUnitsAndBareBytes) {
    EXPECT_EQ(parse_byte_size("16MiB"), 16U << 20);
    EXPECT_EQ(parse_byte_size("16Mi"), 16U << 20);
    EXPECT_EQ(parse_byte_size("512KiB"), 512U << 10);
    EXPECT_EQ(parse_byte_size("512Ki"), 512U << 10);
    EXPECT_EQ(parse_byte_size("1GiB"), 1U << 30);
    EXPECT_EQ(parse_byte_size("2Gi"), std::uint64_t{2} << 30);
    EXPECT_EQ(parse_byte_size("20000000"), 20'000'000U);
    EXPECT_EQ(parse_byte_size("100B"), 100U);
}

TEST(ByteSize, RefusesWhatCouldBeMisread) {
    for (const char* text : {"", "MiB", "16MB", "16mb", "16 MiB", "1.5MiB", "-1", "16MiBs",
                             "99999999999999999999", "1125899906842625", "1048577GiB"}) {
        EXPECT_FALSE(parse_byte_size(text).has_value()) << text;
    }
}

TEST(ByteSize, FormatsExactUnitsAndOtherSizesInBytes) {
    EXPECT_EQ(format_byte_size(16U << 20), "16MiB");
    EXPECT_EQ(format_byte_size(1U << 30), "1GiB");
    EXPECT_EQ(format_byte_size(1536), "1536 bytes (1.5 KiB)");
    EXPECT_EQ(format_byte_size(20'000'027), "20000027 bytes (19.1 MiB)");
}

}  // namespace
}  // namespace schemagate
