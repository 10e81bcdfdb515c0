// SPDX-License-Identifier: Apache-2.0
#include "lease_grant.h"

#include <array>

#include "digest.h"
#include "errors.h"
#include "random_bytes.h"

namespace schemagate {

std::string new_lease_id() {
    std::array<char, 16> bytes{};
    if (!fill_random(bytes)) {
        throw FatalError(ExitCode::kUnreachable, "no random bytes for the lease id");
    }
    return lower_hex(std::string_view(bytes.data(), bytes.size()));
}

}  // namespace schemagate
