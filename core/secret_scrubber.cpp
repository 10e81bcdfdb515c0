// SPDX-License-Identifier: Apache-2.0
#include "secret_scrubber.h"

#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <mutex>
#include <optional>
#include <vector>

namespace schemagate {

namespace {

constexpr std::string_view kBlank = "***";
constexpr auto kNone = std::string_view::npos;

std::mutex& secrets_mutex() {
    static std::mutex mutex;
    return mutex;
}

// Longest first: a shorter secret that is a prefix of a longer one (libpq's reading of a
// password against a person's) must not blank half of the longer one and leave the rest.
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
// URLs looked at in one value: a real one holds one; bounds the work on hostile input.
constexpr int kMaxUrlsPerValue = 16;

bool is_space(char c) {
    return std::isspace(static_cast<unsigned char>(c)) != 0;
}

std::size_t token_end(std::string_view text, std::size_t from) {
    while (from < text.size() && !is_space(text[from])) ++from;
    return from;
}

std::size_t find_ignoring_case(std::string_view text, std::string_view word, std::size_t from) {
    const auto found = std::search(text.begin() + static_cast<std::ptrdiff_t>(from), text.end(),
                                   word.begin(), word.end(), [](char a, char b) {
                                       return std::tolower(static_cast<unsigned char>(a)) ==
                                              std::tolower(static_cast<unsigned char>(b));
                                   });
    return found == text.end() ? kNone : static_cast<std::size_t>(found - text.begin());
}

int hex_digit(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    const int lower = std::tolower(static_cast<unsigned char>(c));
    return lower >= 'a' && lower <= 'f' ? lower - 'a' + 10 : -1;
}

// What libpq makes of %XX escapes; nullopt when there are none or they are malformed.
std::optional<std::string> percent_decoded(std::string_view text) {
    if (text.find('%') == kNone) return std::nullopt;
    std::string out;
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (text[i] != '%') {
            out += text[i];
            continue;
        }
        if (i + 2 >= text.size() || hex_digit(text[i + 1]) < 0 || hex_digit(text[i + 2]) < 0) {
            return std::nullopt;
        }
        out += static_cast<char>(hex_digit(text[i + 1]) * 16 + hex_digit(text[i + 2]));
        i += 2;
    }
    return out;
}

void register_with_decoded(std::string_view candidate) {
    register_secret(candidate);
    if (const auto decoded = percent_decoded(candidate)) register_secret(*decoded);
}

// The span of the value after `password` at `keyword` (`password=x`, `password = 'x y'`),
// or nullopt when no '=' follows. `quoted` says whether the span sits inside quotes.
struct ValueSpan {
    std::size_t begin = 0;
    std::size_t end = 0;
    bool quoted = false;
};

std::optional<ValueSpan> keyword_value(std::string_view text, std::size_t keyword) {
    std::size_t p = keyword + std::string_view("password").size();
    while (p < text.size() && is_space(text[p])) ++p;
    if (p >= text.size() || text[p] != '=') return std::nullopt;
    ++p;
    while (p < text.size() && is_space(text[p])) ++p;
    if (p < text.size() && text[p] == '\'') {
        std::size_t q = p + 1;
        while (q < text.size() && text[q] != '\'')
            q += text[q] == '\\' ? std::size_t{2} : std::size_t{1};
        return ValueSpan{p + 1, std::min(q, text.size()), true};
    }
    return ValueSpan{p, token_end(text, p), false};
}

// libpq's reading of a quoted key=value value: backslash escapes the next character.
std::string unescaped(std::string_view quoted) {
    std::string out;
    for (std::size_t i = 0; i < quoted.size(); ++i) {
        if (quoted[i] == '\\' && i + 1 < quoted.size()) ++i;
        out += quoted[i];
    }
    return out;
}

void register_url_passwords(std::string_view value) {
    const auto last_at = value.rfind('@');
    if (last_at == kNone) return;
    int urls = 0;
    for (auto scheme = value.find("://"); scheme != kNone && urls < kMaxUrlsPerValue;
         scheme = value.find("://", scheme + 3), ++urls) {
        const auto colon = value.find(':', scheme + 3);
        if (colon == kNone || colon > last_at) return;
        const auto first_at = value.find('@', colon + 1);
        register_with_decoded(value.substr(colon + 1, first_at - colon - 1));
        register_with_decoded(value.substr(colon + 1, last_at - colon - 1));
    }
}

void register_keyword_passwords(std::string_view value) {
    for (auto at = find_ignoring_case(value, "password", 0); at != kNone;
         at = find_ignoring_case(value, "password", at + 1)) {
        const auto span = keyword_value(value, at);
        if (!span) continue;
        const std::string_view raw = value.substr(span->begin, span->end - span->begin);
        register_with_decoded(raw);
        if (span->quoted) register_secret(unescaped(raw));
        // In a URL's query the value ends at the next parameter.
        if (!span->quoted) register_with_decoded(raw.substr(0, raw.find('&')));
        // An unquoted password typed with a space or tab in it is not libpq's (it stops at
        // the space), but it is the user's: the rest of the value counts as secret too.
        if (!span->quoted) register_secret(value.substr(span->begin));
    }
}

// An incoming webhook's token is its URL's path.
void register_http_paths(std::string_view value) {
    for (const std::string_view scheme : {"http://", "https://"}) {
        for (auto at = find_ignoring_case(value, scheme, 0); at != kNone;
             at = find_ignoring_case(value, scheme, at + 1)) {
            const auto path = value.find_first_of("/?#", at + scheme.size());
            if (path == kNone) break;
            const auto end = token_end(value, path);
            if (end - path > 1) register_secret(value.substr(path, end - path));
            // A path with a space or tab in it is no URL's, but may be the user's token: the
            // rest of the value counts as secret too.
            if (end < value.size()) register_secret(value.substr(path));
        }
    }
}

// scheme://user:PASSWORD@host, whatever was registered: up to the last '@' of the word.
void blank_url_passwords(std::string& text) {
    for (auto scheme = text.find("://"); scheme != std::string::npos;
         scheme = text.find("://", scheme + 3)) {
        const auto start = scheme + 3;
        const auto end = token_end(text, start);
        const auto at = end > start ? text.rfind('@', end - 1) : std::string::npos;
        if (at == std::string::npos || at < start) continue;
        const auto colon = text.find(':', start);
        if (colon == std::string::npos || colon + 1 >= at ||
            text.compare(colon + 1, at - colon - 1, kBlank) == 0)
            continue;
        text.replace(colon + 1, at - colon - 1, kBlank);
    }
}

// password=VALUE and password='VALUE', whatever was registered.
void blank_keyword_passwords(std::string& text) {
    for (auto at = find_ignoring_case(text, "password", 0); at != kNone;
         at = find_ignoring_case(text, "password", at + 1)) {
        const auto span = keyword_value(text, at);
        if (!span || span->end == span->begin) continue;
        if (text.compare(span->begin, span->end - span->begin, kBlank) == 0) continue;
        text.replace(span->begin, span->end - span->begin, kBlank);
    }
}

void blank_registered(std::string& out) {
    const std::lock_guard lock(secrets_mutex());
    for (const auto& secret : secrets()) {
        // A short password may be an ordinary word ("lease"): blanking every occurrence would
        // turn "lease acquired" into "*** acquired" and so tell the reader the password. Short
        // ones are blanked only where they stand as a credential.
        if (secret.size() >= kAnywhereLength) {
            replace_all(out, secret, kBlank);
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
            out.replace(out.size() - secret.size(), secret.size(), kBlank);
        }
    }
}

}  // namespace

