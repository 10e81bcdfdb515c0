// SPDX-License-Identifier: Apache-2.0
#include "heartbeat.h"

#include <spdlog/spdlog.h>

#include "db_failure.h"
#include "errors.h"
#include "logging.h"

namespace schemagate {

Heartbeat::Heartbeat(ConnectOptions options, const Lease& lease, LeaseGrant grant,
                     std::function<void()> on_lost)
    : options_(std::move(options)), lease_(lease), grant_(std::move(grant)), on_lost_(std::move(on_lost)) {
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

void Heartbeat::run() {
    const Millis interval = std::max(lease_.ttl() / 3, Millis{50});
    Connection connection;
    for (;;) {
        {
            std::unique_lock lock(mutex_);
            if (wake_.wait_for(lock, interval, [this] { return stopping_; })) return;
        }
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
                return;
            }
        } catch (const DbError& e) {
            spdlog::warn("heartbeat could not renew the lease: {}", e.failure().message);
        } catch (const Error& e) {
            spdlog::warn("heartbeat: {}", e.what());
            connection.reset();
        }
    }
}

}  // namespace schemagate
