// SPDX-License-Identifier: Apache-2.0
#include "takeover_commands.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <iostream>
#include <pqxx/nontransaction>

#include "atlas_liquibase_history.h"
#include "connect_options.h"
#include "connection.h"
#include "db_failure.h"
#include "errors.h"
#include "gate_connection.h"
#include "heartbeat.h"
#include "interrupt.h"
#include "migration_name.h"
#include "other_tools.h"

namespace schemagate {

namespace {

[[noreturn]] void refuse(const std::string& message) {
    throw FatalError(ExitCode::kStateRefused, message + "; nothing was changed");
}

void print_adoption(const Adoption& adoption);

// Under the lease, as a holder keeps it: a heartbeat renews it while `decide` reads the other
// tool's history (however long that takes), the write is fenced, and the lease is released
// whatever happens.
template <typename Decide>
void write_under_lease(GateConnection& db, const StateStore& store, const Lease& lease,
                       const LeaseGrant& grant, Decide& decide) {
    try {
        const Heartbeat heartbeat(db.options(), lease, grant, [] {});
        if (const auto adoption = decide(db.get(), store, true)) {
            if (heartbeat.lost()) {
                throw FatalError(ExitCode::kLeaseLost, "lease lost while reading the history");
            }
            if (!write_adoption(db.get(), store, lease, grant, *adoption)) {
                refuse("another process recorded history meanwhile");
            }
            print_adoption(*adoption);
        }
    } catch (const Error&) {
        try {
            translate_db_errors([&] { lease.release(db.get_quickly(), grant); });
        } catch (const Error&) {
            // It expires after the ttl; the failure matters more.
        }
        throw;
    }
    lease.release(db.get(), grant);
}

// Decides with `decide` (read-only: it refuses, or returns nullopt when there is nothing to
// do) before anything is written, then takes the lease (waiting for it until --timeout),
// decides again under it, and writes.
template <typename Decide>
void take_over(const GateConfig& config, Decide&& decide) {
    const Deadline deadline(config.timeout);
    // The holder's own session: no query outlives --timeout, whatever the network does.
    GateConnection db(connect_options(config, "schemagate " + config.holder), deadline);
    const StateStore store(config.state);
    if (!decide(db.get(), store, false)) return;
    store.bootstrap(db.get());
    const Lease lease(config.state, config.holder, config.lease_ttl);
    Backoff backoff(Millis{100}, config.poll_interval);
    for (;;) {
        const AcquireOutcome outcome = lease.try_acquire(db.get());
        if (const auto* acquired = std::get_if<LeaseGrant>(&outcome)) {
            write_under_lease(db, store, lease, *acquired, decide);
            return;
        }
        if (deadline.passed()) {
            throw FatalError(ExitCode::kDeadline,
                             "the lease is held by " + std::get<LeaseHeld>(outcome).by.holder +
                                 " until the deadline (--timeout " +
                                 format_duration(config.timeout) + "): a migration is running");
        }
        if (Interrupt::wait_for(next_wait(backoff, deadline))) {
            throw FatalError(Interrupt::exit_code(), "interrupted while waiting for the lease");
        }
    }
}

// True when this set already has history: then the adoption is done (same source) or refused.
bool already_managed(pqxx::connection& connection, const StateStore& store, const std::string& name,
                     const std::string& source, bool second_look) {
    const auto history = store.read_history(connection);
    if (!history || history->empty()) return false;
    const auto adopted = store.read_adoption(connection);
    if (adopted && adopted->source == source) {
        if (second_look) return true;
        std::cout << "already taken over from " << adopted->source << " at " << adopted->adopted_at
                  << " by " << adopted->adopted_by << " (up to V" << adopted->up_to
                  << "); nothing to do\n";
        return true;
    }
    refuse("schemagate already has history for migration set '" + name + "'" +
           (adopted ? " (taken over from " + adopted->source + ")" : std::string()) +
           ": adopt and baseline are for a database schemagate does not manage yet");
}

std::string summaries(const std::vector<ForeignHistory>& found) {
    std::string names;
    for (const auto& history : found) names += (names.empty() ? "" : ", ") + history.summary();
    return names;
}

// `found` is every candidate in every schema the role can read (find_other_histories), only
// the --from tool's when given.
const ForeignHistory& choose_tool(const std::vector<ForeignHistory>& found,
                                  const std::optional<std::string>& from) {
    const bool one_tool =
        !found.empty() && std::all_of(found.begin(), found.end(), [&](const ForeignHistory& h) {
            return h.tool == found.front().tool;
        });
    if (found.size() > 1 && one_tool) {
        refuse("several " + tool_name(found.front().tool) + " history tables found (" +
               summaries(found) + "): say which with --from " + tool_name(found.front().tool) +
               " --table [schema.]name");
    }
    if (from) {
        if (!found.empty()) return found.front();
        refuse("--from " + *from + ": no " + *from +
               " history table in any schema this role can read (its default names; another "
               "name: --table [schema.]name)");
    }
    if (found.empty()) {
        refuse(
            "no other tool's history table found (flyway_schema_history, schema_version, "
            "schema_migrations, goose_db_version in any schema this role can read; "
            "_prisma_migrations, __diesel_schema_migrations, _sqlx_migrations, "
            "atlas_schema_revisions, databasechangelog on the search_path; another name: --from "
            "TOOL --table [schema.]name): for a database no tool manages, use "
            "`schemagate baseline --version V`");
    }
    if (found.size() > 1) {
        refuse("several tools' tables found (" + summaries(found) + "): say which with --from");
    }
    return found.front();
}

void print_adoption(const Adoption& adoption) {
    std::cout << "took over " << adoption.migrations.size() << " migration"
              << (adoption.migrations.size() == 1 ? "" : "s") << " from " << adoption.source
              << (adoption.up_to.none() ? "" : ", up to " + version_label(adoption.up_to)) << '\n';
    for (const auto& adopted : adoption.migrations) {
        std::cout << "  " << label(*adopted.file) << " (" << adopted.file->file << ")"
                  << (adopted.applied_at.empty() ? "" : " applied " + adopted.applied_at) << " by "
                  << adopted.applied_by << '\n';
    }
    for (const auto& adopted : adoption.without_file) {
        std::cout << "  " << version_label(adopted.version) << " (" << adopted.script
                  << ") without a file, as --accept-missing says, by " << adopted.applied_by
                  << '\n';
    }
}

}  // namespace

int run_adopt(const GateConfig& config) {
    const MigrationSet files = load_migration_set(config.migrations_dir, config.limits);
    take_over(
        config,
        [&](pqxx::connection& connection, const StateStore& store,
            bool second_look) -> std::optional<Adoption> {
            const auto tool = config.adopt_from ? tool_named(*config.adopt_from) : std::nullopt;
            const auto found = find_other_histories(connection, tool, config.adopt_table);
            const ForeignHistory& history = choose_tool(found, config.adopt_from);
            if (already_managed(connection, store, config.state.name, tool_name(history.tool),
                                second_look)) {
                return std::nullopt;
            }
            if (second_look) {
                spdlog::info("taking over migration set '{}' from {}", config.state.name,
                             history.summary());
            }
            return plan_adoption(files, matched_to_files(history, files, config.accept_checksums),
                                 config.accept_checksums, config.accept_missing);
        });
    return 0;
}

int run_baseline(const GateConfig& config) {
    const MigrationSet files = load_migration_set(config.migrations_dir, config.limits);
    const MigrationVersion version = config.baseline_version.value_or(MigrationVersion{});
    take_over(
        config,
        [&](pqxx::connection& connection, const StateStore& store,
            bool second_look) -> std::optional<Adoption> {
            Adoption adoption = plan_baseline(files, version);
            if (already_managed(connection, store, config.state.name, adoption.source,
                                second_look)) {
                return std::nullopt;
            }
            // Anywhere the role can read: a tool keeping its table in a schema of its own still
            // manages this database.
            if (const auto found = find_other_histories(connection, std::nullopt, std::nullopt);
                !found.empty()) {
                refuse("the database is managed by " + found.front().summary() +
                       ": take it over with `schemagate adopt --from " +
                       tool_name(found.front().tool) + "` instead");
            }
            return adoption;
        });
    return 0;
}

namespace {

// Whether schemagate's history table exists now. Read last, in a statement of its own: a gate
// that bootstrapped and applied V1 between our first look and the checks above made those
// tables, and they are not a reason to refuse.
bool history_table_exists(pqxx::connection& connection, const StateLocation& where) {
    return translate_db_errors([&] {
        pqxx::nontransaction session(connection);
        return session
            .exec_params(
                "SELECT EXISTS (SELECT 1 FROM pg_class c JOIN pg_namespace n ON "
                "n.oid = c.relnamespace WHERE n.nspname = $1 AND c.relname = 'history')",
                where.schema)
            .at(0)
            .at(0)
            .as<bool>();
    });
}

std::optional<std::string> refusal_reason(pqxx::connection& connection, const GateConfig& config) {
    if (const auto found = read_other_histories(connection); !found.empty()) {
        const ForeignHistory& history = found.front();
        return "the database is managed by " + history.summary() +
               " and has no schemagate history: nothing was changed; take it over with "
               "`schemagate adopt --from " +
               tool_name(history.tool) + "`" +
               (history.problem.empty() ? "" : " once " + history.problem + " is resolved");
    }
    if (config.baseline_version) return std::nullopt;
    const auto tables = user_tables(connection, config.state.schema, 4);
    if (tables.empty()) return std::nullopt;
    std::string names;
    for (std::size_t i = 0; i < tables.size() && i < 3; ++i) {
        names += (i ? ", " : "") + tables[i];
    }
    if (tables.size() > 3) names += ", ...";
    return "the schema already holds tables (" + names +
           ") but no migration history: nothing was changed; if it matches the files up to "
           "version V, run `schemagate baseline --version V` (or give migrate "
           "--baseline-version V)";
}

}  // namespace

std::optional<std::string> takeover_needed(pqxx::connection& connection, const GateConfig& config) {
    auto reason = refusal_reason(connection, config);
    if (reason && history_table_exists(connection, config.state)) return std::nullopt;
    return reason;
}

}  // namespace schemagate
