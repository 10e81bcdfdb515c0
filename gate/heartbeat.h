// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <atomic>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <thread>

#include "connection.h"
#include "lease.h"
#include "socket_deadline.h"

namespace schemagate {

// Renews the lease every ttl/3 on a second connection while migrations run, so that the
// lease outlives slow migrations but not a dead pod. If a renewal finds the lease taken,
// it calls `on_lost` (which cancels the running statement) and stops. Connection trouble is
// retried on the next beat; the fence at the start of each migration is the final judge.
// Owns one thread; the destructor stops and joins it.
class Heartbeat {
  public:
    Heartbeat(ConnectOptions options, const Lease& lease, LeaseGrant grant,
              std::function<void()> on_lost);
    ~Heartbeat();
    Heartbeat(const Heartbeat&) = delete;
    Heartbeat& operator=(const Heartbeat&) = delete;

    bool lost() const { return lost_.load(); }
    // Stops renewing without waiting for the thread (a signal's hook: the holder is on its way
    // out, and a reconnect attempt in a network cut then ends while the holder winds down).
    void stop();

  private:
    void run();

    ConnectOptions options_;
    const Lease& lease_;
    LeaseGrant grant_;
    std::function<void()> on_lost_;
    std::atomic<bool> lost_{false};
    std::mutex mutex_;
    std::condition_variable wake_;
    bool stopping_ = false;
    SocketDeadline renew_deadline_;
    std::thread thread_;
};

}  // namespace schemagate
