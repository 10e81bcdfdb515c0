// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <chrono>
#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <vector>

struct sockaddr;

namespace schemagate {

// Who may hold the probe server's connections, and for how long: so that the kubelet's probe
// gets through whatever other clients do. Pure bookkeeping (the HTTP glue closes what it says
// to close); not thread-safe: the caller serialises.
//
// - A request has a bound on its whole duration, headers, body and answer: it must be answered
//   within `request_time` of the connection's opening or of the previous answer on it. A
//   client that trickles a header line now and then (slowloris) is never idle, so an idle
//   timeout alone would keep it forever.
// - One address holds at most `per_address` connections (the kubelet probes from the node's
//   address; an in-cluster client has its pod's).
// - When all `total` places are taken, a newcomer from an address holding fewer connections
//   takes the place of the oldest connection of the address holding the most: a few clients
//   cannot fill the server however many connections each opens.
class ConnectionGuard {
  public:
    using Clock = std::chrono::steady_clock;
    using Id = const void*;  // the HTTP library's connection handle

    struct Limits {
        std::size_t total = 0;
        std::size_t per_address = 0;
        std::chrono::milliseconds request_time{0};
    };

    // What to do with a connection being accepted from `address`: admit it or not, and
    // whether to close another (a socket descriptor) to make room for it.
    struct Admission {
        bool admit = false;
        std::optional<int> evict;
    };

    explicit ConnectionGuard(Limits limits) : limits_(limits) {}

    Admission admit(const std::string& address);
    void opened(Id id, int fd, const std::string& address, Clock::time_point now);
    // A request was answered: the next one on this connection gets a whole bound again.
    void answered(Id id, Clock::time_point now);
    void closed(Id id);

    // The connections past their bound, each reported once, to be closed.
    std::vector<int> expired(Clock::time_point now);
    // When the next connection's bound runs out, if any connection is open.
    std::optional<Clock::time_point> next_deadline() const;

    std::size_t open_connections() const { return live_; }

  private:
    struct Connection {
        int fd = -1;
        std::string address;
        Clock::time_point opened;
        Clock::time_point deadline;
        bool closing = false;  // told to close; gone once the library reports it closed
    };

    void close_one(Connection& connection);
    std::size_t count_of(const std::string& address) const;

    Limits limits_;
    std::map<Id, Connection> connections_;
    std::map<std::string, std::size_t> per_address_;  // connections not yet told to close
    std::size_t live_ = 0;
};

// The address part of an AF_INET or AF_INET6 socket address, as text ("10.0.0.7", "fd00::1").
std::string address_text(const sockaddr* address);

}  // namespace schemagate
