// SPDX-License-Identifier: Apache-2.0
#include "status_report.h"

#include <fmt/format.h>

#include <map>
#include <set>

#include "contract_plan.h"
#include "duration.h"
#include "plan.h"
#include "version_json.h"

namespace schemagate {

namespace {

// How many recent migrations status shows: enough to see the last rollout.
constexpr std::size_t kRecentHistory = 10;

// ", id 1a2b3c4d": the first digits of the acquisition's id, enough to tell two grants with
// one token apart; nothing for leases taken before ids existed.
std::string lease_id_text(const nlohmann::json& lease) {
    if (!lease.contains("lease_id") || lease["lease_id"].is_null()) return "";
    return ", id " + lease["lease_id"].get<std::string>().substr(0, 8);
}

// "V7 (V7__backfill.sql): 120 batches, 120000 of 2000000 rows (6%), 8500 rows/s, about 3m43s
// left; last key 120000, updated ... by ..."
std::string batch_text(const nlohmann::json& batch) {
    std::string text =
        fmt::format("V{} ({}): {} batches, {} ", version_json_text(batch["version"]),
                    batch["file"].get<std::string>(), batch["batches"].get<std::int64_t>(),
                    batch["rows"].get<std::int64_t>());
    if (!batch["total"].is_null() && batch["total"].get<std::int64_t>() > 0) {
        const auto total = batch["total"].get<std::int64_t>();
        text +=
            fmt::format("of {} rows ({}%)", total, batch["rows"].get<std::int64_t>() * 100 / total);
    } else {
        text += "rows";
    }
    if (!batch["rows_per_second"].is_null()) {
        text += fmt::format(", {} rows/s",
                            static_cast<std::int64_t>(batch["rows_per_second"].get<double>()));
    }
    if (!batch["eta_seconds"].is_null()) {
        text += ", about " +
                format_duration(
                    Millis{static_cast<std::int64_t>(batch["eta_seconds"].get<double>()) * 1000}) +
                " left";
    }
    if (batch.contains("last_key") && !batch["last_key"].is_null()) {
        text += "; last key " + batch["last_key"].get<std::string>();
    }
    return text + fmt::format("; updated {} by {}", batch["updated_at"].get<std::string>(),
                              batch["updated_by"].get<std::string>());
}

// Applied migrations whose file here no longer has the checksum they were applied with: what
// `migrate` refuses with exit 5 ("checksum drift").
nlohmann::json drift_json(const MigrationSet& files, const std::vector<AppliedMigration>& history) {
    std::map<MigrationVersion, const AppliedMigration*> applied;
    for (const auto& record : history) {
        if (!is_baseline_row(record)) applied[record.version] = &record;  // not a V file's row
    }
    nlohmann::json drift = nlohmann::json::array();
    for (const auto& migration : files.migrations) {
        const auto found = applied.find(migration.version);
        if (found == applied.end() || migration.matches(found->second->checksum)) continue;
        drift.push_back({{"version", version_json(migration.version)},
                         {"file", migration.file},
                         {"applied_checksum", found->second->checksum},
                         {"file_checksum", migration.checksum},
                         {"applied_at", found->second->applied_at},
                         {"applied_by", found->second->applied_by}});
    }
    return drift;
}

// The files up to the target that were neither applied nor covered by a baseline.
nlohmann::json pending_json(const std::vector<AppliedMigration>& history, const MigrationSet& files,
                            const MigrationVersion& target) {
    nlohmann::json pending = nlohmann::json::array();
    std::set<MigrationVersion> applied;
    for (const auto& record : history) applied.insert(record.version);
    const MigrationVersion covered = covered_by_baseline(history);
    for (const auto& migration : files.migrations) {
        if (migration.version <= target && migration.version > covered &&
            !applied.contains(migration.version)) {
            pending.push_back({{"version", version_json(migration.version)},
                               {"description", migration.description},
                               {"file", migration.file},
                               {"transaction", !migration.no_transaction},
                               {"batched", migration.batch.has_value()}});
        }
    }
    return pending;
}

// What stands in the way of a run: a dirty migration, a remembered failure, a batch under way.
void add_problems_json(nlohmann::json& out, const SchemaState& state) {
    using nlohmann::json;
    if (state.dirty) {
        out["dirty"] = {{"version", version_json(state.dirty->version)},
                        {"description", state.dirty->description},
                        {"file", state.dirty->file},
                        {"started_by", state.dirty->applied_by},
                        {"started_at", state.dirty->applied_at}};
    } else {
        out["dirty"] = nullptr;
    }
    if (state.failure) {
        out["failure"] = failure_json(*state.failure);
    } else {
        out["failure"] = nullptr;
    }
    if (state.batch) {
        out["batch"] = batch_progress_json(*state.batch);
        out["batch"]["last_key"] =
            state.batch->last_key ? json(*state.batch->last_key) : json(nullptr);
    } else {
        out["batch"] = nullptr;
    }
}

nlohmann::json lease_json(const std::optional<LeaseInfo>& lease) {
    using nlohmann::json;
    if (!lease) return nullptr;
    return {{"holder", lease->holder.empty() ? json(nullptr) : json(lease->holder)},
            {"token", lease->token},
            // The token alone can repeat after a failover that lost acquisitions; the id not.
            {"lease_id", lease->lease_id.empty() ? json(nullptr) : json(lease->lease_id)},
            {"acquired_at", lease->acquired_at},
            {"expires_at", lease->expires_at},
            {"held", !lease->holder.empty() && !lease->expired}};
}

// The latest history rows, newest first.
nlohmann::json recent_json(const std::vector<AppliedMigration>& history) {
    nlohmann::json recent = nlohmann::json::array();
    const std::size_t first = history.size() > kRecentHistory ? history.size() - kRecentHistory : 0;
    for (std::size_t i = history.size(); i-- > first;) {
        const auto& record = history[i];
        recent.push_back({{"version", version_json(record.version)},
                          {"description", record.description},
                          {"file", record.file},
                          {"checksum", record.checksum},
                          {"applied_at", record.applied_at},
                          {"applied_by", record.applied_by},
                          {"duration_ms", record.duration_ms},
                          {"token", record.token},
                          {"success", record.success}});
    }
    return recent;
}

// One `key       value` line of the text report.
void add_line(std::string& out, std::string_view key, const std::string& value) {
    out += fmt::format("{:<10} {}\n", key, value);
}

// Which set this is, where it stands, what is pending and what changed since it was applied.
void add_progress_text(std::string& out, const nlohmann::json& status) {
    add_line(out, "name",
             status["name"].get<std::string>() + " (schema " + status["schema"].get<std::string>() +
                 ")");
    add_line(out, "version",
             status["initialized"].get<bool>() ? version_json_text(status["current_version"])
                                               : "none (schemagate tables not created yet)");
    if (!status["target_version"].is_null()) {
        add_line(out, "target", version_json_text(status["target_version"]));
    }
    if (status.contains("adopted") && !status["adopted"].is_null()) {
        const auto& adopted = status["adopted"];
        add_line(
            out, "history",
            fmt::format("taken over from {} at {} by {} (up to V{})",
                        adopted["source"].get<std::string>(), adopted["at"].get<std::string>(),
                        adopted["by"].get<std::string>(), adopted["up_to"].get<std::string>()));
    }
    std::string pending;
    for (const auto& item : status["pending"]) {
        pending += (pending.empty() ? "" : ", ") + item["file"].get<std::string>();
        if (item.contains("transaction") && !item["transaction"].get<bool>()) {
            pending += " (no transaction)";
        }
        if (item.value("batched", false)) pending += " (batched)";
    }
    add_line(out, "pending", pending.empty() ? "none" : pending);
    if (status.contains("contracts")) out += deferred_contracts_text(status["contracts"]);
    for (const auto& changed : status.value("drift", nlohmann::json::array())) {
        add_line(out, "drift",
                 fmt::format("{} changed after it was applied (by {} at {}): migrate refuses "
                             "to run until the original file is restored",
                             changed["file"].get<std::string>(),
                             changed["applied_by"].get<std::string>(),
                             changed["applied_at"].get<std::string>()));
    }
}

// A dirty migration, a remembered failure, a batch under way.
void add_problems_text(std::string& out, const nlohmann::json& status) {
    const auto& dirty = status["dirty"];
    add_line(out, "dirty",
             dirty.is_null()
                 ? "no"
                 : fmt::format("YES: {} started by {} at {}", dirty["file"].get<std::string>(),
                               dirty["started_by"].get<std::string>(),
                               dirty["started_at"].get<std::string>()));
    if (status.contains("failure") && !status["failure"].is_null()) {
        const auto& failure = status["failure"];
        add_line(out, "failed",
                 fmt::format("{} line {} at {} by {}: not run again until the file changes "
                             "or `schemagate retry --version {}`",
                             failure["file"].get<std::string>(), failure["line"].get<int>(),
                             failure["failed_at"].get<std::string>(),
                             failure["failed_by"].get<std::string>(),
                             version_json_text(failure["version"])));
        add_line(out, "error", failure["message"].get<std::string>());
    }
    if (status.contains("batch") && !status["batch"].is_null())
        add_line(out, "batch", batch_text(status["batch"]));
}

// Who holds the lease, and who holds its row locked.
void add_lease_text(std::string& out, const nlohmann::json& lease) {
    if (lease.is_null()) {
        add_line(out, "lease", "never taken");
    } else if (lease["held"].get<bool>()) {
        add_line(out, "lease",
                 fmt::format("held by {} (token {}{}) until {}", lease["holder"].get<std::string>(),
                             lease["token"].get<std::int64_t>(), lease_id_text(lease),
                             lease["expires_at"].get<std::string>()));
    } else {
        add_line(out, "lease",
                 fmt::format("free (last token {})", lease["token"].get<std::int64_t>()));
    }
    if (!lease.is_null() && lease.contains("row_locked_by")) {
        for (const auto& locker : lease["row_locked_by"]) {
            add_line(out, "lease row",
                     fmt::format(
                         "LOCKED by pid {} ({}), {} since {}: no one can take the lease "
                         "until that transaction ends (`schemagate unlock --force` ends it)",
                         locker["pid"].get<int>(), locker["application_name"].get<std::string>(),
                         locker["state"].get<std::string>(), locker["since"].get<std::string>()));
        }
    }
}

// The hazards allowed through, then the latest history rows.
void add_history_text(std::string& out, const nlohmann::json& status) {
    for (const auto& allowed : status.value("allowed_hazards", nlohmann::json::array())) {
        add_line(out, "allowed",
                 fmt::format("{} line {}: {} on {}: {}", allowed["file"].get<std::string>(),
                             allowed["line"].get<int>(), allowed["rule"].get<std::string>(),
                             allowed["relation"].get<std::string>(),
                             allowed["reason"].get<std::string>()));
    }
    if (!status["recent"].empty()) out += "recent:\n";
    for (const auto& record : status["recent"]) {
        out += fmt::format(
            "  V{:<6} {:<40} {} by {} in {} ms{}\n", version_json_text(record["version"]),
            record["file"].get<std::string>(), record["applied_at"].get<std::string>(),
            record["applied_by"].get<std::string>(), record["duration_ms"].get<std::int64_t>(),
            record["success"].get<bool>() ? "" : "  (DIRTY)");
    }
}

}  // namespace

nlohmann::json status_json(const StateLocation& where, const SchemaState& state,
                           const std::vector<AppliedMigration>& history, const MigrationSet* files,
                           const std::optional<MigrationVersion>& target) {
    using nlohmann::json;
    json out;
    out["name"] = where.name;
    out["schema"] = where.schema;
    out["initialized"] = state.initialized;
    const MigrationVersion current = state.version.value_or(MigrationVersion{});
    out["current_version"] = version_json(current);
    out["target_version"] = target ? version_json(*target) : json(nullptr);
    out["pending"] =
        files != nullptr && target ? pending_json(history, *files, *target) : json::array();
    out["drift"] = files != nullptr ? drift_json(*files, history) : json::array();
    out["up_to_date"] = target ? json(current >= *target && !state.dirty) : json(nullptr);
    add_problems_json(out, state);
    out["lease"] = lease_json(state.lease);
    out["recent"] = recent_json(history);
    return out;
}

std::string status_text(const nlohmann::json& status) {
    std::string out;
    add_progress_text(out, status);
    add_problems_text(out, status);
    add_lease_text(out, status["lease"]);
    add_history_text(out, status);
    return out;
}

}  // namespace schemagate
