// SPDX-License-Identifier: Apache-2.0
#include "secret_scrubber.h"

#include <mutex>
#include <vector>

namespace schemagate {

namespace {

std::mutex& secrets_mutex() {
    static std::mutex mutex;
    return mutex;
}

std::vector<std::string>& secrets() {
    static std::vector<std::string> list;
    return list;
}

void replace_all(std::string& text, const std::string& needle, std::string_view with) {
    for (auto pos = text.find(needle); pos != std::string::npos;
         pos = text.find(needle, pos + with.size())) {
        text.replace(pos, needle.size(), with);
    }
}

// Secrets at least this long are blanked wherever they appear.
constexpr std::size_t kAnywhereLength = 8;

}  // namespace

void register_secret(std::string_view secret) {
    // Very short secrets would mangle ordinary words; libpq passwords that short are
    // already hopeless, and we still never print them on purpose.
    if (secret.size() < 3) return;
    const std::lock_guard lock(secrets_mutex());
    secrets().emplace_back(secret);
}

std::string scrub(std::string_view text) {
    std::string out(text);
    const std::lock_guard lock(secrets_mutex());
    for (const auto& secret : secrets()) {
        // A short password may be an ordinary word ("lease"): blanking every occurrence would
        // turn "lease acquired" into "*** acquired" and so tell the reader the password. Short
        // ones are blanked only where they stand as a credential.
        if (secret.size() >= kAnywhereLength) {
            replace_all(out, secret, "***");
            continue;
        }
        for (const char* before : {":", "=", "'", "\""}) {
            for (const char* after : {"@", " ", "'", "\"", "&", "\n"}) {
                replace_all(out, before + secret + after,
                            std::string(before) + "***" + std::string(after));
            }
        }
        if (out.size() >= secret.size() + 1 &&
            out.compare(out.size() - secret.size(), secret.size(), secret) == 0 &&
            std::string_view(":='\"").find(out[out.size() - secret.size() - 1]) !=
                std::string_view::npos) {
            out.replace(out.size() - secret.size(), secret.size(), "***");
        }
    }
    return out;
}

}  // namespace schemagate
