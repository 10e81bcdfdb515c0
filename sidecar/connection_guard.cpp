// SPDX-License-Identifier: Apache-2.0
#include "connection_guard.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <algorithm>
#include <cstring>

namespace schemagate {

std::size_t ConnectionGuard::count_of(const std::string& address) const {
    const auto found = per_address_.find(address);
    return found == per_address_.end() ? 0 : found->second;
}

ConnectionGuard::Admission ConnectionGuard::admit(const std::string& address) {
    const std::size_t own = count_of(address);
    if (own >= limits_.per_address) return {};
    if (live_ < limits_.total) return {true, std::nullopt};
    const auto richest =
        std::max_element(per_address_.begin(), per_address_.end(),
                         [](const auto& a, const auto& b) { return a.second < b.second; });
    // Only from a client holding clearly more than the newcomer: two clients with as many
    // connections each do not take turns closing each other's.
    if (richest == per_address_.end() || richest->second <= own + 1) return {};
    Connection* oldest = nullptr;
    for (auto& [id, connection] : connections_) {
        if (connection.closing || connection.address != richest->first) continue;
        if (oldest == nullptr || connection.opened < oldest->opened) oldest = &connection;
    }
    if (oldest == nullptr) return {};
    const int fd = oldest->fd;
    close_one(*oldest);
    return {true, fd};
}

void ConnectionGuard::opened(Id id, int fd, const std::string& address, Clock::time_point now) {
    const auto [it, inserted] =
        connections_.try_emplace(id, Connection{fd, address, now, now + limits_.request_time});
    if (!inserted) return;
    ++per_address_[address];
    ++live_;
}

void ConnectionGuard::answered(Id id, Clock::time_point now) {
    const auto found = connections_.find(id);
    if (found != connections_.end()) found->second.deadline = now + limits_.request_time;
}

void ConnectionGuard::close_one(Connection& connection) {
    if (connection.closing) return;
    connection.closing = true;
    --live_;
    const auto count = per_address_.find(connection.address);
    if (--count->second == 0) per_address_.erase(count);
}

void ConnectionGuard::closed(Id id) {
    const auto found = connections_.find(id);
    if (found == connections_.end()) return;
    close_one(found->second);
    connections_.erase(found);
}

std::vector<int> ConnectionGuard::expired(Clock::time_point now) {
    std::vector<int> fds;
    for (auto& [id, connection] : connections_) {
        if (connection.closing || connection.deadline > now) continue;
        fds.push_back(connection.fd);
        close_one(connection);
    }
    return fds;
}

std::optional<ConnectionGuard::Clock::time_point> ConnectionGuard::next_deadline() const {
    std::optional<Clock::time_point> next;
    for (const auto& [id, connection] : connections_) {
        if (connection.closing) continue;
        if (!next || connection.deadline < *next) next = connection.deadline;
    }
    return next;
}

std::string address_text(const sockaddr* address) {
    char text[INET6_ADDRSTRLEN] = {};
    if (address == nullptr) return text;
    if (address->sa_family == AF_INET) {
        sockaddr_in v4{};
        std::memcpy(&v4, address, sizeof v4);
        inet_ntop(AF_INET, &v4.sin_addr, text, sizeof text);
    } else if (address->sa_family == AF_INET6) {
        sockaddr_in6 v6{};
        std::memcpy(&v6, address, sizeof v6);
        inet_ntop(AF_INET6, &v6.sin6_addr, text, sizeof text);
    }
    return text;
}

}  // namespace schemagate
