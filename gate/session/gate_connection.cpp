// SPDX-License-Identifier: Apache-2.0
#include "gate_connection.h"

#include <algorithm>

#include "errors.h"

namespace schemagate {

namespace {

// Past --timeout, a query still running gets this long before its socket is cut: the deadline
// error itself is then reported by the normal path rather than as a broken connection.
constexpr Millis kDeadlineSlack{250};

// An attempt at the way out must not keep a failing pod from exiting.
constexpr int kQuickConnectSeconds = 2;

// After SIGTERM or SIGINT: long enough for a cancel request to reach a healthy server and the
// cancelled statement's error to come back (milliseconds); in a network cut neither does, and
// the query is cut so that the pod stops whatever the network does.
constexpr Millis kSignalGrace{1000};

}  // namespace

GateConnection::GateConnection(ConnectOptions options, const Deadline& deadline)
    : options_(std::move(options)),
      deadline_(deadline),
      on_signal_([this](int) { query_deadline_.bring_forward(kSignalGrace); }) {}

GateConnection::~GateConnection() {
    // Before the socket closes: its number may be reused by the next one.
    query_deadline_.disarm();
}

void GateConnection::adopt(Connection connection) {
    drop();
    connection_ = std::move(connection);
    if (connection_) arm();
}

pqxx::connection& GateConnection::get() {
    if (!connection_) {
        connection_ = connect_until(options_, deadline_);
        arm();
    }
    return *connection_;
}

void GateConnection::drop() {
    query_deadline_.disarm();
    connection_.reset();
}

pqxx::connection& GateConnection::get_quickly() {
    if (connection_ && connection_->is_open()) return *connection_;
    if (deadline_.passed()) throw RetryableError("deadline passed");
    drop();
    ConnectOptions quick = options_;
    quick.connect_timeout_seconds = kQuickConnectSeconds;
    connection_ = connect_once(quick);
    arm();
    return *connection_;
}

Connection GateConnection::hand_over(const pqxx::connection& connection) {
    if (connection_.get() != &connection) return nullptr;
    query_deadline_.disarm();
    return std::move(connection_);
}

void GateConnection::arm() {
    Millis timeout = deadline_.remaining() + kDeadlineSlack;
    if (Interrupt::triggered()) timeout = std::min(timeout, kSignalGrace);
    query_deadline_.arm(connection_->sock(), timeout);
}

}  // namespace schemagate
