// SPDX-License-Identifier: Apache-2.0
#include "gate_connection.h"

#include "errors.h"

namespace schemagate {

namespace {

// Past --timeout, a query still running gets this long before its socket is cut: the deadline
// error itself is then reported by the normal path rather than as a broken connection.
constexpr Millis kDeadlineSlack{250};

// An attempt at the way out must not keep a failing pod from exiting.
constexpr int kQuickConnectSeconds = 2;

}  // namespace

GateConnection::GateConnection(ConnectOptions options, const Deadline& deadline)
    : options_(std::move(options)), deadline_(deadline) {}

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
    return *connection_;
}

void GateConnection::arm() {
    query_deadline_.arm(connection_->sock(), deadline_.remaining() + kDeadlineSlack);
}

}  // namespace schemagate
