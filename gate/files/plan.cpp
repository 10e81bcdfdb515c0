// SPDX-License-Identifier: Apache-2.0
#include "plan.h"

#include <algorithm>
#include <filesystem>
#include <map>
#include <string_view>

#include "errors.h"
#include "migration_name.h"

namespace schemagate {

namespace {

[[noreturn]] void refuse(const std::string& message) {
    throw FatalError(ExitCode::kStateRefused, message);
}

// The baseline file a database with no history starts from: the highest at or below the
// target, as Flyway picks it.
const Migration* starting_baseline(const MigrationSet& files, const MigrationVersion& target) {
    const Migration* start = nullptr;
    for (const auto& baseline : files.baselines) {
        if (baseline.version <= target) start = &baseline;
    }
    return start;
}

[[noreturn]] void drift(const Migration& migration, const std::string& directory,
                        const AppliedMigration& record) {
    refuse("checksum drift: " + migration.file + " in " + directory +
           " changed after it was applied (by " + record.applied_by + " at " + record.applied_at +
           "); restore the original file or add a new migration");
}

// A baseline file recorded in history must not have changed since (Flyway validates it too).
void check_baselines(const MigrationSet& files,
                     const std::map<MigrationVersion, const AppliedMigration*>& by_version) {
    for (const auto& baseline : files.baselines) {
        const auto found = by_version.find(baseline.version);
        if (found == by_version.end() || found->second->file != baseline.file) continue;
        if (!baseline.matches(found->second->checksum)) {
            drift(baseline, files.directory, *found->second);
        }
    }
}

}  // namespace

bool is_baseline_row(const AppliedMigration& record) {
    // Only a Flyway baseline name (B, a digit, ...) can be one: the plan asks this of every
    // history row, and a no-op of 1000 rows spent 7% of its instructions parsing the others.
    const std::string_view file = record.file;
    const std::string_view base = file.substr(file.rfind('/') + 1);
    if (base.size() < 2 || base[0] != 'B' || base[1] < '0' || base[1] > '9') return false;
    const auto parsed =
        parse_migration_name(std::filesystem::path(record.file).filename().string());
    const auto* name = std::get_if<MigrationName>(&parsed);
    return name != nullptr && name->baseline;
}

MigrationVersion covered_by_baseline(const std::vector<AppliedMigration>& history) {
    MigrationVersion covered;
    for (const auto& record : history) {
        if (record.success && is_baseline_row(record)) covered = std::max(covered, record.version);
    }
    return covered;
}

std::optional<std::int64_t> unfinished_token(const std::vector<AppliedMigration>& history,
                                             bool dirty_later) {
    if (dirty_later) return std::nullopt;
    const auto unfinished = std::find_if(history.begin(), history.end(),
                                         [](const AppliedMigration& m) { return !m.success; });
    if (unfinished == history.end()) return std::nullopt;
    return unfinished->token;
}

Plan make_plan(const MigrationSet& files, const Applied& applied, const MigrationVersion& target,
               std::optional<std::int64_t> running_token) {
    Plan plan;
    plan.target = target;
    std::map<MigrationVersion, const AppliedMigration*> by_version;
    MigrationVersion covered;  // the highest version a baseline file covers
    for (const auto& record : applied.history) {
        if (!record.success && running_token && record.token == *running_token) continue;
        if (!record.success) {
            refuse(version_label(record.version) + " (" + record.file + ") is dirty: started by " +
                   record.applied_by + " at " + record.applied_at +
                   " without transaction and never finished; inspect the database, then run "
                   "`schemagate repair --version " +
                   record.version.text() + " --mark-applied` or `--remove`");
        }
        by_version[record.version] = &record;
        if (record.version > plan.current) plan.current = record.version;
        // Versioned files up to a baseline file's version have no rows of their own.
        if (is_baseline_row(record) && record.version > covered) covered = record.version;
    }
    check_baselines(files, by_version);
    // Flyway's baseline files only start a database with no history; elsewhere, ignored.
    if (by_version.empty()) {
        if (const Migration* start = starting_baseline(files, target)) {
            plan.pending.push_back(start);
            covered = start->version;
        }
    }
    for (const auto& migration : files.migrations) {
        const auto found = by_version.find(migration.version);
        if (found != by_version.end()) {
            if (is_baseline_row(*found->second)) continue;  // covered by the baseline file
            if (!migration.matches(found->second->checksum)) {
                drift(migration, files.directory, *found->second);
            }
            continue;
        }
        if (migration.version > target || migration.version <= covered) continue;
        if (migration.version < plan.current) {
            refuse("out-of-order migration: " + migration.file + " (" +
                   version_label(migration.version) +
                   ") is not applied but the database is already at " +
                   version_label(plan.current) + "; give it a version above " +
                   plan.current.text());
        }
        plan.pending.push_back(&migration);
    }
    if (target != files.highest_version()) return plan;
    for (const auto& repeatable : files.repeatables) {
        const auto found = applied.repeatables.find(repeatable.description);
        if (found == applied.repeatables.end() || !repeatable.matches(found->second)) {
            plan.pending.push_back(&repeatable);
        }
    }
    return plan;
}

}  // namespace schemagate
