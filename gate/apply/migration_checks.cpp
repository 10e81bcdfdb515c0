// SPDX-License-Identifier: Apache-2.0
#include "migration_checks.h"

#include <pqxx/result>

namespace schemagate {

void run_checks(pqxx::transaction_base& session, const Migration& migration) {
    for (const auto& check : migration.checks) {
        const pqxx::result result = session.exec(check.text);
        constexpr pqxx::oid kBoolOid = 16;
        const bool one_boolean =
            result.size() == 1 && result.columns() == 1 && result.column_type(0) == kBoolOid;
        std::string outcome;
        if (one_boolean) {
            if (!result[0][0].is_null() && result[0][0].as<bool>()) continue;
            outcome = result[0][0].is_null() ? "returned NULL" : "returned false";
        } else if (result.empty()) {
            continue;
        } else {
            outcome = "returned " + std::to_string(result.size()) + " row" +
                      (result.size() == 1 ? "" : "s") + " (a check passes with true or no rows)";
        }
        throw CheckFailed(label(migration) + ": check " + migration.verify_file + " line " +
                              std::to_string(check.line) +
                              " failed after the migration: " + outcome,
                          check.line);
    }
}

}  // namespace schemagate
