// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <functional>
#include <memory>
#include <pqxx/connection>
#include <string>

#include "duration.h"

namespace schemagate {

// LISTENs on the schemagate channel and waits for a notification that matters, a signal, or
// a timeout -- whichever comes first. Notifications are an accelerator only: LISTEN does not
// survive PgBouncer transaction pooling, so callers always poll too. Not thread-safe; must
// not outlive its connection.
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

  private:
    class Receiver;
    pqxx::connection& connection_;
    std::unique_ptr<Receiver> receiver_;
};

}  // namespace schemagate
