// SPDX-License-Identifier: Apache-2.0
#include "socket_deadline.h"

#include <sys/socket.h>

#include <algorithm>

namespace schemagate {

SocketDeadline::SocketDeadline() : thread_([this] { run(); }) {}

SocketDeadline::~SocketDeadline() {
    {
        const std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    changed_.notify_all();
    thread_.join();
}

void SocketDeadline::arm(int socket_fd, Millis timeout) {
    {
        const std::lock_guard lock(mutex_);
        fd_ = socket_fd;
        until_ = std::chrono::steady_clock::now() + timeout;
        if (cut_all_ && fd_ >= 0) ::shutdown(fd_, SHUT_RDWR);
    }
    changed_.notify_all();
}

void SocketDeadline::disarm() {
    const std::lock_guard lock(mutex_);
    fd_ = -1;
}

void SocketDeadline::cut_now() {
    {
        const std::lock_guard lock(mutex_);
        cut_all_ = true;
        if (fd_ >= 0) ::shutdown(fd_, SHUT_RDWR);
    }
    changed_.notify_all();
}

void SocketDeadline::bring_forward(Millis timeout) {
    {
        const std::lock_guard lock(mutex_);
        until_ = std::min(until_, std::chrono::steady_clock::now() + timeout);
    }
    changed_.notify_all();
}

void SocketDeadline::run() {
    std::unique_lock lock(mutex_);
    while (!stopping_) {
        if (fd_ < 0) {
            changed_.wait(lock);
            continue;
        }
        if (changed_.wait_until(lock, until_) == std::cv_status::timeout && fd_ >= 0 &&
            std::chrono::steady_clock::now() >= until_) {
            // The fd stays open (libpq owns it); only its traffic stops.
            ::shutdown(fd_, SHUT_RDWR);
            fd_ = -1;
        }
    }
}

}  // namespace schemagate
