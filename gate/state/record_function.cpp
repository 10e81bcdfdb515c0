// SPDX-License-Identifier: Apache-2.0
#include "record_function.h"

#include "fence_function.h"
#include "schema_state.h"

namespace schemagate {

namespace {

constexpr const char* kParameters =
    "(settings text[], set_name text, grant_token bigint, grant_id text, ttl_ms bigint, "
    "is_repeatable boolean, set_version numeric[], set_description text, set_file text, "
    "set_checksum text, applied_by_holder text, hazards jsonb, is_contract boolean, "
    "payload text)";

std::string write_row_plpgsql(pqxx::transaction_base& work, const StateLocation& where) {
    auto& connection = work.conn();
    return " IF is_repeatable THEN INSERT INTO " +
           qualified(connection, where, StateTable::kRepeatable) + kRepeatableRowColumns +
           " VALUES (set_name, set_description, set_file, set_checksum, applied_by_holder, took, "
           "grant_token)" +
           kRepeatableRowUpsert + "; ELSE INSERT INTO " +
           qualified(connection, where, StateTable::kHistory) + kHistoryRowColumns +
           " VALUES (set_name, set_version, set_description, set_file, set_checksum, "
           "applied_by_holder, took, grant_token, "
           "grant_id, hazards, is_contract, true); DELETE FROM " +
           qualified(connection, where, StateTable::kFailure) +
           " WHERE name = set_name AND version = set_version; END IF;";
}

}  // namespace

std::string record_function_name(pqxx::transaction_base& work, const StateLocation& where) {
    return work.conn().quote_name(where.schema) + "." + kRecordFunctionName;
}

std::string create_record_function_if_missing(pqxx::transaction_base& work,
                                              const StateLocation& where, const std::string& tag) {
    const std::string name = record_function_name(work, where);
    const std::string lease = qualified(work.conn(), where, StateTable::kLease);
    const std::string held =
        " WHERE name = set_name AND token = grant_token AND lease_id = grant_id";
    const std::string body = "$r" + tag.substr(1);
    return " IF to_regprocedure(" + work.quote(name + kRecordFunctionArguments) +
           ") IS NULL THEN CREATE FUNCTION " + name + kParameters +
           " RETURNS bigint LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS " + body +
           " DECLARE took bigint; BEGIN" + set_settings_plpgsql("settings") +
           " SELECT (extract(epoch FROM clock_timestamp() - renewed_at) * 1000)::bigint INTO took "
           "FROM " +
           lease + held + ";" + write_row_plpgsql(work, where) + " UPDATE " + lease +
           " SET renewed_at = clock_timestamp(), expires_at = clock_timestamp() + ttl_ms * "
           "interval '1 millisecond'" +
           held +
           " AND expires_at < clock_timestamp() + ttl_ms * interval '1 millisecond' * 2 / 3;"
           " PERFORM pg_notify(" +
           work.quote(std::string(kNotifyChannel)) +
           ", payload); PERFORM set_config('schemagate.duration_ms', took::text, true); RETURN "
           "took; END " +
           body + "; END IF;";
}

}  // namespace schemagate
