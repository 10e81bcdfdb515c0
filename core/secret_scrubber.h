// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <string>
#include <string_view>

namespace schemagate {

// Last line of defence for "passwords never reach a log, a message, a metric or an HTTP
// answer": every secret the process learns (the database password) is registered here,
// and every byte that leaves the process through a log sink or the termination message
// passes through scrub(). Thread-safe.
void register_secret(std::string_view secret);

// Registers whatever in `value` could be a password by any reading, before anything parses
// it: in `scheme://user:PASSWORD@host` both libpq's password (up to the first '@') and a
// person's (up to the last '@', when an '@', '/', '?' or '#' in it was not percent-encoded),
// raw and percent-decoded; the value of every `password=` (key=value or URL query), quoted or
// not.
void register_secrets_in(std::string_view value);

// Every argument after argv[0] and every environment variable go through
// register_secrets_in; PGPASSWORD is registered whole, and the path of an http(s) URL on the
// command line or in SCHEMAGATE_NOTIFY_URL too (a webhook's token is its path). Called before
// the command line is parsed, so that a parse error that echoes an argument (a mistyped flag,
// a stray positional) cannot print a password.
void register_secrets_in_process(int argc, const char* const* argv);

// The text with every registered secret blanked, and, whatever was registered, the password
// of every `scheme://user:password@` URL and the value of every `password=` blanked too.
std::string scrub(std::string_view text);

// Forgets every registered secret: for tests and fuzz targets that run many inputs in one
// process.
void forget_secrets();

}  // namespace schemagate
