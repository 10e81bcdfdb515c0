// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <functional>

#include "duration.h"
#include "exit_code.h"

namespace schemagate {

// SIGTERM (what the kubelet sends) and SIGINT, turned into an event that waits can watch.
// install() blocks both signals in the calling thread -- call it from main before any other
// thread starts so every thread inherits the mask -- and starts one thread that receives
// them with sigwait. After that, waits use fd() in poll() or wait_for(), which return at once
// when a signal arrives. Thread-safe.
class Interrupt {
  public:
    static void install();
    // Run in the signal thread right after a signal, in the order added: e.g. cancel a running
    // statement. They must not block (the signal thread runs them under a lock that removing a
    // hook takes). add_hook returns what remove_hook takes.
    static int add_hook(std::function<void(int)> callback);
    static void remove_hook(int id);
    static bool triggered();
    static int signal_number();  // 0 until a signal arrived
    // 130 after SIGINT, 143 after SIGTERM.
    static ExitCode exit_code();
    static int fd();  // readable once triggered
    // Sleeps for `duration` or until a signal; true when interrupted.
    static bool wait_for(Millis duration);
    // For tests and for the sidecar's own shutdown path.
    static void trigger(int signal_number);
};

// Routes signals to `callback` (see Interrupt::add_hook) for as long as it lives.
class SignalHook {
  public:
    explicit SignalHook(std::function<void(int)> callback)
        : id_(Interrupt::add_hook(std::move(callback))) {}
    ~SignalHook() { Interrupt::remove_hook(id_); }
    SignalHook(const SignalHook&) = delete;
    SignalHook& operator=(const SignalHook&) = delete;

  private:
    int id_;
};

}  // namespace schemagate
