// SPDX-License-Identifier: Apache-2.0
#include "notifier.h"

#include <gtest/gtest.h>

#include "notify_transport.h"
#include "version.h"

namespace schemagate {
namespace {

TEST(NotifyPayload, CarriesSlackTextAndTheFields) {
    const auto payload = notify_payload("migration_failed", "schemagate default: V2 failed",
                                        {{"exit_code", 1}, {"name", "default"}});
    EXPECT_EQ(payload["text"], "schemagate default: V2 failed");
    EXPECT_EQ(payload["event"], "migration_failed");
    EXPECT_EQ(payload["exit_code"], 1);
}

NotifyUrl url_of(const std::string& text) {
    std::string problem;
    auto url = parse_notify_url(text, problem);
    EXPECT_TRUE(url) << text << ": " << problem;
    return url.value_or(NotifyUrl{});
}

const ProxyServer kProxy{"proxy.corp", "3128", "alice", "s3cr@t", "https_proxy"};
// base64("alice:s3cr@t")
constexpr const char* kProxyAuthorization = "Proxy-Authorization: Basic YWxpY2U6czNjckB0\r\n";
const std::string kTail = std::string("User-Agent: schemagate/") + kVersion +
                          "\r\nContent-Type: application/json\r\nContent-Length: 2\r\n"
                          "Connection: close\r\n\r\n";

TEST(NotifyRequest, DirectIsOriginForm) {
    EXPECT_EQ(post_head(url_of("https://h.example/hook/T0?x=1"), std::nullopt, 2),
              "POST /hook/T0?x=1 HTTP/1.1\r\nHost: h.example\r\n" + kTail);
    EXPECT_EQ(post_head(url_of("http://[::1]:9000/hook"), std::nullopt, 2),
              "POST /hook HTTP/1.1\r\nHost: [::1]:9000\r\n" + kTail);
}

TEST(NotifyRequest, HttpThroughAProxyIsAbsoluteFormWithTheProxysCredentials) {
    EXPECT_EQ(post_head(url_of("http://h.example:8080/hook"), kProxy, 2),
              "POST http://h.example:8080/hook HTTP/1.1\r\nHost: h.example:8080\r\n" +
                  std::string(kProxyAuthorization) + kTail);
    ProxyServer anonymous = kProxy;
    anonymous.user.clear();
    anonymous.password.clear();
    EXPECT_EQ(post_head(url_of("http://h.example/hook"), anonymous, 2),
              "POST http://h.example/hook HTTP/1.1\r\nHost: h.example\r\n" + kTail);
}

TEST(NotifyRequest, HttpsThroughAProxyTunnelsAndOnlyTheConnectCarriesTheCredentials) {
    const auto url = url_of("https://h.example/hook");
    EXPECT_EQ(connect_head(url, kProxy),
              "CONNECT h.example:443 HTTP/1.1\r\nHost: h.example:443\r\n" +
                  std::string(kProxyAuthorization) + "User-Agent: schemagate/" + kVersion +
                  "\r\n\r\n");
    EXPECT_EQ(post_head(url, kProxy, 2), "POST /hook HTTP/1.1\r\nHost: h.example\r\n" + kTail);
    EXPECT_EQ(connect_head(url_of("https://[fd00::2]:8443/x"), kProxy).substr(0, 36),
              "CONNECT [fd00::2]:8443 HTTP/1.1\r\nHos");
}

TEST(NotifyRequest, StatusComesFromTheStatusLineOnly) {
    EXPECT_EQ(status_of("HTTP/1.1 204 No Content\r\n"), 204);
    EXPECT_EQ(status_of("HTTP/1.0 200 Connection established\r\n\r\n"), 200);
    EXPECT_EQ(status_of("HTTP/1.1 503\r\n"), 503);
    EXPECT_EQ(status_of("HTTP/1.1 20\r\n"), 0);
    EXPECT_EQ(status_of("SSH-2.0-OpenSSH\r\n"), 0);
    EXPECT_EQ(status_of("HTTP/1.1 abc\r\n"), 0);
    EXPECT_EQ(status_of(""), 0);
}

}  // namespace
}  // namespace schemagate
