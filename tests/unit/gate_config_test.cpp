// SPDX-License-Identifier: Apache-2.0
#include "gate_config.h"

#include <gtest/gtest.h>

#include <vector>

#include "captured_output.h"

namespace schemagate {
namespace {

struct Parsed {
    std::variant<GateConfig, int> result;
    std::string err;
};

Parsed parse(std::vector<const char*> args) {
    args.insert(args.begin(), "schemagate");
    auto [result, err] = testing::with_captured_stderr(
        [&] { return parse_gate_config(static_cast<int>(args.size()), args.data()); });
    return Parsed{std::move(result), std::move(err)};
}

TEST(GateConfig, DefaultsAreTheDocumentedOnes) {
    const auto parsed = parse({"migrate"});
    ASSERT_TRUE(std::holds_alternative<GateConfig>(parsed.result)) << parsed.err;
    const auto& config = std::get<GateConfig>(parsed.result);
    EXPECT_EQ(config.command, GateCommand::kMigrate);
    EXPECT_EQ(config.migrations_dir, "/migrations");
    EXPECT_EQ(config.lease_ttl, Millis{30'000});
    EXPECT_EQ(config.timeout, Millis{600'000});
    EXPECT_EQ(config.migration.lock_timeout, Millis{5000});
    EXPECT_EQ(config.migration.statement_timeout, Millis{0});
    EXPECT_EQ(config.state.schema, "schemagate");
    EXPECT_EQ(config.state.name, "default");
    EXPECT_FALSE(config.target.has_value());
    EXPECT_NE(config.holder.find('/'), std::string::npos);
    EXPECT_EQ(config.limits.max_file_bytes, 16U << 20);
}

TEST(GateConfig, MaxFileSizeFromTheFlagOrTheEnvironment) {
    auto parsed = parse({"validate", "--max-file-size", "64MiB"});
    ASSERT_TRUE(std::holds_alternative<GateConfig>(parsed.result)) << parsed.err;
    EXPECT_EQ(std::get<GateConfig>(parsed.result).limits.max_file_bytes, 64U << 20);
    setenv("SCHEMAGATE_MAX_FILE_SIZE", "512Ki", 1);
    parsed = parse({"migrate"});
    unsetenv("SCHEMAGATE_MAX_FILE_SIZE");
    ASSERT_TRUE(std::holds_alternative<GateConfig>(parsed.result)) << parsed.err;
    EXPECT_EQ(std::get<GateConfig>(parsed.result).limits.max_file_bytes, 512U << 10);
}

TEST(GateConfig, FlagsAfterTheSubcommandAndEnvironmentBothWork) {
    setenv("SCHEMAGATE_LOCK_TIMEOUT", "750ms", 1);
    const auto parsed = parse({"migrate", "--lease-ttl", "1m", "--target", "7", "--name", "billing",
                               "--holder", "pod-x"});
    unsetenv("SCHEMAGATE_LOCK_TIMEOUT");
    ASSERT_TRUE(std::holds_alternative<GateConfig>(parsed.result)) << parsed.err;
    const auto& config = std::get<GateConfig>(parsed.result);
    EXPECT_EQ(config.lease_ttl, Millis{60'000});
    EXPECT_EQ(config.target, 7);
    EXPECT_EQ(config.state.name, "billing");
    EXPECT_EQ(config.holder, "pod-x");
    EXPECT_EQ(config.migration.lock_timeout, Millis{750});
}

TEST(GateConfig, EveryFlagRejectsGarbageWithExit3NamingIt) {
    const std::vector<std::pair<std::vector<const char*>, std::string>> cases = {
        {{"migrate", "--lease-ttl", "30x"}, "--lease-ttl"},
        {{"migrate", "--lease-ttl", "1s"}, "--lease-ttl"},
        {{"migrate", "--timeout", "5"}, "--timeout"},
        {{"migrate", "--timeout", "0"}, "--timeout"},
        {{"migrate", "--poll-interval", "fast"}, "--poll-interval"},
        {{"migrate", "--lock-timeout", "-1s"}, "--lock-timeout"},
        {{"migrate", "--lock-timeout", "0"}, "--lock-timeout"},
        {{"migrate", "--statement-timeout", "abc"}, "--statement-timeout"},
        {{"migrate", "--lock-retries", "many"}, "--lock-retries"},
        {{"migrate", "--lock-retries", "-1"}, "--lock-retries"},
        {{"migrate", "--target", "5x"}, "--target"},
        {{"migrate", "--target", "-2"}, "--target"},
        {{"migrate", "--log-format", "xml"}, "--log-format"},
        {{"migrate", "--name", ""}, "--name"},
        {{"migrate", "--schema", ""}, "--schema"},
        {{"migrate", "--frobnicate"}, "--frobnicate"},
        {{"wait", "--timeout", "soon"}, "--timeout"},
        {{"repair", "--version", "x", "--remove"}, "--version"},
        {{"repair", "--version", "3"}, "--mark-applied"},
        {{"launch"}, "launch"},
        // Beyond each setting's sane range: refused at parse time, never an SQL error later.
        {{"migrate", "--lease-ttl", "2000h"}, "--lease-ttl"},
        {{"migrate", "--lease-ttl", "2562047788015h"}, "--lease-ttl"},
        {{"migrate", "--lock-timeout", "600h"}, "--lock-timeout"},
        {{"migrate", "--timeout", "2562047h"}, "--timeout"},
        {{"migrate", "--holder", "\xff\xfe"}, "--holder"},
        {{"migrate", "--holder", "pod\nforged line"}, "--holder"},
        {{"migrate", "--max-file-size", "16MB"}, "--max-file-size"},
        {{"validate", "--max-file-size", "100"}, "--max-file-size"},
        {{"plan", "--max-file-size", "5GiB"}, "--max-file-size"},
    };
    for (const auto& [args, flag] : cases) {
        const auto parsed = parse(args);
        ASSERT_TRUE(std::holds_alternative<int>(parsed.result)) << flag;
        EXPECT_EQ(std::get<int>(parsed.result), 3) << flag;
        EXPECT_NE(parsed.err.find(flag), std::string::npos) << "stderr: " << parsed.err;
        EXPECT_EQ(std::count(parsed.err.begin(), parsed.err.end(), '\n'), 1) << parsed.err;
    }
}

TEST(GateConfig, AHugeHolderIsRefused) {
    const std::string huge(100'000, 'h');
    const auto parsed = parse({"migrate", "--holder", huge.c_str()});
    ASSERT_TRUE(std::holds_alternative<int>(parsed.result));
    EXPECT_NE(parsed.err.find("--holder"), std::string::npos) << parsed.err;
    EXPECT_LT(parsed.err.size(), 300u);
}

TEST(GateConfig, EnvironmentGarbageIsRejectedToo) {
    setenv("SCHEMAGATE_LEASE_TTL", "thirty", 1);
    const auto parsed = parse({"migrate"});
    unsetenv("SCHEMAGATE_LEASE_TTL");
    ASSERT_TRUE(std::holds_alternative<int>(parsed.result));
    EXPECT_EQ(std::get<int>(parsed.result), 3);
    EXPECT_NE(parsed.err.find("--lease-ttl"), std::string::npos) << parsed.err;
}

TEST(GateConfig, HelpAndVersionExitZero) {
    for (const char* flag : {"--help", "--version"}) {
        const auto parsed = parse({flag});
        ASSERT_TRUE(std::holds_alternative<int>(parsed.result)) << flag;
        EXPECT_EQ(std::get<int>(parsed.result), 0) << flag;
    }
}

// CLI11 quotes what it could not place: a mistyped flag's value, a stray argument.
TEST(GateConfig, AParseErrorNeverEchoesAPassword) {
    const auto parsed =
        parse({"migrate", "--databse-url", "postgresql://app:Unit-Secret-3@db/app"});
    ASSERT_TRUE(std::holds_alternative<int>(parsed.result));
    EXPECT_EQ(std::get<int>(parsed.result), 3);
    EXPECT_NE(parsed.err.find("--databse-url"), std::string::npos) << parsed.err;
    EXPECT_NE(parsed.err.find("postgresql://app:***@db/app"), std::string::npos) << parsed.err;
    EXPECT_EQ(parsed.err.find("Unit-Secret-3"), std::string::npos) << parsed.err;
}

TEST(GateConfig, TheDatabaseUrlsSourceIsTheFlagOrTheVariable) {
    setenv("DATABASE_URL", "postgresql://app@db/app", 1);
    const auto from_variable = parse({"migrate"});
    const auto from_flag = parse({"migrate", "--database-url=postgresql://app@db/other"});
    unsetenv("DATABASE_URL");
    ASSERT_TRUE(std::holds_alternative<GateConfig>(from_variable.result)) << from_variable.err;
    ASSERT_TRUE(std::holds_alternative<GateConfig>(from_flag.result)) << from_flag.err;
    EXPECT_EQ(std::get<GateConfig>(from_variable.result).database_url_source, "DATABASE_URL");
    EXPECT_EQ(std::get<GateConfig>(from_flag.result).database_url_source, "--database-url");
}

}  // namespace
}  // namespace schemagate
