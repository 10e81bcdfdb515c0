// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <random>

#include "duration.h"
#include "random_bytes.h"

namespace schemagate {

using SteadyClock = std::chrono::steady_clock;
using TimePoint = SteadyClock::time_point;
// Injected wherever a decision depends on time, so unit tests run in microseconds.
using NowFunction = std::function<TimePoint()>;

// A point in time after which the whole run gives up (--timeout). Not thread-safe to mutate;
// copies are cheap.
class Deadline {
  public:
    Deadline(Millis budget, NowFunction now = SteadyClock::now);
    bool passed() const;
    Millis remaining() const;  // zero once passed
    Millis budget() const { return budget_; }

  private:
    Millis budget_;
    NowFunction now_;
    TimePoint at_;
};

// Exponential backoff with "equal jitter": each delay is half the current step plus a random
// part of the other half. The jitter keeps a hundred pods that failed together from retrying
// together; the fixed half keeps a single pod from spinning. Not thread-safe.
class Backoff {
  public:
    Backoff(Millis initial, Millis cap, std::uint64_t seed = random_seed());
    Millis next();
    void reset();

  private:
    Millis initial_;
    Millis cap_;
    Millis step_;
    std::mt19937_64 random_;
};

// The delay before the next attempt: the backoff's next step, but never past the deadline.
Millis next_wait(Backoff& backoff, const Deadline& deadline);

}  // namespace schemagate
