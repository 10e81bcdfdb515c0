// SPDX-License-Identifier: Apache-2.0
#include "notifier.h"

#include <gtest/gtest.h>

namespace schemagate {
namespace {

TEST(NotifyUrl, SplitsSchemeHostPortAndPath) {
    std::string problem;
    auto url = parse_notify_url("https://hooks.example.com/services/T0/B1/xyz?x=1", problem);
    ASSERT_TRUE(url) << problem;
    EXPECT_TRUE(url->tls);
    EXPECT_EQ(url->host, "hooks.example.com");
    EXPECT_EQ(url->port, "443");
    EXPECT_EQ(url->path, "/services/T0/B1/xyz?x=1");
    url = parse_notify_url("http://127.0.0.1:8080", problem);
    ASSERT_TRUE(url);
    EXPECT_FALSE(url->tls);
    EXPECT_EQ(url->port, "8080");
    EXPECT_EQ(url->path, "/");
    url = parse_notify_url("http://[::1]:9000/hook", problem);
    ASSERT_TRUE(url);
    EXPECT_EQ(url->host, "::1");
    EXPECT_EQ(url->port, "9000");
}

TEST(NotifyUrl, RefusesWhatItCannotPostTo) {
    for (const char* bad : {"ftp://x/y", "hooks.example.com/x", "http://", "http://h:0/",
                            "http://h:99999/", "http://h:8x/", "http://user:pw@h/",
                            "http://h/a b", "http://[::1/x"}) {
        std::string problem;
        EXPECT_FALSE(parse_notify_url(bad, problem)) << bad;
        EXPECT_FALSE(problem.empty()) << bad;
    }
}

TEST(NotifyPayload, CarriesSlackTextAndTheFields) {
    const auto payload = notify_payload("migration_failed", "schemagate default: V2 failed",
                                        {{"exit_code", 1}, {"name", "default"}});
    EXPECT_EQ(payload["text"], "schemagate default: V2 failed");
    EXPECT_EQ(payload["event"], "migration_failed");
    EXPECT_EQ(payload["exit_code"], 1);
}

}  // namespace
}  // namespace schemagate
