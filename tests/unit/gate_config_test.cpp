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

TEST(GateConfig, HazardPolicyFromTheFlagOrTheEnvironment) {
    auto parsed = parse({"migrate"});
    ASSERT_TRUE(std::holds_alternative<GateConfig>(parsed.result)) << parsed.err;
    EXPECT_EQ(std::get<GateConfig>(parsed.result).hazards.mode, HazardMode::kRefuse);
    EXPECT_EQ(std::get<GateConfig>(parsed.result).hazards.threshold_bytes, 10U << 20);
    parsed = parse({"plan", "--hazards", "warn", "--hazard-threshold", "1GB"});
    ASSERT_TRUE(std::holds_alternative<GateConfig>(parsed.result)) << parsed.err;
    EXPECT_EQ(std::get<GateConfig>(parsed.result).hazards.mode, HazardMode::kWarn);
    EXPECT_EQ(std::get<GateConfig>(parsed.result).hazards.threshold_bytes, 1U << 30);
    setenv("SCHEMAGATE_HAZARDS", "defer", 1);
    parsed = parse({"migrate"});
    unsetenv("SCHEMAGATE_HAZARDS");
    ASSERT_TRUE(std::holds_alternative<GateConfig>(parsed.result)) << parsed.err;
    EXPECT_EQ(std::get<GateConfig>(parsed.result).hazards.mode, HazardMode::kDefer);
    for (const char* bad : {"--hazards=sometimes", "--hazard-threshold=big"}) {
        parsed = parse({"migrate", bad});
        ASSERT_TRUE(std::holds_alternative<int>(parsed.result)) << bad;
        EXPECT_EQ(std::get<int>(parsed.result), 3) << bad;
        EXPECT_NE(parsed.err.find(std::string(bad).substr(0, std::string(bad).find('='))),
                  std::string::npos)
            << parsed.err;
    }
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

// A ConfigMap sets SCHEMAGATE_*: the operator must be told the variable to fix, not a flag
// nobody typed, whichever check refuses the value (CLI11's, a conversion, ours after parsing).
TEST(GateConfig, AValueFromTheEnvironmentIsNamedByItsVariable) {
    struct Case {
        const char* variable;
        const char* value;
        const char* flag;
        std::vector<const char*> args;
    };
    const std::vector<Case> cases = {
        {"SCHEMAGATE_LEASE_TTL", "thirty", "--lease-ttl", {"migrate"}},
        {"SCHEMAGATE_LEASE_TTL", "1s", "--lease-ttl", {"migrate"}},
        {"SCHEMAGATE_TIMEOUT", "0", "--timeout", {"wait"}},
        {"SCHEMAGATE_POLL_INTERVAL", "fast", "--poll-interval", {"migrate"}},
        {"SCHEMAGATE_LOCK_TIMEOUT", "0", "--lock-timeout", {"migrate"}},
        {"SCHEMAGATE_STATEMENT_TIMEOUT", "abc", "--statement-timeout", {"migrate"}},
        {"SCHEMAGATE_LOCK_RETRIES", "many", "--lock-retries", {"migrate"}},
        {"SCHEMAGATE_LOCK_RETRIES", "-1", "--lock-retries", {"migrate"}},
        {"SCHEMAGATE_TARGET", "5x", "--target", {"status"}},
        {"SCHEMAGATE_LOG_FORMAT", "xml", "--log-format", {"migrate"}},
        {"SCHEMAGATE_HOLDER", "pod\nforged", "--holder", {"migrate"}},
        {"SCHEMAGATE_COMPAT", "alembic", "--compat", {"migrate"}},
        {"SCHEMAGATE_BASELINE_VERSION", "x", "--baseline-version", {"migrate"}},
        {"SCHEMAGATE_NOTIFY_URL", "ftp://hooks.example/x", "--notify-url", {"migrate"}},
        {"SCHEMAGATE_NOTIFY_URL_FILE", "/nonexistent/hook", "--notify-url-file", {"migrate"}},
        {"SCHEMAGATE_VERBOSE", "maybe", "--verbose", {"migrate"}},
        {"SCHEMAGATE_NOTIFY_ON_SUCCESS", "maybe", "--notify-on-success", {"migrate"}},
    };
    for (const auto& c : cases) {
        setenv(c.variable, c.value, 1);
        const auto parsed = parse(c.args);
        unsetenv(c.variable);
        ASSERT_TRUE(std::holds_alternative<int>(parsed.result)) << c.variable << "=" << c.value;
        EXPECT_EQ(std::get<int>(parsed.result), 3) << c.variable;
        EXPECT_EQ(parsed.err.rfind("schemagate: error: ", 0), 0u) << parsed.err;
        EXPECT_NE(parsed.err.find(c.variable), std::string::npos) << parsed.err;
        EXPECT_EQ(parsed.err.find(c.flag), std::string::npos) << parsed.err;
        EXPECT_EQ(std::count(parsed.err.begin(), parsed.err.end(), '\n'), 1) << parsed.err;
    }
}

// The command line wins over the environment (CLI11 reads a variable only for a flag not
// given), so a bad value on the command line is named by its flag even when the variable is set.
TEST(GateConfig, AValueFromTheCommandLineIsNamedByItsFlagWhateverTheEnvironmentSays) {
    setenv("SCHEMAGATE_LEASE_TTL", "thirty", 1);
    setenv("SCHEMAGATE_LOCK_RETRIES", "3", 1);
    setenv("SCHEMAGATE_VERBOSE", "1", 1);
    const auto bad_flag = parse({"migrate", "--lease-ttl=2s"});
    const auto bad_retries = parse({"migrate", "--lease-ttl", "30s", "--lock-retries", "x"});
    const auto bad_verbose = parse({"migrate", "--lease-ttl", "30s", "--verbose=maybe"});
    const auto good_flag = parse({"migrate", "--lease-ttl", "45s"});
    unsetenv("SCHEMAGATE_LEASE_TTL");
    unsetenv("SCHEMAGATE_LOCK_RETRIES");
    unsetenv("SCHEMAGATE_VERBOSE");
    for (const auto* parsed : {&bad_flag, &bad_retries, &bad_verbose}) {
        ASSERT_TRUE(std::holds_alternative<int>(parsed->result)) << parsed->err;
        EXPECT_EQ(std::get<int>(parsed->result), 3);
        EXPECT_EQ(parsed->err.find("SCHEMAGATE_"), std::string::npos) << parsed->err;
    }
    EXPECT_NE(bad_flag.err.find("--lease-ttl"), std::string::npos) << bad_flag.err;
    EXPECT_NE(bad_retries.err.find("--lock-retries"), std::string::npos) << bad_retries.err;
    EXPECT_NE(bad_verbose.err.find("--verbose"), std::string::npos) << bad_verbose.err;
    ASSERT_TRUE(std::holds_alternative<GateConfig>(good_flag.result)) << good_flag.err;
    EXPECT_EQ(std::get<GateConfig>(good_flag.result).lease_ttl, Millis{45'000});
}

// Several subcommands share one variable per setting (--target, --migrations, --timeout), and
// CLI11 fills every subcommand's options from the environment, parsed or not: the flag given
// to `migrate` must still win over the variable.
TEST(GateConfig, TheCommandLineWinsOverTheEnvironmentInEverySubcommand) {
    setenv("SCHEMAGATE_TARGET", "9", 1);
    setenv("SCHEMAGATE_MIGRATIONS", "/from/variable", 1);
    setenv("SCHEMAGATE_TIMEOUT", "2m", 1);
    setenv("SCHEMAGATE_POLL_INTERVAL", "3s", 1);
    const auto migrate = parse({"migrate", "--target", "8", "--migrations", "/from/flag",
                                "--timeout", "1m", "--poll-interval", "2s"});
    const auto wait = parse({"wait", "--target", "7"});
    unsetenv("SCHEMAGATE_TARGET");
    unsetenv("SCHEMAGATE_MIGRATIONS");
    unsetenv("SCHEMAGATE_TIMEOUT");
    unsetenv("SCHEMAGATE_POLL_INTERVAL");
    ASSERT_TRUE(std::holds_alternative<GateConfig>(migrate.result)) << migrate.err;
    const auto& config = std::get<GateConfig>(migrate.result);
    EXPECT_EQ(config.target, 8);
    EXPECT_EQ(config.migrations_dir, "/from/flag");
    EXPECT_EQ(config.timeout, Millis{60'000});
    EXPECT_EQ(config.poll_interval, Millis{2000});
    ASSERT_TRUE(std::holds_alternative<GateConfig>(wait.result)) << wait.err;
    EXPECT_EQ(std::get<GateConfig>(wait.result).target, 7);
    EXPECT_EQ(std::get<GateConfig>(wait.result).migrations_dir, "/from/variable");
    EXPECT_EQ(std::get<GateConfig>(wait.result).timeout, Millis{120'000});
}

// The settings a command has no flag of its own for come from migrate's variables, whichever
// command runs: the lease's holder and TTL for wait and adopt, the timeout for fleet status.
TEST(GateConfig, EveryCommandTakesMigratesSettingsFromTheEnvironment) {
    setenv("SCHEMAGATE_HOLDER", "pod-7", 1);
    setenv("SCHEMAGATE_LEASE_TTL", "45s", 1);
    setenv("SCHEMAGATE_TIMEOUT", "3m", 1);
    setenv("SCHEMAGATE_BASELINE_VERSION", "4", 1);
    std::vector<Parsed> parsed;
    for (const char* command : {"wait", "adopt", "plan", "status"})
        parsed.push_back(parse({command}));
    parsed.push_back(
        parse({"fleet", "status", "--tenants-file", "/dev/null", "--tenant-schema", "t_{tenant}"}));
    unsetenv("SCHEMAGATE_HOLDER");
    unsetenv("SCHEMAGATE_LEASE_TTL");
    unsetenv("SCHEMAGATE_TIMEOUT");
    unsetenv("SCHEMAGATE_BASELINE_VERSION");
    for (const auto& each : parsed) {
        ASSERT_TRUE(std::holds_alternative<GateConfig>(each.result)) << each.err;
        const auto& config = std::get<GateConfig>(each.result);
        EXPECT_EQ(config.holder, "pod-7");
        EXPECT_EQ(config.lease_ttl, Millis{45'000});
        EXPECT_EQ(config.timeout, Millis{180'000});
        EXPECT_EQ(config.baseline_version, MigrationVersion(4));
    }
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
