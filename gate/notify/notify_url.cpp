// SPDX-License-Identifier: Apache-2.0
#include "notify_url.h"

#include <arpa/inet.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <initializer_list>
#include <string_view>
#include <utility>

#include "ascii.h"

namespace schemagate {

namespace {

constexpr auto kNpos = std::string::npos;

struct HostPort {
    std::string host;
    std::string port;
};

bool valid_port(const std::string& port) {
    return !port.empty() && port.size() <= 5 && port.find_first_not_of("0123456789") == kNpos &&
           std::stoi(port) > 0 && std::stoi(port) < 65536;
}

bool holds_space_or_control(std::string_view text) {
    return std::any_of(text.begin(), text.end(),
                       [](char c) { return static_cast<unsigned char>(c) < 0x21 || c == 0x7f; });
}

std::string trim(const std::string& text) {
    const auto first = text.find_first_not_of(" \t");
    if (first == kNpos) return "";
    return text.substr(first, text.find_last_not_of(" \t") - first + 1);
}

// "host", "host:port", "[v6]" or "[v6]:port"; nullopt with `problem` set when malformed.
std::optional<HostPort> split_authority(const std::string& authority,
                                        const std::string& default_port, std::string& problem) {
    HostPort parsed{"", default_port};
    if (!authority.empty() && authority.front() == '[') {
        const auto close = authority.find(']');
        if (close == kNpos) {
            problem = "unclosed [ in the host";
            return std::nullopt;
        }
        parsed.host = authority.substr(1, close - 1);
        if (close + 1 < authority.size()) {
            parsed.port = authority[close + 1] == ':' ? authority.substr(close + 2) : "";
        }
    } else if (const auto colon = authority.rfind(':'); colon != kNpos) {
        parsed.host = authority.substr(0, colon);
        parsed.port = authority.substr(colon + 1);
    } else {
        parsed.host = authority;
    }
    if (parsed.host.empty() || !valid_port(parsed.port)) {
        problem = "needs a host and a valid port";
        return std::nullopt;
    }
    return parsed;
}

// %XX sequences decoded; anything else (a stray %) kept as it is.
std::string percent_decode(const std::string& text) {
    std::string decoded;
    for (std::size_t i = 0; i < text.size(); ++i) {
        const bool escape = text[i] == '%' && i + 2 < text.size() &&
                            std::isxdigit(static_cast<unsigned char>(text[i + 1])) != 0 &&
                            std::isxdigit(static_cast<unsigned char>(text[i + 2])) != 0;
        if (!escape) {
            decoded += text[i];
            continue;
        }
        decoded += static_cast<char>(std::stoi(text.substr(i + 1, 2), nullptr, 16));
        i += 2;
    }
    return decoded;
}

// The first of `names` set to a non-empty value: {name, value}, or two empty strings.
std::pair<std::string, std::string> first_set(const Environment& environment,
                                              std::initializer_list<const char*> names) {
    for (const char* name : names) {
        const auto found = environment.find(name);
        if (found != environment.end() && !found->second.empty()) return *found;
    }
    return {};
}

ProxyChoice parse_proxy(std::string value, const std::string& variable) {
    ProxyChoice choice;
    if (holds_space_or_control(value)) {
        choice.problem = variable + ": holds a space or a control character";
        return choice;
    }
    if (const auto scheme_end = value.find("://"); scheme_end != kNpos) {
        // An https:// proxy would need TLS to the proxy itself, socks:// another protocol.
        if (ascii_lower(value.substr(0, scheme_end)) != "http") {
            choice.problem = variable + ": only http:// proxies are supported";
            return choice;
        }
        value.erase(0, scheme_end + 3);
    }
    std::string authority = value.substr(0, value.find('/'));
    ProxyServer proxy;
    proxy.variable = variable;
    if (const auto at = authority.rfind('@'); at != kNpos) {
        const std::string credentials = authority.substr(0, at);
        const auto colon = credentials.find(':');
        proxy.user = percent_decode(credentials.substr(0, colon));
        if (colon != kNpos) proxy.password = percent_decode(credentials.substr(colon + 1));
        authority.erase(0, at + 1);
    }
    std::string problem;
    const auto host_port = split_authority(authority, "1080", problem);
    if (!host_port) {
        choice.problem = variable + ": " + problem;
        return choice;
    }
    proxy.host = host_port->host;
    proxy.port = host_port->port;
    choice.proxy = std::move(proxy);
    return choice;
}

struct IpAddress {
    int family = AF_UNSPEC;
    std::array<unsigned char, 16> bytes{};
};

std::optional<IpAddress> parse_ip(const std::string& text) {
    IpAddress address;
    for (const int family : {AF_INET, AF_INET6}) {
        if (inet_pton(family, text.c_str(), address.bytes.data()) == 1) {
            address.family = family;
            return address;
        }
    }
    return std::nullopt;
}

bool same_prefix(const IpAddress& a, const IpAddress& b, int bits) {
    const auto whole = static_cast<std::size_t>(bits / 8);
    if (!std::equal(a.bytes.begin(), a.bytes.begin() + static_cast<std::ptrdiff_t>(whole),
                    b.bytes.begin())) {
        return false;
    }
    if (bits % 8 == 0) return true;
    const auto mask = static_cast<unsigned char>(0xff << (8 - bits % 8));
    return ((a.bytes.at(whole) ^ b.bytes.at(whole)) & mask) == 0;
}

// `pattern` is an address or address/prefix of the host's family.
bool address_matches(const IpAddress& host, const std::string& pattern) {
    const auto slash = pattern.find('/');
    const auto network = parse_ip(pattern.substr(0, slash));
    if (!network || network->family != host.family) return false;
    const int width = host.family == AF_INET ? 32 : 128;
    int bits = width;
    if (slash != kNpos) {
        const std::string prefix = pattern.substr(slash + 1);
        if (prefix.empty() || prefix.size() > 3 ||
            prefix.find_first_not_of("0123456789") != kNpos || std::stoi(prefix) > width) {
            return false;
        }
        bits = std::stoi(prefix);
    }
    return same_prefix(host, *network, bits);
}

std::string without_trailing_dot(std::string name) {
    if (!name.empty() && name.back() == '.') name.pop_back();
    return name;
}

// A host name matches itself and its subdomains; an IP literal host only addresses.
bool entry_matches(const std::string& host, const std::string& pattern) {
    if (const auto address = parse_ip(host)) return address_matches(*address, pattern);
    const std::string name = ascii_lower(without_trailing_dot(host));
    std::string suffix = ascii_lower(without_trailing_dot(pattern));
    if (!suffix.empty() && suffix.front() == '.') suffix.erase(0, 1);
    if (suffix.empty()) return false;
    return name == suffix || (name.size() > suffix.size() && name.ends_with("." + suffix));
}

// "host", "host:port", "[v6]:port"; an IPv6 address without brackets has no port.
HostPort split_entry(const std::string& entry) {
    if (entry.front() == '[') {
        const auto close = entry.find(']');
        if (close == kNpos) return {entry, ""};
        const bool port = close + 1 < entry.size() && entry[close + 1] == ':';
        return {entry.substr(1, close - 1), port ? entry.substr(close + 2) : ""};
    }
    const auto colon = entry.find(':');
    if (colon == kNpos || entry.find(':', colon + 1) != kNpos) return {entry, ""};
    return {entry.substr(0, colon), entry.substr(colon + 1)};
}

}  // namespace

std::optional<NotifyUrl> parse_notify_url(const std::string& url, std::string& problem) {
    NotifyUrl parsed;
    std::string rest;
    if (url.starts_with("https://")) {
        parsed.tls = true;
        rest = url.substr(8);
    } else if (url.starts_with("http://")) {
        rest = url.substr(7);
    } else {
        problem = "must start with http:// or https://";
        return std::nullopt;
    }
    const auto slash = rest.find_first_of("/?");
    const std::string authority = rest.substr(0, slash);
    parsed.path = slash == kNpos ? "/" : rest.substr(slash);
    if (parsed.path.front() == '?') parsed.path.insert(0, "/");
    if (authority.find('@') != kNpos) {
        problem = "credentials in the URL are not supported (put a token in the path)";
        return std::nullopt;
    }
    const auto host_port = split_authority(authority, parsed.tls ? "443" : "80", problem);
    if (!host_port) return std::nullopt;
    parsed.host = host_port->host;
    parsed.port = host_port->port;
    if (holds_space_or_control(url)) {
        problem = "holds a space or a control character";
        return std::nullopt;
    }
    return parsed;
}

std::string authority_of(const NotifyUrl& url, bool always_with_port) {
    std::string text = url.host.find(':') == kNpos ? url.host : "[" + url.host + "]";
    if (always_with_port || url.port != (url.tls ? "443" : "80")) text += ":" + url.port;
    return text;
}

ProxyChoice choose_proxy(const NotifyUrl& url, const Environment& environment) {
    const auto [variable, value] = url.tls ? first_set(environment, {"https_proxy", "HTTPS_PROXY"})
                                           : first_set(environment, {"http_proxy"});
    if (value.empty()) return {};
    const auto no_proxy = first_set(environment, {"no_proxy", "NO_PROXY"}).second;
    if (no_proxy_matches(url.host, url.port, no_proxy)) return {};
    return parse_proxy(value, variable);
}

bool no_proxy_matches(const std::string& host, const std::string& port, const std::string& list) {
    if (trim(list) == "*") return true;
    std::size_t start = 0;
    while (start <= list.size()) {
        const auto comma = std::min(list.find(',', start), list.size());
        const std::string entry = trim(list.substr(start, comma - start));
        start = comma + 1;
        if (entry.empty()) continue;
        const auto [pattern, entry_port] = split_entry(entry);
        if (!entry_port.empty() && entry_port != port) continue;
        if (entry_matches(host, pattern)) return true;
    }
    return false;
}

}  // namespace schemagate
