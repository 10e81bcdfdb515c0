// SPDX-License-Identifier: Apache-2.0
#include "sidecar_config.h"

#include <gtest/gtest.h>

#include <vector>

#include "captured_output.h"

namespace schemagate {
namespace {

std::pair<std::variant<SidecarConfig, int>, std::string> parse(std::vector<const char*> args) {
    args.insert(args.begin(), "schemagate-sidecar");
    return testing::with_captured_stderr(
        [&] { return parse_sidecar_config(static_cast<int>(args.size()), args.data()); });
}

TEST(SidecarConfig, DefaultsAndExpectFromTheMigrationsDirectory) {
    auto [result, err] = parse({"--migrations", SCHEMAGATE_EXAMPLES_MIGRATIONS});
    ASSERT_TRUE(std::holds_alternative<SidecarConfig>(result)) << err;
    const auto& config = std::get<SidecarConfig>(result);
    EXPECT_EQ(config.expect, 5);
    EXPECT_EQ(config.listen_host, "0.0.0.0");
    EXPECT_EQ(config.listen_port, 8733);
    EXPECT_EQ(config.poll_interval, Millis{5000});
    EXPECT_EQ(config.grace, Millis{30'000});
    EXPECT_FALSE(config.max_version.has_value());
}

TEST(SidecarConfig, BadInputExits3NamingTheFlag) {
    const std::vector<std::pair<std::vector<const char*>, std::string>> cases = {
        {{"--expect", "5", "--max-version", "4"}, "--max-version"},
        {{"--expect", "x"}, "--expect"},
        {{}, "--migrations: cannot list /migrations"},
        {{"--expect", "1", "--listen", "8080"}, "--listen"},
        {{"--expect", "1", "--listen", "host:99999"}, "--listen"},
        {{"--expect", "1", "--poll-interval", "5x"}, "--poll-interval"},
        {{"--expect", "1", "--grace", "soon"}, "--grace"},
        {{"--expect", "1", "--workers", "0"}, "--workers"},
        {{"--migrations", "/nonexistent"}, "--migrations"},
        {{"--expect", "1", "--bogus"}, "--bogus"},
    };
    for (const auto& [args, flag] : cases) {
        auto [result, err] = parse(args);
        ASSERT_TRUE(std::holds_alternative<int>(result)) << flag;
        EXPECT_EQ(std::get<int>(result), 3) << flag;
        EXPECT_NE(err.find(flag), std::string::npos) << err;
        EXPECT_EQ(std::count(err.begin(), err.end(), '\n'), 1) << err;
    }
}

// A ConfigMap sets SCHEMAGATE_*: the message names the variable to fix, not a flag nobody typed.
TEST(SidecarConfig, AValueFromTheEnvironmentIsNamedByItsVariable) {
    struct Case {
        const char* variable;
        const char* value;
        const char* flag;
        std::vector<const char*> args;
    };
    const std::vector<Case> cases = {
        {"SCHEMAGATE_LISTEN", "8080", "--listen", {"--expect", "1"}},
        {"SCHEMAGATE_EXPECT", "x", "--expect", {}},
        {"SCHEMAGATE_MAX_VERSION", "1", "--max-version", {"--expect", "5"}},
        {"SCHEMAGATE_MAX_VERSION", "1.x", "--max-version", {"--expect", "5"}},
        {"SCHEMAGATE_MIGRATIONS", "/nonexistent", "--migrations", {}},
        {"SCHEMAGATE_POLL_INTERVAL", "5x", "--poll-interval", {"--expect", "1"}},
        {"SCHEMAGATE_GRACE", "soon", "--grace", {"--expect", "1"}},
        {"SCHEMAGATE_CHECK_TIMEOUT", "1ms", "--check-timeout", {"--expect", "1"}},
        {"SCHEMAGATE_WORKERS", "0", "--workers", {"--expect", "1"}},
        {"SCHEMAGATE_WORKERS", "four", "--workers", {"--expect", "1"}},
        {"SCHEMAGATE_REQUEST_TIMEOUT", "1ms", "--request-timeout", {"--expect", "1"}},
        {"SCHEMAGATE_ON_OUTAGE", "panic", "--on-outage", {"--expect", "1"}},
        {"SCHEMAGATE_LOG_FORMAT", "xml", "--log-format", {"--expect", "1"}},
        {"SCHEMAGATE_VERBOSE", "maybe", "--verbose", {"--expect", "1"}},
    };
    for (const auto& c : cases) {
        setenv(c.variable, c.value, 1);
        auto [result, err] = parse(c.args);
        unsetenv(c.variable);
        ASSERT_TRUE(std::holds_alternative<int>(result)) << c.variable << "=" << c.value;
        EXPECT_EQ(std::get<int>(result), 3) << c.variable;
        EXPECT_EQ(err.rfind("schemagate-sidecar: error: ", 0), 0u) << err;
        EXPECT_NE(err.find(c.variable), std::string::npos) << err;
        EXPECT_EQ(err.find(c.flag), std::string::npos) << err;
        EXPECT_EQ(std::count(err.begin(), err.end(), '\n'), 1) << err;
    }
}

TEST(SidecarConfig, AValueFromTheCommandLineIsNamedByItsFlagWhateverTheEnvironmentSays) {
    setenv("SCHEMAGATE_GRACE", "soon", 1);
    setenv("SCHEMAGATE_LISTEN", "0.0.0.0:8080", 1);
    auto [result, err] = parse({"--expect", "1", "--grace", "1m", "--listen", "8080"});
    unsetenv("SCHEMAGATE_GRACE");
    unsetenv("SCHEMAGATE_LISTEN");
    ASSERT_TRUE(std::holds_alternative<int>(result)) << err;
    EXPECT_EQ(err.rfind("schemagate-sidecar: error: --listen", 0), 0u) << err;
    EXPECT_EQ(err.find("SCHEMAGATE_"), std::string::npos) << err;
}

}  // namespace
}  // namespace schemagate
