// SPDX-License-Identifier: Apache-2.0
#include "heartbeat.h"

#include <spdlog/spdlog.h>

#include <algorithm>

#include "db_failure.h"
#include "errors.h"
#include "logging.h"

namespace schemagate {

namespace {

// The watch's query must leave the holder time to roll back and release before --timeout.
constexpr Millis kWatchQueryBound{500};

}  // namespace

Heartbeat::Heartbeat(ConnectOptions options, const Lease& lease, LeaseGrant grant,
                     std::function<void()> on_lost, std::optional<DeadlineWatch> watch)
    : options_(std::move(options)),
      lease_(lease),
      grant_(std::move(grant)),
      on_lost_(std::move(on_lost)),
      watch_(std::move(watch)) {
    options_.application_name += " (heartbeat)";
    // A reconnect must not outlast a beat by much, nor hold up the holder's exit.
    options_.connect_timeout_seconds = 2;
    thread_ = std::thread([this] { run(); });
}

void Heartbeat::stop() {
    {
        const std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    wake_.notify_all();
    // A renewal stuck in a network cut would otherwise hold the holder's exit for a beat.
    renew_deadline_.cut_now();
}

Heartbeat::~Heartbeat() {
    stop();
    thread_.join();
}

std::optional<std::string> Heartbeat::deadline_reached() {
    const std::lock_guard lock(watch_mutex_);
    if (!fired_) return std::nullopt;
    acknowledged_ = true;
    return seen_ ? describe(*seen_) : std::string();
}

void Heartbeat::stand_down() {
    const std::lock_guard lock(watch_mutex_);
    acknowledged_ = true;
}

void Heartbeat::run() {
    const Millis interval = std::max(lease_.ttl() / 3, Millis{50});
    Connection connection;
    auto next_beat = SteadyClock::now() + interval;
    for (;;) {
        {
            std::unique_lock lock(mutex_);
            if (wake_.wait_until(lock, next_wake(next_beat), [this] { return stopping_; })) {
                return;
            }
        }
        if (watch_due()) {
            watch(connection);
            continue;
        }
        if (SteadyClock::now() < next_beat) continue;
        next_beat = SteadyClock::now() + interval;
        if (!beat(connection, interval)) return;
    }
}

TimePoint Heartbeat::next_wake(TimePoint next_beat) {
    const std::lock_guard lock(watch_mutex_);
    if (!watch_ || acknowledged_) return next_beat;
    return std::min(next_beat, attempted_ ? last_attempt_ + kRecancelInterval : watch_->at);
}

bool Heartbeat::watch_due() {
    const std::lock_guard lock(watch_mutex_);
    if (!watch_ || acknowledged_) return false;
    return SteadyClock::now() >= (attempted_ ? last_attempt_ + kRecancelInterval : watch_->at);
}

// Fires once the server has seen the cancel: a watch that cannot reach it (a network cut)
// leaves the holder to the socket deadline, and the run ends as unreachable (exit 4).
void Heartbeat::watch(Connection& connection) {
    {
        const std::lock_guard lock(watch_mutex_);
        attempted_ = true;
        last_attempt_ = SteadyClock::now();
    }
    try {
        if (!connection) connection = connect_once(options_);
        const std::lock_guard lock(watch_mutex_);
        if (acknowledged_) return;
        const SocketDeadline::Scope bounded(renew_deadline_, connection->sock(), kWatchQueryBound);
        SessionAtDeadline seen = translate_db_errors([&] {
            return describe_and_cancel(*connection, watch_->session_pid(),
                                       watch_->application_name);
        });
        fired_ = true;
        // The first look that found the session says what it was doing; later ones only
        // cancel what it sent since.
        if (!seen_ || !seen_->found) seen_ = std::move(seen);
    } catch (const std::exception& e) {
        if (!watch_failed_) {
            spdlog::warn("could not cancel the migration's statement before the deadline: {}",
                         e.what());
        }
        watch_failed_ = true;
        connection.reset();
    }
}

bool Heartbeat::beat(Connection& connection, Millis interval) {
    try {
        if (!connection) connection = connect_once(options_);
        // A renewal that hangs (a silent network cut) is cut at the next beat: the lease
        // must be seen lost or kept by then.
        const Renewal renewal = [&] {
            const SocketDeadline::Scope bounded(renew_deadline_, connection->sock(), interval);
            return lease_.renew(*connection, grant_);
        }();
        if (renewal == Renewal::kLost) {
            log_event(spdlog::level::err, "lease_lost", {{"token", grant_.token}},
                      fmt::format("lease lost: another holder took it (token {} is no longer "
                                  "ours)",
                                  grant_.token));
            lost_ = true;
            on_lost_();
            return false;
        }
    } catch (const DbError& e) {
        spdlog::warn("heartbeat could not renew the lease: {}", e.failure().message);
    } catch (const Error& e) {
        spdlog::warn("heartbeat: {}", e.what());
        connection.reset();
    }
    return true;
}

}  // namespace schemagate
