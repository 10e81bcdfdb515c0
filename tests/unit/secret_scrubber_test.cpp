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

TEST(SecretScrubber, AShortWordPasswordIsBlankedOnlyWhereItStandsAsACredential) {
    register_secret("lease");
    // Blanking the word everywhere would tell the reader what the password is.
    EXPECT_EQ(scrub("lease acquired (token 3)"), "lease acquired (token 3)");
    EXPECT_EQ(scrub("postgresql://app:lease@db/x"), "postgresql://app:***@db/x");
    EXPECT_EQ(scrub("password=lease host=db"), "password=*** host=db");
    EXPECT_EQ(scrub("password='lease'"), "password='***'");
    EXPECT_EQ(scrub("password=lease"), "password=***");
}

}  // namespace
}  // namespace schemagate
