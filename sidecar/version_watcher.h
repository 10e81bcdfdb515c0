// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <atomic>
#include <mutex>
#include <thread>

#include "connection.h"
#include "schema_snapshot.h"

namespace schemagate {

// The only part of the sidecar that talks to the database: one connection, one query per
// poll interval, plus LISTEN so that a gate's NOTIFY makes a new version visible within
// milliseconds. Reconnects with backoff when the connection drops. Owns one thread;
// snapshot() is thread-safe and cheap (a copy under a mutex).
class VersionWatcher {
  public:
    VersionWatcher(ConnectOptions connect, StateLocation where, Millis poll_interval);
    ~VersionWatcher();  // stops and joins
    VersionWatcher(const VersionWatcher&) = delete;
    VersionWatcher& operator=(const VersionWatcher&) = delete;

    SchemaSnapshot snapshot() const;

  private:
    void run();
    void check(pqxx::connection& connection);
    void record_failure(const std::string& error);

    ConnectOptions connect_;
    StateLocation where_;
    Millis poll_interval_;
    mutable std::mutex mutex_;
    SchemaSnapshot snapshot_;
    std::thread thread_;
};

}  // namespace schemagate
