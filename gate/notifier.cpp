// SPDX-License-Identifier: Apache-2.0
#include "notifier.h"

#include <fcntl.h>
#include <netdb.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <poll.h>
#include <spdlog/spdlog.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <memory>
#include <thread>

#include "secret_scrubber.h"
#include "version.h"

namespace schemagate {

namespace {

using Clock = std::chrono::steady_clock;

// Debian's bundle; the scratch image carries it at the same path, where OpenSSL's compiled-in
// default directory does not exist.
constexpr const char* kCaBundle = "/etc/ssl/certs/ca-certificates.crt";

Millis left_until(Clock::time_point deadline) {
    return std::max(Millis{0}, std::chrono::duration_cast<Millis>(deadline - Clock::now()));
}

struct Fd {
    int fd = -1;
    Fd() = default;
    Fd(const Fd&) = delete;
    Fd& operator=(const Fd&) = delete;
    ~Fd() {
        if (fd >= 0) close(fd);
    }
};

void set_io_timeouts(int fd, Millis timeout) {
    timeval tv{};
    tv.tv_sec = static_cast<time_t>(timeout.count() / 1000);
    tv.tv_usec = static_cast<suseconds_t>((timeout.count() % 1000) * 1000);
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
}

// A connected blocking socket with send/receive timeouts set to what is left, or -1 (`error`
// says why). Name resolution uses the system resolver and its own timeouts.
int connect_before(const NotifyUrl& url, Clock::time_point deadline, std::string& error) {
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    addrinfo* found = nullptr;
    if (const int rc = getaddrinfo(url.host.c_str(), url.port.c_str(), &hints, &found); rc != 0) {
        error = std::string("cannot resolve: ") + gai_strerror(rc);
        return -1;
    }
    const std::unique_ptr<addrinfo, decltype(&freeaddrinfo)> addresses(found, freeaddrinfo);
    error = "no address";
    for (const addrinfo* a = found; a != nullptr; a = a->ai_next) {
        Fd socket_fd;
        socket_fd.fd = socket(a->ai_family, a->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC,
                              a->ai_protocol);
        if (socket_fd.fd < 0) continue;
        if (connect(socket_fd.fd, a->ai_addr, a->ai_addrlen) != 0 && errno != EINPROGRESS) {
            error = std::strerror(errno);
            continue;
        }
        pollfd waiting{socket_fd.fd, POLLOUT, 0};
        if (poll(&waiting, 1, static_cast<int>(left_until(deadline).count())) != 1) {
            error = "connect timed out";
            continue;
        }
        int so_error = 0;
        socklen_t length = sizeof so_error;
        getsockopt(socket_fd.fd, SOL_SOCKET, SO_ERROR, &so_error, &length);
        if (so_error != 0) {
            error = std::strerror(so_error);
            continue;
        }
        const int flags = fcntl(socket_fd.fd, F_GETFL);
        fcntl(socket_fd.fd, F_SETFL, flags & ~O_NONBLOCK);
        set_io_timeouts(socket_fd.fd, std::max(left_until(deadline), Millis{1}));
        const int fd = socket_fd.fd;
        socket_fd.fd = -1;
        return fd;
    }
    return -1;
}

// The status code of one POST, or 0 with `error` set.
int post_once(const NotifyUrl& url, const std::string& body, Clock::time_point deadline,
              std::string& error) {
    Fd connection;
    connection.fd = connect_before(url, deadline, error);
    if (connection.fd < 0) return 0;
    const std::string request = "POST " + url.path + " HTTP/1.1\r\nHost: " + url.host +
                                "\r\nUser-Agent: schemagate/" + kVersion +
                                "\r\nContent-Type: application/json\r\nContent-Length: " +
                                std::to_string(body.size()) + "\r\nConnection: close\r\n\r\n" +
                                body;
    std::string response;
    char buffer[512];
    if (!url.tls) {
        for (std::size_t sent = 0; sent < request.size();) {
            const ssize_t n = send(connection.fd, request.data() + sent, request.size() - sent,
                                   MSG_NOSIGNAL);
            if (n <= 0) {
                error = n == 0 ? "connection closed" : std::strerror(errno);
                return 0;
            }
            sent += static_cast<std::size_t>(n);
        }
        while (response.find("\r\n") == std::string::npos) {
            const ssize_t n = recv(connection.fd, buffer, sizeof buffer, 0);
            if (n <= 0) {
                error = n == 0 ? "no answer" : "no answer: " + std::string(std::strerror(errno));
                return 0;
            }
            response.append(buffer, static_cast<std::size_t>(n));
        }
    } else {
        const std::unique_ptr<SSL_CTX, decltype(&SSL_CTX_free)> context(
            SSL_CTX_new(TLS_client_method()), SSL_CTX_free);
        if (!context) {
            error = "TLS unavailable";
            return 0;
        }
        SSL_CTX_set_verify(context.get(), SSL_VERIFY_PEER, nullptr);
        if (SSL_CTX_load_verify_locations(context.get(), kCaBundle, nullptr) != 1) {
            SSL_CTX_set_default_verify_paths(context.get());
        }
        const std::unique_ptr<SSL, decltype(&SSL_free)> tls(SSL_new(context.get()), SSL_free);
        SSL_set_fd(tls.get(), connection.fd);
        // SSL_set_tlsext_host_name, without the macro's C cast.
        SSL_ctrl(tls.get(), SSL_CTRL_SET_TLSEXT_HOSTNAME, TLSEXT_NAMETYPE_host_name,
                 const_cast<char*>(url.host.c_str()));
        SSL_set1_host(tls.get(), url.host.c_str());
        if (SSL_connect(tls.get()) != 1) {
            const long verify = SSL_get_verify_result(tls.get());
            error = verify != X509_V_OK
                        ? std::string("TLS: ") + X509_verify_cert_error_string(verify)
                        : "TLS handshake failed";
            ERR_clear_error();
            return 0;
        }
        if (SSL_write(tls.get(), request.data(), static_cast<int>(request.size())) <= 0) {
            error = "TLS write failed";
            ERR_clear_error();
            return 0;
        }
        while (response.find("\r\n") == std::string::npos) {
            const int n = SSL_read(tls.get(), buffer, sizeof buffer);
            if (n <= 0) {
                error = "no answer";
                ERR_clear_error();
                return 0;
            }
            response.append(buffer, static_cast<std::size_t>(n));
        }
    }
    // "HTTP/1.1 204 No Content"
    if (response.size() < 12 || response.compare(0, 5, "HTTP/") != 0) {
        error = "not an HTTP answer";
        return 0;
    }
    const auto space = response.find(' ');
    try {
        return std::stoi(response.substr(space + 1, 3));
    } catch (const std::exception&) {
        error = "not an HTTP answer";
        return 0;
    }
}

}  // namespace

std::optional<NotifyUrl> parse_notify_url(const std::string& url, std::string& problem) {
    NotifyUrl parsed;
    std::string rest;
    if (url.rfind("https://", 0) == 0) {
        parsed.tls = true;
        rest = url.substr(8);
    } else if (url.rfind("http://", 0) == 0) {
        rest = url.substr(7);
    } else {
        problem = "must start with http:// or https://";
        return std::nullopt;
    }
    const auto slash = rest.find_first_of("/?");
    std::string authority = rest.substr(0, slash);
    parsed.path = slash == std::string::npos ? "/" : rest.substr(slash);
    if (parsed.path.front() == '?') parsed.path.insert(0, "/");
    if (authority.find('@') != std::string::npos) {
        problem = "credentials in the URL are not supported (put a token in the path)";
        return std::nullopt;
    }
    parsed.port = parsed.tls ? "443" : "80";
    if (!authority.empty() && authority.front() == '[') {  // [::1]:8080
        const auto close = authority.find(']');
        if (close == std::string::npos) {
            problem = "unclosed [ in the host";
            return std::nullopt;
        }
        parsed.host = authority.substr(1, close - 1);
        if (close + 1 < authority.size() && authority[close + 1] == ':') {
            parsed.port = authority.substr(close + 2);
        }
    } else if (const auto colon = authority.rfind(':'); colon != std::string::npos) {
        parsed.host = authority.substr(0, colon);
        parsed.port = authority.substr(colon + 1);
    } else {
        parsed.host = authority;
    }
    const bool port_ok = !parsed.port.empty() && parsed.port.size() <= 5 &&
                         parsed.port.find_first_not_of("0123456789") == std::string::npos &&
                         std::stoi(parsed.port) > 0 && std::stoi(parsed.port) < 65536;
    if (parsed.host.empty() || !port_ok) {
        problem = "needs a host and a valid port";
        return std::nullopt;
    }
    for (const char c : url) {
        if (static_cast<unsigned char>(c) < 0x21 || c == 0x7f) {
            problem = "holds a space or a control character";
            return std::nullopt;
        }
    }
    return parsed;
}

nlohmann::json notify_payload(const std::string& event, const std::string& summary,
                              const nlohmann::json& fields) {
    // The payload leaves the process like a log line does: scrubbed the same way.
    nlohmann::json payload = nlohmann::json::object();
    for (const auto& [key, value] : fields.items()) {
        payload[key] = value.is_string() ? nlohmann::json(scrub(value.get<std::string>())) : value;
    }
    payload["event"] = event;
    payload["text"] = scrub(summary);
    return payload;
}

bool Notifier::post(const nlohmann::json& payload) const {
    if (!url_) return false;
    const auto deadline = Clock::now() + budget_;
    const std::string body = payload.dump();
    Millis pause{250};
    std::string error;
    for (int attempt = 1;; ++attempt) {
        const int status = post_once(*url_, body, deadline, error);
        if (status >= 200 && status < 300) return true;
        if (status != 0) error = "HTTP " + std::to_string(status);
        const bool worth_retrying = status == 0 || status == 429 || status >= 500;
        if (!worth_retrying || left_until(deadline) <= pause) break;
        std::this_thread::sleep_for(pause);
        pause *= 2;
    }
    spdlog::warn("notify: the event '{}' did not reach {}: {}", payload.value("event", ""),
                 url_->host, error);
    return false;
}

void notify_run_event(const std::optional<NotifyUrl>& url, const StateLocation& where,
                      const std::string& holder, const std::string& event,
                      const std::string& summary, nlohmann::json fields) {
    if (!url) return;
    fields["name"] = where.name;
    fields["schema"] = where.schema;
    fields["holder"] = holder;
    Notifier(url, kNotifyBudget).post(notify_payload(event, summary, fields));
}

}  // namespace schemagate
