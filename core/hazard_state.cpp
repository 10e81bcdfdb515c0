// SPDX-License-Identifier: Apache-2.0
#include "hazard_state.h"

#include <pqxx/nontransaction>
#include <pqxx/result_iterator.hxx>

#include "db_failure.h"
#include "schema_state.h"

namespace schemagate {

HazardState read_hazard_state(pqxx::connection& connection, const StateLocation& where) {
    HazardState state;
    if (!state_tables_exist(connection, where)) return state;
    const std::string deferral = qualified(connection, where, StateTable::kHazardDeferral);
    const std::string history = qualified(connection, where, StateTable::kHistory);
    return translate_db_errors([&] {
        pqxx::nontransaction work(connection);
        const auto head = work.exec_params1(
            "SELECT CASE WHEN to_regclass($1) IS NULL THEN false "
            "ELSE has_table_privilege(to_regclass($1), 'SELECT') END, "
            "(SELECT count(*) FROM " +
                history +
                " AS h, jsonb_array_elements(CASE WHEN jsonb_typeof(to_jsonb(h) -> "
                "'allowed_hazards') = 'array' THEN to_jsonb(h) -> 'allowed_hazards' ELSE "
                "'[]'::jsonb END) WHERE h.name = $2)",
            deferral, where.name);
        state.allowed = head[1].as<std::int64_t>();
        if (!head[0].as<bool>()) return state;
        const auto rows = work.exec_params(
            "SELECT d.version::text, d.rule, d.relation, d.file, "
            "extract(epoch FROM d.deferred_at)::float8 FROM " +
                deferral + " AS d WHERE d.name = $1 AND NOT EXISTS (SELECT 1 FROM " + history +
                " AS h WHERE h.name = $1 AND h.success AND h.version = d.version) "
                "ORDER BY d.version, d.rule",
            where.name);
        for (const auto& row : rows) {
            state.deferred.push_back({version_from_sql(row[0].as<std::string>()),
                                      row[1].as<std::string>(), row[2].as<std::string>(),
                                      row[3].as<std::string>(), row[4].as<double>()});
        }
        return state;
    });
}

}  // namespace schemagate
