// SPDX-License-Identifier: Apache-2.0
// Passwords on the command line and in URLs, through the real binaries: whatever is mistyped
// or malformed, the password never reaches stdout, stderr, the termination message or the
// notify payload, and the run exits 3 having touched nothing.
#include <gtest/gtest.h>
#include <httplib.h>

#include <filesystem>
#include <fstream>
#include <mutex>
#include <sstream>
#include <thread>

#include "gate_fixture.h"

namespace schemagate::testing {
namespace {

std::string read_file(const std::filesystem::path& path) {
    std::ifstream file(path, std::ios::binary);
    std::ostringstream content;
    content << file.rdbuf();
    return content.str();
}

// A webhook stand-in on 127.0.0.1 that keeps every body posted to it.
class Receiver {
  public:
    Receiver() {
        server_.Post("/hook", [this](const httplib::Request& request, httplib::Response& response) {
            const std::lock_guard lock(mutex_);
            bodies_ += request.body + "\n";
            response.status = 200;
        });
        port_ = server_.bind_to_any_port("127.0.0.1");
        thread_ = std::thread([this] { server_.listen_after_bind(); });
        while (!server_.is_running()) std::this_thread::yield();
    }
    Receiver(const Receiver&) = delete;
    Receiver& operator=(const Receiver&) = delete;
    ~Receiver() {
        server_.stop();
        thread_.join();
    }
    std::string url() const { return "http://127.0.0.1:" + std::to_string(port_) + "/hook"; }
    std::string bodies() const {
        const std::lock_guard lock(mutex_);
        return bodies_;
    }

  private:
    httplib::Server server_;
    std::thread thread_;
    int port_ = 0;
    mutable std::mutex mutex_;
    std::string bodies_;
};

class Secrets : public GateTest {
  protected:
    void SetUp() override {
        GateTest::SetUp();
        use_examples();
        // The kubelet creates the file; what a run writes there is what `kubectl describe` shows.
        termination_ = migrations_ / "termination-log";
        std::ofstream(termination_).flush();
    }

    // One run of `binary` with `args`: exit 3, and `password` in none of what it printed or
    // wrote.
    void expect_refused_quietly(const std::string& binary, const std::vector<std::string>& args,
                                const std::string& password,
                                std::map<std::string, std::string> env = {}) {
        std::vector<std::string> argv = args;
        argv.insert(argv.begin(), binary);
        env.try_emplace("SCHEMAGATE_TERMINATION_LOG", termination_.string());
        const RunResult result = run(argv, gate_env(std::move(env)));
        captured_ += result.out + result.err;
        const std::string termination = read_file(termination_);
        std::string shown;
        for (const auto& arg : args) shown += " " + arg;
        EXPECT_EQ(result.exit_code, 3) << shown << "\n" << result.err;
        EXPECT_EQ(result.err.find(password), std::string::npos) << shown << "\n" << result.err;
        EXPECT_EQ(result.out.find(password), std::string::npos) << shown << "\n" << result.out;
        EXPECT_EQ(termination.find(password), std::string::npos) << shown << "\n" << termination;
        last_err_ = result.err;
        last_termination_ = termination;
    }

    std::string ambiguous_url(const std::string& password) const {
        return "postgresql://postgres:" + password +
               "@127.0.0.1:" + std::to_string(PostgresServer::instance().port()) +
               url_.substr(url_.rfind('/'));
    }

    std::filesystem::path termination_;
    std::string last_err_;
    std::string last_termination_;
};

// `schemagate migrate --databse-url URL` made CLI11 answer "The following arguments were not
// expected: URL" with the password in it; so did a stray positional and the sidecar.
TEST_F(Secrets, AMistypedFlagOrAStrayArgumentNeverEchoesThePassword) {
    const std::string url = "postgresql://app:Cli-Secret-1@db.internal/app";
    for (const auto& binary : {gate_binary(), sidecar_binary()}) {
        const bool gate = binary == gate_binary();
        const auto with_command = [gate](std::vector<std::string> args) {
            if (gate) args.insert(args.begin(), "migrate");
            return args;
        };
        expect_refused_quietly(binary, with_command({"--databse-url", url}), "Cli-Secret-1");
        EXPECT_NE(last_err_.find("--databse-url"), std::string::npos) << last_err_;
        expect_refused_quietly(binary, with_command({url}), "Cli-Secret-1");
        expect_refused_quietly(binary, with_command({"--databse-url=" + url}), "Cli-Secret-1");
        expect_refused_quietly(
            binary, with_command({"--databse-url", "host=db password=Kv-Secret-2 user=u"}),
            "Kv-Secret-2");
        // Two characters are too few to blank wherever they appear; where they stand as the
        // password they are blanked all the same.
        expect_refused_quietly(
            binary, with_command({"--databse-url", "postgresql://app:Pw@db/app"}), "app:Pw@");
    }
    // The gate's own check of the command word quotes it too.
    expect_refused_quietly(gate_binary(), {url, "migrate"}, "Cli-Secret-1");
}

// libpq read "postgres:s3cr" of postgresql://postgres:s3cr/et@host/db as host:port, so no
// password was registered and every path printed it whole: refused before anything connects,
// naming where the URL came from.
TEST_F(Secrets, AnUnencodedSlashInTheUrlPasswordIsRefusedOnEveryPath) {
    const std::string password = "s3cr/et-Slash-9";
    const std::string before = database_fingerprint();
    Receiver receiver;
    expect_refused_quietly(gate_binary(), {"migrate", "--notify-url", receiver.url()}, password,
                           {{"DATABASE_URL", ambiguous_url(password)}});
    EXPECT_NE(last_termination_.find("DATABASE_URL: "), std::string::npos) << last_termination_;
    EXPECT_NE(last_termination_.find("%2F"), std::string::npos) << last_termination_;
    ASSERT_TRUE(eventually([&] { return !receiver.bodies().empty(); }));
    EXPECT_NE(receiver.bodies().find("bad_input"), std::string::npos) << receiver.bodies();
    EXPECT_EQ(receiver.bodies().find(password), std::string::npos) << receiver.bodies();
    EXPECT_EQ(receiver.bodies().find("s3cr"), std::string::npos) << receiver.bodies();

    expect_refused_quietly(gate_binary(), {"migrate", "--database-url", ambiguous_url(password)},
                           password);
    EXPECT_NE(last_err_.find("--database-url: "), std::string::npos) << last_err_;
    expect_refused_quietly(gate_binary(), {"status"}, password,
                           {{"DATABASE_URL", ambiguous_url(password)}});

    const auto file = migrations_ / "url-secret";
    std::ofstream(file) << ambiguous_url(password) << "\n";
    expect_refused_quietly(gate_binary(), {"migrate", "--database-url-file", file.string()},
                           password, {{"DATABASE_URL", ""}});
    EXPECT_NE(last_err_.find(file.string()), std::string::npos) << last_err_;

    expect_refused_quietly(sidecar_binary(), {"--expect", "1", "--listen", "127.0.0.1:0"}, password,
                           {{"DATABASE_URL", ambiguous_url(password)}});
    EXPECT_NE(last_err_.find("DATABASE_URL: "), std::string::npos) << last_err_;
    EXPECT_EQ(last_err_.find("listening"), std::string::npos) << "it served anyway";
    EXPECT_EQ(database_fingerprint(), before);
}

}  // namespace
}  // namespace schemagate::testing
