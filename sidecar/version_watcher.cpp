// SPDX-License-Identifier: Apache-2.0
#include "version_watcher.h"

#include <spdlog/spdlog.h>

#include <condition_variable>
#include <mutex>
#include <optional>

#include "change_listener.h"
#include "db_failure.h"
#include "errors.h"
#include "interrupt.h"
#include "logging.h"
#include "socket_deadline.h"
#include "stop_signal.h"

namespace schemagate {

namespace {

// How long the shutdown waits for the thread at most (see ~VersionWatcher).
constexpr Millis kStopWait{100};

double unix_now() {
    return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch())
        .count();
}

}  // namespace

// Everything the watcher's thread touches, shared with it so that the thread may outlive the
// VersionWatcher object during shutdown without touching freed memory.
struct VersionWatcher::Shared {
    ConnectOptions connect;
    StateLocation where;
    Millis poll_interval;
    Millis check_timeout;
    StopSignal stop;
    SocketDeadline deadline;
    mutable std::mutex mutex;
    SchemaSnapshot snapshot;
    std::mutex done_mutex;
    std::condition_variable done_changed;
    bool done = false;
    bool connecting = false;  // inside connect_once, which nothing can interrupt

    void run();
    void watch(Backoff& reconnect);
    void check(pqxx::connection& connection);
    void record_failure(const std::string& error);
    Connection connect_attempt();
    void set_connecting(bool value);
};

VersionWatcher::VersionWatcher(ConnectOptions connect, StateLocation where, Millis poll_interval,
                               Millis check_timeout)
    : shared_(std::make_shared<Shared>()) {
    shared_->connect = std::move(connect);
    shared_->where = std::move(where);
    shared_->poll_interval = poll_interval;
    shared_->check_timeout = check_timeout;
    thread_ = std::thread([shared = shared_] {
        shared->run();
        const std::lock_guard lock(shared->done_mutex);
        shared->done = true;
        shared->done_changed.notify_all();
    });
}

void VersionWatcher::stop() {
    shared_->stop.stop();
    shared_->deadline.cut_now();
}

VersionWatcher::~VersionWatcher() {
    stop();
    std::unique_lock lock(shared_->done_mutex);
    // The bound only guards against the unforeseen: a thread that is not connecting ends
    // within milliseconds.
    shared_->done_changed.wait_for(lock, kStopWait,
                                   [this] { return shared_->done || shared_->connecting; });
    if (shared_->done) {
        lock.unlock();
        thread_.join();
        return;
    }
    if (shared_->connecting) {
        spdlog::info("a connection attempt in flight is left behind (libpq cannot interrupt it)");
    }
    thread_.detach();
}

SchemaSnapshot VersionWatcher::snapshot() const {
    const std::lock_guard lock(shared_->mutex);
    return shared_->snapshot;
}

void VersionWatcher::Shared::check(pqxx::connection& connection) {
    const auto started = SteadyClock::now();
    SchemaState state;
    {
        const SocketDeadline::Scope bounded(deadline, connection.sock(), check_timeout);
        state = read_schema_state(connection, where);
    }
    const double seconds = std::chrono::duration<double>(SteadyClock::now() - started).count();
    const std::lock_guard lock(mutex);
    if (!snapshot.ever_read || snapshot.state.version != state.version) {
        log_event(spdlog::level::info, "schema_version",
                  {{"version", state.version ? state.version->text() : ""}},
                  "schema version " + (state.version ? state.version->text() : "none"));
    }
    if (!snapshot.database_up && snapshot.ever_read) {
        log_event(spdlog::level::info, "database_reachable", nlohmann::json::object(),
                  "database reachable again");
    }
    snapshot.ever_read = true;
    snapshot.state = state;
    snapshot.database_up = true;
    snapshot.last_success = SteadyClock::now();
    snapshot.last_error.clear();
    snapshot.checked_at_unix = unix_now();
    ++snapshot.checks_ok;
    ++snapshot.duration_count;
    snapshot.duration_sum += seconds;
    for (std::size_t i = 0; i < kCheckDurationBuckets.size(); ++i) {
        if (seconds <= kCheckDurationBuckets[i]) ++snapshot.duration_buckets[i];
    }
}

void VersionWatcher::Shared::record_failure(const std::string& error) {
    const std::lock_guard lock(mutex);
    if (snapshot.database_up || snapshot.checks_error == 0 || error != snapshot.last_error) {
        log_event(spdlog::level::warn, "database_unreachable", {{"reason", error}},
                  "cannot read the schema version: " + error);
    }
    if (snapshot.database_up || snapshot.checks_error == 0) {
        snapshot.first_failure = SteadyClock::now();
    }
    snapshot.database_up = false;
    snapshot.last_error = error;
    snapshot.checked_at_unix = unix_now();
    ++snapshot.checks_error;
}

void VersionWatcher::Shared::set_connecting(bool value) {
    const std::lock_guard lock(done_mutex);
    connecting = value;
    done_changed.notify_all();
}

// connect_once, marked so that the shutdown does not wait for it (see ~VersionWatcher).
Connection VersionWatcher::Shared::connect_attempt() {
    set_connecting(true);
    struct Unmark {
        Shared& shared;
        ~Unmark() { shared.set_connecting(false); }
    } const unmark{*this};
    return connect_once(connect);
}

// Returns once stopped; throws whatever ends the session.
void VersionWatcher::Shared::watch(Backoff& reconnect) {
    translate_db_errors([this, &reconnect] {
        if (!connect.url_file.empty()) {
            connect.target = resolve_database_target("", connect.url_file);
        }
        if (stop.stopped()) return;
        Connection connection = connect_attempt();
        std::optional<ChangeListener> listener;
        {
            // LISTEN is a round trip too: bounded like a check, and cut by stop().
            const SocketDeadline::Scope bounded(deadline, connection->sock(), check_timeout);
            listener.emplace(*connection, [this](const std::string& payload) {
                return parse_change(where.name, payload).has_value();
            });
        }
        reconnect.reset();
        for (;;) {
            check(*connection);
            if (listener->wait(poll_interval, stop.fd()) == ChangeListener::Woke::kInterrupted) {
                return;
            }
        }
    });
}

void VersionWatcher::Shared::run() {
    Backoff reconnect(Millis{100}, std::max(poll_interval, Millis{1000}));
    while (!stop.stopped()) {
        try {
            watch(reconnect);
            return;
        } catch (const ConnectionLost& e) {
            if (stop.stopped()) return;
            record_failure(e.failure().message);
        } catch (const DbError& e) {
            if (stop.stopped()) return;
            record_failure(e.failure().message);
        } catch (const Error& e) {
            record_failure(e.what());
        }
        if (stop.wait_for(reconnect.next())) return;
    }
}

}  // namespace schemagate
