// SPDX-License-Identifier: Apache-2.0
#include "fleet_rate.h"

#include <algorithm>
#include <pqxx/nontransaction>
#include <pqxx/result_iterator.hxx>

#include "db_failure.h"
#include "schema_state.h"

namespace schemagate {

std::map<std::string, double> recent_arrivals(pqxx::connection& connection,
                                              const StateLocation& where,
                                              const MigrationVersion& target, Millis window) {
    std::map<std::string, double> out;
    if (!state_tables_exist(connection, where)) return out;
    // A set's first successful row at or past the target is when it arrived there.
    pqxx::result rows;
    try {
        rows = translate_db_errors([&] {
            pqxx::nontransaction work(connection);
            return work.exec_params(
                "SELECT name, extract(epoch FROM now() - min(applied_at))::float8 FROM " +
                    qualified(connection, where, StateTable::kHistory) +
                    " WHERE success AND version >= $1::numeric[] GROUP BY name "
                    "HAVING min(applied_at) > now() - $2::bigint * interval '1 millisecond'",
                target.sql_array(), static_cast<long long>(window.count()));
        });
    } catch (const DbError& e) {
        // A history older than its numeric[] versions (schemagate before 0.2): no rate, and
        // the status itself still shown.
        if (e.failure().sqlstate.rfind("42", 0) == 0) return out;
        throw;
    }
    for (const auto& row : rows) out[row[0].as<std::string>()] = row[1].as<double>();
    return out;
}

std::optional<FleetRate> fleet_rate(const std::vector<double>& seconds_ago, std::size_t remaining) {
    if (seconds_ago.empty()) return std::nullopt;
    // At least a second: one arrival a moment ago is not a pace of thousands a minute.
    const double span = std::max(1.0, *std::max_element(seconds_ago.begin(), seconds_ago.end()));
    FleetRate rate;
    rate.reached = seconds_ago.size();
    rate.remaining = remaining;
    rate.per_minute = static_cast<double>(rate.reached) * 60.0 / span;
    rate.eta_seconds = static_cast<double>(remaining) * 60.0 / rate.per_minute;
    return rate;
}

}  // namespace schemagate
