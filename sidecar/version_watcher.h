// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <memory>
#include <thread>

#include "connection.h"
#include "schema_snapshot.h"

namespace schemagate {

// The only part of the sidecar that talks to the database: one connection, one query per
// poll interval, plus LISTEN so that a gate's NOTIFY makes a new version visible within
// milliseconds. Reconnects with backoff when the connection drops. Every check is bounded by
// `check_timeout` on the client side (the socket is cut when it passes), so a silent network
// cut is an error within that time, never a frozen "last good" answer. Owns one thread;
// snapshot() is thread-safe and cheap (a copy under a mutex).
class VersionWatcher {
  public:
    VersionWatcher(ConnectOptions connect, StateLocation where, Millis poll_interval,
                   Millis check_timeout);
    // Stops the thread and waits for it, but never for a connection attempt: libpq's connect
    // cannot be interrupted and, in a network cut, lasts its whole timeout (the thread is then
    // left to end on its own). Everything else the thread does ends within milliseconds of
    // stop(): a wait wakes, a check in flight has its socket cut.
    ~VersionWatcher();
    VersionWatcher(const VersionWatcher&) = delete;
    VersionWatcher& operator=(const VersionWatcher&) = delete;

    SchemaSnapshot snapshot() const;
    // Asks the thread to stop without waiting for it (the sidecar's shutdown starts it first,
    // so that it ends while the HTTP server drains). Idempotent.
    void stop();

  private:
    struct Shared;
    std::shared_ptr<Shared> shared_;
    std::thread thread_;
};

}  // namespace schemagate
