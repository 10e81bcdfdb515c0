// SPDX-License-Identifier: Apache-2.0
#include "byte_size.h"

#include <array>
#include <cstdio>
#include <utility>

namespace schemagate {

namespace {

constexpr std::uint64_t kKiB = 1024;
constexpr std::uint64_t kMiB = kKiB * kKiB;
constexpr std::uint64_t kGiB = kMiB * kKiB;
constexpr std::array<std::pair<std::string_view, std::uint64_t>, 8> kUnits = {{
    {"", 1},
    {"B", 1},
    {"KiB", kKiB},
    {"MiB", kMiB},
    {"GiB", kGiB},
    {"Ki", kKiB},
    {"Mi", kMiB},
    {"Gi", kGiB},
}};
constexpr std::uint64_t kLargest = std::uint64_t{1} << 50;

}  // namespace

std::optional<std::uint64_t> parse_byte_size(std::string_view text) {
    std::size_t digits = 0;
    std::uint64_t number = 0;
    for (; digits < text.size() && text[digits] >= '0' && text[digits] <= '9'; ++digits) {
        number = number * 10 + static_cast<std::uint64_t>(text[digits] - '0');
        if (number > kLargest) return std::nullopt;
    }
    if (digits == 0) return std::nullopt;
    const std::string_view unit = text.substr(digits);
    for (const auto& [name, factor] : kUnits) {
        if (unit == name && number <= kLargest / factor) return number * factor;
    }
    return std::nullopt;
}

std::string format_byte_size(std::uint64_t bytes) {
    for (const auto& [name, factor] :
         {std::pair<const char*, std::uint64_t>{"GiB", kGiB}, {"MiB", kMiB}, {"KiB", kKiB}}) {
        if (bytes != 0 && bytes % factor == 0) return std::to_string(bytes / factor) + name;
    }
    const bool small = bytes < kMiB;
    char scaled[32];
    std::snprintf(scaled, sizeof scaled, "%.1f %s",
                  static_cast<double>(bytes) / static_cast<double>(small ? kKiB : kMiB),
                  small ? "KiB" : "MiB");
    return std::to_string(bytes) + " bytes (" + scaled + ")";
}

}  // namespace schemagate
