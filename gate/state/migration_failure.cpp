// SPDX-License-Identifier: Apache-2.0
#include "migration_failure.h"

#include <algorithm>
#include <array>
#include <string_view>

namespace schemagate {

bool is_deterministic_failure(const std::string& sqlstate) {
    if (sqlstate.size() != 5) return false;
    // SQLSTATE classes (PostgreSQL documentation, Appendix A), by the two-character class.
    static constexpr std::array<std::string_view, 14> kDeterministicClasses = {
        "0A",  // feature not supported
        "21",  // cardinality violation
        "22",  // data exception
        "23",  // integrity constraint violation
        "26",  // invalid SQL statement name
        "2B",  // dependent privilege descriptors still exist
        "2F",  // SQL routine exception
        "34",  // invalid cursor name
        "38",  // external routine exception
        "39",  // external routine invocation exception
        "3F",  // invalid schema name
        "42",  // syntax error or access rule violation
        "44",  // WITH CHECK OPTION violation
        "P0",  // PL/pgSQL error (RAISE EXCEPTION)
    };
    const std::string_view klass = std::string_view(sqlstate).substr(0, 2);
    return std::find(kDeterministicClasses.begin(), kDeterministicClasses.end(), klass) !=
           kDeterministicClasses.end();
}

}  // namespace schemagate
