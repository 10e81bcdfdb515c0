// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <CLI/CLI.hpp>

#include "duration.h"

namespace schemagate {

// CLI11 check for duration flags, so that `--lease-ttl 30x` fails naming the flag (whether the
// value came from the command line or the environment).
inline const CLI::Validator& duration_validator() {
    static const CLI::Validator validator(
        [](std::string& value) -> std::string {
            if (parse_duration(value)) return {};
            return "'" + value + "' is not a duration (use e.g. 500ms, 30s, 10m, 1h)";
        },
        "DURATION");
    return validator;
}

}  // namespace schemagate
