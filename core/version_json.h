// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "migration_version.h"
#include "schema_state.h"

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
    return value.is_string() ? value.get<std::string>()
                             : std::to_string(value.get<std::uint64_t>());
}

// A remembered failure, as status --json shows it (the sidecar's anonymous /readyz shows only
// where it failed: readiness.cpp).
inline nlohmann::json failure_json(const RecordedFailure& failure) {
    return {{"version", version_json(failure.version)},
            {"file", failure.file},
            {"line", failure.line},
            {"sqlstate", failure.sqlstate},
            {"message", failure.message},
            {"failed_by", failure.holder},
            {"failed_at", failure.failed_at}};
}

// A batched migration under way, as status --json shows it (the sidecar's /version without
// updated_by). The last key stays out: it is the application's data (status shows it to the
// operator).
inline nlohmann::json batch_progress_json(const BatchProgress& progress) {
    using nlohmann::json;
    const auto rate = progress.rows_per_second();
    const auto eta = progress.eta_seconds();
    return {{"version", version_json(progress.version)},
            {"file", progress.file},
            {"batches", progress.batches},
            {"rows", progress.rows},
            {"total", progress.total ? json(*progress.total) : json(nullptr)},
            {"rows_per_second", rate ? json(*rate) : json(nullptr)},
            {"eta_seconds", eta ? json(*eta) : json(nullptr)},
            {"started_at", progress.started_at},
            {"updated_at", progress.updated_at},
            {"updated_by", progress.holder}};
}

}  // namespace schemagate
