// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <atomic>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

namespace schemagate::testing {

// A TCP proxy on 127.0.0.1 in front of the test server that can be frozen: while frozen it
// accepts and keeps every connection open but forwards nothing, in either direction -- what a
// silent network cut (packets dropped, no RST) looks like to both ends. It can also be pointed
// at another server, as a failover moves a service address. Thread-safe.
class FreezableProxy {
  public:
    explicit FreezableProxy(int target_port);
    ~FreezableProxy();
    FreezableProxy(const FreezableProxy&) = delete;
    FreezableProxy& operator=(const FreezableProxy&) = delete;

    int port() const { return port_; }
    // Connections accepted so far (also while frozen: a client's connect still succeeds).
    int accepted() const { return accepted_; }
    // Whether a client sent something the frozen proxy has not forwarded (a query in flight).
    bool holds_unforwarded_data() const;
    void freeze() { frozen_ = true; }
    void thaw() { frozen_ = false; }
    // New connections go to `port` from now on (a service address moved to a new primary);
    // connections already open stay where they are.
    void retarget(int port) { target_port_ = port; }

  private:
    void accept_loop();
    void pump(int from, int to);

    std::atomic<int> target_port_;
    int listen_fd_ = -1;
    int port_ = 0;
    std::atomic<bool> frozen_{false};
    std::atomic<int> accepted_{0};
    std::atomic<bool> stopping_{false};
    std::vector<std::thread> threads_;
    mutable std::mutex clients_mutex_;
    std::vector<int> clients_;  // open client sockets
    std::thread acceptor_;
};

}  // namespace schemagate::testing
