// SPDX-License-Identifier: Apache-2.0
#include "adoption_writer.h"

#include <pqxx/nontransaction>

#include "db_failure.h"

namespace schemagate {

bool write_adoption(pqxx::connection& connection, const StateStore& store, const Lease& lease,
                    const LeaseGrant& grant, const Adoption& adoption) {
    return translate_db_errors([&] {
        const auto history = store.read_history(connection);
        if (history && !history->empty()) return false;
        pqxx::nontransaction session(connection);
        session.exec("BEGIN; " + lease.fence_or_fail_sql(session, grant) + "; " +
                     store.adopt_sql(session, adoption, lease.holder(), grant) + "; " +
                     lease.fence_sql(session, grant) + "; COMMIT");
        return true;
    });
}

}  // namespace schemagate
