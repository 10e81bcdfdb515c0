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
// bootstrap with nothing to do writes nothing (no catalog write, no WAL flush).
//
// fence_v1(set name, token, lease id, ttl ms, spent ms): fails with kExchangeSpentState when
// spent ms is not NULL and that long has passed since the exchange arrived, extends the lease
// if the grant still holds it or fails with kLeaseLostState, and marks the transaction as
// fenced (schemagate.fenced_token) for still_in_fenced_transaction_sql.
std::string fence_function_name(pqxx::transaction_base& work, const StateLocation& where);

// PL/pgSQL statements for the bootstrap's DO block: create the function if it is missing.
std::string create_fence_function_if_missing(pqxx::transaction_base& work,
                                             const StateLocation& where, const std::string& tag);

}  // namespace schemagate
