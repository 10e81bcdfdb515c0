// SPDX-License-Identifier: Apache-2.0
#include "lease_grant.h"

#include <openssl/rand.h>

#include <array>

#include "errors.h"

namespace schemagate {

std::string new_lease_id() {
    std::array<unsigned char, 16> bytes{};
    if (RAND_bytes(bytes.data(), static_cast<int>(bytes.size())) != 1) {
        throw FatalError(ExitCode::kUnreachable, "no random bytes for the lease id");
    }
    static constexpr char kHex[] = "0123456789abcdef";
    std::string id;
    id.reserve(bytes.size() * 2);
    for (const unsigned char byte : bytes) {
        id += kHex[byte >> 4U];
        id += kHex[byte & 0x0fU];
    }
    return id;
}

}  // namespace schemagate
