// SPDX-License-Identifier: Apache-2.0
#include "probe_server.h"

#include <microhttpd.h>
#include <netdb.h>
#include <spdlog/spdlog.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <condition_variable>
#include <cstdarg>
#include <mutex>
#include <optional>
#include <thread>

#include "connection_guard.h"
#include "errors.h"
#include "metrics.h"

namespace schemagate {

namespace {

// Why libmicrohttpd and not cpp-httplib (measured, see README "Reliability"): cpp-httplib
// serves one connection per worker thread, so 8 slow or idle clients were enough to leave a
// fresh kubelet probe unanswered, and it buffered any number of headers (20,000 x 8 KB took
// resident memory from 15 to 174 MB). libmicrohttpd multiplexes every connection on epoll
// and gives each connection a fixed memory pool.

// Per connection, for the request line and headers: a kubelet probe or a Prometheus scrape
// sends a few hundred bytes; a request that does not fit is answered 431 and closed. Also
// bounds memory: connections x this.
constexpr std::size_t kConnectionMemory = std::size_t{8} * 1024;
// With kConnectionMemory, at most ~32 MiB of pools even when every slot is taken by an idle
// or hostile client; ConnectionGuard keeps a place for a fresh probe until then.
constexpr unsigned kMaxConnections = 4096;
// One client address (the kubelet probes from the node's; an in-cluster client has its pod's)
// holds at most this many: a Prometheus scrape or a load test needs a few.
constexpr std::size_t kPerAddressConnections = 64;
constexpr int kListenBacklog = 1024;
// SIGTERM to exit, at most: requests in flight finish within it, idle connections do not
// hold the pod's shutdown.
constexpr std::chrono::milliseconds kDrainLimit{800};

constexpr std::array<std::string_view, 4> kPaths = {"/readyz", "/livez", "/version", "/metrics"};

// Containers commonly start with a soft limit of 1024 open files under a hard limit far above
// it; every connection takes one. Raised once, at startup; kept where it cannot be.
void raise_open_files_limit() {
    rlimit files{};
    if (getrlimit(RLIMIT_NOFILE, &files) != 0 || files.rlim_cur >= files.rlim_max) return;
    const rlim_t before = files.rlim_cur;
    files.rlim_cur = files.rlim_max;
    if (setrlimit(RLIMIT_NOFILE, &files) == 0) {
        spdlog::debug("open files limit raised from {} to {}", before, files.rlim_cur);
    }
}

// Connections the library may hold: the descriptors there are, less those kept for the
// database connection, logs and the library's own, and at most kMaxConnections.
unsigned connection_limit() {
    rlimit files{};
    if (getrlimit(RLIMIT_NOFILE, &files) != 0 || files.rlim_cur == RLIM_INFINITY) {
        return kMaxConnections;
    }
    const auto usable = files.rlim_cur > 64 ? files.rlim_cur - 64 : 16;
    return static_cast<unsigned>(std::min<rlim_t>(kMaxConnections, usable));
}

// The guard admits a little below the library's limit: a connection it closes to make room
// holds its place until the library has seen it close, and the library must still accept
// the newcomer meanwhile.
ConnectionGuard::Limits guard_limits(unsigned library_limit, Millis request_time) {
    const std::size_t headroom = std::max<std::size_t>(4, library_limit / 16);
    const std::size_t total =
        library_limit > 2 * headroom ? library_limit - headroom : std::max(1U, library_limit / 2);
    return {total, std::min(kPerAddressConnections, total), request_time};
}

void log_from_library(void* /*cls*/, const char* format, va_list arguments) {
    char line[512];
    std::vsnprintf(line, sizeof line, format, arguments);
    std::string text(line);
    while (!text.empty() && text.back() == '\n') text.pop_back();
    spdlog::debug("http: {}", text);
}

// Whether the request says it carries a body (chunked, or a length other than 0).
bool announces_body(MHD_Connection* connection) {
    if (MHD_lookup_connection_value(connection, MHD_HEADER_KIND, "Transfer-Encoding") != nullptr) {
        return true;
    }
    const char* length = MHD_lookup_connection_value(connection, MHD_HEADER_KIND, "Content-Length");
    return length != nullptr && std::string_view(length) != "0";
}

// Queues an answer with the headers every answer carries.
MHD_Result queue_answer(MHD_Connection* connection, int status, const std::string& content_type,
                        const std::string& body) {
    MHD_Response* response = MHD_create_response_from_buffer(
        body.size(), const_cast<char*>(body.data()), MHD_RESPMEM_MUST_COPY);
    if (response == nullptr) return MHD_NO;
    MHD_add_response_header(response, "Content-Type", content_type.c_str());
    MHD_add_response_header(response, "Cache-Control", "no-store");
    if (status == 405) MHD_add_response_header(response, "Allow", "GET, HEAD");
    // Answered before any body is read; a request that carries one is closed after the
    // answer instead of its body being read (no probe sends a body).
    const MHD_Result queued =
        MHD_queue_response(connection, static_cast<unsigned>(status), response);
    MHD_destroy_response(response);
    return queued;
}

}  // namespace

class ProbeServer::Http {
  public:
    int listen_fd = -1;
    MHD_Daemon* daemon = nullptr;
    std::mutex mutex;
    std::condition_variable stopped_changed;
    bool stopped = false;

