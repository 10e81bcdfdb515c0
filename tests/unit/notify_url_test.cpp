// SPDX-License-Identifier: Apache-2.0
#include "notify_url.h"

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
    for (const char* bad :
         {"ftp://x/y", "hooks.example.com/x", "http://", "http://h:0/", "http://h:99999/",
          "http://h:8x/", "http://user:pw@h/", "http://h/a b", "http://[::1/x", "http://[::1]x/"}) {
        std::string problem;
        EXPECT_FALSE(parse_notify_url(bad, problem)) << bad;
        EXPECT_FALSE(problem.empty()) << bad;
    }
}

TEST(NotifyUrl, AuthorityCarriesTheBracketsAndOnlyAPortThatIsNotTheDefault) {
    const struct {
        const char* url;
        const char* authority;
        const char* with_port;
    } cases[] = {
        {"https://h.example/x", "h.example", "h.example:443"},
        {"https://h.example:8443/x", "h.example:8443", "h.example:8443"},
        {"http://h.example/x", "h.example", "h.example:80"},
        {"http://[::1]:9000/x", "[::1]:9000", "[::1]:9000"},
        {"https://[2001:db8::1]/x", "[2001:db8::1]", "[2001:db8::1]:443"},
    };
    for (const auto& c : cases) {
        std::string problem;
        const auto url = parse_notify_url(c.url, problem);
        ASSERT_TRUE(url) << c.url;
        EXPECT_EQ(authority_of(*url), c.authority) << c.url;
        EXPECT_EQ(authority_of(*url, true), c.with_port) << c.url;
    }
}

NotifyUrl url_of(const std::string& text) {
    std::string problem;
    auto url = parse_notify_url(text, problem);
    EXPECT_TRUE(url) << text << ": " << problem;
    return url.value_or(NotifyUrl{});
}

// Which variable a URL's proxy comes from, curl's way; "" means direct.
TEST(ChooseProxy, TakesTheSchemesVariableLowerCaseFirstAndNeverHttpProxyInUpperCase) {
    const struct {
        const char* url;
        Environment environment;
        const char* chosen_variable;
    } cases[] = {
        {"https://h.example/x", {}, ""},
        {"https://h.example/x", {{"https_proxy", "http://p:3128"}}, "https_proxy"},
        {"https://h.example/x", {{"HTTPS_PROXY", "http://p:3128"}}, "HTTPS_PROXY"},
        {"https://h.example/x",
         {{"https_proxy", "http://lower:3128"}, {"HTTPS_PROXY", "http://upper:3128"}},
         "https_proxy"},
        // Empty counts as unset: the upper-case one applies.
        {"https://h.example/x",
         {{"https_proxy", ""}, {"HTTPS_PROXY", "http://upper:3128"}},
         "HTTPS_PROXY"},
        {"https://h.example/x", {{"http_proxy", "http://p:3128"}}, ""},
        {"http://h.example/x", {{"http_proxy", "http://p:3128"}}, "http_proxy"},
        // HTTP_PROXY can be set by a request header under CGI (httpoxy): curl ignores it.
        {"http://h.example/x", {{"HTTP_PROXY", "http://p:3128"}}, ""},
        {"http://h.example/x", {{"https_proxy", "http://p:3128"}}, ""},
    };
    for (const auto& c : cases) {
        const auto choice = choose_proxy(url_of(c.url), c.environment);
        EXPECT_TRUE(choice.problem.empty()) << choice.problem;
        EXPECT_EQ(choice.proxy ? choice.proxy->variable : "", c.chosen_variable)
            << c.url << " " << testing::PrintToString(c.environment);
    }
}

TEST(ChooseProxy, NoProxyLowerCaseFirstSendsAMatchingHostDirect) {
    const Environment base{{"https_proxy", "http://p:3128"}};
    const struct {
        Environment extra;
        bool direct;
    } cases[] = {
        {{{"NO_PROXY", "h.example"}}, true},
        {{{"no_proxy", "h.example"}}, true},
        {{{"no_proxy", "other.example"}, {"NO_PROXY", "h.example"}}, false},
        {{{"no_proxy", ""}, {"NO_PROXY", "h.example"}}, true},
        {{{"NO_PROXY", "*"}}, true},
    };
    for (const auto& c : cases) {
        Environment environment = base;
        environment.insert(c.extra.begin(), c.extra.end());
        const auto choice = choose_proxy(url_of("https://h.example/x"), environment);
        EXPECT_EQ(!choice.proxy, c.direct) << testing::PrintToString(c.extra);
    }
}

