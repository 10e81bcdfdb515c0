// SPDX-License-Identifier: Apache-2.0
#include "version_watcher.h"

#include <spdlog/spdlog.h>

#include <csignal>

#include "change_listener.h"
#include "db_failure.h"
#include "errors.h"
#include "interrupt.h"

namespace schemagate {

namespace {

double unix_now() {
    return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch())
        .count();
}

}  // namespace

VersionWatcher::VersionWatcher(ConnectOptions connect, StateLocation where, Millis poll_interval)
    : connect_(std::move(connect)), where_(std::move(where)), poll_interval_(poll_interval) {
    thread_ = std::thread([this] { run(); });
}

VersionWatcher::~VersionWatcher() {
    // The thread's waits watch Interrupt::fd(); the sidecar only stops after a signal.
    Interrupt::trigger(SIGTERM);
    thread_.join();
}

SchemaSnapshot VersionWatcher::snapshot() const {
    const std::lock_guard lock(mutex_);
    return snapshot_;
}

void VersionWatcher::check(pqxx::connection& connection) {
    const auto started = SteadyClock::now();
    const SchemaState state = read_schema_state(connection, where_);
    const double seconds = std::chrono::duration<double>(SteadyClock::now() - started).count();
    const std::lock_guard lock(mutex_);
    if (!snapshot_.ever_read || snapshot_.state.version != state.version) {
        spdlog::info("schema version {}", state.version ? std::to_string(*state.version) : "none");
    }
    if (!snapshot_.database_up && snapshot_.ever_read) spdlog::info("database reachable again");
    snapshot_.ever_read = true;
    snapshot_.state = state;
    snapshot_.database_up = true;
    snapshot_.last_success = SteadyClock::now();
    snapshot_.last_error.clear();
    snapshot_.checked_at_unix = unix_now();
    ++snapshot_.checks_ok;
    ++snapshot_.duration_count;
    snapshot_.duration_sum += seconds;
    for (std::size_t i = 0; i < kCheckDurationBuckets.size(); ++i) {
        if (seconds <= kCheckDurationBuckets[i]) ++snapshot_.duration_buckets[i];
    }
}

void VersionWatcher::record_failure(const std::string& error) {
    const std::lock_guard lock(mutex_);
    if (snapshot_.database_up || snapshot_.checks_error == 0 || error != snapshot_.last_error) {
        spdlog::warn("cannot read the schema version: {}", error);
    }
    if (snapshot_.database_up || snapshot_.checks_error == 0) {
        snapshot_.first_failure = SteadyClock::now();
    }
    snapshot_.database_up = false;
    snapshot_.last_error = error;
    snapshot_.checked_at_unix = unix_now();
    ++snapshot_.checks_error;
}

void VersionWatcher::run() {
    Backoff reconnect(Millis{100}, std::max(poll_interval_, Millis{1000}));
    while (!Interrupt::triggered()) {
        try {
            Connection connection = connect_once(connect_);
            ChangeListener listener(*connection, [this](const std::string& payload) {
                return notify_event(where_.name, payload).has_value();
            });
            reconnect.reset();
            for (;;) {
                check(*connection);
                if (listener.wait(poll_interval_) == ChangeListener::Woke::kInterrupted) return;
            }
        } catch (const FatalError& e) {
            record_failure(e.what());
        } catch (const RetryableError& e) {
            record_failure(e.what());
        } catch (...) {
            record_failure(current_db_failure().message);
        }
        if (Interrupt::wait_for(reconnect.next())) return;
    }
}

}  // namespace schemagate
