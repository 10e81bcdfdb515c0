// SPDX-License-Identifier: Apache-2.0
// --notify-url against a real local HTTP receiver: one event per failed, refused or (when
// asked) successful run, Slack-compatible and with structured fields, no secret in it; a
// receiver that is down, slow or failing never changes the exit code and delays it by at most
// the notify budget. Through a real proxy (Debian's tinyproxy): an http URL as an absolute-form
// request, an https one through a CONNECT tunnel to a TLS receiver whose certificate a test CA
// file (SSL_CERT_FILE) vouches for; NO_PROXY sends a host direct; the proxy's credentials
// never reach the receiver or the output.
#include <gtest/gtest.h>
#include <httplib.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "gate_fixture.h"

namespace schemagate::testing {
namespace {

using Clock = std::chrono::steady_clock;

// A self-signed certificate for the address 127.0.0.1 only (not for "localhost"), made with
// the openssl CLI; trusted by a gate only when SSL_CERT_FILE names it.
struct TestCertificate {
    explicit TestCertificate(const std::filesystem::path& dir)
        : cert((dir / "cert.pem").string()), key((dir / "key.pem").string()) {
        const auto made =
            run({"/usr/bin/openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                 "ec_paramgen_curve:P-256", "-nodes", "-keyout", key, "-out", cert, "-days", "1",
                 "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"});
        if (made.exit_code != 0) throw std::runtime_error("openssl req: " + made.err);
    }
    std::string cert;
    std::string key;
};

// An incoming-webhook stand-in on 127.0.0.1, plain or TLS: records every body posted to
// /hook/T0KEN and the headers it came with.
class Receiver {
  public:
    explicit Receiver(const TestCertificate* tls = nullptr)
        : server_(tls != nullptr
                      ? std::make_unique<httplib::SSLServer>(tls->cert.c_str(), tls->key.c_str())
                      : std::make_unique<httplib::Server>()),
          scheme_(tls != nullptr ? "https" : "http") {
        server_->Post("/hook/T0KEN",
                      [this](const httplib::Request& request, httplib::Response& response) {
                          int failures_left = 0;
                          {
                              const std::lock_guard lock(mutex_);
                              bodies_.push_back(request.body);
                              headers_.push_back(request.headers);
                              failures_left = failures_left_;
                              if (failures_left_ > 0) --failures_left_;
                          }
                          {
                              std::unique_lock lock(mutex_);
                              released_.wait(lock, [this] { return !holding_; });
                          }
                          response.status = failures_left > 0 ? 503 : 200;
                          response.set_content("ok", "text/plain");
                      });
        port_ = server_->bind_to_any_port("127.0.0.1");
        thread_ = std::thread([this] { server_->listen_after_bind(); });
        // httplib 0.11 has no wait_until_ready(): the socket is bound and listening already,
        // so a client would queue; this only waits for the accept loop to start.
        while (!server_->is_running()) std::this_thread::yield();
    }
    ~Receiver() {
        release_answers();
        server_->stop();
        thread_.join();
    }
    std::string url(const std::string& host = "127.0.0.1") const {
        return scheme_ + "://" + host + ":" + std::to_string(port_) + "/hook/T0KEN";
    }
    int port() const { return port_; }
    std::vector<nlohmann::json> events() const {
        const std::lock_guard lock(mutex_);
        std::vector<nlohmann::json> parsed;
        for (const auto& body : bodies_) parsed.push_back(nlohmann::json::parse(body));
        return parsed;
    }
    std::vector<std::string> bodies() const {
        const std::lock_guard lock(mutex_);
        return bodies_;
    }
    std::vector<httplib::Headers> headers() const {
        const std::lock_guard lock(mutex_);
        return headers_;
    }
    void fail_next(int count) {
        const std::lock_guard lock(mutex_);
        failures_left_ = count;
    }
    // Answers nothing until release_answers() (a receiver slower than any budget).
    void hold_answers() {
        const std::lock_guard lock(mutex_);
        holding_ = true;
    }
    void release_answers() {
        {
            const std::lock_guard lock(mutex_);
            holding_ = false;
        }
        released_.notify_all();
    }

