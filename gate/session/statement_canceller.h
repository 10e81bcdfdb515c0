// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <exception>
#include <memory>
#include <mutex>
#include <pqxx/connection>
#include <thread>
#include <vector>

#include "gate_connection.h"

namespace schemagate {

// Lets another thread (the signal thread on SIGTERM, the heartbeat on a lost lease) cancel
// whatever statement the migration connection is running, and return at once. libpq's cancel
// request travels on its own socket and then waits for the server to close it: in a network
// cut that lasts as long as the cut, so the request is sent from a thread of its own, never
// under a lock the migration thread needs. The connection it reads must outlive it: a session
// given up while a request is in flight stays in the canceller's keeping until the request
// ends (or the process does). Thread-safe.
class StatementCanceller {
    struct State {
        std::mutex mutex;
        pqxx::connection* connection = nullptr;
        int in_flight = 0;             // cancel requests not yet answered
        std::vector<Connection> kept;  // sessions given up while requests were in flight
    };

  public:
    void cancel() {
        pqxx::connection* connection = nullptr;
        {
            const std::lock_guard lock(state_->mutex);
            if (state_->connection == nullptr) return;
            connection = state_->connection;
            ++state_->in_flight;
        }
        std::thread([state = state_, connection] {
            try {
                connection->cancel_query();
            } catch (const std::exception&) {
                // Nothing to cancel on a broken connection; the caller exits anyway.
            }
            std::vector<Connection> done;
            {
                const std::lock_guard lock(state->mutex);
                if (--state->in_flight == 0) done.swap(state->kept);
            }
        }).detach();
    }

    // Attached to the session's connection for one scope.
    class Attached {
      public:
        Attached(StatementCanceller& canceller, GateConnection& db)
            : state_(canceller.state_), db_(db), connection_(db.get()) {
            const std::lock_guard lock(state_->mutex);
            state_->connection = &connection_;
        }
        ~Attached() {
            const std::lock_guard lock(state_->mutex);
            state_->connection = nullptr;
            if (state_->in_flight == 0) return;
            if (Connection kept = db_.hand_over(connection_)) {
                state_->kept.push_back(std::move(kept));
            }
        }
        Attached(const Attached&) = delete;
        Attached& operator=(const Attached&) = delete;

        pqxx::connection& connection() const { return connection_; }

      private:
        std::shared_ptr<State> state_;
        GateConnection& db_;
        pqxx::connection& connection_;
    };

  private:
    std::shared_ptr<State> state_ = std::make_shared<State>();
};

}  // namespace schemagate