TEST(ChooseProxy, ReadsTheProxysHostPortAndDecodedCredentials) {
    const struct {
        const char* value;
        const char* host;
        const char* port;
        const char* user;
        const char* password;
    } cases[] = {
        {"http://proxy.corp:3128", "proxy.corp", "3128", "", ""},
        {"http://proxy.corp:3128/", "proxy.corp", "3128", "", ""},
        {"proxy.corp:3128", "proxy.corp", "3128", "", ""},
        {"HTTP://proxy.corp:3128", "proxy.corp", "3128", "", ""},
        {"http://proxy.corp", "proxy.corp", "1080", "", ""},  // curl's default port
        {"http://[fd00::1]:3128", "fd00::1", "3128", "", ""},
        {"http://alice:s3cr%40t@proxy.corp:3128", "proxy.corp", "3128", "alice", "s3cr@t"},
        {"http://al%69ce@proxy.corp:3128", "proxy.corp", "3128", "alice", ""},
        {"http://u:p%zz@proxy.corp:3128", "proxy.corp", "3128", "u", "p%zz"},
        {"http://u:a@b@proxy.corp:3128", "proxy.corp", "3128", "u", "a@b"},
    };
    for (const auto& c : cases) {
        const auto choice = choose_proxy(url_of("https://h.example/x"), {{"https_proxy", c.value}});
        ASSERT_TRUE(choice.proxy) << c.value << ": " << choice.problem;
        EXPECT_EQ(choice.proxy->host, c.host) << c.value;
        EXPECT_EQ(choice.proxy->port, c.port) << c.value;
        EXPECT_EQ(choice.proxy->user, c.user) << c.value;
        EXPECT_EQ(choice.proxy->password, c.password) << c.value;
    }
}

TEST(ChooseProxy, AProxyItCannotUseIsAProblemNamingTheVariableNeverTheValue) {
    for (const char* bad : {"https://proxy.corp:3128", "socks5://proxy.corp:1080",
                            "http://pw-user:pw-SECRET@proxy.corp:99999", "http://:3128",
                            "http://pw-user:pw-SECRET@[fd00::1:3128", "http://proxy corp:3128"}) {
        const auto choice = choose_proxy(url_of("https://h.example/x"), {{"HTTPS_PROXY", bad}});
        EXPECT_FALSE(choice.proxy) << bad;
        EXPECT_TRUE(choice.problem.starts_with("HTTPS_PROXY: ")) << choice.problem;
        EXPECT_EQ(choice.problem.find("SECRET"), std::string::npos) << choice.problem;
    }
    // A host that goes direct never looks at the proxy's value.
    EXPECT_TRUE(choose_proxy(url_of("https://h.example/x"),
                             {{"HTTPS_PROXY", "socks5://p"}, {"NO_PROXY", "h.example"}})
                    .problem.empty());
}

TEST(NoProxy, MatchesCurlsRules) {
    const struct {
        const char* host;
        const char* port;
        const char* list;
        bool matches;
    } cases[] = {
        {"h.example", "443", "", false},
        {"h.example", "443", "*", true},
        {"h.example", "443", " * ", true},
        {"h.example", "443", "a.example,*", false},  // * alone only, as curl
        // A name matches itself and its subdomains, never a name that merely ends the same.
        {"example.com", "443", "example.com", true},
        {"www.example.com", "443", "example.com", true},
        {"nonexample.com", "443", "example.com", false},
        {"example.com.org", "443", "example.com", false},
        {"example.com", "443", "www.example.com", false},
        // A leading dot is optional, trailing dots and case are ignored.
        {"www.example.com", "443", ".example.com", true},
        {"example.com", "443", ".example.com", true},
        {"WWW.Example.COM", "443", "example.com", true},
        {"www.example.com", "443", "EXAMPLE.com.", true},
        {"www.example.com.", "443", "example.com", true},
        // Lists: blanks around entries, empty entries.
        {"b.example", "443", "a.example , b.example", true},
        {"b.example", "443", ",,a.example,,\tb.example\t,", true},
        {"c.example", "443", "a.example,b.example", false},
        // An entry with a port matches that port only.
        {"h.example", "8443", "h.example:8443", true},
        {"h.example", "443", "h.example:8443", false},
        {"www.h.example", "8443", "h.example:8443", true},
        // IP addresses: exact, CIDR, both families; only an IP literal host matches them.
        {"10.1.2.3", "443", "10.1.2.3", true},
        {"10.1.2.4", "443", "10.1.2.3", false},
        {"10.1.2.3", "443", "10.0.0.0/8", true},
        {"11.1.2.3", "443", "10.0.0.0/8", false},
        {"192.168.7.9", "443", "192.168.0.0/16", true},
        {"192.168.7.9", "443", "192.168.6.0/23", true},
        {"192.168.8.9", "443", "192.168.6.0/23", false},
        {"10.1.2.3", "443", "0.0.0.0/0", true},
        {"10.1.2.3", "443", "10.0.0.0/33", false},
        {"10.1.2.3", "443", "10.0.0.0/", false},
        {"10.1.2.3", "443", "10.0.0.0/x", false},
        {"10.1.2.3", "443", "10.1.2.3:443", true},
        {"10.1.2.3", "80", "10.1.2.3:443", false},
        {"::1", "443", "::1", true},
        {"::1", "443", "[::1]", true},
        {"::1", "8080", "[::1]:8080", true},
        {"::1", "443", "[::1]:8080", false},
        {"fe80::1", "443", "fe80::/10", true},
        {"2001:db8::1", "443", "fe80::/10", false},
        {"2001:db8::1", "443", "2001:db8::/32", true},
        {"::1", "443", "127.0.0.1", false},
        {"127.0.0.1", "443", "::1", false},
        {"10.1.2.3", "443", "2.3", false},  // no name suffix match on an address
        {"h.example", "443", "10.0.0.0/8", false},
        {"localhost", "443", "127.0.0.1", false},  // no name resolution
    };
    for (const auto& c : cases) {
        EXPECT_EQ(no_proxy_matches(c.host, c.port, c.list), c.matches)
            << c.host << ":" << c.port << " against '" << c.list << "'";
    }
}

}  // namespace
}  // namespace schemagate
