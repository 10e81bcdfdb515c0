// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <string>

#include "errors.h"
#include "schema_state.h"

namespace schemagate {

// A migration's SQL failed (exit 1). Carries what the failure table records, and whether this
// failure is one to remember: one that running the same file again would repeat.
class MigrationFailed : public FatalError {
  public:
    MigrationFailed(const std::string& message, RecordedFailure failure, bool remember)
        : FatalError(ExitCode::kMigrationFailed, message),
          failure_(std::move(failure)),
          remember_(remember) {}
    const RecordedFailure& failure() const { return failure_; }
    bool remember() const { return remember_; }

  private:
    RecordedFailure failure_;
    bool remember_;
};

// Whether a failure with this SQLSTATE is deterministic: the same file on the same schema
// fails the same way (syntax, undefined or duplicate objects, constraint and data errors,
// privileges, RAISE EXCEPTION, unsupported features). Not remembered: whatever the moment
// caused -- lock and statement timeouts, deadlocks and serialization failures, cancels,
// shutdowns, lost connections, resource exhaustion (disk full, out of memory), internal errors.
bool is_deterministic_failure(const std::string& sqlstate);

}  // namespace schemagate
