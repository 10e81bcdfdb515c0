// SPDX-License-Identifier: Apache-2.0
#include "migration_runner.h"

namespace schemagate {

MigrationRunner::MigrationRunner(const StateStore& store, const Lease& lease,
                                 MigrationSettings settings, RunWatch watch)
    : ApplyContext(store, lease, settings, watch),
      chain_(store, lease, settings, watch),
      batches_(store, lease, settings, watch),
      no_transaction_(store, lease, std::move(settings), std::move(watch)) {}

void MigrationRunner::apply(pqxx::connection& connection,
                            std::span<const Migration* const> migrations, const LeaseGrant& grant,
                            const Deadline& deadline, bool durable,
                            const AppliedCallback& applied) const {
    LockRetryPolicy retry(settings_.lock_retries, deadline);
    std::size_t next = 0;
    const AppliedCallback count_applied = [&](const Migration& migration, Millis took) {
        ++next;
        retry.succeeded();
        applied(migration, took);
    };
    while (next < migrations.size()) {
        const Migration& migration = *migrations[next];
        stop_if_deadline_reached("before " + label(migration) + " (" + migration.file +
                                 ") could start");
        const bool last = next + 1 == migrations.size();
        const auto started = SteadyClock::now();
        Attempt attempt = Attempt::kGoOn;
        if (migration.batch) {
            batches_.apply(connection, migration, grant, durable && last, retry);
        } else if (migration.no_transaction) {
            attempt = no_transaction_.apply(connection, migration, grant);
        } else {
            // Returns after the commits it reported (count_applied moved `next` on).
            attempt =
                chain_.apply(connection, migrations.subspan(next), grant, durable, count_applied);
            if (attempt == Attempt::kGoOn) continue;
        }
        if (attempt == Attempt::kLockTimedOut) {
            // Only this migration is tried again: the ones before it committed.
            wait_to_retry(retry, *migrations[next], std::nullopt);
            continue;
        }
        count_applied(migration, std::chrono::duration_cast<Millis>(SteadyClock::now() - started));
    }
}

}  // namespace schemagate
