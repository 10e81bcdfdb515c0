// SPDX-License-Identifier: Apache-2.0
#include "migration_failure.h"

#include <gtest/gtest.h>

namespace schemagate {
namespace {

TEST(MigrationFailure, DeterministicFailuresAreRemembered) {
    for (const char* state : {"42601", "42P01", "42P07", "42501", "23505", "23503", "22012",
                              "22P02", "0A000", "P0001", "3F000", "2BP01"}) {
        EXPECT_TRUE(is_deterministic_failure(state)) << state;
    }
}

TEST(MigrationFailure, FailuresOfTheMomentAreNot) {
    // lock timeout, statement timeout/cancel, deadlock, serialization, shutdown, disk full,
    // out of memory, too many connections, idle-in-transaction timeout, internal error.
    for (const char* state : {"55P03", "57014", "40P01", "40001", "57P01", "53100", "53200",
                              "53300", "25P03", "XX000", "08006", "", "SGLST"}) {
        EXPECT_FALSE(is_deterministic_failure(state)) << state;
    }
}

}  // namespace
}  // namespace schemagate
