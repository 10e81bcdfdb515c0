// SPDX-License-Identifier: Apache-2.0
#include "secret_scrubber.h"

#include <gtest/gtest.h>

namespace schemagate {
namespace {

TEST(SecretScrubber, ReplacesEveryOccurrence) {
    register_secret("hunter2-xyz");
    EXPECT_EQ(scrub("a hunter2-xyz b hunter2-xyz"), "a *** b ***");
    EXPECT_EQ(scrub("nothing secret"), "nothing secret");
}

TEST(SecretScrubber, IgnoresTooShortSecrets) {
    register_secret("a");
    EXPECT_EQ(scrub("banana"), "banana");
}

}  // namespace
}  // namespace schemagate
