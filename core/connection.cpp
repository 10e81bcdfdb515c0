// SPDX-License-Identifier: Apache-2.0
#include "connection.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <atomic>

#include "db_failure.h"
#include "errors.h"
#include "interrupt.h"

namespace schemagate {

namespace {

[[noreturn]] void refuse_or_retry(const ConnectOptions& options, const DbFailure& failure) {
    const std::string where = options.target.description;
    if (is_permanent_connect_failure(failure.message)) {
        throw FatalError(ExitCode::kUnreachable, "cannot connect to " + where + ": " +
                                                     failure.message + " (" +
                                                     connect_failure_hint(failure.message) + ")");
    }
    throw RetryableError("cannot connect to " + where + ": " + failure.message);
}

// Set once a server refused the startup packet's `options` (where the server-side keepalives
// travel): PgBouncer does, unless told to ignore it. Then every later connection of the process
// goes without them: behind a pooler nothing is set on a server connection another client will
// get (the pooler's own server connections are its business).
std::atomic<bool> options_refused{false};

bool refuses_startup_options(const DbFailure& failure) {
    return failure.message.find("unsupported startup parameter: options") != std::string::npos;
}

// The server's version (server_version_num), once a connection of this process saw it: the
// extra server settings are asked for only of a server that knows them, because an unknown
// one fails the connection with a FATAL line in the server's log.
std::atomic<int> server_version_seen{0};

bool with_settings(const ConnectOptions& options) {
    const int seen = server_version_seen.load();
    return !options.server_settings.empty() && seen != 0 && seen >= options.server_settings_since;
}

Connection open_connection(const ConnectOptions& options, bool server_keepalives) {
    const std::string conninfo = conninfo_with(
        options.target.conninfo, options.application_name, options.connect_timeout_seconds,
        server_keepalives, with_settings(options) ? options.server_settings : ServerSettings{});
    return translate_db_errors([&conninfo] {
        auto connection = std::make_unique<pqxx::connection>(conninfo);
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
        // libpqxx 6 would otherwise reconnect silently after a break, losing session
        // settings and, worse, hiding from us that a transaction holding the lease died.
        connection->inhibit_reactivation(true);
#pragma GCC diagnostic pop
        return connection;
    });
}

// The first connection of a process that wants extra settings goes without them and learns
// the server's version; if the server knows them, a second one is made with them.
Connection open_with_keepalives(const ConnectOptions& options) {
    const bool first = !options.server_settings.empty() && server_version_seen.load() == 0;
    Connection connection = open_connection(options, true);
    if (!first) return connection;
    server_version_seen = connection->server_version();
    if (with_settings(options)) return open_connection(options, true);
    spdlog::info("{} is PostgreSQL {} (before {}): connecting without {}",
                 options.target.description, server_version_seen.load() / 10000,
                 options.server_settings_since / 10000, options.server_settings.front().first);
    return connection;
}

// With the server-side keepalives unless a server refused them; on that refusal, at once
// again without them.
Connection open_with_keepalives_if_accepted(const ConnectOptions& options) {
    if (!options_refused.load()) {
        try {
            return open_with_keepalives(options);
        } catch (const ConnectionLost& e) {
            if (!refuses_startup_options(e.failure())) throw;
        }
        if (!options_refused.exchange(true)) {
            spdlog::info(
                "{} refuses the startup parameter `options` (a pooler?): connecting "
                "without server-side TCP keepalives",
                options.target.description);
        }
    }
    return open_connection(options, false);
}

}  // namespace

Connection connect_once(const ConnectOptions& options) {
    try {
        return open_with_keepalives_if_accepted(options);
    } catch (const ConnectionLost& e) {
        refuse_or_retry(options, e.failure());
    } catch (const DbError& e) {
        refuse_or_retry(options, e.failure());
    }
}

Connection connect_until(const ConnectOptions& options, const Deadline& deadline) {
    Backoff backoff(Millis{100}, Millis{2000});
    std::string last_reason;
    int attempts = 0;
    for (;;) {
        // libpq waits at least 2 s for an attempt: one started with less left would overrun
        // the deadline (the first attempt is always made).
        if (deadline.passed() || (attempts > 0 && deadline.remaining() < Millis{2000})) break;
        ++attempts;
        try {
            // Never let one attempt run past the deadline (libpq's own minimum is 2 s).
            ConnectOptions attempt = options;
            const auto left =
                std::chrono::duration_cast<std::chrono::seconds>(deadline.remaining());
            attempt.connect_timeout_seconds = static_cast<int>(
                std::clamp<std::int64_t>(left.count(), 2, options.connect_timeout_seconds));
            auto connection = connect_once(attempt);
            if (attempts > 1) {
                spdlog::info("connected to {} after {} attempts", options.target.description,
                             attempts);
            }
            return connection;
        } catch (const RetryableError& e) {
            if (e.what() != last_reason) {
                spdlog::warn("{}; retrying until the deadline ({} left)", e.what(),
                             format_duration(deadline.remaining()));
                last_reason = e.what();
            }
        }
        if (deadline.passed()) break;
        if (Interrupt::wait_for(next_wait(backoff, deadline))) {
            throw FatalError(Interrupt::exit_code(),
                             "interrupted by signal " + std::to_string(Interrupt::signal_number()) +
                                 " while connecting");
        }
    }
    throw FatalError(ExitCode::kUnreachable,
                     "database unreachable until the deadline (" +
                         format_duration(deadline.budget()) + ")" +
                         (last_reason.empty() ? std::string() : ": " + last_reason));
}

}  // namespace schemagate
