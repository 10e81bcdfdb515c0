// SPDX-License-Identifier: Apache-2.0
#include "change_listener.h"

#include <poll.h>

#include <pqxx/except>
#include <pqxx/nontransaction>
#include <pqxx/notification>
#include <utility>

#include "backoff.h"
#include "interrupt.h"
#include "schema_state.h"

namespace schemagate {

class ChangeListener::Receiver final : public pqxx::notification_receiver {
  public:
    Receiver(pqxx::connection& connection, std::function<bool(const std::string&)> matters)
        : pqxx::notification_receiver(connection, kNotifyChannel), matters_(std::move(matters)) {}

    void operator()(const std::string& payload, int /*backend_pid*/) override {
        if (matters_(payload)) woke_ = true;
    }
    bool take() { return std::exchange(woke_, false); }

  private:
    std::function<bool(const std::string&)> matters_;
    bool woke_ = false;
};

ChangeListener::ChangeListener(pqxx::connection& connection,
                               std::function<bool(const std::string&)> matters)
    : connection_(connection),
      receiver_(std::make_unique<Receiver>(connection, std::move(matters))) {
    // Registering a receiver sends LISTEN lazily; make it happen now, before the caller reads
    // the state, so that nothing committed in between goes unnoticed.
    connection_.get_notifs();
    pqxx::nontransaction work(connection_);
    own_session_ = work.exec1("SELECT pg_backend_pid()")[0].as<int>() == connection_.backendpid();
}

ChangeListener::~ChangeListener() = default;

ChangeListener::Woke ChangeListener::wait(Millis timeout, int stop_fd) {
    connection_.get_notifs();
    if (receiver_->take()) return Woke::kNotified;
    const auto until = SteadyClock::now() + timeout;
    for (;;) {
        if (Interrupt::triggered()) return Woke::kInterrupted;
        const auto left =
            std::chrono::ceil<Millis>(until - SteadyClock::now());  // to `until`, not 1 ms short
        if (left <= Millis{0}) return Woke::kTimeout;
        pollfd watched[3] = {
            {connection_.sock(), POLLIN, 0}, {Interrupt::fd(), POLLIN, 0}, {stop_fd, POLLIN, 0}};
        poll(watched, stop_fd >= 0 ? 3 : 2, static_cast<int>(left.count()));
        if ((watched[2].revents & POLLIN) != 0) return Woke::kInterrupted;
        if ((watched[0].revents & (POLLHUP | POLLERR | POLLNVAL)) != 0) {
            throw pqxx::broken_connection("connection to the server lost while waiting");
        }
        connection_.get_notifs();
        if (receiver_->take()) return Woke::kNotified;
    }
}

}  // namespace schemagate
