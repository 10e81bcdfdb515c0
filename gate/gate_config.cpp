// SPDX-License-Identifier: Apache-2.0
#include "gate_config.h"

#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cstdlib>
#include <iostream>

#include "cli_options.h"
#include "exit_code.h"
#include "utf8.h"
#include "version.h"

namespace schemagate {

namespace {

struct RawDurations {
    std::string lease_ttl, timeout, poll_interval, lock_timeout, statement_timeout;
};

std::string default_holder() {
    const char* host = std::getenv("HOSTNAME");
    char buffer[256] = {};
    if (host == nullptr || *host == '\0') {
        host = gethostname(buffer, sizeof buffer - 1) == 0 ? buffer : "unknown";
    }
    return std::string(host) + "/" + std::to_string(getpid());
}

}  // namespace

std::variant<GateConfig, int> parse_gate_config(int argc, const char* const* argv) {
    GateConfig config;
    RawDurations raw{format_duration(config.lease_ttl), format_duration(config.timeout),
                     format_duration(config.poll_interval),
                     format_duration(config.migration.lock_timeout),
                     format_duration(config.migration.statement_timeout)};
    std::string log_format = "text";

    CLI::App app{
        "schemagate: keeps a Kubernetes pod from starting until the database schema is at the "
        "version the app expects.",
        "schemagate"};
    app.set_version_flag("--version", std::string("schemagate ") + kVersion);
    app.require_subcommand(1);
    app.fallthrough();
    add_database_options(app, config.database_url, config.database_url_file, config.state);
    app.add_option("--log-format", log_format, "Log format")
        ->envname("SCHEMAGATE_LOG_FORMAT")
        ->check(CLI::IsMember({"text", "json"}))
        ->capture_default_str();
    app.add_flag("-v,--verbose", config.verbose, "Debug logging")->envname("SCHEMAGATE_VERBOSE");

    const auto add_migrations = [&](CLI::App* sub) {
        sub->add_option("--migrations", config.migrations_dir, "Directory of .sql migrations")
            ->envname("SCHEMAGATE_MIGRATIONS")
            ->capture_default_str();
    };
    const auto add_target = [&](CLI::App* sub) {
        sub->add_option("--target", config.target,
                        "Version to reach (default: highest migration file)")
            ->envname("SCHEMAGATE_TARGET");
    };
    const auto add_waiting = [&](CLI::App* sub) {
        sub->add_option("--timeout", raw.timeout, "Give up (exit 2) after this long")
            ->envname("SCHEMAGATE_TIMEOUT")
            ->check(duration_in(Millis{1}, std::chrono::hours{24 * 7}))
            ->capture_default_str();
        sub->add_option("--poll-interval", raw.poll_interval,
                        "Longest pause between polls while waiting")
            ->envname("SCHEMAGATE_POLL_INTERVAL")
            ->check(duration_in(Millis{10}, std::chrono::minutes{10}))
            ->capture_default_str();
        sub->add_option("--termination-log", config.termination_log,
                        "File that receives the last error (Kubernetes termination message)")
            ->envname("SCHEMAGATE_TERMINATION_LOG")
            ->capture_default_str();
    };

    auto* migrate = app.add_subcommand(
        "migrate", "Apply pending migrations under the lease, or wait for the pod that does");
    add_migrations(migrate);
    add_target(migrate);
    add_waiting(migrate);
    migrate->add_option("--holder", config.holder, "Holder identity (default $HOSTNAME/pid)")
        ->envname("SCHEMAGATE_HOLDER");
    migrate->add_option("--lease-ttl", raw.lease_ttl, "Lease time-to-live")
        ->envname("SCHEMAGATE_LEASE_TTL")
        ->check(duration_in(Millis{3000}, std::chrono::hours{1}))
        ->capture_default_str();
    migrate->add_option("--lock-timeout", raw.lock_timeout, "lock_timeout for each migration")
        ->envname("SCHEMAGATE_LOCK_TIMEOUT")
        ->check(duration_in(Millis{1}, std::chrono::hours{24}))
        ->capture_default_str();
    migrate
        ->add_option("--statement-timeout", raw.statement_timeout,
                     "statement_timeout for each statement (0 = none)")
        ->envname("SCHEMAGATE_STATEMENT_TIMEOUT")
        ->check(duration_in(Millis{0}, std::chrono::hours{24}))
        ->capture_default_str();
    migrate
        ->add_option("--lock-retries", config.migration.lock_retries,
                     "Retries of a migration that hit its lock timeout")
        ->envname("SCHEMAGATE_LOCK_RETRIES")
        ->check(CLI::Range(0, 1000))
        ->capture_default_str();

    auto* wait =
        app.add_subcommand("wait", "Wait until the schema reaches --target; apply nothing");
    add_migrations(wait);
    add_target(wait);
    add_waiting(wait);

    auto* status = app.add_subcommand("status", "Show version, pending migrations, lease, history");
    add_migrations(status);
    add_target(status);
    status->add_flag("--json", config.json, "Machine-readable output");

    auto* validate = app.add_subcommand(
        "validate", "Check the migration files; with a database, also the applied checksums");
    add_migrations(validate);
    add_target(validate);

    auto* unlock = app.add_subcommand("unlock", "Show the lease; with --force, break it");
    unlock->add_flag("--force", config.force, "Break the lease (fences the old holder)");

    auto* repair =
        app.add_subcommand("repair", "Resolve a dirty (interrupted non-transactional) migration");
    repair->add_option("--version", config.repair_version, "The dirty migration's version")
        ->required();
    auto* mark = repair->add_flag("--mark-applied", config.repair_mark_applied,
                                  "It completed: record it as applied");
    bool remove = false;
    auto* remove_flag =
        repair->add_flag("--remove", remove, "It did not: remove the record so it runs again");
    mark->excludes(remove_flag);

    try {
        const auto is_command = [&app](const std::string& word) {
            for (const auto* sub : app.get_subcommands({})) {
                if (sub->get_name() == word) return true;
            }
            return false;
        };
        if (argc > 1 && argv[1][0] != '-' && !is_command(argv[1])) {
            throw CLI::ValidationError(std::string("unknown command '") + argv[1] +
                                       "' (commands: migrate, wait, status, validate, unlock, "
                                       "repair)");
        }
        app.parse(argc, argv);
        if (repair->parsed() && !config.repair_mark_applied && !remove) {
            throw CLI::ValidationError("repair: say --mark-applied or --remove");
        }
    } catch (const CLI::ParseError& e) {
        return parse_error_exit_code(app, e, "schemagate");
    }

    if (migrate->parsed()) config.command = GateCommand::kMigrate;
    if (wait->parsed()) config.command = GateCommand::kWait;
    if (status->parsed()) config.command = GateCommand::kStatus;
    if (validate->parsed()) config.command = GateCommand::kValidate;
    if (unlock->parsed()) config.command = GateCommand::kUnlock;
    if (repair->parsed()) config.command = GateCommand::kRepair;

    config.lease_ttl = *parse_duration(raw.lease_ttl);
    config.timeout = *parse_duration(raw.timeout);
    config.poll_interval = *parse_duration(raw.poll_interval);
    config.migration.lock_timeout = *parse_duration(raw.lock_timeout);
    config.migration.statement_timeout = *parse_duration(raw.statement_timeout);
    config.log_format = log_format == "json" ? LogFormat::kJson : LogFormat::kText;
    config.termination_log_explicit = app.get_subcommand_ptr(migrate)->count("--termination-log") ||
                                      wait->count("--termination-log") ||
                                      std::getenv("SCHEMAGATE_TERMINATION_LOG") != nullptr;
    if (config.holder.empty()) config.holder = default_holder();

    const auto reject = [](const std::string& message) {
        std::cerr << "schemagate: error: " << message << '\n';
        return to_int(ExitCode::kBadInput);
    };
    // Renewal runs every ttl/3 and idle transactions are cut at ttl/2: below 3s those
    // intervals get too close to ordinary network hiccups.
    if (config.lease_ttl < Millis{3000}) return reject("--lease-ttl: must be at least 3s");
    if (config.timeout <= Millis{0}) return reject("--timeout: must be more than 0");
    if (config.poll_interval < Millis{10}) return reject("--poll-interval: must be at least 10ms");
    if (config.migration.lock_timeout <= Millis{0}) {
        return reject("--lock-timeout: must be more than 0 (0 would wait forever)");
    }
    if (config.target && *config.target < 0) return reject("--target: must be >= 0");
    if (!is_printable_utf8(config.holder) || config.holder.size() > 200) {
        return reject(
            "--holder: must be 1 to 200 bytes of printable UTF-8 (it is logged, stored "
            "and shown to operators)");
    }
    if (config.state.name.empty()) return reject("--name: must not be empty");
    if (config.state.schema.empty()) return reject("--schema: must not be empty");
    return config;
}

}  // namespace schemagate
