// SPDX-License-Identifier: Apache-2.0
#include "database_target.h"

#include <libpq-fe.h>

#include <cstdlib>
#include <fstream>
#include <map>
#include <memory>
#include <sstream>
#include <string_view>

#include "errors.h"
#include "secret_scrubber.h"

namespace schemagate {

namespace {

using ParsedOptions = std::map<std::string, std::string>;

// libpq parses both the URL and the key=value forms; we never do it by hand.
bool parse_conninfo(const std::string& conninfo, ParsedOptions& out) {
    char* error = nullptr;
    PQconninfoOption* options = PQconninfoParse(conninfo.c_str(), &error);
    // The error text can quote the input, which may hold the password: never shown.
    if (error != nullptr) PQfreemem(error);
    if (options == nullptr) return false;
    for (auto* option = options; option->keyword != nullptr; ++option) {
        if (option->val != nullptr && *option->val != '\0') out[option->keyword] = option->val;
    }
    PQconninfoFree(options);
    return true;
}

std::string env_or(const char* name, const std::string& fallback) {
    const char* value = std::getenv(name);
    return (value != nullptr && *value != '\0') ? std::string(value) : fallback;
}

std::string describe(const ParsedOptions& options) {
    const auto get = [&](const char* key, const char* env, const std::string& fallback) {
        const auto found = options.find(key);
        return found != options.end() ? found->second : env_or(env, fallback);
    };
    return get("user", "PGUSER", "(default user)") + "@" + get("host", "PGHOST", "localhost") +
           ":" + get("port", "PGPORT", "5432") + "/" + get("dbname", "PGDATABASE", "(default db)");
}

std::string quote_conninfo_value(const std::string& value) {
    std::string quoted = "'";
    for (const char c : value) {
        if (c == '\'' || c == '\\') quoted += '\\';
        quoted += c;
    }
    return quoted + "'";
}

std::string read_url_file(const std::string& url_file) {
    std::ifstream file(url_file, std::ios::binary);
    if (!file) {
        throw FatalError(ExitCode::kBadInput, "--database-url-file: cannot read " + url_file);
    }
    std::ostringstream content;
    content << file.rdbuf();
    std::string conninfo = content.str();
    while (!conninfo.empty() &&
           (conninfo.back() == '\n' || conninfo.back() == '\r' || conninfo.back() == ' ')) {
        conninfo.pop_back();
    }
    if (conninfo.empty()) {
        throw FatalError(ExitCode::kBadInput, "--database-url-file: " + url_file + " is empty");
    }
    return conninfo;
}

// libpq ends the user info at the first '@' (or finds none if a '/' comes first); RFC 3986
// ends the authority at the first '/', '?' or '#'; a person who forgot to percent-encode
// meant the last '@'. Where an unencoded '/', '?', '#' or '@' stands before the last '@',
// these readings differ: libpq would take part of the password for the host or the database
// name (shown in logs, not registered as a secret). Such a URL is refused.
bool has_ambiguous_userinfo(std::string_view conninfo) {
    std::string_view rest;
    for (const std::string_view scheme : {"postgresql://", "postgres://"}) {
        if (conninfo.substr(0, scheme.size()) == scheme) rest = conninfo.substr(scheme.size());
    }
    const auto last_at = rest.rfind('@');
    return last_at != std::string_view::npos &&
           rest.substr(0, last_at).find_first_of("/?#@") != std::string_view::npos;
}

// The client's keepalives (see conninfo_with), for the server's end of our sessions: without
// them a server never notices a client cut off while its session is idle (a heartbeat between
// beats) until the kernel's two-hour default, and a session with unacknowledged data lingers
// for the retransmission timeout (minutes).
constexpr std::pair<const char*, const char*> kServerKeepalives[] = {
    {"tcp_keepalives_idle", "5"},
    {"tcp_keepalives_interval", "2"},
    {"tcp_keepalives_count", "3"},
    {"tcp_user_timeout", "10000"},
};

// Whether the user's options already set `name` (as -c name=, --name= or with dashes).
bool names_setting(const std::string& user_options, std::string name) {
    if (user_options.find(name + "=") != std::string::npos) return true;
    for (char& c : name) {
        if (c == '_') c = '-';
    }
    return user_options.find(name + "=") != std::string::npos;
}

// The user's options (the URL's, else PGOPTIONS: libpq reads it only when the conninfo has
// none) followed by our keepalives for the settings they leave alone.
std::string with_server_keepalives(const ParsedOptions& options, const ServerSettings& extra) {
    const auto own = options.find("options");
    std::string merged = own != options.end() ? own->second : env_or("PGOPTIONS", "");
    const auto add = [&merged](const std::string& name, const std::string& value) {
        if (names_setting(merged, name)) return;
        if (!merged.empty()) merged += ' ';
        merged += "-c " + name + "=" + value;
    };
    for (const auto& [name, value] : kServerKeepalives) add(name, value);
    for (const auto& [name, value] : extra) add(name, value);
    return merged;
}

}  // namespace

bool database_target_given(const std::string& url, const std::string& url_file) {
    return !url.empty() || !url_file.empty() || std::getenv("PGHOST") != nullptr ||
           std::getenv("PGDATABASE") != nullptr || std::getenv("PGSERVICE") != nullptr;
}

DatabaseTarget resolve_database_target(const std::string& url, const std::string& url_file,
                                       const std::string& url_source) {
    if (const char* password = std::getenv("PGPASSWORD")) register_secret(password);
    std::string conninfo = url;
    std::string source = url_source;
    if (conninfo.empty() && !url_file.empty()) {
        source = "--database-url-file " + url_file;
        conninfo = read_url_file(url_file);
    }
    // Before anything can quote it: whatever could be the password, by any reading.
    register_secrets_in(conninfo);
    if (has_ambiguous_userinfo(conninfo)) {
        throw FatalError(ExitCode::kBadInput,
                         source +
                             ": the URL holds an unencoded '/', '?', '#' or '@' before its last "
                             "'@', so where the password ends is ambiguous: percent-encode them "
                             "in the user name, password and query (%2F, %3F, %23, %40)");
    }
    ParsedOptions options;
    if (!parse_conninfo(conninfo, options)) {
        throw FatalError(ExitCode::kBadInput,
                         source +
                             ": not a valid PostgreSQL URL (postgresql://user@host:port/db) "
                             "or key=value connection string");
    }
    if (const auto password = options.find("password"); password != options.end()) {
        register_secret(password->second);
    }
    return DatabaseTarget{conninfo, describe(options)};
}

std::string conninfo_with(const std::string& conninfo, const std::string& application_name,
                          int connect_timeout_seconds, bool server_keepalives,
                          const ServerSettings& server_settings) {
    ParsedOptions options;
    parse_conninfo(conninfo, options);
    options["application_name"] = application_name;
    // Without a bound, a SYN to a black-holed address waits for the kernel's TCP timeout
    // (minutes) and the deadline could not be honoured.
    options.try_emplace("connect_timeout", std::to_string(connect_timeout_seconds));
    // A peer that vanishes without a FIN or RST (a node lost, packets dropped) must be noticed
    // in seconds, not after the kernel's two-hour keepalive default: idle probes after 5 s,
    // every 2 s, 3 misses (about 11 s on an idle socket), and 10 s for data left unacknowledged.
    // The user's own values, if any, win.
    options.try_emplace("keepalives", "1");
    options.try_emplace("keepalives_idle", "5");
    options.try_emplace("keepalives_interval", "2");
    options.try_emplace("keepalives_count", "3");
    options.try_emplace("tcp_user_timeout", "10000");
    // The same for the server's end, in the startup packet: applied before the session's first
    // query and gone with the session. Never a SET: behind a transaction-pooling PgBouncer a
    // session setting stays on a server connection that the pooler hands to another client.
    if (server_keepalives) options["options"] = with_server_keepalives(options, server_settings);
    std::string out;
    for (const auto& [key, value] : options) {
        if (!out.empty()) out += ' ';
        out += key + "=" + quote_conninfo_value(value);
    }
    return out;
}

}  // namespace schemagate
