// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "migration_version.h"

namespace schemagate {

// A version in the JSON that status and the sidecar answer with: a number while it is one
// whole number a JSON reader holds exactly (below 2^53, so every integer version of 0.1
// keeps its type), else the version's text ("2.0.10", "20200601101000000000").
inline nlohmann::json version_json(const MigrationVersion& version) {
    if (const auto number = version.exact_number()) {
        return static_cast<std::uint64_t>(*number);
    }
    return version.text();
}

// The text of what version_json wrote.
inline std::string version_json_text(const nlohmann::json& value) {
    return value.is_string() ? value.get<std::string>() : std::to_string(value.get<std::uint64_t>());
}

}  // namespace schemagate
