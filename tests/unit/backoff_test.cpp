// SPDX-License-Identifier: Apache-2.0
#include "backoff.h"

#include <gtest/gtest.h>

#include <set>

namespace schemagate {
namespace {

struct FakeClock {
    TimePoint now{};
    NowFunction function() {
        return [this] { return now; };
    }
};

TEST(Backoff, GrowsWithJitterAndStaysUnderTheCap) {
    Backoff backoff(Millis{100}, Millis{1000}, 42);
    Millis step{100};
    for (int i = 0; i < 20; ++i) {
        const Millis delay = backoff.next();
        EXPECT_GE(delay, step / 2) << "attempt " << i;
        EXPECT_LE(delay, step) << "attempt " << i;
        step = std::min(step * 2, Millis{1000});
    }
}

TEST(Backoff, JitterSpreadsAHerd) {
    // A hundred pods failing at the same instant must not retry at the same instant.
    std::set<Millis::rep> third_delays;
    for (std::uint64_t seed = 0; seed < 100; ++seed) {
        Backoff backoff(Millis{100}, Millis{10'000}, seed);
        backoff.next();
        backoff.next();
        third_delays.insert(backoff.next().count());
    }
    EXPECT_GT(third_delays.size(), 50u);
}

TEST(Backoff, ResetStartsOver) {
    Backoff backoff(Millis{100}, Millis{5000}, 7);
    for (int i = 0; i < 10; ++i) backoff.next();
    backoff.reset();
    EXPECT_LE(backoff.next(), Millis{100});
}

TEST(Deadline, CountsDownWithTheInjectedClock) {
    FakeClock clock;
    const Deadline deadline(Millis{1000}, clock.function());
    EXPECT_FALSE(deadline.passed());
    EXPECT_EQ(deadline.remaining(), Millis{1000});
    clock.now += Millis{400};
    EXPECT_EQ(deadline.remaining(), Millis{600});
    clock.now += Millis{600};
    EXPECT_TRUE(deadline.passed());
    EXPECT_EQ(deadline.remaining(), Millis{0});
    clock.now += Millis{600};
    EXPECT_EQ(deadline.remaining(), Millis{0});
}

TEST(Deadline, NextWaitNeverOvershootsTheDeadline) {
    FakeClock clock;
    const Deadline deadline(Millis{150}, clock.function());
    Backoff backoff(Millis{1000}, Millis{1000}, 1);
    EXPECT_EQ(next_wait(backoff, deadline), Millis{150});
    clock.now += Millis{150};
    EXPECT_EQ(next_wait(backoff, deadline), Millis{0});
}

}  // namespace
}  // namespace schemagate
