// SPDX-License-Identifier: Apache-2.0
#include "lease_grant.h"

#include <sys/random.h>

#include <array>
#include <cerrno>
#include <cstddef>

#include "digest.h"
#include "errors.h"

namespace schemagate {

std::string new_lease_id() {
    // The kernel's generator, not OpenSSL's: RAND_bytes builds OpenSSL 3's provider store
    // and DRBG first, a good part of a gate's start-up, for sixteen bytes.
    std::array<char, 16> bytes{};
    std::size_t filled = 0;
    while (filled < bytes.size()) {
        const ssize_t got = getrandom(bytes.data() + filled, bytes.size() - filled, 0);
        if (got < 0 && errno == EINTR) continue;
        if (got <= 0) throw FatalError(ExitCode::kUnreachable, "no random bytes for the lease id");
        filled += static_cast<std::size_t>(got);
    }
    return lower_hex(std::string_view(bytes.data(), bytes.size()));
}

}  // namespace schemagate