  private:
    std::unique_ptr<httplib::Server> server_;
    std::string scheme_;
    std::thread thread_;
    int port_ = 0;
    mutable std::mutex mutex_;
    std::vector<std::string> bodies_;
    std::vector<httplib::Headers> headers_;
    int failures_left_ = 0;
    bool holding_ = false;
    std::condition_variable released_;
};

// Debian's tinyproxy on a free port of 127.0.0.1, in the foreground, with `extra` lines of
// configuration; its log tells which requests it relayed.
class Tinyproxy {
  public:
    Tinyproxy(const std::filesystem::path& dir, const std::string& extra = "")
        : port_(free_port()), log_(dir / "tinyproxy.log") {
        const auto config = dir / "tinyproxy.conf";
        std::ofstream(config) << "Port " << port_ << "\nListen 127.0.0.1\nAllow 127.0.0.1\n"
                              << "Timeout 30\nLogLevel Info\nLogFile \"" << log_.string() << "\"\n"
                              << extra;
        process_.emplace(std::vector<std::string>{"/usr/bin/tinyproxy", "-d", "-c", config});
        const bool started = eventually([this] {
            return log().find("Accepting connections") != std::string::npos ||
                   process_->wait_for_exit(Millis{0});
        });
        if (!started || process_->exited()) {
            throw std::runtime_error("tinyproxy did not start: " + process_->err() + log());
        }
    }
    // The proxy's URL, with `credentials` ("user:password@") when given.
    std::string url(const std::string& credentials = "") const {
        return "http://" + credentials + "127.0.0.1:" + std::to_string(port_);
    }
    int port() const { return port_; }
    // The request lines it relayed: "CONNECT 127.0.0.1:4433 HTTP/1.1", "POST http://...".
    std::vector<std::string> requests() const {
        std::vector<std::string> lines;
        std::istringstream text(log());
        const std::string marker = "Request (file descriptor ";
        for (std::string line; std::getline(text, line);) {
            const auto at = line.find(marker);
            if (at != std::string::npos) lines.push_back(line.substr(line.find("): ", at) + 3));
        }
        return lines;
    }

  private:
    std::string log() const {
        std::ifstream stream(log_);
        return {std::istreambuf_iterator<char>(stream), std::istreambuf_iterator<char>()};
    }

