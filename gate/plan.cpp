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

Plan make_plan(const MigrationSet& files, const std::vector<AppliedMigration>& history,
               std::int64_t target, std::optional<std::int64_t> live_token) {
    Plan plan;
    plan.target = target;
    std::map<std::int64_t, const AppliedMigration*> applied;
    for (const auto& record : history) {
        if (!record.success && live_token && record.token == *live_token) continue;
        if (!record.success) {
            refuse(version_label(record.version) + " (" + record.file + ") is dirty: started by " +
                   record.applied_by + " at " + record.applied_at +
                   " without transaction and never finished; inspect the database, then run "
                   "`schemagate repair --version " +
                   std::to_string(record.version) + " --mark-applied` or `--remove`");
        }
        applied[record.version] = &record;
        if (record.version > plan.current) plan.current = record.version;
    }
    for (const auto& migration : files.migrations) {
        const auto found = applied.find(migration.version);
        if (found != applied.end()) {
            if (found->second->checksum != migration.checksum) {
                refuse("checksum drift: " + migration.file + " in " + files.directory +
                       " changed after it was applied (by " + found->second->applied_by + " at " +
                       found->second->applied_at +
                       "); restore the original file or add a new migration");
            }
            continue;
        }
        if (migration.version > target) continue;
        if (migration.version < plan.current) {
            refuse("out-of-order migration: " + migration.file + " (version " +
                   std::to_string(migration.version) +
                   ") is not applied but the database is "
                   "already at version " +
                   std::to_string(plan.current) + "; give it a version above " +
                   std::to_string(plan.current));
        }
        plan.pending.push_back(&migration);
    }
    return plan;
}

}  // namespace schemagate
