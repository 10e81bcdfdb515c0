// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <CLI/CLI.hpp>
#include <iostream>
#include <optional>
#include <string>
#include <string_view>

#include "byte_size.h"
#include "duration.h"
#include "exit_code.h"
#include "logging.h"
#include "migration_version.h"
#include "schema_state.h"
#include "secret_scrubber.h"
#include "value_sources.h"

namespace schemagate {

// CLI11 pieces both binaries' flag tables use.

// CLI11 check for duration flags, so that `--lease-ttl 30x` or `--lease-ttl 2000h` fails at
// parse time naming the flag, or the variable when the value came from the environment
// (value_sources.h), never later as an SQL error or an overflowed deadline.
inline CLI::Validator duration_in(Millis min, Millis max) {
    return {[min, max](std::string& value) -> std::string {
                const auto parsed = parse_duration(value);
                if (!parsed)
                    return "'" + value + "' is not a duration (use e.g. 500ms, 30s, 10m, 1h)";
                if (*parsed < min || *parsed > max) {
                    return "'" + value + "' is out of range: between " + format_duration(min) +
                           " and " + format_duration(max);
                }
                return {};
            },
            "DURATION"};
}

// CLI11 check for byte-size flags (--max-file-size), like duration_in.
inline CLI::Validator byte_size_in(std::uint64_t min, std::uint64_t max) {
    return {[min, max](std::string& value) -> std::string {
                const auto parsed = parse_byte_size(value);
                if (!parsed) return "'" + value + "' is not a size (use e.g. 512KiB, 16MiB, 1GiB)";
                if (*parsed < min || *parsed > max) {
                    return "'" + value + "' is out of range: between " + format_byte_size(min) +
                           " and " + format_byte_size(max);
                }
                return {};
            },
            "SIZE"};
}

// CLI11 check for version flags (--target, --expect, --max-version, repair --version).
inline CLI::Validator is_version() {
    return {[](std::string& value) -> std::string {
                if (MigrationVersion::parse(value)) return {};
                return "'" + value + "' is not a version (e.g. 7, 20240101120000, 2.0.10)";
            },
            "VERSION"};
}

// The flags both binaries share: where the database is, and which state tables and set.
inline void add_database_options(CLI::App& app, std::string& url, std::string& url_file,
                                 StateLocation& state) {
    app.add_option("--database-url", url,
                   "PostgreSQL URL or key=value string; else libpq's PG* variables")
        ->envname("DATABASE_URL");
    app.add_option("--database-url-file", url_file,
                   "File holding the database URL (a mounted Secret)")
        ->envname("SCHEMAGATE_DATABASE_URL_FILE");
    app.add_option("--schema", state.schema, "Schema of the lease and history tables")
        ->envname("SCHEMAGATE_SCHEMA")
        ->capture_default_str();
    app.add_option("--name", state.name, "Name of the migration set")
        ->envname("SCHEMAGATE_NAME")
        ->capture_default_str();
}

// --log-format and --verbose, the same in both binaries.
inline void add_logging_options(CLI::App& app, std::string& log_format, bool& verbose) {
    app.add_option("--log-format", log_format, "Log format")
        ->envname("SCHEMAGATE_LOG_FORMAT")
        ->check(CLI::IsMember({"text", "json"}))
        ->capture_default_str();
    app.add_flag("-v,--verbose", verbose, "Debug logging")->envname("SCHEMAGATE_VERBOSE");
}

inline LogFormat log_format_named(const std::string& name) {
    return name == "json" ? LogFormat::kJson : LogFormat::kText;
}

// Where the database URL came from, for messages about it: the flag when it is on the command
// line, else the variable.
inline std::string database_url_source(int argc, const char* const* argv) {
    for (int i = 1; i < argc; ++i) {
        const std::string_view arg(argv[i]);
        if (arg == "--database-url" || arg.rfind("--database-url=", 0) == 0) {
            return "--database-url";
        }
    }
    return "DATABASE_URL";
}

// A flag value that parsed but makes no sense: one line naming the flag (or the variable that
// gave the value), and exit 3.
inline int reject_flag(const std::string& program, const std::string& message) {
    std::cerr << program << ": error: " << scrub(name_value_source(message)) << '\n';
    return to_int(ExitCode::kBadInput);
}

// What is wrong with --name/--schema, if anything.
inline std::optional<std::string> state_location_problem(const StateLocation& state) {
    if (state.name.empty()) return "--name: must not be empty";
    if (state.schema.empty()) return "--schema: must not be empty";
    return std::nullopt;
}

// What a failed parse means: --help and --version print and exit 0; anything else is one
// line on stderr naming the flag, and exit 3.
inline int parse_error_exit_code(const CLI::App& app, const CLI::ParseError& error,
                                 const std::string& program) {
    if (dynamic_cast<const CLI::CallForVersion*>(&error) != nullptr) {
        std::cout << scrub(app.version()) << '\n';
        return 0;
    }
    if (dynamic_cast<const CLI::CallForAllHelp*>(&error) != nullptr) {
        std::cout << scrub(app.help("", CLI::AppFormatMode::All));
        return 0;
    }
    // Help asked of a subcommand arrives as that subcommand's CallForHelp.
    if (error.get_exit_code() == 0) {
        std::cout << scrub(app.help());
        return 0;
    }
    // CLI11 quotes the arguments it could not place: scrubbed like every other output. It
    // names an option by its flag even when the value came from its variable.
    std::cerr << program << ": error: " << scrub(name_value_source(error.what()))
              << " (see --help)\n";
    return to_int(ExitCode::kBadInput);
}

}  // namespace schemagate
