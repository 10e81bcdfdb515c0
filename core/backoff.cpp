// SPDX-License-Identifier: Apache-2.0
#include "backoff.h"

#include <algorithm>

namespace schemagate {

Deadline::Deadline(Millis budget, NowFunction now)
    : budget_(budget), now_(std::move(now)), at_(now_() + budget) {}

bool Deadline::passed() const {
    return now_() >= at_;
}

Millis Deadline::remaining() const {
    // Rounded up: a wait of remaining() must not end before the deadline, or the caller looks
    // once more just before it passes.
    const auto left = std::chrono::ceil<Millis>(at_ - now_());
    return std::max(left, Millis{0});
}

Backoff::Backoff(Millis initial, Millis cap, std::uint64_t seed)
    : initial_(std::max(initial, Millis{1})),
      cap_(std::max(cap, initial_)),
      step_(initial_),
      random_(seed) {}

Millis Backoff::next() {
    const auto half = step_.count() / 2;
    std::uniform_int_distribution<Millis::rep> jitter(0, step_.count() - half);
    const Millis delay{half + jitter(random_)};
    step_ = std::min(step_ * 2, cap_);
    return delay;
}

void Backoff::reset() {
    step_ = initial_;
}

Millis next_wait(Backoff& backoff, const Deadline& deadline) {
    return std::min(backoff.next(), deadline.remaining());
}

}  // namespace schemagate
