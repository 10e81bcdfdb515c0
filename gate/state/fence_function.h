// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <pqxx/transaction_base>
#include <string>

#include "state_tables.h"

namespace schemagate {

// The lease fence as a PL/pgSQL function in the state schema, created by the bootstrap: a DO
// block is compiled again on every call, a function once per session (bench: the DO fence was
// about a quarter of the server's work per migration). Its name carries a version: a change
// to its body comes as a new name, so the bootstrap only ever creates what is missing and a
// bootstrap with nothing to do writes nothing (no catalog write, no WAL flush). An older
// gate's bootstrap creates the version it calls (fence_v1), so both run side by side.
//
// fence_v2(set name, token, lease id, ttl ms, spent ms, settings): sets `settings` (a text[]
// of name, value pairs, or NULL) for the transaction, as set_config(name, value, true) would,
// before anything else (the lease row's lock waits under the migration's lock_timeout); fails
// with kExchangeSpentState when spent ms is not NULL and that long has passed since the
// exchange arrived; extends the lease if the grant still holds it or fails with
// kLeaseLostState; and marks the transaction as fenced (schemagate.fenced_token) for
// still_in_fenced_transaction_sql.
std::string fence_function_name(pqxx::transaction_base& work, const StateLocation& where);

// PL/pgSQL statements for the bootstrap's DO block: create the function if it is missing.
std::string create_fence_function_if_missing(pqxx::transaction_base& work,
                                             const StateLocation& where, const std::string& tag);

// PL/pgSQL statements that set a text[] parameter's name, value pairs for the transaction.
// Only pg_catalog is on the functions' search_path: a schema on the caller's cannot shadow
// set_config.
std::string set_settings_plpgsql(const std::string& parameter);

}  // namespace schemagate
