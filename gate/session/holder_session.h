// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <atomic>
#include <cstdint>
#include <string>

#include "gate_connection.h"
#include "heartbeat.h"
#include "lease.h"
#include "migration_runner.h"
#include "migration_set.h"
#include "plan.h"
#include "state_store.h"
#include "statement_canceller.h"

namespace schemagate {

// What the holder needs of the command line, and nothing more.
struct HolderOptions {
    std::string holder;           // who holds the lease, for logs (--holder)
    Millis lease_ttl{0};          // --lease-ttl
    Millis timeout{0};            // --timeout: the whole run's deadline
    MigrationSettings migration;  // timeouts and retries of each migration
};

// Everything done while holding the lease (DESIGN.md, lease protocol steps 2, 3 and 6): the
// heartbeat, signals and a lost lease cancelling the running statement, the pending
// migrations applied one transaction each (after a broken connection, going on under the same
// grant from what the history says), and the release. Used by one thread.
class HolderSession {
  public:
    HolderSession(HolderOptions options, GateConnection& db, const StateStore& store,
                  const Lease& lease, const MigrationSet& files, MigrationVersion target,
                  LeaseGrant grant);

    // Returns, with how many migrations this session applied, once the schema is at the target
    // and the lease released; throws FatalError (the lease released first, unless it was
    // lost) for everything else.
    std::size_t run(const Deadline& deadline);

    // Before planning, record files up to `version` as applied if the set has no history yet
    // (migrate --baseline-version on a schema that holds tables).
    void baseline_first(MigrationVersion version) { baseline_ = std::move(version); }

  private:
    TimePoint deadline_watch_at(const Deadline& deadline) const;
    // After an error while migrating: the lease lost, a signal or the deadline, if one of them
    // caused it, is what the run ends with.
    void throw_if_stopped(Heartbeat& heartbeat) const;
    std::size_t apply_pending(Heartbeat& heartbeat, const Deadline& deadline);
    void apply_planned(const MigrationRunner& runner, const Heartbeat& heartbeat,
                       const Deadline& deadline, std::size_t& applied);
    void record_baseline(pqxx::connection& connection);
    void run_plan(pqxx::connection& connection, const MigrationRunner& runner,
                  const Heartbeat& heartbeat, const Deadline& deadline, const Plan& plan,
                  std::size_t& applied);
    void remember(const RecordedFailure& failure);
    void release_quietly();

    HolderOptions options_;
    GateConnection& db_;
    const StateStore& store_;
    const Lease& lease_;
    const MigrationSet& files_;
    MigrationVersion target_;
    LeaseGrant grant_;
    StatementCanceller canceller_;
    std::optional<MigrationVersion> baseline_;
    // The migration connection's backend pid (as libpq reports it), for the DeadlineWatch.
    std::atomic<int> session_pid_{0};
};

}  // namespace schemagate
