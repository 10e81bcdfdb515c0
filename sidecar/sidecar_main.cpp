// SPDX-License-Identifier: Apache-2.0
#include "sidecar_main.h"

#include <spdlog/spdlog.h>

#include <memory>
#include <thread>

#include "errors.h"
#include "interrupt.h"
#include "probe_server.h"
#include "run_main.h"
#include "sidecar_config.h"
#include "version.h"
#include "version_watcher.h"

namespace schemagate {

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
            connect.application_name = "schemagate-sidecar";
            // Bind first: a port in use is a configuration error to report before anything else.
            std::unique_ptr<VersionWatcher> watcher;
            ProbeServer server(
                config, [&watcher] { return watcher ? watcher->snapshot() : SchemaSnapshot{}; });
            const int port = server.bind();
            watcher = std::make_unique<VersionWatcher>(connect, config.state, config.poll_interval,
                                                       config.check_timeout);
            server.start();
            spdlog::info(
                "schemagate-sidecar {} listening on {}:{}, expecting version {}{}, database {}",
                kVersion, config.listen_host, port, config.expect.text(),
                config.max_version ? " to " + config.max_version->text() : "",
                connect.target.description);
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
