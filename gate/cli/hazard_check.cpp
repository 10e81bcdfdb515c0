// SPDX-License-Identifier: Apache-2.0
#include "hazard_check.h"

#include <spdlog/spdlog.h>

#include <pqxx/nontransaction>
#include <pqxx/result_iterator.hxx>

#include "db_failure.h"
#include "errors.h"
#include "logging.h"
#include "migration_name.h"
#include "notifier.h"

namespace schemagate {

namespace {

void log_hazard(const Hazard& hazard) {
    nlohmann::json fields = hazard_json(hazard);
    fields.erase("alternative");
    log_event(hazard.blocking && !hazard.allowed ? spdlog::level::warn : spdlog::level::info,
              "hazard", fields, "hazard: " + hazard_line(hazard));
}

}  // namespace

HazardVerdict check_hazards(pqxx::connection& connection, const GateConfig& config,
                            const std::vector<const Migration*>& pending) {
    if (config.hazards.mode == HazardMode::kOff || pending.empty()) return HazardVerdict::kGo;
    const auto judged = translate_db_errors(
        [&] { return size_hazards(connection, pending, config.hazards.threshold_bytes); });
    const MigrationHazards* first = nullptr;
    for (const MigrationHazards& migration : judged) {
        for (const Hazard& hazard : migration.hazards) log_hazard(hazard);
        if (first == nullptr && migration.first_unallowed_blocking() != nullptr) first = &migration;
    }
    if (first == nullptr) return HazardVerdict::kGo;
    const std::string reason = hazard_refusal(*first, *first->first_unallowed_blocking());
    switch (config.hazards.mode) {
        case HazardMode::kRefuse:
            throw FatalError(ExitCode::kStateRefused, reason);
        case HazardMode::kDefer:
            log_event(
                spdlog::level::warn, "hazard_deferred", {{"file", first->migration->file}},
                "deferred to the migration Job (--hazards=defer), applying nothing: " + reason);
            return HazardVerdict::kDefer;
        case HazardMode::kWarn:
        case HazardMode::kOff:
            break;
    }
    notify_run_event(config.notify, config.state, config.holder, "hazard",
                     "schemagate " + config.state.name + " on " + config.holder +
                         " runs a hazardous migration (--hazards=warn): " +
                         hazard_line(*first->first_unallowed_blocking()),
                     hazard_json(*first->first_unallowed_blocking()));
    return HazardVerdict::kGo;
}

nlohmann::json read_allowed_hazards(pqxx::connection& connection, const StateLocation& where) {
    nlohmann::json out = nlohmann::json::array();
    if (!state_tables_exist(connection, where)) return out;
    pqxx::result rows;
    try {
        rows = translate_db_errors([&] {
            pqxx::nontransaction work(connection);
            return work.exec_params(
                "SELECT version::text, file, allowed_hazards::text FROM " +
                    qualified(connection, where, StateTable::kHistory) +
                    " WHERE name = $1 AND allowed_hazards IS NOT NULL ORDER BY version",
                where.name);
        });
    } catch (const DbError& e) {
        if (e.is(sqlstate::kUndefinedColumn) || e.is(sqlstate::kUndefinedTable)) return out;
        throw;
    }
    for (const auto& row : rows) {
        for (auto allowance : nlohmann::json::parse(row[2].as<std::string>())) {
            allowance["version"] = version_from_sql(row[0].as<std::string>()).text();
            allowance["file"] = row[1].as<std::string>();
            out.push_back(std::move(allowance));
        }
    }
    return out;
}

}  // namespace schemagate
