// SPDX-License-Identifier: Apache-2.0
#include "state_tables.h"

#include <array>
#include <utility>

namespace schemagate {

namespace {

// The words of the events that carry no version, as they travel in payloads.
constexpr std::array<std::pair<StateEvent, std::string_view>, 5> kEventWords{{
    {StateEvent::kRepeatable, "repeatable"},
    {StateEvent::kReleased, "released"},
    {StateEvent::kRepaired, "repaired"},
    {StateEvent::kFailed, "failed"},
    {StateEvent::kRetry, "retry"},
}};

}  // namespace

std::string_view table_name(StateTable table) {
    switch (table) {
        case StateTable::kLease:
            return "lease";
        case StateTable::kHistory:
            return "history";
        case StateTable::kFailure:
            return "failure";
        case StateTable::kBatchProgress:
            return "batch_progress";
        case StateTable::kRepeatable:
            return "repeatable";
        case StateTable::kAdoption:
            return "adoption";
    }
    return "history";
}

std::string change_payload(const std::string& name, const StateChange& change) {
    if (change.event == StateEvent::kApplied) return name + ":" + change.version.text();
    for (const auto& [event, word] : kEventWords) {
        if (event == change.event) return name + ":" + std::string(word);
    }
    return name + ":";
}

std::optional<StateChange> parse_change(const std::string& name, const std::string& payload) {
    if (payload.size() <= name.size() || payload.compare(0, name.size(), name) != 0 ||
        payload[name.size()] != ':') {
        return std::nullopt;
    }
    const std::string_view text = std::string_view(payload).substr(name.size() + 1);
    for (const auto& [event, word] : kEventWords) {
        if (text == word) return StateChange{event, {}};
    }
    if (auto version = MigrationVersion::parse(text)) {
        return StateChange{StateEvent::kApplied, std::move(*version)};
    }
    return std::nullopt;
}

}  // namespace schemagate
