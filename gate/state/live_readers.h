// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <pqxx/connection>
#include <vector>

#include "contract_plan.h"
#include "schema_state.h"

namespace schemagate {

// The live readers of migration set `where` in this database: the sessions in
// pg_stat_activity whose application_name is a reader name (reader_name.h) with the set's
// tag. Any role sees every session's application_name, so this needs no grant. One round
// trip, outside any transaction.
std::vector<LiveReader> read_live_readers(pqxx::connection& connection, const StateLocation& where);

}  // namespace schemagate