    // Who holds connections and for how long (ConnectionGuard); a connection is closed with
    // shutdown() on its socket, which the library sees as the client leaving. Done under
    // guard_mutex, which the library's close notification also takes before it closes the
    // socket: a descriptor shut down is never one already reused for another connection.
    std::mutex guard_mutex;
    std::condition_variable guard_changed;
    std::optional<ConnectionGuard> guard;
    bool reaper_stopping = false;
    std::thread reaper;

    ~Http() {
        // Quiesced first, the daemon hands the listening socket back, so it is closed once.
        if (daemon != nullptr) {
            MHD_quiesce_daemon(daemon);
            MHD_stop_daemon(daemon);
        }
        if (reaper.joinable()) {
            {
                const std::lock_guard lock(guard_mutex);
                reaper_stopping = true;
            }
            guard_changed.notify_all();
            reaper.join();
        }
        if (listen_fd >= 0) close(listen_fd);
    }

    // Closes each connection whose request outlived its bound, when it does.
    void reap() {
        std::unique_lock lock(guard_mutex);
        while (!reaper_stopping) {
            for (const int fd : guard->expired(ConnectionGuard::Clock::now())) {
                shutdown(fd, SHUT_RDWR);
            }
            if (const auto next = guard->next_deadline()) {
                guard_changed.wait_until(lock, *next);
            } else {
                guard_changed.wait(lock);
            }
        }
    }

    static MHD_Result admit(void* cls, const sockaddr* address, socklen_t /*length*/) {
        auto& http = *static_cast<Http*>(cls);
        const std::lock_guard lock(http.guard_mutex);
        const auto admission = http.guard->admit(address_text(address));
        if (admission.evict) shutdown(*admission.evict, SHUT_RDWR);
        return admission.admit ? MHD_YES : MHD_NO;
    }

    static void on_connection(void* cls, MHD_Connection* connection, void** /*socket_context*/,
                              MHD_ConnectionNotificationCode code) {
        auto& http = *static_cast<Http*>(cls);
        if (code == MHD_CONNECTION_NOTIFY_CLOSED) {
            const std::lock_guard lock(http.guard_mutex);
            http.guard->closed(connection);
            return;
        }
        const auto* fd = MHD_get_connection_info(connection, MHD_CONNECTION_INFO_CONNECTION_FD);
        const auto* address =
            MHD_get_connection_info(connection, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
        if (fd == nullptr || address == nullptr) return;
        bool first = false;
        {
            const std::lock_guard lock(http.guard_mutex);
            http.guard->opened(connection, fd->connect_fd, address_text(address->client_addr),
                               ConnectionGuard::Clock::now());
            first = http.guard->open_connections() == 1;
        }
        // The reaper waits for the earliest bound; only a first connection comes earlier.
        if (first) http.guard_changed.notify_all();
    }

    static void on_completed(void* cls, MHD_Connection* connection, void** /*request_state*/,
                             MHD_RequestTerminationCode code) {
        if (code != MHD_REQUEST_TERMINATED_COMPLETED_OK) return;
        auto& http = *static_cast<Http*>(cls);
        const std::lock_guard lock(http.guard_mutex);
        http.guard->answered(connection, ConnectionGuard::Clock::now());
    }
};

ProbeServer::ProbeServer(const SidecarConfig& config, SnapshotSource source)
    : config_(config),
      source_(std::move(source)),
      policy_{config.expect,    config.max_version,
              config.grace,     config.poll_interval + config.check_timeout + Millis{1000},
              config.on_outage, config.shipped,
              config.contracts},
      http_(std::make_unique<Http>()) {}

ProbeServer::~ProbeServer() = default;

int ProbeServer::bind() {
    const auto fail = [this](const std::string& why) {
        throw FatalError(ExitCode::kBadInput, "--listen: cannot listen on " + config_.listen_host +
                                                  ":" + std::to_string(config_.listen_port) + " (" +
                                                  why + ")");
    };
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
    addrinfo* found = nullptr;
    const std::string port = std::to_string(config_.listen_port);
    if (getaddrinfo(config_.listen_host.c_str(), port.c_str(), &hints, &found) != 0) {
        fail("unknown address");
    }
    const int fd = socket(found->ai_family, found->ai_socktype | SOCK_CLOEXEC, 0);
    const int yes = 1;
    // No SO_REUSEPORT: a second process binding the same port must fail, not take half the
    // probes.
    const bool bound = fd >= 0 && setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes) == 0 &&
                       ::bind(fd, found->ai_addr, found->ai_addrlen) == 0 &&
                       ::listen(fd, kListenBacklog) == 0;
    freeaddrinfo(found);
    if (!bound) {
        if (fd >= 0) close(fd);
        fail("address in use or not available");
    }
    http_->listen_fd = fd;
    sockaddr_storage address{};
    socklen_t length = sizeof address;
    getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length);
    return address.ss_family == AF_INET6
               ? ntohs(reinterpret_cast<sockaddr_in6*>(&address)->sin6_port)
               : ntohs(reinterpret_cast<sockaddr_in*>(&address)->sin_port);
}

