// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <string>
#include <utility>
#include <vector>

namespace schemagate {

// Server settings for one session, sent in the startup packet (`-c name=value`).
using ServerSettings = std::vector<std::pair<std::string, std::string>>;

// Where the database is, from (first match wins): --database-url, the file named by
// --database-url-file (a mounted Secret), or nothing -- then libpq reads its own PG*
// variables. DATABASE_URL is bound to --database-url by the flag table.
struct DatabaseTarget {
    std::string conninfo;     // URL or key=value; may be empty (PG* variables). Secret.
    std::string description;  // "user@host:port/dbname": safe to log, no password
};

// Reads the file if needed, validates the syntax, registers the password with the secret
// scrubber. Throws FatalError(kBadInput) naming `url_source` (the flag or the variable `url`
// came from) or the file, never the value. A URL whose user info is ambiguous (an unencoded
// '/', '?', '#' or '@' before its last '@') is refused.
DatabaseTarget resolve_database_target(const std::string& url, const std::string& url_file,
                                       const std::string& url_source = "--database-url");

// True when any of the sources above is set (validate uses it to decide whether a database
// was given at all).
bool database_target_given(const std::string& url, const std::string& url_file);

// The conninfo with application_name, a connect_timeout default and TCP keepalives added, in
// key=value form. With `server_keepalives`, the startup packet's `options` also asks the server
// for the same keepalives on its end of the session (the user's own options kept, and a setting
// they name left to them); without, `options` is left as the user gave it.
// `server_settings` travel with those keepalives (a setting the user's options name is left
// to them).
std::string conninfo_with(const std::string& conninfo, const std::string& application_name,
                          int connect_timeout_seconds, bool server_keepalives,
                          const ServerSettings& server_settings = {});

}  // namespace schemagate
