// SPDX-License-Identifier: Apache-2.0
#include "duration.h"

#include <cctype>
#include <cstdint>

namespace schemagate {

namespace {

std::optional<std::int64_t> unit_in_millis(std::string_view unit) {
    if (unit == "ms") return 1;
    if (unit == "s") return 1000;
    if (unit == "m") return 60 * 1000;
    if (unit == "h") return 60 * 60 * 1000;
    return std::nullopt;
}

// Far beyond any sane setting, far below where deadlines (steady clock + duration, in
// nanoseconds) overflow: a longer spelling is a typo, not a wish.
constexpr Millis kLongest = std::chrono::hours{24 * 365};

}  // namespace

std::optional<Millis> parse_duration(std::string_view text) {
    if (text == "0") return Millis{0};
    if (text.empty()) return std::nullopt;
    std::int64_t total = 0;
    std::size_t pos = 0;
    while (pos < text.size()) {
        std::int64_t number = 0;
        const std::size_t digits_start = pos;
        while (pos < text.size() && std::isdigit(static_cast<unsigned char>(text[pos]))) {
            if (__builtin_mul_overflow(number, 10, &number) ||
                __builtin_add_overflow(number, text[pos] - '0', &number)) {
                return std::nullopt;
            }
            ++pos;
        }
        if (pos == digits_start) return std::nullopt;
        const std::size_t unit_start = pos;
        while (pos < text.size() && std::isalpha(static_cast<unsigned char>(text[pos]))) ++pos;
        const auto factor = unit_in_millis(text.substr(unit_start, pos - unit_start));
        if (!factor) return std::nullopt;
        std::int64_t part = 0;
        if (__builtin_mul_overflow(number, *factor, &part) ||
            __builtin_add_overflow(total, part, &total) || total > kLongest.count()) {
            return std::nullopt;
        }
    }
    return Millis{total};
}

std::string format_duration(Millis duration) {
    std::int64_t ms = duration.count();
    if (ms == 0) return "0s";
    std::string out;
    if (ms < 0) {
        out = "-";
        ms = -ms;
    }
    const std::int64_t hours = ms / 3'600'000;
    const std::int64_t minutes = ms / 60'000 % 60;
    const std::int64_t seconds = ms / 1000 % 60;
    const std::int64_t millis = ms % 1000;
    if (hours) out += std::to_string(hours) + "h";
    if (minutes) out += std::to_string(minutes) + "m";
    if (seconds) out += std::to_string(seconds) + "s";
    if (millis) out += std::to_string(millis) + "ms";
    return out;
}

}  // namespace schemagate
