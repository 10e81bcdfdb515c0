// SPDX-License-Identifier: Apache-2.0
#include "notify_transport.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string_view>

#include "duration.h"
#include "socket_deadline.h"
#include "version.h"

namespace schemagate {

namespace {

using Clock = std::chrono::steady_clock;

// Debian's bundle, where the scratch image carries it.
constexpr const char* kCaBundle = "/etc/ssl/certs/ca-certificates.crt";
// A status line or a proxy's answer to CONNECT is far shorter; more is not HTTP.
constexpr std::size_t kHeadLimit = 16384;

Millis left_until(Clock::time_point deadline) {
    return std::max(Millis{0}, std::chrono::duration_cast<Millis>(deadline - Clock::now()));
}

// The socket of one attempt, plain or TLS once start_tls succeeded. Owns the descriptor.
class Channel {
  public:
    explicit Channel(int fd) : fd_(fd) {}
    ~Channel() {
        tls_.reset();
        if (fd_ >= 0) close(fd_);
    }
    Channel(const Channel&) = delete;
    Channel& operator=(const Channel&) = delete;

    int fd() const { return fd_; }
    bool start_tls(const std::string& host, std::string& error);
    bool send_all(std::string_view data, std::string& error);
    // Reads until `into` ends with `terminator`, byte by byte on a plain socket so that nothing
    // past it (a tunnel's first TLS bytes) is consumed.
    bool read_until(std::string& into, std::string_view terminator, std::string& error);

  private:
    int fd_;
    std::unique_ptr<SSL_CTX, decltype(&SSL_CTX_free)> context_{nullptr, SSL_CTX_free};
    std::unique_ptr<SSL, decltype(&SSL_free)> tls_{nullptr, SSL_free};
};

bool is_ip_literal(const std::string& host) {
    unsigned char address[16];
    return inet_pton(AF_INET, host.c_str(), address) == 1 ||
           inet_pton(AF_INET6, host.c_str(), address) == 1;
}

// OpenSSL's defaults honour SSL_CERT_FILE and SSL_CERT_DIR; their compiled-in file is Debian's
// bundle, which the scratch image carries only at the bundle's own path.
void trust_system_certificates(SSL_CTX* context) {
    SSL_CTX_set_default_verify_paths(context);
    if (std::getenv("SSL_CERT_FILE") == nullptr &&
        access(X509_get_default_cert_file(), R_OK) != 0) {
        SSL_CTX_load_verify_locations(context, kCaBundle, nullptr);
    }
    ERR_clear_error();  // a location that does not exist is not a failure
}

bool Channel::start_tls(const std::string& host, std::string& error) {
    context_.reset(SSL_CTX_new(TLS_client_method()));
    if (!context_) {
        error = "TLS unavailable";
        return false;
    }
    SSL_CTX_set_verify(context_.get(), SSL_VERIFY_PEER, nullptr);
    trust_system_certificates(context_.get());
    tls_.reset(SSL_new(context_.get()));
    SSL_set_fd(tls_.get(), fd_);
    if (!is_ip_literal(host)) {  // SNI carries names only (RFC 6066)
        // SSL_set_tlsext_host_name, without the macro's C cast.
        SSL_ctrl(tls_.get(), SSL_CTRL_SET_TLSEXT_HOSTNAME, TLSEXT_NAMETYPE_host_name,
                 const_cast<char*>(host.c_str()));
    }
    SSL_set1_host(tls_.get(), host.c_str());  // a name or, since OpenSSL 3.0, an address
    if (SSL_connect(tls_.get()) == 1) return true;
    const long verify = SSL_get_verify_result(tls_.get());
    error = verify != X509_V_OK ? std::string("TLS: ") + X509_verify_cert_error_string(verify)
                                : "TLS handshake failed";
    ERR_clear_error();
    tls_.reset();
    return false;
}

bool Channel::send_all(std::string_view data, std::string& error) {
    if (tls_) {
        if (SSL_write(tls_.get(), data.data(), static_cast<int>(data.size())) > 0) return true;
        error = "TLS write failed";
        ERR_clear_error();
        return false;
    }
    for (std::size_t sent = 0; sent < data.size();) {
        const ssize_t n = send(fd_, data.data() + sent, data.size() - sent, MSG_NOSIGNAL);
        if (n <= 0) {
            error = n == 0 ? "connection closed" : std::strerror(errno);
            return false;
        }
        sent += static_cast<std::size_t>(n);
    }
    return true;
}

bool Channel::read_until(std::string& into, std::string_view terminator, std::string& error) {
    char buffer[512];
    while (!into.ends_with(terminator)) {
        if (into.size() > kHeadLimit) {
            error = "not an HTTP answer";
            return false;
        }
        const long n = tls_ ? SSL_read(tls_.get(), buffer, sizeof buffer) : recv(fd_, buffer, 1, 0);
        if (n <= 0) {
            error =
                n == 0 || tls_ ? "no answer" : "no answer: " + std::string(std::strerror(errno));
            ERR_clear_error();
            return false;
        }
        into.append(buffer, static_cast<std::size_t>(n));
        // A TLS read may end past the terminator: the status line is all that is needed.
        if (tls_ && into.find(terminator) != std::string::npos) break;
    }
    return true;
}

// A connected socket, or -1 (`error` says why). Name resolution uses the system resolver and
// its own timeouts; connecting ends by `deadline`.
int connect_before(const std::string& host, const std::string& port, Clock::time_point deadline,
                   std::string& error) {
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    addrinfo* found = nullptr;
    if (const int rc = getaddrinfo(host.c_str(), port.c_str(), &hints, &found); rc != 0) {
        error = std::string("cannot resolve: ") + gai_strerror(rc);
        return -1;
    }
    const std::unique_ptr<addrinfo, decltype(&freeaddrinfo)> addresses(found, freeaddrinfo);
    error = "no address";
    for (const addrinfo* a = found; a != nullptr; a = a->ai_next) {
        const int fd =
            socket(a->ai_family, a->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, a->ai_protocol);
        if (fd < 0) continue;
        int so_error = 0;
        if (connect(fd, a->ai_addr, a->ai_addrlen) != 0 && errno != EINPROGRESS) {
            so_error = errno;
        } else if (pollfd waiting{fd, POLLOUT, 0};
                   poll(&waiting, 1, static_cast<int>(left_until(deadline).count())) != 1) {
            so_error = ETIMEDOUT;
        } else {
            socklen_t length = sizeof so_error;
            getsockopt(fd, SOL_SOCKET, SO_ERROR, &so_error, &length);
        }
        if (so_error == 0) {
            fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
            return fd;
        }
        error = so_error == ETIMEDOUT ? "connect timed out" : std::strerror(so_error);
        close(fd);
    }
    return -1;
}

std::string base64(const std::string& text) {
    std::string encoded(4 * ((text.size() + 2) / 3) + 1, '\0');
    const int length = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(encoded.data()),
                                       reinterpret_cast<const unsigned char*>(text.data()),
                                       static_cast<int>(text.size()));
    encoded.resize(static_cast<std::size_t>(length));
    return encoded;
}

std::string proxy_authorization(const ProxyServer& proxy) {
    if (proxy.user.empty()) return "";
    return "Proxy-Authorization: Basic " + base64(proxy.user + ":" + proxy.password) + "\r\n";
}

// The proxy's answer to CONNECT: a 2xx opens the tunnel, anything else is its refusal.
PostOutcome open_tunnel(Channel& channel, const NotifyUrl& url, const ProxyServer& proxy) {
    std::string error;
    std::string head;
    if (!channel.send_all(connect_head(url, proxy), error) ||
        !channel.read_until(head, "\r\n\r\n", error)) {
        return {0, "proxy: " + error};
    }
    const int status = status_of(head);
    if (status == 0) return {0, "the proxy's answer to CONNECT is not HTTP"};
    if (status / 100 != 2) {
        return {status, "the proxy refused the tunnel: HTTP " + std::to_string(status)};
    }
    return {status, ""};
}

// The exchange on a connected channel: tunnel, TLS, request, status line.
PostOutcome exchange(Channel& channel, const NotifyUrl& url,
                     const std::optional<ProxyServer>& proxy, const std::string& body) {
    if (proxy && url.tls) {
        if (auto tunnel = open_tunnel(channel, url, *proxy); !tunnel.error.empty()) return tunnel;
    }
    std::string error;
    if (url.tls && !channel.start_tls(url.host, error)) return {0, error};
    std::string head;
    if (!channel.send_all(post_head(url, proxy, body.size()) + body, error) ||
        !channel.read_until(head, "\r\n", error)) {
        return {0, error};
    }
    const int status = status_of(head);
    return status == 0 ? PostOutcome{0, "not an HTTP answer"} : PostOutcome{status, ""};
}

}  // namespace

