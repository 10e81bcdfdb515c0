// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <map>
#include <optional>
#include <string>

namespace schemagate {

// Where --notify-url points, parsed once. The URL itself may be a secret (an incoming
// webhook's token is its path): only `host` is ever logged.
struct NotifyUrl {
    bool tls = false;
    std::string host;  // without the brackets of an IPv6 literal
    std::string port;
    std::string path;  // with the query, "/" when empty
};

// http:// or https:// only; nullopt with the reason otherwise (the caller names the flag).
std::optional<NotifyUrl> parse_notify_url(const std::string& url, std::string& problem);

// host[:port] as a Host header, a CONNECT target and an absolute-form request carry it: an
// IPv6 literal in brackets, the port only when it is not the scheme's default.
std::string authority_of(const NotifyUrl& url, bool always_with_port = false);

// An HTTP proxy from the environment. The password is a secret: never logged.
struct ProxyServer {
    std::string host;
    std::string port;
    std::string user;  // percent-decoded, empty without credentials
    std::string password;
    std::string variable;  // where it came from ("https_proxy"), for messages
};

// What a post to a URL goes through: nothing (direct), a proxy, or a proxy setting that cannot
// be used (`problem` names the variable, never its value, which may hold credentials).
struct ProxyChoice {
    std::optional<ProxyServer> proxy;
    std::string problem;
};

// Environment variables by name (only the proxy ones matter here).
using Environment = std::map<std::string, std::string>;

// curl's rules: https URLs use https_proxy, else HTTPS_PROXY; http URLs use http_proxy only
// (never HTTP_PROXY, which a CGI request can set); an empty variable counts as unset; a host
// matched by no_proxy (else NO_PROXY) goes direct. A proxy is `[http://][user[:password]@]host
// [:port][/]`, port 1080 by default. Pure.
ProxyChoice choose_proxy(const NotifyUrl& url, const Environment& environment);

// Whether NO_PROXY's `list` exempts host:port: `*` alone exempts all; otherwise each
// comma-separated entry is a host name that matches itself and its subdomains (a leading dot
// is optional, case is ignored), or an IP address, optionally with a /prefix (CIDR), matched
// only by an IP literal host; an entry may add :port to match only that port ([v6]:port).
bool no_proxy_matches(const std::string& host, const std::string& port, const std::string& list);

}  // namespace schemagate
