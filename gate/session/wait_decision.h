// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstddef>
#include <optional>
#include <string>

#include "backoff.h"
#include "lease.h"
#include "schema_state.h"

namespace schemagate {

// `migrate` may take the lease and apply; `wait` only watches the schema.
enum class WaitMode { kMigrate, kWait };

// What one look at the database found.
struct Look {
    MigrationVersion current;  // highest applied version
    MigrationVersion target;
    std::size_t pending = 0;              // migrations left to apply (migrate)
    std::optional<DirtyMigration> dirty;  // an abandoned no-transaction migration (wait)
    // Set once this round's attempt at the lease failed (migrate).
    std::optional<LeaseHeld> lease_held;
    // Why this release must not run against the schema (a contract it does not ship): refuse.
    std::string refusal;
    // Why `contract` may not apply yet (live readers lacking the contract): wait.
    std::string held_back;
};

struct WaitDecision {
    enum class Action {
        kDone,       // the schema is there: exit 0
        kRefuse,     // the schema can never get there without an operator
        kGiveUp,     // --timeout passed
        kTakeLease,  // try to become the holder
        kWait,       // sleep (or until a notification) and look again
    };
    Action action = Action::kWait;
    std::string reason;  // one line for the log: why this action
};

// The waiter's whole judgement, free of I/O: what to do after `look`, given the run's
// deadline (whose clock tests inject).
WaitDecision decide(WaitMode mode, const Look& look, const Deadline& deadline);

}  // namespace schemagate
