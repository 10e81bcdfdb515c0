// SPDX-License-Identifier: Apache-2.0
#include "plan_command.h"

#include <fmt/format.h>

#include <algorithm>
#include <iostream>

#include "admin_commands.h"
#include "contract_plan.h"
#include "duration.h"
#include "errors.h"
#include "live_readers.h"
#include "migration_name.h"
#include "plan.h"
#include "state_store.h"
#include "takeover_commands.h"
#include "version_json.h"

namespace schemagate {

namespace {

std::string first_code_line(const std::string& text);

std::string transaction_mode(const Migration& migration) {
    if (migration.batch) {
        const BatchOptions& batch = *migration.batch;
        return "in batches of " + std::to_string(batch.size) + " rows, one transaction each, " +
               format_duration(batch.pause) + " apart" +
               (batch.key_type ? ", keyset on " + *batch.key_type : "") +
               ", until a batch processes no rows";
    }
    if (!migration.no_transaction && !migration.opening.empty()) {
        return "in one transaction, opened by the file's own " +
               first_code_line(migration.opening.front().text);
    }
    if (!migration.no_transaction) return "in one transaction";
    return "without a transaction (" + migration.no_transaction_reason + ")" +
           (migration.mixed ? "; a failure midway leaves it partly applied and dirty" : "");
}

// The statement's first line that is not a comment (the line its `line` points at), marked
// when more follows: enough to recognise it.
std::string first_code_line(const std::string& text) {
    std::size_t start = 0;
    while (start < text.size()) {
        const std::size_t end = std::min(text.find('\n', start), text.size());
        const std::string line = text.substr(start, end - start);
        const auto code = line.find_first_not_of(" \t");
        if (code != std::string::npos && line.compare(code, 2, "--") != 0) {
            return line.substr(code) + (end < text.size() ? " ..." : "");
        }
        start = end + 1;
    }
    return text;
}

const char* hazard_mode_text(HazardMode mode) {
    switch (mode) {
        case HazardMode::kRefuse:
            return "refuse";
        case HazardMode::kDefer:
            return "defer";
        case HazardMode::kWarn:
            return "warn";
        case HazardMode::kOff:
            break;
    }
    return "off";
}

const MigrationHazards* hazards_of(const PlanReport& report, const Migration* migration) {
    for (const MigrationHazards& judged : report.hazards) {
        if (judged.migration == migration) return &judged;
    }
    return nullptr;
}

nlohmann::json hazards_json(const PlanReport& report, const Migration* migration) {
    nlohmann::json out = nlohmann::json::array();
    if (const MigrationHazards* judged = hazards_of(report, migration)) {
        for (const Hazard& hazard : judged->hazards) out.push_back(hazard_json(hazard));
    }
    return out;
}

// plan, with --hazards not off: the pending migrations' hazards on this database, and the
// refusal migrate would give.
void add_hazards(pqxx::connection& connection, const GateConfig& config, PlanReport& report) {
    report.policy = config.hazards;
    if (config.hazards.mode == HazardMode::kOff) return;
    report.hazards = size_hazards(connection, report.pending, config.hazards.threshold_bytes);
    if (config.hazards.mode == HazardMode::kWarn) return;
    for (const MigrationHazards& judged : report.hazards) {
        if (const Hazard* hazard = judged.first_unallowed_blocking()) {
            if (config.hazards.mode == HazardMode::kDefer) {
                report.deferred = hazard_refusal(judged, *hazard);
            } else {
                report.refusals.push_back(hazard_refusal(judged, *hazard));
            }
            return;
        }
    }
}

}  // namespace

nlohmann::json plan_json(const PlanReport& report) {
    using nlohmann::json;
    json pending = json::array();
    for (const Migration* migration : report.pending) {
        json statements = json::array();
        for (const auto& statement : migration->statements) {
            statements.push_back({{"line", statement.line}, {"sql", statement.text}});
        }
        pending.push_back(
            {{"version", migration->repeatable ? json(nullptr) : version_json(migration->version)},
             {"description", migration->description},
             {"file", migration->file},
             {"transaction", !migration->no_transaction},
             {"mode", transaction_mode(*migration)},
             {"statements", statements},
             {"hazards", hazards_json(report, migration)},
             {"checks", migration->checks.size()},
             {"checks_file",
              migration->verify_file.empty() ? json(nullptr) : json(migration->verify_file)}});
    }
    return {{"current_version", version_json(report.current)},
            {"target_version", version_json(report.target)},
            {"pending", pending},
            {"refusals", report.refusals},
            {"hazard_policy",
             {{"mode", hazard_mode_text(report.policy.mode)},
              {"threshold_bytes", report.policy.threshold_bytes}}},
            {"deferred_contracts", report.deferred_contracts},
            {"would", !report.refusals.empty()   ? "refuse"
                      : report.pending.empty()   ? "nothing"
                      : !report.deferred.empty() ? "defer"
                                                 : "apply"}};
}

std::string plan_text(const PlanReport& report) {
    std::string out = deferred_contracts_text(report.deferred_contracts);
    out += fmt::format("at {}, target {}: ", version_label(report.current),
                       version_label(report.target));
    if (!report.refusals.empty()) {
        out += "migrate would refuse:\n";
        for (const auto& refusal : report.refusals) out += "  " + refusal + "\n";
        if (report.pending.empty()) return out;
        out += "and behind that, pending:\n";
    } else if (report.pending.empty()) {
        return out + "nothing to do\n";
    } else {
        if (!report.deferred.empty()) {
            out +=
                "migrate would apply nothing and wait for the migration Job (--hazards=defer): " +
                report.deferred + "\n";
        }
        out += fmt::format("{} migration{} to apply, in this order:\n", report.pending.size(),
                           report.pending.size() == 1 ? "" : "s");
    }
    for (const Migration* migration : report.pending) {
        out += fmt::format("{} ({}) {}\n", label(*migration), migration->file,
                           transaction_mode(*migration));
        for (const auto& statement : migration->statements) {
            out +=
                fmt::format("  line {:>4}: {}\n", statement.line, first_code_line(statement.text));
        }
        if (const MigrationHazards* judged = hazards_of(report, migration)) {
            for (const Hazard& hazard : judged->hazards) {
                out += "  hazard " + hazard_line(hazard) + "\n";
            }
        }
        if (!migration->checks.empty()) {
            out += fmt::format("  then {} check{} from {}, {}\n", migration->checks.size(),
                               migration->checks.size() == 1 ? "" : "s", migration->verify_file,
                               migration->no_transaction
                                   ? "after it (a failing one leaves it dirty)"
                                   : "before COMMIT (a failing one rolls it back)");
        }
    }
    return out;
}

int run_plan(const GateConfig& config) {
    const MigrationSet files = load_migration_set(config.migrations_dir, config.limits);
    check_allowances(files);
    PlanReport report;
    report.target = choose_target(files, config.target);
    const Connection connection = connect_for_admin(config);
    const StateStore store(config.state);
    if (const auto takeover = takeover_needed(*connection, config)) {
        report.refusals.push_back(*takeover);
    }
    const auto history = store.read_history(*connection);
    // Read after the history: unfinished_token needs a look taken after it.
    const SchemaState state = read_schema_state(*connection, config.state);
    Applied applied{history.value_or(std::vector<AppliedMigration>{}), {}};
    if (history && !files.repeatables.empty())
        applied.repeatables = store.read_repeatables(*connection);
    try {
        const Plan plan =
            make_plan(files, applied, migrate_stop(files, applied.history, report.target),
                      unfinished_token(applied.history, state.dirty.has_value()));
        report.current = plan.current;
        report.pending = plan.pending;
        if (const auto refusal = contracted_past(highest_applied_contract(applied.history),
                                                 files.highest_version())) {
            report.refusals.push_back(*refusal);
        }
        const auto deferred = pending_contracts(files, applied.history, report.target);
        if (!deferred.empty()) {
            report.deferred_contracts =
                deferred_contracts_json(deferred, read_live_readers(*connection, config.state));
        }
    } catch (const FatalError& e) {
        report.current = state.version.value_or(MigrationVersion{});
        report.refusals.emplace_back(e.what());
    }
    add_hazards(*connection, config, report);
    for (const auto& failure : store.read_failures(*connection)) {
        for (const Migration* migration : report.pending) {
            if (migration->repeatable || migration->version != failure.version) continue;
            if (migration->checksum != failure.checksum) continue;
            report.refusals.push_back(label(*migration) + " failed before and would not run " +
                                      "again (" + failure.message + "; `schemagate retry " +
                                      "--version " + failure.version.text() + "` clears it)");
            report.stopped_by_failure = true;
        }
    }
    std::cout << (config.json ? plan_json(report).dump(2) + "\n" : plan_text(report));
    if (report.refusals.empty()) return 0;
    return report.stopped_by_failure && report.refusals.size() == 1
               ? to_int(ExitCode::kMigrationFailed)
               : to_int(ExitCode::kStateRefused);
}

}  // namespace schemagate
