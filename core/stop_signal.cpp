// SPDX-License-Identifier: Apache-2.0
#include "stop_signal.h"

#include <poll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <cstdint>
#include <system_error>

#include "interrupt.h"

namespace schemagate {

StopSignal::StopSignal() : fd_(eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)) {
    if (fd_ < 0) throw std::system_error(errno, std::generic_category(), "eventfd");
}

StopSignal::~StopSignal() {
    close(fd_);
}

void StopSignal::stop() {
    const std::uint64_t one = 1;
    // The counter only has to become non-zero; a full counter is just as readable.
    [[maybe_unused]] const auto written = write(fd_, &one, sizeof one);
}

bool StopSignal::stopped() const {
    pollfd watched{fd_, POLLIN, 0};
    return poll(&watched, 1, 0) > 0;
}

bool StopSignal::wait_for(Millis duration) const {
    pollfd watched[2] = {{fd_, POLLIN, 0}, {Interrupt::fd(), POLLIN, 0}};
    return poll(watched, 2, static_cast<int>(duration.count())) > 0;
}

}  // namespace schemagate
