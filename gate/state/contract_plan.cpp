// SPDX-License-Identifier: Apache-2.0
#include "contract_plan.h"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <set>

#include "iso_time.h"
#include "migration_name.h"
#include "version_json.h"

namespace schemagate {

namespace {

std::string since_text(std::int64_t since_unix) {
    return iso_utc(std::chrono::system_clock::time_point(std::chrono::seconds(since_unix)));
}

std::string window_text(const ReaderIdentity& reader) {
    if (!reader.expect) return "";
    return ", runs against " + version_label(*reader.expect) +
           (reader.max_version ? " to " + version_label(*reader.max_version) : " and later");
}

// The highest file version below `version`; none when there is none.
MigrationVersion highest_below(const MigrationSet& files, const MigrationVersion& version) {
    MigrationVersion below;
    for (const auto& migration : files.migrations) {
        if (migration.version < version) below = migration.version;
    }
    return below;
}

}  // namespace

std::vector<const Migration*> pending_contracts(const MigrationSet& files,
                                                const std::vector<AppliedMigration>& history,
                                                const MigrationVersion& target) {
    // Most sets have no contract migration: no set of the history's versions to build.
    const auto is_contract = [&target](const Migration& migration) {
        return migration.contract && migration.version <= target;
    };
    if (std::none_of(files.migrations.begin(), files.migrations.end(), is_contract)) return {};
    std::set<MigrationVersion> applied;
    for (const auto& record : history) {
        if (record.success) applied.insert(record.version);
    }
    std::vector<const Migration*> pending;
    for (const auto& migration : files.migrations) {
        if (is_contract(migration) && !applied.contains(migration.version)) {
            pending.push_back(&migration);
        }
    }
    return pending;
}

MigrationVersion migrate_stop(const MigrationSet& files,
                              const std::vector<AppliedMigration>& history,
                              const MigrationVersion& target) {
    const auto pending = pending_contracts(files, history, target);
    if (pending.empty()) return target;
    return highest_below(files, pending.front()->version);
}

MigrationVersion wait_stop(const MigrationSet& files, const MigrationVersion& current,
                           const MigrationVersion& target) {
    for (const auto& migration : files.migrations) {
        if (migration.contract && migration.version > current && migration.version <= target) {
            return highest_below(files, migration.version);
        }
    }
    return target;
}

std::optional<AppliedContract> highest_applied_contract(
    const std::vector<AppliedMigration>& history) {
    std::optional<AppliedContract> highest;
    for (const auto& record : history) {
        if (record.success && record.contract && (!highest || record.version > highest->version)) {
            highest = AppliedContract{record.version, record.file, record.applied_at};
        }
    }
    return highest;
}

std::optional<std::string> contracted_past(const std::optional<AppliedContract>& contract,
                                           const MigrationVersion& shipped) {
    if (!contract || contract->version <= shipped) return std::nullopt;
    return "the schema was contracted by " + version_label(contract->version) + " (" +
           contract->file + ", applied " + contract->applied_at +
           "), which this release does not ship (its migrations end at " + version_label(shipped) +
           "): its code may read what that migration removed; deploy a release that ships it "
           "(a rollback past a contract needs a migration that restores what it removed)";
}

std::vector<LiveReader> readers_holding_back(const std::vector<LiveReader>& readers,
                                             const MigrationVersion& contract) {
    std::vector<LiveReader> holding;
    for (const auto& reader : readers) {
        if (reader.identity.shipped < contract) holding.push_back(reader);
    }
    return holding;
}

std::string held_back_text(const Migration& contract, const std::vector<LiveReader>& holding) {
    std::string text = fmt::format(
        "{} ({}) is a contract migration and {} live pod{} of a "
        "release without it still read{} the schema:",
        label(contract), contract.file, holding.size(), holding.size() == 1 ? "" : "s",
        holding.size() == 1 ? "s" : "");
    for (std::size_t i = 0; i < holding.size(); ++i) {
        const ReaderIdentity& reader = holding[i].identity;
        text += fmt::format("{} {} (ships up to {}{}, since {}, pid {})", i == 0 ? "" : ",",
                            reader.pod, version_label(reader.shipped), window_text(reader),
                            since_text(reader.since_unix), holding[i].pid);
    }
    return text;
}

nlohmann::json reader_json(const LiveReader& reader) {
    using nlohmann::json;
    const ReaderIdentity& identity = reader.identity;
    json window = nullptr;
    if (identity.expect) {
        window = {
            {"expect", version_json(*identity.expect)},
            {"max", identity.max_version ? version_json(*identity.max_version) : json(nullptr)}};
    }
    return {{"pid", reader.pid},
            {"pod", identity.pod},
            {"ships", version_json(identity.shipped)},
            {"window", window},
            {"since", since_text(identity.since_unix)}};
}

nlohmann::json deferred_contracts_json(const std::vector<const Migration*>& deferred,
                                       const std::vector<LiveReader>& readers) {
    nlohmann::json out = nlohmann::json::array();
    for (const Migration* contract : deferred) {
        nlohmann::json holding = nlohmann::json::array();
        for (const auto& reader : readers_holding_back(readers, contract->version)) {
            holding.push_back(reader_json(reader));
        }
        out.push_back({{"version", version_json(contract->version)},
                       {"description", contract->description},
                       {"file", contract->file},
                       {"held_back_by", holding}});
    }
    return out;
}

std::string deferred_contracts_text(const nlohmann::json& deferred) {
    std::string out;
    for (const auto& contract : deferred) {
        const auto& holding = contract["held_back_by"];
        out +=
            fmt::format("{:<10} V{} ({}): deferred until `schemagate contract`; {}\n", "contract",
                        version_json_text(contract["version"]), contract["file"].get<std::string>(),
                        holding.empty() ? std::string("no live pod lacks it")
                                        : fmt::format("held back by {} live pod{}:", holding.size(),
                                                      holding.size() == 1 ? "" : "s"));
        for (const auto& reader : holding) {
            out += fmt::format("{:<10}   {} ships V{}, reading since {} (pid {})\n", "",
                               reader["pod"].get<std::string>(), version_json_text(reader["ships"]),
                               reader["since"].get<std::string>(), reader["pid"].get<int>());
        }
    }
    return out;
}

}  // namespace schemagate
