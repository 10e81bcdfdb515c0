// SPDX-License-Identifier: Apache-2.0
#include "interrupt.h"

#include <poll.h>
#include <pthread.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <atomic>
#include <csignal>
#include <map>
#include <mutex>
#include <thread>

namespace schemagate {

namespace {

std::atomic<int> g_signal{0};
std::mutex g_hooks_mutex;
std::map<int, std::function<void(int)>> g_hooks;  // by id, in the order added
int g_next_hook = 0;

int event_fd() {
    static const int fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    return fd;
}

}  // namespace

void Interrupt::install() {
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    pthread_sigmask(SIG_BLOCK, &set, nullptr);
    // A dropped database connection must surface as an error, never kill the process.
    std::signal(SIGPIPE, SIG_IGN);
    std::thread([set] {
        for (;;) {
            int received = 0;
            if (sigwait(&set, &received) == 0) trigger(received);
        }
    }).detach();
}

int Interrupt::add_hook(std::function<void(int)> callback) {
    const std::lock_guard lock(g_hooks_mutex);
    g_hooks.emplace(++g_next_hook, std::move(callback));
    return g_next_hook;
}

void Interrupt::remove_hook(int id) {
    const std::lock_guard lock(g_hooks_mutex);
    g_hooks.erase(id);
}

void Interrupt::trigger(int signal_number) {
    int expected = 0;
    if (!g_signal.compare_exchange_strong(expected, signal_number)) return;
    const std::uint64_t one = 1;
    [[maybe_unused]] const auto written = write(event_fd(), &one, sizeof one);
    const std::lock_guard lock(g_hooks_mutex);
    for (const auto& [id, hook] : g_hooks) hook(signal_number);
}

bool Interrupt::triggered() {
    return g_signal.load() != 0;
}

int Interrupt::signal_number() {
    return g_signal.load();
}

ExitCode Interrupt::exit_code() {
    return signal_number() == SIGINT ? ExitCode::kInterrupted : ExitCode::kTerminated;
}

int Interrupt::fd() {
    return event_fd();
}

bool Interrupt::wait_for(Millis duration) {
    if (triggered()) return true;
    pollfd watched{event_fd(), POLLIN, 0};
    poll(&watched, 1, static_cast<int>(duration.count()));
    return triggered();
}

}  // namespace schemagate
