// SPDX-License-Identifier: Apache-2.0
// --notify-url against a real local HTTP receiver: one event per failed, refused or (when
// asked) successful run, Slack-compatible and with structured fields, no secret in it; a
// receiver that is down, slow or failing never changes the exit code and delays it by at most
// the notify budget.
#include <gtest/gtest.h>
#include <httplib.h>

#include <atomic>
#include <chrono>
#include <mutex>
#include <nlohmann/json.hpp>
#include <thread>

#include "gate_fixture.h"

namespace schemagate::testing {
namespace {

using Clock = std::chrono::steady_clock;

// An incoming-webhook stand-in on 127.0.0.1: records every body posted to /hook/T0KEN.
class Receiver {
  public:
    Receiver() {
        server_.Post("/hook/T0KEN", [this](const httplib::Request& request, httplib::Response& response) {
            int failures_left = 0;
            {
                const std::lock_guard lock(mutex_);
                bodies_.push_back(request.body);
                failures_left = failures_left_;
                if (failures_left_ > 0) --failures_left_;
            }
            if (delay_ > std::chrono::milliseconds{0}) std::this_thread::sleep_for(delay_);
            response.status = failures_left > 0 ? 503 : 200;
            response.set_content("ok", "text/plain");
        });
        port_ = server_.bind_to_any_port("127.0.0.1");
        thread_ = std::thread([this] { server_.listen_after_bind(); });
        // httplib 0.11 has no wait_until_ready(): the socket is bound and listening already,
        // so a client would queue; this only waits for the accept loop to start.
        while (!server_.is_running()) std::this_thread::yield();
    }
    ~Receiver() {
        server_.stop();
        thread_.join();
    }
    std::string url() const { return "http://127.0.0.1:" + std::to_string(port_) + "/hook/T0KEN"; }
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
    void fail_next(int count) {
        const std::lock_guard lock(mutex_);
        failures_left_ = count;
    }
    void answer_after(std::chrono::milliseconds delay) { delay_ = delay; }

  private:
    httplib::Server server_;
    std::thread thread_;
    int port_ = 0;
    mutable std::mutex mutex_;
    std::vector<std::string> bodies_;
    int failures_left_ = 0;
    std::chrono::milliseconds delay_{0};
};

class Notify : public GateTest {
  protected:
    void failing_second() const {
        write_migration("V1__t.sql", "CREATE TABLE t (id int);\n");
        write_migration("V2__broken.sql", "CREATE TABLE t (id int);\n");
    }
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
    EXPECT_NE(events[0]["text"].get<std::string>().find("V2 broken failed at V2__broken.sql line 1"),
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
    exec("INSERT INTO schemagate.history (name, version, description, file, checksum, applied_by, "
         "token, success) VALUES ('default', '{2}', 'x', 'V2__x.sql', 'c', 'gone-pod', 0, false)");
    write_migration("V2__x.sql", "-- schemagate:no-transaction\nSELECT 1;\n");
    EXPECT_EQ(gate({"migrate", "--notify-url", receiver.url()}).exit_code, 5);
    const auto events = receiver.events();
    ASSERT_EQ(events.size(), 2U);
    EXPECT_EQ(events[0]["event"], "refused");
    EXPECT_EQ(events[1]["event"], "dirty");
}

TEST_F(Notify, SuccessIsPostedOnlyWhenAskedAndOnlyWhenSomethingWasApplied) {
    Receiver receiver;
    use_examples();
    ASSERT_EQ(gate({"migrate", "--notify-url", receiver.url(), "--target", "2"}).exit_code, 0);
    EXPECT_TRUE(receiver.events().empty());
    ASSERT_EQ(gate({"migrate", "--notify-url", receiver.url(), "--notify-on-success"}).exit_code, 0);
    ASSERT_EQ(gate({"migrate", "--notify-url", receiver.url(), "--notify-on-success"}).exit_code, 0);
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
    auto started = Clock::now();
    const auto down = gate({"migrate", "--notify-url", down_url});
    EXPECT_EQ(down.exit_code, 1);
    EXPECT_LT(Clock::now() - started, std::chrono::seconds(6));
    EXPECT_NE(down.err.find("notify: the event 'migration_failed' did not reach 127.0.0.1"),
              std::string::npos)
        << down.err;

    Receiver slow;
    slow.answer_after(std::chrono::milliseconds(6000));  // past the 4 s budget
    write_migration("V2__broken.sql", "CREATE TABLE u (id int);\n");
    started = Clock::now();
    const auto success = gate({"migrate", "--notify-url", slow.url(), "--notify-on-success"});
    EXPECT_EQ(success.exit_code, 0) << "a slow receiver turned success into failure";
    EXPECT_LT(Clock::now() - started, std::chrono::seconds(7));
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

}  // namespace
}  // namespace schemagate::testing
