// SPDX-License-Identifier: Apache-2.0
#include "lock_retry.h"

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

using Verdict = LockRetry::Verdict;

TEST(LockRetryPolicy, RetriesAsOftenAsAskedThenGivesUp) {
    const Deadline deadline(Millis{3'600'000});
    LockRetryPolicy policy(3, deadline, Backoff(Millis{100}, Millis{1000}, 1));
    for (int attempt = 1; attempt <= 3; ++attempt) {
        const LockRetry retry = policy.after_lock_timeout();
        EXPECT_EQ(retry.verdict, Verdict::kRetry) << attempt;
        EXPECT_EQ(retry.failed_attempts, attempt);
    }
    const LockRetry last = policy.after_lock_timeout();
    EXPECT_EQ(last.verdict, Verdict::kOutOfAttempts);
    EXPECT_EQ(last.failed_attempts, 4);
}

TEST(LockRetryPolicy, NoRetriesMeansTheFirstLockTimeoutIsTheLast) {
    const Deadline deadline(Millis{3'600'000});
    LockRetryPolicy policy(0, deadline);
    EXPECT_EQ(policy.after_lock_timeout().verdict, Verdict::kOutOfAttempts);
}

TEST(LockRetryPolicy, WaitsGrowWithJitterUnderTheCap) {
    const Deadline deadline(Millis{3'600'000});
    LockRetryPolicy policy(20, deadline, Backoff(Millis{100}, Millis{1000}, 7));
    Millis step{100};
    for (int attempt = 1; attempt <= 20; ++attempt) {
        const Millis wait = policy.after_lock_timeout().wait;
        EXPECT_GE(wait, step / 2) << attempt;
        EXPECT_LE(wait, step) << attempt;
        step = std::min(step * 2, Millis{1000});
    }
}

TEST(LockRetryPolicy, JitterSpreadsGatesBlockedTogether) {
    std::set<Millis::rep> third_waits;
    const Deadline deadline(Millis{3'600'000});
    for (std::uint64_t seed = 0; seed < 100; ++seed) {
        LockRetryPolicy policy(5, deadline, Backoff(Millis{200}, Millis{5000}, seed));
        policy.after_lock_timeout();
        policy.after_lock_timeout();
        third_waits.insert(policy.after_lock_timeout().wait.count());
    }
    EXPECT_GT(third_waits.size(), 50u);
}

TEST(LockRetryPolicy, ASuccessStartsTheCountAndTheBackoffOver) {
    const Deadline deadline(Millis{3'600'000});
    LockRetryPolicy policy(2, deadline, Backoff(Millis{100}, Millis{5000}, 3));
    policy.after_lock_timeout();
    policy.after_lock_timeout();
    policy.succeeded();
    const LockRetry retry = policy.after_lock_timeout();
    EXPECT_EQ(retry.verdict, Verdict::kRetry);
    EXPECT_EQ(retry.failed_attempts, 1);
    EXPECT_LE(retry.wait, Millis{100});
}

TEST(LockRetryPolicy, NeverWaitsPastTheDeadline) {
    FakeClock clock;
    const Deadline deadline(Millis{1000}, clock.function());
    LockRetryPolicy policy(1000, deadline, Backoff(Millis{100}, Millis{400}, 5));
    int retries = 0;
    for (;;) {
        const LockRetry retry = policy.after_lock_timeout();
        if (retry.verdict != Verdict::kRetry) {
            EXPECT_EQ(retry.verdict, Verdict::kOutOfTime);
            break;
        }
        ++retries;
        EXPECT_LT(retry.wait, deadline.remaining());
        clock.now += retry.wait + Millis{50};  // the wait, then an attempt up to its timeout
    }
    EXPECT_GT(retries, 1);
    EXPECT_LT(retries, 1000);
    EXPECT_FALSE(deadline.passed());
}

TEST(LockRetryPolicy, APassedDeadlineEndsRetriesAtOnce) {
    FakeClock clock;
    const Deadline deadline(Millis{1000}, clock.function());
    LockRetryPolicy policy(5, deadline);
    clock.now += Millis{1000};
    const LockRetry retry = policy.after_lock_timeout();
    EXPECT_EQ(retry.verdict, Verdict::kOutOfTime);
    EXPECT_EQ(retry.failed_attempts, 1);
}

}  // namespace
}  // namespace schemagate
