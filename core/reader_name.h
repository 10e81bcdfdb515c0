// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "migration_version.h"
#include "schema_state.h"

namespace schemagate {

// A live reader of the schema (README, "Expand and contract"): a sidecar, made visible to the
// gates by the `application_name` of the database session it already holds. PostgreSQL shows
// every session's application_name to every role in pg_stat_activity (its start time, state
// and query only to the same role or pg_read_all_stats), and the row goes with the session:
// no table, no grant, nothing to clean up after a dead pod.
//
// The name is at most 63 bytes (NAMEDATALEN - 1; the server cuts longer ones), printable
// ASCII, six fields separated by one space:
//   sgr1 <set> <shipped> <since> <window> <pod>
// <set>: reader_set_tag of the migration set; <shipped>: the highest version the release
// ships; <since>: the sidecar's start, Unix seconds in base 36; <window>: the versions it runs
// against, `<expect>` or `<expect>-<max>`, or `*` when there was no room; <pod>: the pod
// name, its start cut off (marked `~`) when there is no room (the tail is what tells two pods
// of one ReplicaSet apart).
struct ReaderIdentity {
    std::string set_tag;
    MigrationVersion shipped;
    std::int64_t since_unix = 0;
    std::optional<MigrationVersion> expect;  // nullopt: not shown
    std::optional<MigrationVersion> max_version;
    std::string pod;

    bool operator==(const ReaderIdentity&) const = default;
};

inline constexpr std::string_view kReaderNamePrefix = "sgr1 ";
inline constexpr std::size_t kMaxApplicationName = 63;

// Six hex digits of a hash of the state schema and the set's name. Two sets sharing a tag (one
// in 16 million) only make each other's readers count for both: a contract waits longer.
std::string reader_set_tag(const StateLocation& where);

// nullopt when even the shortest form does not fit (a shipped version of about 40 digits).
std::optional<std::string> encode_reader_name(const ReaderIdentity& reader);

// nullopt for any other application_name.
std::optional<ReaderIdentity> decode_reader_name(std::string_view name);

}  // namespace schemagate
