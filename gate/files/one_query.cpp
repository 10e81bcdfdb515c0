// SPDX-License-Identifier: Apache-2.0
#include "one_query.h"

#include <string>

namespace schemagate {

void refuse_outside_transaction_in_one_query(const SqlStatement& statements, std::string_view where,
                                             std::string_view unit) {
    for (const auto& part : statements.parts) {
        if (const auto& reason = part.traits.outside_transaction) {
            throw SqlSyntaxError(part.line, *reason + " " + std::string(where) + ": the " +
                                                std::string(unit) +
                                                " goes to the server as one query, which runs as "
                                                "one transaction, where it cannot run; give it a " +
                                                std::string(unit) + " of its own");
        }
    }
}

}  // namespace schemagate
