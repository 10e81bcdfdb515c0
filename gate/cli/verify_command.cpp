// SPDX-License-Identifier: Apache-2.0
#include "verify_command.h"

#include <iostream>
#include <pqxx/transaction>
#include <set>

#include "admin_commands.h"
#include "db_failure.h"
#include "migration_checks.h"
#include "state_store.h"

namespace schemagate {

int run_verify(const GateConfig& config) {
    const MigrationSet files = load_migration_set(config.migrations_dir, config.limits);
    const Connection connection = connect_for_admin(config);
    const auto history = StateStore(config.state).read_history(*connection);
    std::set<MigrationVersion> applied;
    for (const auto& record : history.value_or(std::vector<AppliedMigration>{})) {
        if (record.success) applied.insert(record.version);
    }
    std::size_t checked = 0;
    std::size_t failed = 0;
    for (const auto& migration : files.migrations) {
        if (migration.checks.empty() || !applied.contains(migration.version)) continue;
        ++checked;
        try {
            translate_db_errors([&] {
                // Read-only, and never committed: verifying changes nothing, whatever a check
                // does.
                pqxx::read_transaction work(*connection);
                run_checks(work, migration);
            });
            std::cout << "ok      " << label(migration) << " (" << migration.checks.size()
                      << " check" << (migration.checks.size() == 1 ? "" : "s") << " in "
                      << migration.verify_file << ")\n";
        } catch (const CheckFailed& e) {
            ++failed;
            std::cout << "FAILED  " << e.what() << '\n';
        } catch (const DbError& e) {
            ++failed;
            std::cout << "FAILED  " << label(migration) << ": a check in " << migration.verify_file
                      << " could not run: " << with_detail(e.failure()) << '\n';
        }
    }
    std::cout << (failed == 0 ? "ok: " : "failed: ") << checked << " applied migration"
              << (checked == 1 ? "" : "s") << " with checks, " << failed << " failing\n";
    return failed == 0 ? 0 : to_int(ExitCode::kMigrationFailed);
}

}  // namespace schemagate
