// SPDX-License-Identifier: Apache-2.0
#include "hazard_policy.h"

#include <array>
#include <string_view>
#include <utility>

#include "byte_size.h"

namespace schemagate {

std::optional<HazardMode> hazard_mode_named(const std::string& name) {
    if (name == "refuse") return HazardMode::kRefuse;
    if (name == "defer") return HazardMode::kDefer;
    if (name == "warn") return HazardMode::kWarn;
    if (name == "off") return HazardMode::kOff;
    return std::nullopt;
}

std::optional<std::uint64_t> parse_hazard_threshold(const std::string& text) {
    static constexpr std::array<std::pair<std::string_view, int>, 4> kUnits = {
        {{"kB", 10}, {"MB", 20}, {"GB", 30}, {"TB", 40}}};
    for (const auto& [unit, shift] : kUnits) {
        if (text.size() <= unit.size() ||
            text.compare(text.size() - unit.size(), unit.size(), unit) != 0) {
            continue;
        }
        const std::string digits = text.substr(0, text.size() - unit.size());
        if (digits.empty() || digits.size() > 6 ||
            digits.find_first_not_of("0123456789") != std::string::npos) {
            return std::nullopt;
        }
        return std::stoull(digits) << shift;
    }
    return parse_byte_size(text);
}

}  // namespace schemagate
