// SPDX-License-Identifier: Apache-2.0
#include "gate_main.h"

#include <spdlog/spdlog.h>

#include "admin_commands.h"
#include "check_manifests_command.h"
#include "fleet_command.h"
#include "gate_config.h"
#include "interrupt.h"
#include "logging.h"
#include "migrate_command.h"
#include "notifier.h"
#include "plan_command.h"
#include "run_main.h"
#include "takeover_commands.h"
#include "termination_log.h"
#include "verify_command.h"

namespace schemagate {

namespace {

int run_command(const GateConfig& config) {
    switch (config.command) {
        case GateCommand::kMigrate:
            return run_migrate(config);
        case GateCommand::kContract:
            return run_contract(config);
        case GateCommand::kWait:
            return run_wait(config);
        case GateCommand::kStatus:
            return run_status(config);
        case GateCommand::kValidate:
            return run_validate(config);
        case GateCommand::kUnlock:
            return run_unlock(config);
        case GateCommand::kRepair:
            return run_repair(config);
        case GateCommand::kAdopt:
            return run_adopt(config);
        case GateCommand::kBaseline:
            return run_baseline(config);
        case GateCommand::kVerify:
            return run_verify(config);
        case GateCommand::kPlan:
            return run_plan(config);
        case GateCommand::kRetry:
            return run_retry(config);
        case GateCommand::kCheckManifests:
            return run_check_manifests(config);
        case GateCommand::kFleetMigrate:
            return run_fleet_migrate(config);
        case GateCommand::kFleetStatus:
            return run_fleet_status(config);
        case GateCommand::kFleetWait:
            return run_fleet_wait(config);
    }
    return to_int(ExitCode::kBadInput);
}

// The event a failed run posts, by its exit code; none for a stop by signal (every rollout
// stops pods: that is not news).
std::optional<std::string> failure_event(ExitCode code, const std::string& message) {
    switch (code) {
        case ExitCode::kMigrationFailed:
            return "migration_failed";
        case ExitCode::kDeadline:
            return "timeout";
        case ExitCode::kBadInput:
            return "bad_input";
        case ExitCode::kUnreachable:
            return "unreachable";
        case ExitCode::kStateRefused:
            if (message.rfind("hazard:", 0) == 0) return "hazard_refused";
            return message.find("dirty") != std::string::npos ? "dirty" : "refused";
        case ExitCode::kLeaseLost:
            return "lease_lost";
        default:
            return std::nullopt;
    }
}

void notify_failure(const GateConfig& config, ExitCode code, const std::string& message) {
    const auto event = failure_event(code, message);
    if (!event) return;
    notify_run_event(config.notify, config.state, config.holder, *event,
                     "schemagate " + config.state.name + " on " + config.holder + ": " + message +
                         " (exit " + std::to_string(to_int(code)) + ")",
                     {{"exit_code", to_int(code)}, {"error", message}});
}

}  // namespace

int gate_main(int argc, const char* const* argv) {
    auto parsed = parse_gate_config(argc, argv);
    if (const int* exit_code = std::get_if<int>(&parsed)) return *exit_code;
    const auto& config = std::get<GateConfig>(parsed);
    setup_logging("schemagate", config.log_format, config.verbose);
    Interrupt::install();
    return run_main([&config] { return run_command(config); },
                    [&config](ExitCode code, const std::string& message) {
                        log_event(spdlog::level::err, "run_failed",
                                  {{"exit_code", to_int(code)}, {"holder", config.holder}},
                                  fmt::format("{} (exit {})", message, to_int(code)));
                        write_termination_message(config.termination_log,
                                                  config.termination_log_explicit,
                                                  "schemagate: " + message);
                        notify_failure(config, code, message);
                    });
}

}  // namespace schemagate
