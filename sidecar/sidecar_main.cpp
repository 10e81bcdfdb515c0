// SPDX-License-Identifier: Apache-2.0
#include "sidecar_main.h"

#include <spdlog/spdlog.h>

#include <chrono>
#include <memory>
#include <thread>

#include "errors.h"
#include "interrupt.h"
#include "probe_server.h"
#include "reader_name.h"
#include "run_main.h"
#include "sidecar_config.h"
#include "version.h"
#include "version_watcher.h"

namespace schemagate {

namespace {

// The session's name makes this pod a live reader of the schema (reader_name.h): the release
// it belongs to and the versions it runs against, from before its first contract migration.
std::string reader_application_name(const SidecarConfig& config) {
    ReaderIdentity reader;
    reader.set_tag = reader_set_tag(config.state);
    reader.shipped = config.shipped;
    reader.since_unix = std::chrono::duration_cast<std::chrono::seconds>(
                            std::chrono::system_clock::now().time_since_epoch())
                            .count();
    reader.expect = config.contracts.empty()
                        ? config.expect
                        : std::min(config.contracts.front().before, config.expect);
    reader.max_version = config.max_version;
    reader.pod = config.pod_name;
    const auto name = encode_reader_name(reader);
    if (!name) {
        throw FatalError(ExitCode::kBadInput,
                         "version " + config.shipped.text() +
                             " is too long to show this pod as a live reader of the schema "
                             "(application_name holds 63 bytes)");
    }
    return *name;
}

// The server ends a session idle this long: a frozen sidecar (SIGSTOP, a paused node) stops
// counting as a live reader then, though its socket stays open. A healthy one is never idle
// longer than a poll interval.
std::string idle_session_timeout(const SidecarConfig& config) {
    return std::to_string((config.poll_interval * 3 + config.check_timeout).count());
}

}  // namespace

int sidecar_main(int argc, const char* const* argv) {
    auto parsed = parse_sidecar_config(argc, argv);
    if (const int* exit_code = std::get_if<int>(&parsed)) return *exit_code;
    const auto& config = std::get<SidecarConfig>(parsed);
    setup_logging("schemagate-sidecar", config.log_format, config.verbose);
    Interrupt::install();
    return run_main(
        [&config]() -> int {
            ConnectOptions connect;
            connect.target = resolve_database_target(config.database_url, config.database_url_file,
                                                     config.database_url_source);
            if (config.database_url.empty()) connect.url_file = config.database_url_file;
            connect.application_name = reader_application_name(config);
            connect.server_settings = {{"idle_session_timeout", idle_session_timeout(config)}};
            connect.server_settings_since = 140000;  // PostgreSQL 14
            // Bind first: a port in use is a configuration error to report before anything else.
            std::unique_ptr<VersionWatcher> watcher;
            ProbeServer server(
                config, [&watcher] { return watcher ? watcher->snapshot() : SchemaSnapshot{}; });
            const int port = server.bind();
            watcher = std::make_unique<VersionWatcher>(connect, config.state, config.poll_interval,
                                                       config.check_timeout);
            server.start();
            spdlog::info(
                "schemagate-sidecar {} listening on {}:{}, expecting version {}{}, database {}, "
                "reading as '{}'",
                kVersion, config.listen_host, port, config.expect.text(),
                config.max_version ? " to " + config.max_version->text() : "",
                connect.target.description, connect.application_name);
            std::thread http([&server] { server.serve(); });
            while (!Interrupt::wait_for(Millis{60'000})) {
            }
            spdlog::info("signal {}: draining and stopping", Interrupt::signal_number());
            // The watcher stops while the server drains (at most 0.8 s); its destructor then
            // waits for nothing the network can hold up: exit within a second.
            watcher->stop();
            server.stop();
            http.join();
            return 0;
        },
        [](ExitCode code, const std::string& message) {
            spdlog::error("{} (exit {})", message, to_int(code));
        });
}

}  // namespace schemagate