void register_secret(std::string_view secret) {
    // Very short secrets would mangle ordinary words; libpq passwords that short are
    // already hopeless, and we still never print them on purpose.
    if (secret.size() < 3) return;
    const std::lock_guard lock(secrets_mutex());
    auto& list = secrets();
    if (std::find(list.begin(), list.end(), secret) != list.end()) return;
    const auto longer = [](std::string_view a, const std::string& b) {
        return a.size() > b.size();
    };
    list.emplace(std::upper_bound(list.begin(), list.end(), secret, longer), secret);
}

void register_secrets_in(std::string_view value) {
    register_url_passwords(value);
    register_keyword_passwords(value);
}

void register_secrets_in_process(int argc, const char* const* argv) {
    for (int i = 1; i < argc; ++i) {
        register_secrets_in(argv[i]);
        register_http_paths(argv[i]);
    }
    for (char** variable = environ; variable != nullptr && *variable != nullptr; ++variable) {
        const std::string_view entry(*variable);
        const auto equals = entry.find('=');
        if (equals == kNone) continue;
        const std::string_view name = entry.substr(0, equals);
        const std::string_view value = entry.substr(equals + 1);
        register_secrets_in(value);
        if (name == "PGPASSWORD") register_secret(value);
        if (name == "SCHEMAGATE_NOTIFY_URL") register_http_paths(value);
    }
}

std::string scrub(std::string_view text) {
    std::string out(text);
    blank_registered(out);
    blank_url_passwords(out);
    blank_keyword_passwords(out);
    return out;
}

void forget_secrets() {
    const std::lock_guard lock(secrets_mutex());
    secrets().clear();
}

}  // namespace schemagate
