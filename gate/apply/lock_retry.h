// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "backoff.h"

namespace schemagate {

// What to do after a migration, or one batch of it, hit its lock timeout and was rolled back.
struct LockRetry {
    enum class Verdict {
        kRetry,          // wait `wait`, then try it again
        kOutOfAttempts,  // --lock-retries retries in a row all hit the lock timeout
        kOutOfTime,      // the wait would end at or past the deadline (--timeout)
    };
    Verdict verdict = Verdict::kRetry;
    Millis wait{0};
    int failed_attempts = 0;  // lock timeouts in a row, this one included
};

// The one lock-timeout retry policy of the runner, for whole migrations and for batches alike:
// up to `retries` retries in a row, each after a jittered backoff (a hundred pods blocked by
// the same session do not come back at once), and never a wait that ends past the deadline.
// Pure: time comes from the deadline's clock, randomness from the backoff. Not thread-safe.
class LockRetryPolicy {
  public:
    static constexpr Millis kFirstWait{200};
    static constexpr Millis kLongestWait{5000};

    LockRetryPolicy(int retries, Deadline deadline,
                    Backoff backoff = Backoff(kFirstWait, kLongestWait));

    // Called after each lock timeout.
    LockRetry after_lock_timeout();
    // Called when an attempt got its locks: the next lock timeout starts a new count.
    void succeeded();

    const Deadline& deadline() const { return deadline_; }

  private:
    int retries_;
    Deadline deadline_;
    Backoff backoff_;
    int failed_attempts_ = 0;
};

}  // namespace schemagate
