// SPDX-License-Identifier: Apache-2.0
#include "random_bytes.h"

#include <sys/random.h>

#include <array>
#include <cerrno>
#include <chrono>
#include <cstring>

namespace schemagate {

bool fill_random(std::span<char> bytes, bool wait) {
    std::size_t filled = 0;
    while (filled < bytes.size()) {
        const ssize_t got =
            getrandom(bytes.data() + filled, bytes.size() - filled, wait ? 0U : GRND_NONBLOCK);
        if (got < 0 && errno == EINTR) continue;
        if (got <= 0) return false;
        filled += static_cast<std::size_t>(got);
    }
    return true;
}

std::uint64_t random_seed() {
    std::array<char, sizeof(std::uint64_t)> bytes{};
    if (!fill_random(bytes, false)) {
        return static_cast<std::uint64_t>(
            std::chrono::steady_clock::now().time_since_epoch().count());
    }
    std::uint64_t seed = 0;
    std::memcpy(&seed, bytes.data(), sizeof(seed));
    return seed;
}

}  // namespace schemagate
