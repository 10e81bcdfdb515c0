// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "duration.h"

namespace schemagate {

// How a batched migration runs, from its first line:
//   -- schemagate:batch [size=N] [pause=DURATION] [key=TYPE]
// The defaults suit a table that serves traffic: a batch of 1,000 rows holds its row locks for
// tens of milliseconds, shorter than a typical request timeout, and the 100 ms pause after it
// lets the writers that queued behind those locks through, lets autovacuum and the replicas
// keep up, and keeps the backfill's share of the server's I/O and WAL to a fraction while
// batches stay that short.
struct BatchOptions {
    std::int64_t size = 1000;  // $1 of the statement
    Millis pause{100};
    // Keyset batches: the statement returns the keys it processed as its first column, and
    // the next batch gets the greatest one as $2, of this type (NULL for the first batch).
    std::optional<std::string> key_type;

    bool operator==(const BatchOptions&) const = default;
};

// The batch directive of a file (its first line, after a BOM), or nullopt when it has none.
// Throws SqlSyntaxError (line 1) for an unknown option, a repeated one, or a bad value: a
// size outside 1..1,000,000, a pause that is not a duration up to 1h, a key type that is not a
// plain type name (letters, digits, `_`, one `.` schema prefix, a trailing `[]`).
std::optional<BatchOptions> read_batch_directive(std::string_view sql);

// The line of the file's `-- schemagate:batch-total` marker: the statement after it counts the
// rows the whole backfill will process. nullopt without one; SqlSyntaxError for a second one.
std::optional<int> batch_total_marker_line(std::string_view sql);

}  // namespace schemagate