    int port_;
    std::filesystem::path log_;
    std::optional<Process> process_;
};

bool has_header(const httplib::Headers& headers, const std::string& name,
                const std::string& containing = "") {
    const auto [first, last] = headers.equal_range(name);
    return std::any_of(first, last, [&](const auto& header) {
        return header.second.find(containing) != std::string::npos;
    });
}

class Notify : public GateTest {
  protected:
    void SetUp() override {
        GateTest::SetUp();
        // Only what a test sets applies to the gates it runs.
        for (const char* name : {"https_proxy", "HTTPS_PROXY", "http_proxy", "HTTP_PROXY",
                                 "no_proxy", "NO_PROXY", "SSL_CERT_FILE", "SSL_CERT_DIR"}) {
            unsetenv(name);
        }
        std::string pattern = "/tmp/sgnotify.XXXXXX";
        ASSERT_NE(mkdtemp(pattern.data()), nullptr);
        dir_ = pattern;
    }
    void TearDown() override {
        GateTest::TearDown();
        if (!HasFailure()) std::filesystem::remove_all(dir_);
    }
    void failing_second() const {
        write_migration("V1__t.sql", "CREATE TABLE t (id int);\n");
        write_migration("V2__broken.sql", "CREATE TABLE t (id int);\n");
    }
    std::filesystem::path dir_;
};

TEST_F(Notify, AFailedRunPostsOneEventWithTheFactsAndNoSecret) {
    Receiver receiver;
    failing_second();
    const auto result = gate({"migrate", "--notify-url", receiver.url(), "--holder", "pod-7"});
    EXPECT_EQ(result.exit_code, 1) << result.err;
    const auto events = receiver.events();
    ASSERT_EQ(events.size(), 1U);
    EXPECT_EQ(events[0]["event"], "migration_failed");
    EXPECT_EQ(events[0]["exit_code"], 1);
    EXPECT_EQ(events[0]["holder"], "pod-7");
    EXPECT_EQ(events[0]["name"], "default");
    EXPECT_NE(
        events[0]["text"].get<std::string>().find("V2 broken failed at V2__broken.sql line 1"),
        std::string::npos)
        << events[0]["text"];
    EXPECT_NE(events[0]["error"].get<std::string>().find("SQLSTATE 42P07"), std::string::npos);
    for (const auto& body : receiver.bodies()) {
        EXPECT_EQ(body.find(PostgresServer::instance().password()), std::string::npos);
    }
    EXPECT_EQ(result.err.find("T0KEN"), std::string::npos) << "the webhook's token was logged";
}

TEST_F(Notify, ARefusalAndADirtySetAreEventsOfTheirOwn) {
    Receiver receiver;
    write_migration("V1__t.sql", "CREATE TABLE t (id int);\n");
    ASSERT_EQ(gate({"migrate"}).exit_code, 0);
    write_migration("V1__t.sql", "CREATE TABLE t (id bigint);\n");
    EXPECT_EQ(gate({"migrate", "--notify-url", receiver.url()}).exit_code, 5);
    write_migration("V1__t.sql", "CREATE TABLE t (id int);\n");
    exec(
        "INSERT INTO schemagate.history (name, version, description, file, checksum, applied_by, "
        "token, success) VALUES ('default', '{2}', 'x', 'V2__x.sql', 'c', 'gone-pod', 0, false)");
    write_migration("V2__x.sql", "-- schemagate:no-transaction\nSELECT 1;\n");
    EXPECT_EQ(gate({"migrate", "--notify-url", receiver.url()}).exit_code, 5);
    const auto events = receiver.events();
    ASSERT_EQ(events.size(), 2U);
    EXPECT_EQ(events[0]["event"], "refused");
    EXPECT_EQ(events[1]["event"], "dirty");
}

TEST_F(Notify, AHazardRefusedOrRunUnderWarnIsAnEvent) {
    Receiver receiver;
    write_migration("V1__t.sql",
                    "CREATE TABLE t (id int); INSERT INTO t SELECT generate_series(1, 1000);\n");
    ASSERT_EQ(gate({"migrate"}).exit_code, 0);
    write_migration("V2__i.sql", "CREATE INDEX t_id ON t (id);\n");
    // A 1kB threshold makes the 40 kB table count.
    EXPECT_EQ(
        gate({"migrate", "--hazard-threshold", "1kB", "--notify-url", receiver.url()}).exit_code,
        5);
    EXPECT_EQ(gate({"migrate", "--hazard-threshold", "1kB", "--hazards", "warn", "--notify-url",
                    receiver.url()})
                  .exit_code,
              0);
    const auto events = receiver.events();
    ASSERT_EQ(events.size(), 2U);
    EXPECT_EQ(events[0]["event"], "hazard_refused");
    EXPECT_NE(events[0]["text"].get<std::string>().find("V2__i.sql line 1: create-index"),
              std::string::npos)
        << events[0]["text"];
    EXPECT_EQ(events[1]["event"], "hazard");
    EXPECT_EQ(events[1]["rule"], "create-index");
    EXPECT_EQ(events[1]["relation"], "t");
    EXPECT_GT(events[1]["relation_bytes"].get<long long>(), 1024);
}

TEST_F(Notify, SuccessIsPostedOnlyWhenAskedAndOnlyWhenSomethingWasApplied) {
    Receiver receiver;
    use_examples();
    ASSERT_EQ(gate({"migrate", "--notify-url", receiver.url(), "--target", "2"}).exit_code, 0);
    EXPECT_TRUE(receiver.events().empty());
    ASSERT_EQ(gate({"migrate", "--notify-url", receiver.url(), "--notify-on-success"}).exit_code,
              0);
    ASSERT_EQ(gate({"migrate", "--notify-url", receiver.url(), "--notify-on-success"}).exit_code,
              0);
    const auto events = receiver.events();
    ASSERT_EQ(events.size(), 1U) << "a no-op run is not news";
    EXPECT_EQ(events[0]["event"], "applied");
    EXPECT_EQ(events[0]["applied"], 3);
    EXPECT_EQ(events[0]["version"], "5");
}

TEST_F(Notify, A5xxIsRetriedWithinTheBudget) {
    Receiver receiver;
    receiver.fail_next(2);
    failing_second();
    EXPECT_EQ(gate({"migrate", "--notify-url", receiver.url()}).exit_code, 1);
    EXPECT_EQ(receiver.events().size(), 3U) << "two 503s, then delivered";
}

TEST_F(Notify, ADownOrSlowReceiverNeverChangesTheExitCodeAndBarelyDelaysIt) {
    failing_second();
    std::string down_url;
    {
        Receiver gone;
        down_url = gone.url();
    }
    const auto started = Clock::now();
    const auto down = gate({"migrate", "--notify-url", down_url});
    EXPECT_EQ(down.exit_code, 1);
    EXPECT_LT(Clock::now() - started, std::chrono::seconds(6));
    EXPECT_NE(down.err.find("notify: the event 'migration_failed' did not reach 127.0.0.1"),
              std::string::npos)
        << down.err;

    // A receiver that has not answered when the gate exits: the gate did not wait for it.
    Receiver slow;
    slow.hold_answers();
    write_migration("V2__broken.sql", "CREATE TABLE u (id int);\n");
    const auto success = gate({"migrate", "--notify-url", slow.url(), "--notify-on-success"});
    EXPECT_EQ(success.exit_code, 0) << "a slow receiver turned success into failure";
    EXPECT_FALSE(slow.bodies().empty()) << "the event was never posted";
    slow.release_answers();
}

TEST_F(Notify, AnHttpsUrlToAServerThatSpeaksNoTlsFailsTheHandshakeNotTheRun) {
    Receiver plain;
    std::string url = plain.url();
    url.replace(0, 4, "https");
    failing_second();
    const auto started = Clock::now();
    const auto result = gate({"migrate", "--notify-url", url});
    EXPECT_EQ(result.exit_code, 1);
    EXPECT_LT(Clock::now() - started, std::chrono::seconds(6));
    EXPECT_NE(result.err.find("did not reach 127.0.0.1: TLS"), std::string::npos) << result.err;
}

TEST_F(Notify, TheUrlMayComeFromAFileAndABadOneIsBadInput) {
    Receiver receiver;
    const auto file = migrations_.parent_path() / "notify-url";
    std::ofstream(file) << receiver.url() << '\n';
    failing_second();
    EXPECT_EQ(gate({"migrate"}, {{"SCHEMAGATE_NOTIFY_URL_FILE", file.string()}}).exit_code, 1);
    EXPECT_EQ(receiver.events().size(), 1U);
    const auto bad = gate({"migrate", "--notify-url", "ftp://example/x"});
    EXPECT_EQ(bad.exit_code, 3);
    EXPECT_NE(bad.err.find("--notify-url: must start with http:// or https://"), std::string::npos)
        << bad.err;
}

TEST_F(Notify, AnHttpUrlGoesThroughHttpProxyAsAnAbsoluteFormRequest) {
    Receiver receiver;
    Tinyproxy proxy(dir_);
    failing_second();
    const auto result =
        gate({"migrate", "--notify-url", receiver.url()}, {{"http_proxy", proxy.url()}});
    EXPECT_EQ(result.exit_code, 1) << result.err;
    ASSERT_EQ(receiver.events().size(), 1U) << result.err;
    EXPECT_EQ(proxy.requests(), std::vector<std::string>{"POST " + receiver.url() + " HTTP/1.1"});
    EXPECT_TRUE(has_header(receiver.headers()[0], "Via", "tinyproxy"))
        << "the receiver was not reached through the proxy";
}

TEST_F(Notify, AnHttpsUrlTunnelsThroughTheProxyAndItsCredentialsStayWithTheProxy) {
    const TestCertificate certificate(dir_);
    Receiver receiver(&certificate);
    Tinyproxy proxy(dir_, "BasicAuth proxyuser pr0xy-S3CRET\n");
    failing_second();
    const auto result = gate({"migrate", "--notify-url", receiver.url()},
                             {{"HTTPS_PROXY", proxy.url("proxyuser:pr0xy-S3CRET@")},
                              {"SSL_CERT_FILE", certificate.cert}});
    EXPECT_EQ(result.exit_code, 1) << result.err;
    const auto events = receiver.events();
    ASSERT_EQ(events.size(), 1U) << result.err;
    EXPECT_EQ(events[0]["event"], "migration_failed");
    EXPECT_EQ(proxy.requests(),
              std::vector<std::string>{"CONNECT 127.0.0.1:" + std::to_string(receiver.port()) +
                                       " HTTP/1.1"});
    EXPECT_FALSE(has_header(receiver.headers()[0], "Proxy-Authorization"))
        << "the proxy's credentials went through the tunnel to the receiver";
    EXPECT_EQ(result.err.find("pr0xy-S3CRET"), std::string::npos) << result.err;

    // Without credentials: 407 (tinyproxy answers a wrong password with 401).
    const auto refused = gate({"migrate", "--notify-url", receiver.url()},
                              {{"https_proxy", proxy.url()}, {"SSL_CERT_FILE", certificate.cert}});
    EXPECT_EQ(refused.exit_code, 1) << refused.err;
    EXPECT_NE(refused.err.find("notify: the event 'migration_failed' did not reach 127.0.0.1 "
                               "through the proxy 127.0.0.1:" +
                               std::to_string(proxy.port()) +
                               " (https_proxy): the proxy refused the tunnel: HTTP 407"),
              std::string::npos)
        << refused.err;
    EXPECT_EQ(receiver.events().size(), 1U);
}

TEST_F(Notify, AProxyThatRefusesTheTunnelOrCannotBeUsedIsOneWarningAndTheExitCodeStands) {
    const TestCertificate certificate(dir_);
    Receiver receiver(&certificate);
    Tinyproxy proxy(dir_, "ConnectPort 443\n");  // the receiver's port is not allowed
    failing_second();
    const auto refused = gate({"migrate", "--notify-url", receiver.url()},
                              {{"https_proxy", proxy.url()}, {"SSL_CERT_FILE", certificate.cert}});
    EXPECT_EQ(refused.exit_code, 1);
    EXPECT_NE(refused.err.find("(https_proxy): the proxy refused the tunnel: HTTP 403"),
              std::string::npos)
        << refused.err;
    EXPECT_EQ(proxy.requests().size(), 1U) << "a refusal is an answer, not retried";
    EXPECT_TRUE(receiver.events().empty());

    const auto unusable = gate({"migrate", "--notify-url", receiver.url()},
                               {{"https_proxy", "socks5://user:s0cks-S3CRET@127.0.0.1:1080"},
                                {"SSL_CERT_FILE", certificate.cert}});
    EXPECT_EQ(unusable.exit_code, 1);
    EXPECT_NE(unusable.err.find("did not reach 127.0.0.1: https_proxy: only http:// proxies are "
                                "supported"),
              std::string::npos)
        << unusable.err;
    EXPECT_EQ(unusable.err.find("s0cks-S3CRET"), std::string::npos) << unusable.err;
}

TEST_F(Notify, NoProxySendsAMatchingHostDirectAndLowerCaseComesFirst) {
    Receiver receiver;
    Tinyproxy proxy(dir_);
    failing_second();
    EXPECT_EQ(gate({"migrate", "--notify-url", receiver.url()},
                   {{"http_proxy", proxy.url()}, {"NO_PROXY", "example.com, 127.0.0.0/8"}})
                  .exit_code,
              1);
    ASSERT_EQ(receiver.events().size(), 1U);
    EXPECT_TRUE(proxy.requests().empty()) << "NO_PROXY matched, yet the proxy was used";
    EXPECT_FALSE(has_header(receiver.headers()[0], "Via"));

    EXPECT_EQ(gate({"migrate", "--notify-url", receiver.url()}, {{"http_proxy", proxy.url()},
                                                                 {"no_proxy", "example.com"},
                                                                 {"NO_PROXY", "127.0.0.0/8"}})
                  .exit_code,
              1);
    ASSERT_EQ(receiver.events().size(), 2U);
    EXPECT_EQ(proxy.requests().size(), 1U) << "no_proxy, which does not match, comes first";
}

TEST_F(Notify, TlsIsVerifiedAgainstTheTrustedCertificatesAndTheHostName) {
    const TestCertificate certificate(dir_);
    Receiver receiver(&certificate);
    failing_second();
    const auto untrusted = gate({"migrate", "--notify-url", receiver.url()});
    EXPECT_EQ(untrusted.exit_code, 1);
    EXPECT_NE(untrusted.err.find("did not reach 127.0.0.1: TLS: self-signed certificate"),
              std::string::npos)
        << untrusted.err;
    const auto other_name = gate({"migrate", "--notify-url", receiver.url("localhost")},
                                 {{"SSL_CERT_FILE", certificate.cert}});
    EXPECT_EQ(other_name.exit_code, 1);
    EXPECT_NE(other_name.err.find("did not reach localhost: TLS: hostname mismatch"),
              std::string::npos)
        << other_name.err;
    EXPECT_TRUE(receiver.events().empty());
    EXPECT_EQ(
        gate({"migrate", "--notify-url", receiver.url()}, {{"SSL_CERT_FILE", certificate.cert}})
            .exit_code,
        1);
    EXPECT_EQ(receiver.events().size(), 1U) << "trusted through SSL_CERT_FILE";
}

}  // namespace
}  // namespace schemagate::testing
