// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "readiness.h"
#include "sidecar_config.h"

namespace schemagate {

// The HTTP side: /readyz, /livez, /version, /metrics, answered from the watcher's snapshot
// without touching the database. A fixed worker pool, bounded request sizes and per-connection
// timeouts keep a flood or a stuck client from taking it down. bind() and serve() are called
// from one thread; stop() from any.
class ProbeServer {
  public:
    using SnapshotSource = std::function<SchemaSnapshot()>;

    ProbeServer(const SidecarConfig& config, SnapshotSource source);
    ~ProbeServer();

    // Returns the bound port; throws FatalError(kBadInput) naming --listen when it cannot bind.
    int bind();
    void serve();  // blocks until stop()
    void stop();   // stop accepting; in-flight requests finish

  private:
    class Http;
    const SidecarConfig& config_;
    SnapshotSource source_;
    ReadinessPolicy policy_;
    std::unique_ptr<Http> http_;
};

}  // namespace schemagate
