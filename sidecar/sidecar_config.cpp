// SPDX-License-Identifier: Apache-2.0
#include "sidecar_config.h"

#include <unistd.h>

#include <CLI/CLI.hpp>
#include <array>
#include <charconv>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>

#include "cli_options.h"
#include "directive.h"
#include "exit_code.h"
#include "help_footer.h"
#include "migration_name.h"
#include "version.h"

namespace schemagate {

namespace {

// Enough for any first line a directive is written on (spaces included).
constexpr std::size_t kFirstLineRead = 256;

int reject(const std::string& message) {
    return reject_flag("schemagate-sidecar", message);
}

// A versioned migration file's first line says whether it is a contract migration; nothing
// else of its content is read (the gate checks the files).
bool is_contract_file(const std::filesystem::path& path) {
    std::ifstream file(path, std::ios::binary);
    std::string head(kFirstLineRead, '\0');
    file.read(head.data(), static_cast<std::streamsize>(head.size()));
    head.resize(static_cast<std::size_t>(std::max<std::streamsize>(file.gcount(), 0)));
    return has_first_line_flag(head, kContractDirective);
}

// The release's files, from their names (and the contract files' first lines).
// Subdirectories count, as they do for the gate.
struct ReleaseFiles {
    MigrationVersion highest;
    std::vector<ContractPoint> contracts;
};

std::vector<ContractPoint> contract_points(const std::map<MigrationVersion, bool>& versions) {
    std::vector<ContractPoint> points;
    MigrationVersion before;
    for (const auto& [version, contract] : versions) {
        if (contract) points.push_back({version, before});
        before = version;
    }
    return points;
}

std::optional<ReleaseFiles> release_files_in(const std::string& directory, std::string& error) {
    namespace fs = std::filesystem;
    std::error_code code;
    fs::recursive_directory_iterator entries(directory,
                                             fs::directory_options::follow_directory_symlink, code);
    if (code) {
        error = "--migrations: cannot list " + directory + ": " + code.message();
        return std::nullopt;
    }
    std::map<MigrationVersion, bool> versions;  // version -> contract
    for (auto it = fs::begin(entries); it != fs::end(entries); it.increment(code)) {
        if (code) break;
        const std::string name = it->path().filename().string();
        if (!name.empty() && name.front() == '.') {
            if (it->is_directory(code)) it.disable_recursion_pending();
            continue;
        }
        if (it->is_directory(code)) continue;
        const ParsedName parsed = parse_migration_name(name);
        if (const auto* bad = std::get_if<BadMigrationName>(&parsed)) {
            error = "--migrations: " + it->path().string() + ": " + bad->reason;
            return std::nullopt;
        }
        if (const auto* migration = std::get_if<MigrationName>(&parsed);
            migration != nullptr && !migration->version.none()) {
            versions[migration->version] = is_contract_file(it->path());
        }
    }
    if (code) {
        error = "--migrations: cannot list " + directory + ": " + code.message();
        return std::nullopt;
    }
    if (versions.empty()) {
        error = "--migrations: no migration files in " + directory;
        return std::nullopt;
    }
    return ReleaseFiles{versions.rbegin()->first, contract_points(versions)};
}

// What the flag table holds as text, converted once parsing succeeded.
struct RawSidecarFlags {
    std::string listen = "0.0.0.0:8733";
    std::string expect;
    std::string max_version;
    // The gate's default too: in a pod both mount the same migrations volume there.
    std::string migrations = "/migrations";
    std::string poll_interval, grace, request_timeout, check_timeout;
    std::string log_format = "text";
    std::string on_outage = "keep-last";
};

void add_flags(CLI::App& app, SidecarConfig& config, RawSidecarFlags& raw) {
    app.set_version_flag("--version", std::string("schemagate-sidecar ") + kVersion);
    add_database_options(app, config.database_url, config.database_url_file, config.state);
    app.add_option("--listen", raw.listen, "host:port to serve on (port 0: any free port)")
        ->envname("SCHEMAGATE_LISTEN")
        ->capture_default_str();
    app.add_option("--expect", raw.expect,
                   "Lowest schema version the app runs against (wins over --migrations)")
        ->envname("SCHEMAGATE_EXPECT")
        ->check(is_version());
    app.add_option("--migrations", raw.migrations,
                   "Directory of migrations; expected version = highest file")
        ->envname("SCHEMAGATE_MIGRATIONS")
        ->capture_default_str();
    app.add_option("--max-version", raw.max_version,
                   "Highest schema version the app runs against (default: no limit)")
        ->envname("SCHEMAGATE_MAX_VERSION")
        ->check(is_version());
    app.add_option("--poll-interval", raw.poll_interval, "How often the version is read")
        ->envname("SCHEMAGATE_POLL_INTERVAL")
        ->check(duration_in(Millis{10}, std::chrono::minutes{10}))
        ->capture_default_str();
    app.add_option("--grace", raw.grace, "Database outage tolerated before readiness fails")
        ->envname("SCHEMAGATE_GRACE")
        ->check(duration_in(Millis{0}, std::chrono::hours{24 * 7}))
        ->capture_default_str();
    app.add_option("--check-timeout", raw.check_timeout,
                   "Longest one read of the version may take (client-side)")
        ->envname("SCHEMAGATE_CHECK_TIMEOUT")
        ->check(duration_in(Millis{100}, std::chrono::minutes{1}))
        ->capture_default_str();
    app.add_option("--workers", config.workers, "HTTP event-loop threads")
        ->envname("SCHEMAGATE_WORKERS")
        ->check(CLI::Range(1, 16))
        ->capture_default_str();
    app.add_option("--request-timeout", raw.request_timeout,
                   "Longest a request may take, idle or not: from the connection's start or the "
                   "previous answer to its own answer")
        ->envname("SCHEMAGATE_REQUEST_TIMEOUT")
        ->check(duration_in(Millis{100}, std::chrono::minutes{10}))
        ->capture_default_str();
    app.add_option("--on-outage", raw.on_outage,
                   "Past --grace without the database: keep-last (the last verdict) or unready")
        ->envname("SCHEMAGATE_ON_OUTAGE")
        ->check(CLI::IsMember({"keep-last", "unready"}))
        ->capture_default_str();
    app.add_option("--pod-name", config.pod_name,
                   "How this pod shows as a live reader of the schema (default $HOSTNAME)")
        ->envname("SCHEMAGATE_POD_NAME");
    add_logging_options(app, raw.log_format, config.verbose);
}

std::string default_pod_name() {
    if (const char* host = std::getenv("HOSTNAME"); host != nullptr && *host != '\0') return host;
    std::array<char, 256> buffer{};
    return gethostname(buffer.data(), buffer.size() - 1) == 0 ? buffer.data() : "unknown";
}

std::optional<std::string> set_listen(const std::string& listen, SidecarConfig& config) {
    const auto colon = listen.rfind(':');
    int port = -1;
    if (colon != std::string::npos) {
        const char* first = listen.data() + colon + 1;
        const char* last = listen.data() + listen.size();
        const auto [end, error] = std::from_chars(first, last, port);
        if (error != std::errc{} || end != last) port = -1;
    }
    if (colon == std::string::npos || port < 0 || port > 65535) {
        return "--listen: '" + listen + "' is not host:port (e.g. 0.0.0.0:8733)";
    }
    config.listen_host = listen.substr(0, colon);
    if (config.listen_host.empty()) config.listen_host = "0.0.0.0";
    config.listen_port = port;
    return std::nullopt;
}

std::optional<std::string> set_expected_versions(const RawSidecarFlags& raw,
                                                 SidecarConfig& config) {
    if (!raw.max_version.empty()) config.max_version = MigrationVersion::parse(raw.max_version);
    // The gate's target, when the pod sets one for both (SCHEMAGATE_TARGET).
    const char* target = std::getenv("SCHEMAGATE_TARGET");
    if (!raw.expect.empty()) {
        config.expect = *MigrationVersion::parse(raw.expect);
    } else if (target != nullptr && *target != '\0') {
        const auto version = MigrationVersion::parse(target);
        if (!version) {
            return "SCHEMAGATE_TARGET: '" + std::string(target) +
                   "' is not a version (e.g. 7, 20240101120000, 2.0.10)";
        }
        config.expect = *version;
    } else {
        std::string error;
        auto release = release_files_in(raw.migrations, error);
        if (!release) return error + " (or give --expect N)";
        config.expect = release->highest;
        config.shipped = release->highest;
        config.contracts = std::move(release->contracts);
    }
    if (config.shipped.none()) config.shipped = config.max_version.value_or(config.expect);
    if (config.max_version && *config.max_version < config.expect) {
        return "--max-version: " + config.max_version->text() + " is below the expected version " +
               config.expect.text();
    }
    return std::nullopt;
}

std::optional<std::string> finish(const RawSidecarFlags& raw, SidecarConfig& config) {
    if (auto problem = set_listen(raw.listen, config)) return problem;
    if (auto problem = set_expected_versions(raw, config)) return problem;
    config.poll_interval = *parse_duration(raw.poll_interval);
    config.grace = *parse_duration(raw.grace);
    config.request_timeout = *parse_duration(raw.request_timeout);
    config.check_timeout = *parse_duration(raw.check_timeout);
    if (config.poll_interval < Millis{10}) return "--poll-interval: must be at least 10ms";
    if (config.request_timeout < Millis{100}) return "--request-timeout: must be at least 100ms";
    config.log_format = log_format_named(raw.log_format);
    config.on_outage = raw.on_outage == "unready" ? OnOutage::kUnready : OnOutage::kKeepLast;
    if (config.pod_name.empty()) config.pod_name = default_pod_name();
    return state_location_problem(config.state);
}

}  // namespace

std::variant<SidecarConfig, int> parse_sidecar_config(int argc, const char* const* argv) {
    // Before any argument is looked at: CLI11's messages quote arguments (see
    // parse_gate_config).
    register_secrets_in_process(argc, argv);
    SidecarConfig config;
    RawSidecarFlags raw;
    raw.poll_interval = format_duration(config.poll_interval);
    raw.grace = format_duration(config.grace);
    raw.request_timeout = format_duration(config.request_timeout);
    raw.check_timeout = format_duration(config.check_timeout);
    CLI::App app{"schemagate-sidecar: the readiness endpoint that reports the schema version.",
                 "schemagate-sidecar"};
    add_flags(app, config, raw);
    add_help_footer(app, kSidecarExitCodes);
    record_value_sources(app, argc, argv);
    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        return parse_error_exit_code(app, e, "schemagate-sidecar");
    }
    if (const auto problem = finish(raw, config)) return reject(*problem);
    config.database_url_source = database_url_source(argc, argv);
    return config;
}

}  // namespace schemagate
