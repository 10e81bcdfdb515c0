// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <pqxx/transaction_base>
#include <string>

#include "state_tables.h"

namespace schemagate {

// The bookkeeping of an applied migration as a PL/pgSQL function in the state schema, created
// by the bootstrap beside the fence (fence_function.h, whose versioning it follows): its
// statements are planned once per session, not once per migration (bench: planning them was
// about a fifth of the server's work per migration in a chain).
//
// record_v1(settings, set name, token, lease id, ttl ms, repeatable, version, description,
// file, checksum, applied by, allowed hazards, contract, notify payload): sets `settings` as
// fence_v2 does (the session reset before it put back the server's defaults); writes the
// history row (the repeatable row, for a repeatable migration) with the duration since the
// fence stamped the lease, which the fence's row lock keeps as it was; forgets a remembered
// failure of the version; extends the lease again once a third of the ttl has passed since
// the fence (a quick migration's fence already did: the next one's renews it, the heartbeat
// between); sends the NOTIFY; keeps the duration for kRecordedDurationMsSql and returns it.
std::string record_function_name(pqxx::transaction_base& work, const StateLocation& where);

// The columns of an applied migration's history row and of a repeatable migration's row, and
// the upsert of the latter: shared by the SQL the gate sends itself (StateStore::record_sql) and
// the function's body, so the two write the same rows.
inline constexpr const char* kHistoryRowColumns =
    " (name, version, description, file, checksum, applied_by, duration_ms, token, lease_id, "
    "allowed_hazards, contract, success)";
inline constexpr const char* kRepeatableRowColumns =
    " AS r (name, description, file, checksum, applied_by, duration_ms, token)";
inline constexpr const char* kRepeatableRowUpsert =
    " ON CONFLICT (name, description) DO UPDATE SET file = EXCLUDED.file, checksum = "
    "EXCLUDED.checksum, applied_at = clock_timestamp(), applied_by = EXCLUDED.applied_by, "
    "duration_ms = EXCLUDED.duration_ms, token = EXCLUDED.token";

// PL/pgSQL statements for the bootstrap's DO block: create the function if it is missing.
std::string create_record_function_if_missing(pqxx::transaction_base& work,
                                              const StateLocation& where, const std::string& tag);

}  // namespace schemagate
