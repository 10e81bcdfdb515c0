// SPDX-License-Identifier: Apache-2.0
#include "lock_retry.h"

#include <utility>

namespace schemagate {

LockRetryPolicy::LockRetryPolicy(int retries, Deadline deadline, Backoff backoff)
    : retries_(retries), deadline_(std::move(deadline)), backoff_(backoff) {}

LockRetry LockRetryPolicy::after_lock_timeout() {
    ++failed_attempts_;
    if (failed_attempts_ > retries_) {
        return {LockRetry::Verdict::kOutOfAttempts, Millis{0}, failed_attempts_};
    }
    const Millis wait = backoff_.next();
    // An attempt that would start at the deadline could not get anywhere before it.
    if (wait >= deadline_.remaining()) {
        return {LockRetry::Verdict::kOutOfTime, Millis{0}, failed_attempts_};
    }
    return {LockRetry::Verdict::kRetry, wait, failed_attempts_};
}

void LockRetryPolicy::succeeded() {
    failed_attempts_ = 0;
    backoff_.reset();
}

}  // namespace schemagate
