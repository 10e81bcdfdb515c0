// SPDX-License-Identifier: Apache-2.0
#include "duration.h"

#include <gtest/gtest.h>

namespace schemagate {
namespace {

TEST(Duration, ParsesEveryUnitAndCombinations) {
    EXPECT_EQ(parse_duration("500ms"), Millis{500});
    EXPECT_EQ(parse_duration("30s"), Millis{30'000});
    EXPECT_EQ(parse_duration("10m"), Millis{600'000});
    EXPECT_EQ(parse_duration("1h"), Millis{3'600'000});
    EXPECT_EQ(parse_duration("1m30s"), Millis{90'000});
    EXPECT_EQ(parse_duration("0"), Millis{0});
}

TEST(Duration, RejectsGarbageInsteadOfGuessing) {
    for (const char* bad : {"", "30", "30x", "s", "-5s", "5 s", "1.5s", "10mm",
                            "99999999999999999h", "310121011101h2310121011101h211h11h",
                            "2562047788015h", "8761h", "99999999999999999999ms"}) {
        EXPECT_FALSE(parse_duration(bad).has_value()) << bad;
    }
}

TEST(Duration, FormatsShortestExactSpelling) {
    EXPECT_EQ(format_duration(Millis{0}), "0s");
    EXPECT_EQ(format_duration(Millis{90'000}), "1m30s");
    EXPECT_EQ(format_duration(Millis{250}), "250ms");
    EXPECT_EQ(format_duration(Millis{3'600'000}), "1h");
    EXPECT_EQ(parse_duration(format_duration(Millis{3'723'004})), Millis{3'723'004});
}

}  // namespace
}  // namespace schemagate
