// SPDX-License-Identifier: Apache-2.0
#include "migration_version.h"

#include <algorithm>
#include <cctype>

namespace schemagate {

namespace {

bool is_digit(char c) {
    return std::isdigit(static_cast<unsigned char>(c)) != 0;
}

std::string without_leading_zeros(std::string_view digits) {
    const auto first = digits.find_first_not_of('0');
    return first == std::string_view::npos ? "0" : std::string(digits.substr(first));
}

// Whole numbers written without leading zeros compare by length first, then digit by digit.
std::strong_ordering compare_parts(const std::string& a, const std::string& b) {
    if (a.size() != b.size()) return a.size() <=> b.size();
    const int order = a.compare(b);
    return order < 0   ? std::strong_ordering::less
           : order > 0 ? std::strong_ordering::greater
                       : std::strong_ordering::equal;
}

}  // namespace

std::optional<MigrationVersion> MigrationVersion::parse(std::string_view text) {
    if (text.empty()) return std::nullopt;
    MigrationVersion version;
    std::size_t start = 0;
    for (;;) {
        std::size_t end = start;
        while (end < text.size() && is_digit(text[end])) ++end;
        if (end == start) return std::nullopt;  // an empty part, or not a digit
        version.parts_.push_back(without_leading_zeros(text.substr(start, end - start)));
        if (end == text.size()) break;
        if (text[end] != '.' && text[end] != '_') return std::nullopt;
        start = end + 1;
    }
    while (!version.parts_.empty() && version.parts_.back() == "0") version.parts_.pop_back();
    return version;
}

std::optional<MigrationVersion> MigrationVersion::from_sql(std::string_view text) {
    if (text.size() >= 2 && text.front() == '{' && text.back() == '}') {
        std::string dotted(text.substr(1, text.size() - 2));
        std::replace(dotted.begin(), dotted.end(), ',', '.');
        return parse(dotted);
    }
    return parse(text);
}

std::string MigrationVersion::text() const {
    if (parts_.empty()) return "0";
    std::string out = parts_.front();
    for (std::size_t i = 1; i < parts_.size(); ++i) out += "." + parts_[i];
    return out;
}

std::string MigrationVersion::sql_array() const {
    if (parts_.empty()) return "{0}";
    std::string out = "{" + parts_.front();
    for (std::size_t i = 1; i < parts_.size(); ++i) out += "," + parts_[i];
    return out + "}";
}

std::optional<double> MigrationVersion::exact_number() const {
    if (parts_.empty()) return 0.0;
    // 2^53 = 9007199254740992 has 16 digits: every whole number of 15 digits is exact.
    if (parts_.size() != 1 || parts_.front().size() > 15) return std::nullopt;
    return static_cast<double>(std::stoull(parts_.front()));
}

std::strong_ordering operator<=>(const MigrationVersion& a, const MigrationVersion& b) {
    const std::size_t count = std::max(a.parts_.size(), b.parts_.size());
    static const std::string zero = "0";
    for (std::size_t i = 0; i < count; ++i) {
        const std::string& left = i < a.parts_.size() ? a.parts_[i] : zero;
        const std::string& right = i < b.parts_.size() ? b.parts_[i] : zero;
        if (const auto order = compare_parts(left, right); std::is_neq(order)) return order;
    }
    return std::strong_ordering::equal;
}

std::string version_label(const MigrationVersion& version) {
    return version.none() ? "no migration" : "V" + version.text();
}

}  // namespace schemagate
