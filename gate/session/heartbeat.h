// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <atomic>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "backoff.h"
#include "connection.h"
#include "lease.h"
#include "session_at_deadline.h"
#include "socket_deadline.h"

namespace schemagate {

// When --timeout comes near (`at`), what the heartbeat does for the holder on its connection:
// describe what the migration session waits for and who holds it, and cancel its statement,
// so that the holder gives up (exit 2) on a connection that still works and releases the lease,
// instead of the socket deadline cutting it at --timeout (which read as "database unreachable"
// and left the lease to expire). A cancel that arrives between two statements is lost, so it
// cancels again every kRecancelInterval until the holder acknowledges. A watch that cannot
// reach the server changes nothing: the socket deadline still bounds the run.
struct DeadlineWatch {
    TimePoint at;
    std::function<int()> session_pid;  // the migration session's pid, as libpq reports it
    std::string application_name;      // the migration session's (found by it behind a pooler)
};

// Renews the lease every ttl/3 on a second connection while migrations run, so that the
// lease outlives slow migrations but not a dead pod. If a renewal finds the lease taken,
// it calls `on_lost` (which cancels the running statement) and stops. Connection trouble is
// retried on the next beat; the fence at the start of each migration is the final judge.
// Also keeps the holder's DeadlineWatch. Owns one thread; the destructor stops and joins it.
class Heartbeat {
  public:
    static constexpr Millis kRecancelInterval{100};

    Heartbeat(ConnectOptions options, const Lease& lease, LeaseGrant grant,
              std::function<void()> on_lost, std::optional<DeadlineWatch> watch = std::nullopt);
    ~Heartbeat();
    Heartbeat(const Heartbeat&) = delete;
    Heartbeat& operator=(const Heartbeat&) = delete;

    bool lost() const { return lost_.load(); }
    // Stops renewing without waiting for the thread (a signal's hook: the holder is on its way
    // out, and a reconnect attempt in a network cut then ends while the holder winds down).
    void stop();

    // Once the watch fired: what the migration session was doing (describe()); nullopt before.
    // Stops the cancels once it fired: what the holder sends next is its way out.
    std::optional<std::string> deadline_reached();
    // No more watching or cancelling at all: the holder is on its way out (the release must
    // not be cancelled).
    void stand_down();

  private:
    void run();
    // The next time the thread has something to do: the beat, or the watch.
    TimePoint next_wake(TimePoint next_beat);
    bool watch_due();
    void watch(Connection& connection);
    // One renewal; false when the lease is lost (the thread then ends).
    bool beat(Connection& connection, Millis interval);

    ConnectOptions options_;
    const Lease& lease_;
    LeaseGrant grant_;
    std::function<void()> on_lost_;
    std::atomic<bool> lost_{false};
    std::optional<DeadlineWatch> watch_;
    // Held while the watch runs its query, so that an acknowledgement waits for a cancel in
    // flight; guards what follows.
    std::mutex watch_mutex_;
    bool attempted_ = false;  // the watch's time came
    bool fired_ = false;      // and the server saw its cancel
    bool acknowledged_ = false;
    TimePoint last_attempt_{};
    std::optional<SessionAtDeadline> seen_;
    bool watch_failed_ = false;  // warned once (the watch thread's own)
    std::mutex mutex_;
    std::condition_variable wake_;
    bool stopping_ = false;
    SocketDeadline renew_deadline_;
    std::thread thread_;
};

}  // namespace schemagate
