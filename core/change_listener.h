// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <functional>
#include <memory>
#include <pqxx/connection>
#include <string>

#include "duration.h"

namespace schemagate {

// LISTENs on the schemagate channel and waits for a notification that matters, a signal, or
// a timeout -- whichever comes first. Callers always poll too: LISTEN does not survive
// PgBouncer transaction pooling, and some changes send nothing (a holder that died); on the
// server's own session (delivers_every_notification) the poll can be a slow safety net. Not
// thread-safe; must not outlive its connection.
class ChangeListener {
  public:
    enum class Woke { kTimeout, kNotified, kInterrupted };

    // `matters` sees each payload ("<name>:<event>") and says whether it is worth waking for.
    ChangeListener(pqxx::connection& connection, std::function<bool(const std::string&)> matters);
    ~ChangeListener();
    ChangeListener(const ChangeListener&) = delete;
    ChangeListener& operator=(const ChangeListener&) = delete;

    // Throws like any libpqxx call when the connection breaks. `stop_fd`, when given, wakes
    // the wait like a signal does (kInterrupted) once readable.
    Woke wait(Millis timeout, int stop_fd = -1);

    // Whether the connection is the server's own session, where every notification committed
    // after LISTEN arrives: a pooler answers the startup with a backend pid of its own, and
    // behind one (transaction pooling) LISTEN stays on a server connection we may never see
    // again. Only there may a caller poll less.
    bool delivers_every_notification() const { return own_session_; }

  private:
    class Receiver;
    pqxx::connection& connection_;
    std::unique_ptr<Receiver> receiver_;
    bool own_session_ = false;
};

}  // namespace schemagate
