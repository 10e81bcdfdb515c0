// SPDX-License-Identifier: Apache-2.0
#include "admin_commands.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <filesystem>
#include <iostream>
#include <pqxx/nontransaction>
#include <pqxx/result_iterator.hxx>

#include "connect_options.h"
#include "connection.h"
#include "contract_plan.h"
#include "database_target.h"
#include "db_failure.h"
#include "errors.h"
#include "hazard_check.h"
#include "hazard_rules.h"
#include "lease.h"
#include "live_readers.h"
#include "notifier.h"
#include "plan.h"
#include "state_store.h"
#include "status_report.h"

namespace schemagate {

namespace {

// Operator commands are interactive: a server that does not answer within this is reported,
// not waited for like an initContainer would.
constexpr Millis kAdminConnectBudget{15'000};
// unlock --force waits this long for a migration that is committing to finish.
constexpr Millis kBreakLockWait{10'000};

}  // namespace

Connection connect_for_admin(const GateConfig& config) {
    // Without any database named, libpq would try a local socket that is almost never the
    // one meant: say so at once instead of retrying it for the whole budget.
    if (!database_target_given(config.database_url, config.database_url_file)) {
        throw FatalError(ExitCode::kBadInput,
                         "--database-url: no database given (DATABASE_URL, --database-url-file, "
                         "or libpq's PGHOST/PGDATABASE/PGSERVICE)");
    }
    return connect_until(connect_options(config, "schemagate admin"),
                         Deadline(kAdminConnectBudget));
}

int run_status(const GateConfig& config) {
    std::optional<MigrationSet> files;
    std::optional<MigrationVersion> target = config.target;
    if (std::filesystem::is_directory(config.migrations_dir)) {
        files = load_migration_set(config.migrations_dir, config.limits);
        if (!files->migrations.empty() || target) target = choose_target(*files, config.target);
    }
    const Connection connection = connect_for_admin(config);
    const SchemaState state = read_schema_state(*connection, config.state);
    const auto history = StateStore(config.state).read_history(*connection);
    auto report =
        status_json(config.state, state, history.value_or(std::vector<AppliedMigration>{}),
                    files ? &*files : nullptr, target);
    report["allowed_hazards"] = read_allowed_hazards(*connection, config.state);
    if (files && target) {
        const auto deferred =
            pending_contracts(*files, history.value_or(std::vector<AppliedMigration>{}), *target);
        report["contracts"] = deferred_contracts_json(
            deferred, deferred.empty() ? std::vector<LiveReader>{}
                                       : read_live_readers(*connection, config.state));
    }
    report["adopted"] = nullptr;
    if (const auto adopted = StateStore(config.state).read_adoption(*connection)) {
        report["adopted"] = {{"source", adopted->source},
                             {"up_to", adopted->up_to},
                             {"at", adopted->adopted_at},
                             {"by", adopted->adopted_by}};
    }
    if (state.lease) {
        // An expiry in the past says "free", but a transaction frozen on the row says otherwise.
        auto lockers = nlohmann::json::array();
        for (const auto& locker :
             Lease(config.state, config.holder, config.lease_ttl).row_lockers(*connection)) {
            lockers.push_back({{"pid", locker.pid},
                               {"application_name", locker.application_name},
                               {"state", locker.state},
                               {"since", locker.since}});
        }
        report["lease"]["row_locked_by"] = lockers;
    }
    std::cout << (config.json ? report.dump(2) + "\n" : status_text(report));
    if (!config.status_exit_code) return 0;
    // For scripts: 5 dirty or drifted (what `migrate` refuses), 1 a remembered failure, 2
    // behind the target (as `wait` past its deadline), 0 up to date.
    if (!report["dirty"].is_null() || !report["drift"].empty()) {
        return to_int(ExitCode::kStateRefused);
    }
    if (!report["failure"].is_null()) return to_int(ExitCode::kMigrationFailed);
    if (report["up_to_date"] == false) return to_int(ExitCode::kDeadline);
    return 0;
}

int run_validate(const GateConfig& config) {
    const MigrationSet files = load_migration_set(config.migrations_dir, config.limits);
    const MigrationVersion target = choose_target(files, config.target);
    std::cout << "ok: " << files.migrations.size() << " migration files in " << files.directory
              << ", highest " << version_label(files.highest_version());
    if (!files.repeatables.empty()) std::cout << ", " << files.repeatables.size() << " repeatable";
    std::cout << '\n';
    for (const auto& migration : files.migrations) {
        if (!migration.no_transaction) continue;
        std::cout << label(migration) << " (" << migration.file << ") runs without a transaction ("
                  << migration.no_transaction_reason << ")"
                  << (migration.mixed ? "; a failure midway leaves it partly applied and dirty"
                                      : "")
                  << '\n';
    }
    check_allowances(files);
    // Offline: the rules alone (no sizes; plan and migrate judge them on the live database).
    for (const auto* set : {&files.migrations, &files.repeatables}) {
        for (const Migration& migration : *set) {
            for (const Hazard& hazard : migration_hazards(migration, std::nullopt)) {
                std::cout << "hazard " << hazard_line(hazard) << '\n';
            }
        }
    }
    if (!database_target_given(config.database_url, config.database_url_file)) {
        std::cout << "no database given: checksums of applied migrations not checked\n";
        return 0;
    }
    const Connection connection = connect_for_admin(config);
    const StateStore store(config.state);
    const auto history = store.read_history(*connection);
    const Applied applied{
        history.value_or(std::vector<AppliedMigration>{}),
        history ? store.read_repeatables(*connection) : std::map<std::string, std::string>{}};
    const Plan plan = make_plan(files, applied, target);
    std::cout << "ok: database at " << version_label(plan.current) << ", checksums of "
              << (history ? history->size() : 0) << " applied migrations match, "
              << plan.pending.size() << " pending\n";
    return 0;
}

int run_unlock(const GateConfig& config) {
    const Connection connection = connect_for_admin(config);
    const SchemaState state = read_schema_state(*connection, config.state);
    const Lease breaker(config.state, "schemagate unlock", Millis{30'000});
    const auto lockers = state.lease ? breaker.row_lockers(*connection) : std::vector<RowLocker>{};
    const bool held = state.lease && !state.lease->holder.empty() && !state.lease->expired;
    if (!held && lockers.empty()) {
        std::cout << "lease " << config.state.name << " is free\n";
        return 0;
    }
    if (held) {
        const LeaseInfo& lease = *state.lease;
        std::cout << "lease " << config.state.name << " held by " << lease.holder << " (token "
                  << lease.token << ") since " << lease.acquired_at << ", expires "
                  << lease.expires_at << '\n';
    }
    for (const auto& locker : lockers) {
        std::cout << "lease row locked by pid " << locker.pid << " (" << locker.application_name
                  << "), " << locker.state << " since " << locker.since << '\n';
    }
    if (!config.force) {
        std::cout << "use --force to break it; the holder will be fenced and exit 6\n";
        return 0;
    }
    try {
        const BrokenLease broken =
            translate_db_errors([&] { return breaker.force_break(*connection, kBreakLockWait); });
        for (const auto& locker : broken.terminated) {
            spdlog::warn("ended session pid {} ({}, {} since {}): it held the lease row",
                         locker.pid, locker.application_name, locker.state, locker.since);
        }
        spdlog::warn("broke the lease of {} (token {})",
                     broken.before && !broken.before->holder.empty() ? broken.before->holder
                                                                     : std::string("nobody"),
                     broken.before ? broken.before->token : 0);
    } catch (const ConnectionLost& e) {
        throw FatalError(ExitCode::kUnreachable,
                         "could not break the lease: " + e.failure().message);
    } catch (const DbError& e) {
        throw FatalError(ExitCode::kStateRefused,
                         "could not break the lease: " + e.failure().message);
    }
    std::cout << "lease broken\n";
    notify_run_event(config.notify, config.state, config.holder, "lease_broken",
                     "schemagate " + config.state.name + ": lease broken by " + config.holder +
                         " (unlock --force)",
                     nlohmann::json::object());
    return 0;
}

int run_repair(const GateConfig& config) {
    const Connection connection = connect_for_admin(config);
    const SchemaState state = read_schema_state(*connection, config.state);
    if (!state.dirty || state.dirty->version != config.repair_version) {
        throw FatalError(
            ExitCode::kBadInput,
            "--version: " + version_label(config.repair_version) + " is not dirty" +
                (state.dirty ? " (the dirty one is " + version_label(state.dirty->version) + ")"
                             : ""));
    }
    const std::size_t changed =
        StateStore(config.state)
            .repair(*connection, config.repair_version, config.repair_mark_applied);
    spdlog::warn("repair: {} ({}) {}", version_label(config.repair_version), state.dirty->file,
                 config.repair_mark_applied ? "marked applied" : "record removed; it runs again");
    std::cout << "repaired " << changed << " record\n";
    if (!config.repair_mark_applied) {
        // An interrupted CREATE INDEX CONCURRENTLY leaves its index behind, INVALID: the
        // migration's next run would fail with "already exists".
        pqxx::nontransaction session(*connection);
        const auto invalid = session.exec(
            "SELECT format('%I.%I', n.nspname, c.relname) FROM pg_index i "
            "JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE NOT i.indisvalid ORDER BY 1");
        for (const auto& row : invalid) {
            const auto index = row[0].as<std::string>();
            spdlog::warn(
                "index {} is INVALID (an interrupted CREATE INDEX CONCURRENTLY leaves "
                "one): drop it with `DROP INDEX CONCURRENTLY {}` before the migration "
                "runs again, or it fails with \"already exists\"",
                index, index);
        }
    }
    return 0;
}

int run_retry(const GateConfig& config) {
    const Connection connection = connect_for_admin(config);
    const StateStore store(config.state);
    const auto failures = store.read_failures(*connection);
    const auto recorded = std::find_if(failures.begin(), failures.end(), [&](const auto& f) {
        return f.version == config.repair_version;
    });
    if (recorded == failures.end()) {
        std::cout << "no failure of " << version_label(config.repair_version)
                  << " is remembered: nothing to clear\n";
        return 0;
    }
    store.clear_failure(*connection, config.repair_version);
    spdlog::warn("retry: the failure of {} ({} at {}) is forgotten; the next gate runs it again",
                 version_label(config.repair_version), recorded->file, recorded->failed_at);
    std::cout << "cleared the failure of " << version_label(config.repair_version) << " ("
              << recorded->file << ", failed at " << recorded->failed_at << ")\n";
    return 0;
}

}  // namespace schemagate
