// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "duration.h"

namespace schemagate {

// A component's own "stop now", watchable in poll() like Interrupt::fd(), so that stopping one
// component (the sidecar's watcher) never flips process-wide state. One eventfd; thread-safe;
// stop() may be called any number of times from any thread.
class StopSignal {
  public:
    StopSignal();
    ~StopSignal();
    StopSignal(const StopSignal&) = delete;
    StopSignal& operator=(const StopSignal&) = delete;

    void stop();
    bool stopped() const;
    int fd() const { return fd_; }  // readable once stopped
    // Sleeps for `duration` or until stop() or a signal; true when woken early.
    bool wait_for(Millis duration) const;

  private:
    int fd_;
};

}  // namespace schemagate
