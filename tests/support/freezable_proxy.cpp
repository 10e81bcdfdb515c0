// SPDX-License-Identifier: Apache-2.0
#include "freezable_proxy.h"

#include <netinet/in.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <stdexcept>

namespace schemagate::testing {

namespace {

sockaddr_in loopback(int port) {
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(static_cast<std::uint16_t>(port));
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    return address;
}

}  // namespace

FreezableProxy::FreezableProxy(int target_port) : target_port_(target_port) {
    listen_fd_ = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in address = loopback(0);
    if (bind(listen_fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
        listen(listen_fd_, 64) != 0) {
        throw std::runtime_error("proxy: cannot listen");
    }
    socklen_t length = sizeof address;
    getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&address), &length);
    port_ = ntohs(address.sin_port);
    acceptor_ = std::thread([this] { accept_loop(); });
}

FreezableProxy::~FreezableProxy() {
    stopping_ = true;
    shutdown(listen_fd_, SHUT_RDWR);
    acceptor_.join();
    for (auto& thread : threads_) thread.join();
    close(listen_fd_);
}

void FreezableProxy::accept_loop() {
    while (!stopping_) {
        pollfd watched{listen_fd_, POLLIN, 0};
        if (poll(&watched, 1, 100) <= 0) continue;
        const int client = accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
        if (client < 0) continue;
        ++accepted_;
        const int server = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        sockaddr_in target = loopback(target_port_);
        if (connect(server, reinterpret_cast<sockaddr*>(&target), sizeof target) != 0) {
            close(client);
            close(server);
            continue;
        }
        {
            const std::lock_guard lock(clients_mutex_);
            clients_.push_back(client);
        }
        threads_.emplace_back([this, client, server] {
            std::thread back([this, client, server] { pump(server, client); });
            pump(client, server);
            back.join();
            {
                const std::lock_guard lock(clients_mutex_);
                clients_.erase(std::find(clients_.begin(), clients_.end(), client));
            }
            close(client);
            close(server);
        });
    }
}

bool FreezableProxy::holds_unforwarded_data() const {
    const std::lock_guard lock(clients_mutex_);
    return std::any_of(clients_.begin(), clients_.end(), [](int client) {
        int pending = 0;
        return ioctl(client, FIONREAD, &pending) == 0 && pending > 0;
    });
}

void FreezableProxy::pump(int from, int to) {
    char buffer[16 * 1024];
    while (!stopping_) {
        if (frozen_) {
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
            continue;
        }
        pollfd watched{from, POLLIN, 0};
        if (poll(&watched, 1, 50) <= 0) continue;
        if (frozen_) continue;
        const ssize_t n = read(from, buffer, sizeof buffer);
        if (n <= 0) {
            shutdown(to, SHUT_WR);
            return;
        }
        for (ssize_t sent = 0; sent < n;) {
            const ssize_t w = write(to, buffer + sent, static_cast<std::size_t>(n - sent));
            if (w <= 0) return;
            sent += w;
        }
    }
}

}  // namespace schemagate::testing
