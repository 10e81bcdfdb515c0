// SPDX-License-Identifier: Apache-2.0
#include "plan.h"

#include <map>

#include "errors.h"
#include "migration_name.h"

namespace schemagate {

namespace {

[[noreturn]] void refuse(const std::string& message) {
    throw FatalError(ExitCode::kStateRefused, message);
}

}  // namespace

Plan make_plan(const MigrationSet& files, const Applied& applied, const MigrationVersion& target,
               std::optional<std::int64_t> live_token) {
    Plan plan;
    plan.target = target;
    std::map<MigrationVersion, const AppliedMigration*> by_version;
    for (const auto& record : applied.history) {
        if (!record.success && live_token && record.token == *live_token) continue;
        if (!record.success) {
            refuse(version_label(record.version) + " (" + record.file + ") is dirty: started by " +
                   record.applied_by + " at " + record.applied_at +
                   " without transaction and never finished; inspect the database, then run "
                   "`schemagate repair --version " +
                   record.version.text() + " --mark-applied` or `--remove`");
        }
        by_version[record.version] = &record;
        if (record.version > plan.current) plan.current = record.version;
    }
    for (const auto& migration : files.migrations) {
        const auto found = by_version.find(migration.version);
        if (found != by_version.end()) {
            if (!migration.matches(found->second->checksum)) {
                refuse("checksum drift: " + migration.file + " in " + files.directory +
                       " changed after it was applied (by " + found->second->applied_by + " at " +
                       found->second->applied_at +
                       "); restore the original file or add a new migration");
            }
            continue;
        }
        if (migration.version > target) continue;
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
