// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "duration.h"

namespace schemagate {

// A client-side deadline for blocking libpq calls: libpq has none, and a server behind a
// silent network cut never answers. When an armed deadline passes (or cut_now() is called) the
// socket is shut down, so the blocked call returns at once with a broken connection, whatever
// the network does. Owns one thread; arm/disarm/cut_now are thread-safe.
class SocketDeadline {
  public:
    SocketDeadline();
    ~SocketDeadline();
    SocketDeadline(const SocketDeadline&) = delete;
    SocketDeadline& operator=(const SocketDeadline&) = delete;

    void arm(int socket_fd, Millis timeout);
    void disarm();
    // Shuts an armed socket down now (shutdown of the component); later arms cut at once.
    void cut_now();
    // Brings an armed deadline forward to `timeout` from now, never later than it was (a stop
    // that gives what is in flight a moment, then cuts whatever the network does).
    void bring_forward(Millis timeout);

    // Arms for one scope.
    class Scope {
      public:
        Scope(SocketDeadline& deadline, int socket_fd, Millis timeout) : deadline_(deadline) {
            deadline_.arm(socket_fd, timeout);
        }
        ~Scope() { deadline_.disarm(); }
        Scope(const Scope&) = delete;
        Scope& operator=(const Scope&) = delete;

      private:
        SocketDeadline& deadline_;
    };

  private:
    void run();

    std::mutex mutex_;
    std::condition_variable changed_;
    int fd_ = -1;
    std::chrono::steady_clock::time_point until_{};
    bool cut_all_ = false;
    bool stopping_ = false;
    std::thread thread_;
};

}  // namespace schemagate