void ProbeServer::start() {
    const auto handler = [](void* cls, MHD_Connection* connection, const char* url,
                            const char* method, const char* /*version*/,
                            const char* /*upload_data*/, std::size_t* upload_data_size,
                            void** request_state) -> MHD_Result {
        const auto& server = *static_cast<const ProbeServer*>(cls);
        // The first call comes when the headers are in. A request without a body is answered
        // on the second call, once the library knows the request is complete: answering
        // earlier makes it close the connection, losing pipelined requests behind it. A
        // request with a body is answered at once, so its body is never read (the library
        // then closes the connection).
        const bool has_body = announces_body(connection);
        if (*request_state == nullptr && !has_body) {
            static int seen;
            *request_state = &seen;
            return MHD_YES;
        }
        if (*upload_data_size != 0) {
            *upload_data_size = 0;  // a body sent anyway (no length given): discarded
            return MHD_YES;
        }
        Answer answer = server.answer(method, url);
        if (has_body && answer.status == 200) {
            answer = Answer{413, "text/plain", "request bodies are not accepted\n"};
        }
        return queue_answer(connection, answer.status, answer.content_type, answer.body);
    };
    const unsigned idle_seconds =
        static_cast<unsigned>(std::max<long long>(1, config_.request_timeout.count() / 1000));
    raise_open_files_limit();
    const unsigned limit = connection_limit();
    http_->guard.emplace(guard_limits(limit, config_.request_timeout));
    const unsigned flags = MHD_USE_EPOLL_INTERNAL_THREAD | MHD_USE_ITC | MHD_USE_ERROR_LOG;
    Http* http = http_.get();
    http_->daemon = MHD_start_daemon(
        flags, 0, &Http::admit, http, handler, const_cast<ProbeServer*>(this),
        MHD_OPTION_EXTERNAL_LOGGER, &log_from_library, nullptr, MHD_OPTION_LISTEN_SOCKET,
        http_->listen_fd, MHD_OPTION_CONNECTION_LIMIT, limit, MHD_OPTION_CONNECTION_TIMEOUT,
        idle_seconds, MHD_OPTION_CONNECTION_MEMORY_LIMIT, kConnectionMemory,
        MHD_OPTION_THREAD_POOL_SIZE, static_cast<unsigned>(config_.workers),
        MHD_OPTION_NOTIFY_CONNECTION, &Http::on_connection, http, MHD_OPTION_NOTIFY_COMPLETED,
        &Http::on_completed, http, MHD_OPTION_END);
    if (http_->daemon == nullptr) {
        throw FatalError(ExitCode::kBadInput, "--listen: the HTTP server could not start");
    }
    http_->reaper = std::thread([http] { http->reap(); });
}

void ProbeServer::serve() {
    {
        std::unique_lock lock(http_->mutex);
        http_->stopped_changed.wait(lock, [this] { return http_->stopped; });
    }
    // Drain: accept nothing new, let requests in flight finish, but never hold the pod's
    // shutdown longer than kDrainLimit (idle keep-alive connections would otherwise wait out
    // their idle timeout).
    MHD_quiesce_daemon(http_->daemon);
    const auto drain_until = std::chrono::steady_clock::now() + kDrainLimit;
    while (std::chrono::steady_clock::now() < drain_until) {
        const MHD_DaemonInfo* info =
            MHD_get_daemon_info(http_->daemon, MHD_DAEMON_INFO_CURRENT_CONNECTIONS);
        if (info == nullptr || info->num_connections == 0) break;
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    MHD_stop_daemon(http_->daemon);
    http_->daemon = nullptr;
}

void ProbeServer::stop() {
    {
        const std::lock_guard lock(http_->mutex);
        http_->stopped = true;
    }
    http_->stopped_changed.notify_all();
}

ProbeServer::Answer ProbeServer::answer(std::string_view method, std::string_view path) const {
    const bool known = std::find(kPaths.begin(), kPaths.end(), path) != kPaths.end();
    if (!known) return {404, "text/plain", "not found\n"};
    if (method != "GET" && method != "HEAD") return {405, "text/plain", "method not allowed\n"};
    if (path == "/livez") return {200, "text/plain", "ok\n"};
    const SchemaSnapshot snapshot = source_();
    const Readiness readiness = evaluate(snapshot, policy_, std::chrono::steady_clock::now());
    if (path == "/metrics") {
        return {200, "text/plain; version=0.0.4; charset=utf-8",
                render_metrics(config_.state.name, snapshot, policy_, readiness)};
    }
    const int status = (path == "/version" || readiness.ready) ? 200 : 503;
    return {status, "application/json", readiness_json(snapshot, policy_, readiness).dump()};
}

}  // namespace schemagate
