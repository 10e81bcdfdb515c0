// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>

#include "notify_url.h"

namespace schemagate {

// The answer to one POST: the status code, or 0 with `error` saying why there is none. A
// proxy that refuses the tunnel gives its own status and an error naming it.
struct PostOutcome {
    int status = 0;
    std::string error;
    bool timed_out = false;  // the deadline cut it short
};

// One POST of a JSON body to `url`, direct or through `proxy` (a CONNECT tunnel for https, an
// absolute-form request for http), over TLS verified against the system CA bundle and
// OpenSSL's defaults (SSL_CERT_FILE, SSL_CERT_DIR). Every step after name resolution ends by
// `deadline`: the socket is cut when it passes.
PostOutcome post_json(const NotifyUrl& url, const std::optional<ProxyServer>& proxy,
                      const std::string& body, std::chrono::steady_clock::time_point deadline);

// What post_json sends, pure. The POST's head: origin-form, or absolute-form with the proxy's
// credentials when an http URL goes through `proxy` (an https one tunnels: its POST is the
// origin's alone and never carries them).
std::string post_head(const NotifyUrl& url, const std::optional<ProxyServer>& proxy,
                      std::size_t body_size);
// The CONNECT request that opens a tunnel to `url` through `proxy`, with its credentials.
std::string connect_head(const NotifyUrl& url, const ProxyServer& proxy);
// The status code of a response head ("HTTP/1.1 204 No Content\r\n..."), 0 if it is not one.
int status_of(const std::string& head);

}  // namespace schemagate
