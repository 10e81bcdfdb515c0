// SPDX-License-Identifier: Apache-2.0
// Any --database-url is accepted or refused with exit 3, never echoed in the error, and an
// accepted one describes itself without its password.
#include <cstdint>
#include <string>

#include "database_target.h"
#include "errors.h"
#include "fuzz_assert.h"
#include "secret_scrubber.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string url(reinterpret_cast<const char*>(data), size);
    if (url.find('\0') != std::string::npos) return 0;  // a flag value cannot hold NUL
    schemagate::forget_secrets();  // one input's secrets are not the next one's
    try {
        const auto target = schemagate::resolve_database_target(url, "");
        (void)schemagate::conninfo_with(target.conninfo, "fuzz", 5, true);
    } catch (const schemagate::FatalError& e) {
        FUZZ_ASSERT_TRUE(e.code() == schemagate::ExitCode::kBadInput);
        // The message's own fixed wording may contain a short input by chance: look only at
        // what is left once it is removed.
        std::string message = e.what();
        for (const std::string fixed :
             {"--database-url: ",
              "not a valid PostgreSQL URL (postgresql://user@host:port/db) or key=value "
              "connection string",
              "the URL holds an unencoded '/', '?', '#' or '@' before its last '@', so where the "
              "password ends is ambiguous: percent-encode them in the user name, password and "
              "query (%2F, %3F, %23, %40)"}) {
            if (const auto at = message.find(fixed); at != std::string::npos) {
                message.erase(at, fixed.size());
            }
        }
        FUZZ_ASSERT_TRUE(url.size() <= 12 || message.find(url) == std::string::npos);
    }
    return 0;
}
