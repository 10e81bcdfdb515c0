// SPDX-License-Identifier: Apache-2.0
#include "fence_function.h"

#include "lease.h"
#include "schema_state.h"

namespace schemagate {

std::string fence_function_name(pqxx::transaction_base& work, const StateLocation& where) {
    return work.conn().quote_name(where.schema) + "." + kFenceFunctionName;
}

std::string set_settings_plpgsql(const std::string& parameter) {
    return " FOR i IN 1 .. coalesce(array_length(" + parameter +
           ", 1), 0) / 2 LOOP PERFORM "
           "set_config(" +
           parameter + "[2 * i - 1], " + parameter + "[2 * i], true); END LOOP;";
}

std::string create_fence_function_if_missing(pqxx::transaction_base& work,
                                             const StateLocation& where, const std::string& tag) {
    const std::string name = fence_function_name(work, where);
    const std::string body = "$f" + tag.substr(1);
    return " IF to_regprocedure(" + work.quote(name + kFenceFunctionArguments) +
           ") IS NULL THEN CREATE FUNCTION " + name +
           "(set_name text, grant_token bigint, grant_id text, ttl_ms bigint, spent_ms bigint, "
           "settings text[]) RETURNS void LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp "
           "AS " +
           body + " BEGIN" + set_settings_plpgsql("settings") +
           " IF spent_ms IS NOT NULL AND clock_timestamp() - statement_timestamp() > "
           "spent_ms * interval '1 millisecond' THEN RAISE EXCEPTION 'schemagate exchange "
           "spent' USING ERRCODE = '" +
           kExchangeSpentState + "'; END IF; UPDATE " +
           qualified(work.conn(), where, StateTable::kLease) +
           " SET renewed_at = clock_timestamp(), expires_at = clock_timestamp() + ttl_ms * "
           "interval '1 millisecond' WHERE name = set_name AND token = grant_token AND "
           "lease_id = grant_id; IF NOT FOUND THEN RAISE EXCEPTION 'schemagate lease lost' "
           "USING ERRCODE = '" +
           kLeaseLostState +
           "'; END IF; PERFORM set_config('schemagate.fenced_token', grant_id, true); END " + body +
           "; END IF;";
}

}  // namespace schemagate
