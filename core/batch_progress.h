// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "migration_version.h"

namespace schemagate {

// Where a batched migration stands (the state schema's `batch_progress` row): written in the
// same transaction as each batch, so a holder's successor resumes exactly there. The row goes
// when the migration is recorded as applied.
struct BatchProgress {
    MigrationVersion version;
    std::string file;
    std::int64_t batches = 0;  // committed batches
    std::int64_t rows = 0;     // rows they processed
    // The greatest key processed so far, as text (keyset batches only).
    std::optional<std::string> last_key;
    // Rows to process in all, counted once when the backfill started (the file's
    // `-- schemagate:batch-total` query), if it gives one.
    std::optional<std::int64_t> total;
    // Time spent in batches and the pauses between them, summed over every run: downtime
    // between two holders does not count against the rate.
    std::int64_t elapsed_ms = 0;
    std::string started_at;  // ISO 8601 UTC, from the database clock
    std::string updated_at;
    double updated_at_unix = 0;  // the same, for a metric
    std::string holder;          // who committed the latest batch
    // SHA-256 of the batch statement and its key type: a different one means the file was
    // edited while its backfill was under way.
    std::string statement_checksum;

    // Rows per second over elapsed_ms; nullopt before any time was measured.
    std::optional<double> rows_per_second() const;
    // Seconds left at that rate, when the total is known; 0 once the rows reached it.
    std::optional<double> eta_seconds() const;
};

}  // namespace schemagate
