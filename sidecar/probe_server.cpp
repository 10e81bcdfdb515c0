// SPDX-License-Identifier: Apache-2.0
#include "probe_server.h"

#include <httplib.h>
#include <sys/socket.h>

#include <algorithm>

#include "errors.h"
#include "metrics.h"

namespace schemagate {

namespace {

// The library listens with a backlog of 5, fixed at its build time: a burst of probes and
// scrapes opening new connections would see SYNs dropped and retried a second later.
constexpr int kListenBacklog = 1024;
// Probes carry no body; anything bigger than this is not a probe.
constexpr std::size_t kMaxPayload = 1024;
// A worker serves one connection at a time (the library is thread-per-connection), so a
// kept-alive connection is closed after this many requests to let queued connections in.
// Measured with wrk at 50 connections on 8 workers: 1000 gave a p99 of ~900 ms (starved
// connections), 10 gives ~10 ms at a similar request rate. Kubelet probes do not keep alive.
constexpr std::size_t kKeepAliveRequests = 10;

const std::vector<std::string> kPaths = {"/readyz", "/livez", "/version", "/metrics"};

}  // namespace

class ProbeServer::Http final : public httplib::Server {
  public:
    void widen_backlog() { ::listen(svr_sock_, kListenBacklog); }
};

ProbeServer::ProbeServer(const SidecarConfig& config, SnapshotSource source)
    : config_(config),
      source_(std::move(source)),
      policy_{config.expect, config.max_version, config.grace},
      http_(std::make_unique<Http>()) {
    const int workers = config.workers;
    http_->new_task_queue = [workers] {
        return new httplib::ThreadPool(static_cast<std::size_t>(workers));
    };
    const auto timeout =
        std::chrono::duration_cast<std::chrono::microseconds>(config.request_timeout);
    http_->set_read_timeout(timeout);
    http_->set_write_timeout(timeout);
    http_->set_keep_alive_timeout(
        std::max<time_t>(1, static_cast<time_t>(config.request_timeout.count() / 1000)));
    http_->set_keep_alive_max_count(kKeepAliveRequests);
    http_->set_payload_max_length(kMaxPayload);
    http_->set_tcp_nodelay(true);
    // The library's default adds SO_REUSEPORT, which lets a second process bind the same port
    // and silently take half the probes: a port in use must be an error.
    http_->set_socket_options([](socket_t sock) {
        const int yes = 1;
        setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
    });

    const auto json_answer = [this](bool status_from_readiness) {
        return [this, status_from_readiness](const httplib::Request&, httplib::Response& res) {
            const SchemaSnapshot snapshot = source_();
            const Readiness readiness =
                evaluate(snapshot, policy_, std::chrono::steady_clock::now());
            res.status = (!status_from_readiness || readiness.ready) ? 200 : 503;
            res.set_header("Cache-Control", "no-store");
            res.set_content(readiness_json(snapshot, policy_, readiness).dump(),
                            "application/json");
        };
    };
    http_->Get("/readyz", json_answer(true));
    http_->Get("/version", json_answer(false));
    http_->Get("/livez", [](const httplib::Request&, httplib::Response& res) {
        res.set_content("ok\n", "text/plain");
    });
    http_->Get("/metrics", [this](const httplib::Request&, httplib::Response& res) {
        const SchemaSnapshot snapshot = source_();
        const Readiness readiness = evaluate(snapshot, policy_, std::chrono::steady_clock::now());
        res.set_content(render_metrics(config_.state.name, snapshot, policy_, readiness),
                        "text/plain; version=0.0.4; charset=utf-8");
    });
    // Decided before any body is read: probes are GET or HEAD, nothing else is accepted.
    http_->set_pre_routing_handler([](const httplib::Request& req, httplib::Response& res) {
        if (req.method == "GET" || req.method == "HEAD")
            return httplib::Server::HandlerResponse::Unhandled;
        const bool known = std::find(kPaths.begin(), kPaths.end(), req.path) != kPaths.end();
        res.status = known ? 405 : 404;
        if (known) res.set_header("Allow", "GET, HEAD");
        res.set_content(known ? "method not allowed\n" : "not found\n", "text/plain");
        return httplib::Server::HandlerResponse::Handled;
    });
    http_->set_error_handler([](const httplib::Request&, httplib::Response& res) {
        if (res.status == 404) res.set_content("not found\n", "text/plain");
    });
}

ProbeServer::~ProbeServer() = default;

int ProbeServer::bind() {
    int port = config_.listen_port;
    if (port == 0) {
        port = http_->bind_to_any_port(config_.listen_host);
    } else if (!http_->bind_to_port(config_.listen_host, port)) {
        port = -1;
    }
    if (port <= 0) {
        throw FatalError(ExitCode::kBadInput, "--listen: cannot listen on " + config_.listen_host +
                                                  ":" + std::to_string(config_.listen_port) +
                                                  " (address in use or not available)");
    }
    http_->widen_backlog();
    return port;
}

void ProbeServer::serve() {
    http_->listen_after_bind();
}

void ProbeServer::stop() {
    http_->stop();
}

}  // namespace schemagate
