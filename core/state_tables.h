// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "migration_version.h"

namespace schemagate {

// The one vocabulary of schemagate's own tables and of the notifications about them, shared
// by the gate (which writes them) and the sidecar (which reads them). Pure: the SQL that
// needs a connection to quote is in schema_state.h.

// Which state tables and which migration set: `--schema` (default "schemagate") and
// `--name` (default "default"). Several apps can share a database with different names.
struct StateLocation {
    std::string schema = "schemagate";
    std::string name = "default";
};

// Every table in the state schema. Each holds the rows of every migration set, keyed by name.
enum class StateTable {
    kLease,           // one row per set: who holds the lease, until when (since 0.1)
    kHistory,         // one row per applied versioned migration (since 0.1)
    kFailure,         // failure memory: a deterministic failure per version (since 0.2)
    kBatchProgress,   // a batched migration's progress (since 0.3)
    kRepeatable,      // repeatable migrations' last checksums (since 0.3)
    kAdoption,        // where a set's history came from: adopt, baseline (since 0.3)
    kHazardDeferral,  // migrations a gate left for the Job (--hazards=defer; hazard_state.h)
};

std::string_view table_name(StateTable table);

// The functions the bootstrap creates in the state schema (gate/state/fence_function.h,
// record_function.h), names and argument types. The bootstrap adds every table and column in
// the transaction that creates them: readers take record_v1's presence as proof that the
// history has every column up to it (schema_state.cpp), one catalog lookup where asking
// pg_attribute cost the server a planned query, over a millisecond on a new session; and a
// holder that finds both functions and every table skips the bootstrap. A bootstrap that adds
// anything new must therefore also create a function of a new name (record_v2, ...) and name
// it here.
inline constexpr const char* kFenceFunctionName = "fence_v2";
inline constexpr const char* kFenceFunctionArguments = "(text,bigint,text,bigint,bigint,text[])";
inline constexpr const char* kRecordFunctionName = "record_v1";
inline constexpr const char* kRecordFunctionArguments =
    "(text[],text,bigint,text,bigint,boolean,numeric[],text,text,text,text,jsonb,boolean,text)";

// The NOTIFY channel: one per database; the payload "<name>:<event>" lets listeners filter.
inline constexpr const char* kNotifyChannel = "schemagate";

// What a notification announces.
enum class StateEvent {
    kApplied,     // a versioned migration committed, or an adoption reached a version
    kRepeatable,  // a repeatable migration committed
    kReleased,    // the lease was given up or broken
    kRepaired,    // an operator resolved a dirty migration
    kFailed,      // a failure was remembered
    kRetry,       // an operator cleared a remembered failure
};

struct StateChange {
    StateEvent event = StateEvent::kApplied;
    MigrationVersion version;  // kApplied only
};

// The payload announcing `change` about migration set `name`.
std::string change_payload(const std::string& name, const StateChange& change);

// The change a payload announces about migration set `name`; nullopt for another set's, or a
// payload no schemagate writes.
std::optional<StateChange> parse_change(const std::string& name, const std::string& payload);

}  // namespace schemagate
