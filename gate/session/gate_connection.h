// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <pqxx/connection>
#include <string>

#include "backoff.h"
#include "connection.h"
#include "interrupt.h"
#include "socket_deadline.h"

namespace schemagate {

// The gate's one database session: made on demand, made again after a break, and never
// allowed to hold a query past --timeout, whatever the network does; after SIGTERM or SIGINT,
// not past a second more (what is in flight gets that long to be cancelled and answer; in a
// network cut nothing answers). Used by one thread (the signal's hook aside).
class GateConnection {
  public:
    GateConnection(ConnectOptions options, const Deadline& deadline);
    ~GateConnection();
    GateConnection(const GateConnection&) = delete;
    GateConnection& operator=(const GateConnection&) = delete;

    const ConnectOptions& options() const { return options_; }

    // Takes a connection made ahead of time (null: none was made).
    void adopt(Connection connection);
    // The session, connecting first (retrying until the deadline) when there is none.
    pqxx::connection& get();
    // After a break: the next get() connects again.
    void drop();
    // For the way out after a failure: one quick attempt, no retries, nothing past the
    // deadline; throws RetryableError when it cannot be had.
    pqxx::connection& get_quickly();
    // Gives up the session if it is `connection` (null otherwise): a cancel request still in
    // flight needs it alive after its user is done with it (StatementCanceller).
    Connection hand_over(const pqxx::connection& connection);

  private:
    void arm();

    ConnectOptions options_;
    const Deadline& deadline_;
    Connection connection_;
    // Declared last, so it stops before the connection's socket closes.
    SocketDeadline query_deadline_;
    // Brings the query deadline forward on a signal; removed before the deadline stops.
    SignalHook on_signal_;
};

}  // namespace schemagate
