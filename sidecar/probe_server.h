// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "readiness.h"
#include "sidecar_config.h"

namespace schemagate {

// The HTTP side: /readyz, /livez, /version, /metrics, answered from the watcher's snapshot
// without touching the database. Event-driven (libmicrohttpd on epoll): idle and slow clients
// hold no thread; each connection has a fixed memory budget for its request and a bound on
// each request's whole duration, one client address holds a bounded share of the connections
// and a newcomer from a smaller holder takes a place from the biggest (ConnectionGuard), so a
// flood or stuck, trickling or idle clients cannot starve the kubelet's probe. bind(), start()
// and serve() are called from one thread; stop() from any.
class ProbeServer {
  public:
    using SnapshotSource = std::function<SchemaSnapshot()>;

    ProbeServer(const SidecarConfig& config, SnapshotSource source);
    ~ProbeServer();

    // Returns the bound port; throws FatalError(kBadInput) naming --listen when it cannot bind.
    int bind();
    // Starts answering on the bound socket (its own threads); throws FatalError(kBadInput)
    // when the HTTP server cannot start.
    void start();
    void serve();  // blocks until stop(), then drains
    void stop();   // stop accepting; in-flight requests finish

    // The answer to one request, decided before any body is read. Pure apart from reading the
    // snapshot; public for tests.
    struct Answer {
        int status = 200;
        std::string content_type;
        std::string body;
    };
    Answer answer(std::string_view method, std::string_view path) const;

  private:
    class Http;
    const SidecarConfig& config_;
    SnapshotSource source_;
    ReadinessPolicy policy_;
    std::unique_ptr<Http> http_;
};

}  // namespace schemagate
