// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <exception>
#include <mutex>
#include <pqxx/connection>

namespace schemagate {

// Lets another thread (the signal thread on SIGTERM, the heartbeat on a lost lease) cancel
// whatever statement the migration connection is running. libpq's cancel request travels on
// its own socket and is made to be sent from elsewhere. Thread-safe.
class StatementCanceller {
  public:
    void attach(pqxx::connection* connection) {
        const std::lock_guard lock(mutex_);
        connection_ = connection;
    }
    void cancel() {
        const std::lock_guard lock(mutex_);
        if (connection_ == nullptr) return;
        try {
            connection_->cancel_query();
        } catch (const std::exception&) {
            // Nothing to cancel on a broken connection; the caller exits anyway.
        }
    }

    // Attached to one connection for one scope.
    class Attached {
      public:
        Attached(StatementCanceller& canceller, pqxx::connection& connection)
            : canceller_(canceller) {
            canceller_.attach(&connection);
        }
        ~Attached() { canceller_.attach(nullptr); }
        Attached(const Attached&) = delete;
        Attached& operator=(const Attached&) = delete;

      private:
        StatementCanceller& canceller_;
    };

  private:
    std::mutex mutex_;
    pqxx::connection* connection_ = nullptr;
};

}  // namespace schemagate
