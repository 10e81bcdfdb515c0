// SPDX-License-Identifier: Apache-2.0
#include "hazard_deferral_writer.h"

#include <spdlog/spdlog.h>

#include <pqxx/transaction>

#include "db_failure.h"
#include "schema_state.h"

namespace schemagate {

std::string create_hazard_deferral_sql(const std::string& table) {
    return "CREATE TABLE IF NOT EXISTS " + table +
           " (name text NOT NULL, version numeric[] NOT NULL, rule text NOT NULL, relation "
           "text NOT NULL, file text NOT NULL, line integer NOT NULL, holder text NOT NULL, "
           "deferred_at timestamptz NOT NULL DEFAULT clock_timestamp(), PRIMARY KEY (name, "
           "version, rule))";
}

void record_hazard_deferral(pqxx::connection& connection, const StateLocation& where,
                            const MigrationHazards& migration, const std::string& holder) {
    try {
        translate_db_errors([&] {
            pqxx::work work(connection);
            const std::string table = qualified(connection, where, StateTable::kHazardDeferral);
            work.exec(create_hazard_deferral_sql(table));
            for (const Hazard& hazard : migration.hazards) {
                if (!hazard.blocking || hazard.allowed) continue;
                work.exec_params(
                    "INSERT INTO " + table +
                        " (name, version, rule, relation, file, line, holder) VALUES ($1, "
                        "$2::numeric[], $3, $4, $5, $6, $7) ON CONFLICT (name, version, rule) DO "
                        "UPDATE SET relation = EXCLUDED.relation, file = EXCLUDED.file, line = "
                        "EXCLUDED.line, holder = EXCLUDED.holder, deferred_at = clock_timestamp()",
                    where.name, migration.migration->version.sql_array(),
                    std::string(hazard.rule->name), hazard.effect.relation, hazard.file,
                    hazard.line, holder);
            }
            work.commit();
        });
    } catch (const DbError& e) {
        // No state schema yet (a database schemagate has not bootstrapped), or no right to
        // write it: the deferral stands, only the metric will not show it.
        spdlog::info("hazard deferral not recorded in {}.{}: {}", where.schema,
                     table_name(StateTable::kHazardDeferral), e.what());
    }
}

}  // namespace schemagate
