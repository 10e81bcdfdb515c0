// SPDX-License-Identifier: Apache-2.0
#include "tenant_source.h"

#include <pqxx/result>
#include <pqxx/transaction>

#include "db_failure.h"
#include "errors.h"
#include "gate_connection.h"
#include "tenant_names.h"

namespace schemagate {

namespace {

std::vector<std::string> query_tenants(const std::string& sql, const ConnectOptions& control,
                                       const Deadline& deadline) {
    GateConnection db(control, deadline);
    pqxx::connection& connection = db.get();
    std::vector<std::string> names;
    try {
        translate_db_errors([&] {
            // Read-only: a query that would write is refused by the server, not run.
            pqxx::read_transaction work(connection);
            for (const auto& row : work.exec(sql)) {
                if (row.empty() || row[0].is_null()) {
                    throw FatalError(ExitCode::kBadInput,
                                     "--tenants-query: a row without a tenant name (NULL or no "
                                     "column)");
                }
                names.push_back(row[0].as<std::string>());
            }
        });
    } catch (const DbError& e) {
        throw FatalError(ExitCode::kBadInput, "--tenants-query: " + with_detail(e.failure()));
    }
    return checked_tenants(names, "--tenants-query");
}

}  // namespace

std::vector<std::string> read_tenants(const FleetOptions& options, const ConnectOptions& control,
                                      const Deadline& deadline) {
    if (options.tenants_file.empty() == options.tenants_query.empty()) {
        throw FatalError(ExitCode::kBadInput,
                         "--tenants-file or --tenants-query: give exactly one");
    }
    if (!options.tenants_file.empty()) return read_tenant_file(options.tenants_file);
    return query_tenants(options.tenants_query, control, deadline);
}

}  // namespace schemagate
