// SPDX-License-Identifier: Apache-2.0
#include "migration_groups.h"

namespace schemagate {

bool chainable(const Migration& migration) {
    return !migration.no_transaction && !migration.batch && migration.checks.empty();
}

std::size_t group_end(std::span<const Migration* const> pending, std::size_t first,
                      const std::function<bool(const Migration&)>& failed_before) {
    std::size_t end = first + 1;
    if (!chainable(*pending[first])) return end;
    while (end < pending.size() && chainable(*pending[end]) && !failed_before(*pending[end])) {
        ++end;
    }
    return end;
}

}  // namespace schemagate