PostOutcome post_json(const NotifyUrl& url, const std::optional<ProxyServer>& proxy,
                      const std::string& body, Clock::time_point deadline) {
    std::string error;
    Channel channel(proxy ? connect_before(proxy->host, proxy->port, deadline, error)
                          : connect_before(url.host, url.port, deadline, error));
    if (channel.fd() < 0) return {0, proxy ? "cannot reach the proxy: " + error : error};
    SocketDeadline cut;
    const SocketDeadline::Scope until_deadline(cut, channel.fd(), left_until(deadline));
    auto outcome = exchange(channel, url, proxy, body);
    if (outcome.status == 0 && Clock::now() >= deadline) outcome = {0, "timed out", true};
    return outcome;
}

std::string post_head(const NotifyUrl& url, const std::optional<ProxyServer>& proxy,
                      std::size_t body_size) {
    const bool absolute_form = proxy && !url.tls;
    std::string head = "POST ";
    if (absolute_form) head += "http://" + authority_of(url);
    head += url.path + " HTTP/1.1\r\nHost: " + authority_of(url) + "\r\n";
    if (absolute_form) head += proxy_authorization(*proxy);
    return head + "User-Agent: schemagate/" + kVersion +
           "\r\nContent-Type: application/json\r\nContent-Length: " + std::to_string(body_size) +
           "\r\nConnection: close\r\n\r\n";
}

std::string connect_head(const NotifyUrl& url, const ProxyServer& proxy) {
    const std::string target = authority_of(url, true);
    return "CONNECT " + target + " HTTP/1.1\r\nHost: " + target + "\r\n" +
           proxy_authorization(proxy) + "User-Agent: schemagate/" + kVersion + "\r\n\r\n";
}

int status_of(const std::string& head) {
    // "HTTP/1.1 204 No Content": a version, one space, three digits.
    if (!head.starts_with("HTTP/")) return 0;
    const auto space = head.find(' ');
    if (space == std::string::npos || head.size() < space + 4) return 0;
    const std::string code = head.substr(space + 1, 3);
    if (code.find_first_not_of("0123456789") != std::string::npos) return 0;
    return std::stoi(code);
}

}  // namespace schemagate
