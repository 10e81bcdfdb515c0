// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <compare>
#include <concepts>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace schemagate {

// A migration's version as the tools that define the formats write it: golang-migrate's,
// dbmate's and goose's integers and timestamps of any length, and Flyway's dotted versions
// (`1.1`, `1_1`, `2.0.10`). Compared part by part as whole numbers, so 1.2 < 1.10 and
// 9 < 10; leading zeros are insignificant (0007 == 7) and so are trailing zero parts (1.0 ==
// 1), as in Flyway's MigrationVersion. The empty version is "no migration" and sorts first.
class MigrationVersion {
  public:
    MigrationVersion() = default;
    // Integers are versions too (golang-migrate, dbmate, goose): lets `7` stand for V7.
    // Zero and below are none.
    template <std::integral Number>
    MigrationVersion(Number number)  // NOLINT(google-explicit-constructor)
    {
        if (number > 0) parts_.push_back(std::to_string(number));
    }

    // Digits, in parts separated by '.' or '_'; nullopt for anything else (signs, spaces,
    // empty parts, letters).
    static std::optional<MigrationVersion> parse(std::string_view text);
    // As PostgreSQL prints the numeric[] the history stores ("{2,0,10}"), or the bigint of a
    // history written by schemagate before 0.2 ("7").
    static std::optional<MigrationVersion> from_sql(std::string_view text);

    bool none() const { return parts_.empty(); }
    // "2.0.10"; "0" for none.
    std::string text() const;
    // The numeric[] literal for the history table: "{2,0,10}", "{0}" for none.
    std::string sql_array() const;
    // The value when it is one whole number a double holds exactly (below 2^53), for the
    // Prometheus gauge and JSON numbers; nullopt for dotted or longer versions.
    std::optional<double> exact_number() const;

    friend std::strong_ordering operator<=>(const MigrationVersion& a, const MigrationVersion& b);
    friend bool operator==(const MigrationVersion& a, const MigrationVersion& b) {
        return a.parts_ == b.parts_;
    }

  private:
    // Each part's digits without leading zeros ("0" for zero); no trailing "0" parts.
    std::vector<std::string> parts_;
};

// How a version is written in every log line and message: "V7", "V2.0.10"; none is
// "no migration".
std::string version_label(const MigrationVersion& version);

}  // namespace schemagate
