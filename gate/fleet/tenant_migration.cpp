// SPDX-License-Identifier: Apache-2.0
#include "tenant_migration.h"

#include <pqxx/nontransaction>

#include "contract_plan.h"
#include "db_failure.h"
#include "errors.h"
#include "interrupt.h"
#include "lease.h"
#include "migration_failure.h"
#include "migration_name.h"
#include "other_tools.h"
#include "plan.h"
#include "schema_state.h"
#include "state_store.h"

namespace schemagate {

namespace {

TenantOutcome outcome(TenantOutcome::Kind kind, std::string message,
                      MigrationVersion version = {}) {
    TenantOutcome out;
    out.kind = kind;
    out.message = std::move(message);
    out.version = std::move(version);
    return out;
}

// The first pending migration's remembered failure, when it failed with this very file: it
// is not run again (a changed file is), so the tenant is reported failed without its lease.
std::optional<RecordedFailure> failed_before(const Plan& plan,
                                             const std::vector<RecordedFailure>& failures) {
    if (plan.pending.empty()) return std::nullopt;
    const Migration& first = *plan.pending.front();
    for (const auto& failure : failures) {
        if (failure.version == first.version && failure.checksum == first.checksum) {
            return failure;
        }
    }
    return std::nullopt;
}

// The session's search_path must start with the tenant's schema: a pooler that drops the
// startup packet's options would otherwise run the tenant's migrations in `public`.
void check_search_path(pqxx::connection& connection, const TenantTarget& target) {
    pqxx::nontransaction work(connection);
    const auto path = work.exec1("SELECT current_setting('search_path')")[0].as<std::string>();
    if (path.rfind(quoted_identifier(target.schema), 0) == 0 ||
        path.rfind(target.schema + ",", 0) == 0) {
        return;
    }
    throw FatalError(ExitCode::kBadInput,
                     "--tenant-schema: the server did not take the session's search_path (a "
                     "pooler dropping the startup options?); tenant sessions need it");
}

// A tenant schemagate never migrated must hold no tables where its migrations create theirs,
// as `migrate` refuses a non-empty schema without history: someone else migrated it (another
// tool's history is one of those tables), and V1 would run over their work (unless
// --baseline-version says they are the files up to it: judge_unseen). Adopting per tenant is
// not built yet (docs/fleet.md).
std::optional<std::string> unmanaged_tables(pqxx::connection& connection,
                                            const TenantTarget& target,
                                            const std::string& state_schema) {
    if (!target.schema.empty()) {  // the search_path was checked when the lease was taken
        pqxx::nontransaction work(connection);
        const auto missing = work.exec_params1("SELECT to_regnamespace($1) IS NULL",
                                               quoted_identifier(target.schema));
        if (missing[0].as<bool>()) return std::nullopt;  // created under the lease
    }
    const auto tables = user_tables(connection, state_schema, 3);
    if (tables.empty()) return std::nullopt;
    std::string list;
    for (const auto& table : tables) list += (list.empty() ? "" : ", ") + table;
    return "no schemagate history, but tables already there (" + list +
           "): migrated by someone else; if they are the files up to V, give --baseline-version V";
}

// What a tenant schemagate never migrated gets, under its lease: migrated from the first file
// (no tables), refused (tables, or another tool's history), or baselined.
struct UnseenVerdict {
    std::optional<std::string> refusal;
    bool baseline = false;  // --baseline-version: files up to it count as applied
};

UnseenVerdict judge_unseen(pqxx::connection& connection, const TenantTarget& target,
                           const std::optional<MigrationVersion>& baseline_version) {
    auto tables = unmanaged_tables(connection, target, target.state.schema);
    if (!tables || !baseline_version) return {std::move(tables), false};
    // As `migrate --baseline-version`: another tool's history (on the tenant's search_path) is
    // for adopting, not for counting files as applied over it.
    const auto others = read_other_histories(connection);
    if (!others.empty()) {
        return {"no schemagate history, and managed by " + others.front().summary() +
                    ": --baseline-version does not take over another tool's history",
                false};
    }
    return {std::nullopt, true};
}

void release_quietly(pqxx::connection& connection, const Lease& lease, const LeaseGrant& grant) {
    try {
        lease.release(connection, grant);
    } catch (...) {  // NOLINT(bugprone-empty-catch): it expires after the ttl anyway
    }
}

}  // namespace

const char* kind_name(TenantOutcome::Kind kind) {
    switch (kind) {
        case TenantOutcome::Kind::kAtTarget:
            return "at_target";
        case TenantOutcome::Kind::kFailed:
            return "failed";
        case TenantOutcome::Kind::kRefused:
            return "refused";
        case TenantOutcome::Kind::kBusy:
            return "busy";
        case TenantOutcome::Kind::kError:
            return "error";
    }
    return "error";
}

TenantOutcome TenantMigrator::migrate(const std::string& tenant) {
    deadline_ = Deadline(work_.holder.timeout);
    const TenantTarget target = work_.targets.of(tenant);
    try {
        return translate_db_errors([&] { return attempt(target); });
    } catch (const MigrationFailed& e) {
        TenantOutcome out = outcome(TenantOutcome::Kind::kFailed, e.what());
        out.failure = e.failure();
        return out;
    } catch (const FatalError& e) {
        if (e.code() == ExitCode::kBadInput || Interrupt::triggered()) throw;
        if (e.code() == ExitCode::kStateRefused) {
            return outcome(TenantOutcome::Kind::kRefused, e.what());
        }
        if (e.code() == ExitCode::kMigrationFailed) {
            return outcome(TenantOutcome::Kind::kFailed, e.what());
        }
        look_.reset();
        return outcome(TenantOutcome::Kind::kError, e.what());
    } catch (const Error& e) {
        if (Interrupt::triggered()) throw FatalError(Interrupt::exit_code(), "interrupted");
        look_.reset();
        return outcome(TenantOutcome::Kind::kError, e.what());
    }
}

std::map<std::string, TenantGlance> TenantMigrator::glance(
    const TenantSnapshot& snapshot, const std::vector<std::string>& tenants) {
    if (!snapshot.enabled() || tenants.empty()) return {};
    deadline_ = Deadline(work_.holder.timeout);
    try {
        if (!look_) look_ = std::make_unique<GateConnection>(work_.targets.control(), deadline_);
        return snapshot.read(look_->get(), tenants);
    } catch (const std::exception&) {
        if (Interrupt::triggered()) throw FatalError(Interrupt::exit_code(), "interrupted");
        // Only a shortcut: the tenants' own looks find what this one could not.
        look_.reset();
        return {};
    }
}

pqxx::connection& TenantMigrator::look_connection(const TenantTarget& target,
                                                  std::unique_ptr<GateConnection>& own) {
    if (work_.targets.per_database()) {
        own = std::make_unique<GateConnection>(target.connect, deadline_);
        return own->get();
    }
    if (!look_) look_ = std::make_unique<GateConnection>(work_.targets.control(), deadline_);
    return look_->get();
}

// What the tenant's lease will run: the pending files, but those a baseline would count as
// applied (no history yet, --baseline-version) are not run, so they are no hazard.
std::vector<const Migration*> TenantMigrator::to_run(const Plan& plan, bool no_history) const {
    std::vector<const Migration*> out;
    for (const Migration* migration : plan.pending) {
        if (no_history && work_.baseline_version && migration->version <= *work_.baseline_version)
            continue;
        out.push_back(migration);
    }
    return out;
}

// Look (history, plan, remembered failure) on the look connection; take the lease and migrate
// only when something is pending.
TenantOutcome TenantMigrator::attempt(const TenantTarget& target) {
    std::unique_ptr<GateConnection> tenant_db;
    pqxx::connection& look = look_connection(target, tenant_db);
    const StateStore store(target.state);
    const auto history = store.read_history(look);
    Applied applied{history.value_or(std::vector<AppliedMigration>{}), {}};
    if (history && !work_.files.repeatables.empty()) {
        applied.repeatables = store.read_repeatables(look);
    }
    const MigrationVersion stop = migrate_stop(work_.files, applied.history, work_.target);
    const Plan plan =
        make_plan(work_.files, applied, stop, store.running_token(look, applied.history));
    if (plan.done()) return outcome(TenantOutcome::Kind::kAtTarget, "", plan.current);
    if (history) {
        auto failure = failed_before(plan, store.read_failures(look));
        if (failure && work_.retry_failed) {
            store.clear_failure(look, failure->version);
            failure.reset();
        }
        if (failure) {
            TenantOutcome out =
                outcome(TenantOutcome::Kind::kFailed,
                        label(*plan.pending.front()) +
                            " failed before and is not run again: " + failure->message,
                        plan.current);
            out.failure = std::move(failure);
            return out;
        }
    }
    if (!tenant_db) tenant_db = std::make_unique<GateConnection>(target.connect, deadline_);
    if (!target.schema.empty()) check_search_path(tenant_db->get(), target);
    // Before anything is written for the tenant: a refusal leaves it as it was.
    if (work_.hazards &&
        !work_.hazards(tenant_db->get(), target, to_run(plan, applied.history.empty()))) {
        return outcome(TenantOutcome::Kind::kRefused,
                       "deferred (--hazards=defer): a hazard, applying nothing for this tenant; "
                       "run the fleet with --hazards=warn to apply it",
                       plan.current);
    }
    TenantOutcome out = under_lease(target, *tenant_db, stop, !history, applied.history.empty());
    if (out.kind == TenantOutcome::Kind::kBusy) out.version = plan.current;
    return out;
}

TenantOutcome TenantMigrator::under_lease(const TenantTarget& target, GateConnection& db,
                                          const MigrationVersion& stop, bool bootstrap,
                                          bool unseen) {
    pqxx::connection& connection = db.get();
    const StateStore store(target.state);
    if (bootstrap) store.bootstrap(connection);
    const Lease lease(target.state, work_.holder.holder, work_.holder.lease_ttl);
    const AcquireOutcome acquired = lease.try_acquire(connection);
    if (const auto* held = std::get_if<LeaseHeld>(&acquired)) {
        return outcome(TenantOutcome::Kind::kBusy, "lease held by " + held->by.holder);
    }
    const auto& grant = std::get<LeaseGrant>(acquired);
    UnseenVerdict verdict;
    try {
        // Under the lease: a session that migrated the tenant meanwhile wrote its history.
        // A history, once there, stays: only a tenant the look saw none for is read again.
        if (unseen &&
            store.read_history(connection).value_or(std::vector<AppliedMigration>{}).empty()) {
            verdict = judge_unseen(connection, target, work_.baseline_version);
        }
        // The search_path was checked before the hazard check, on this session.
        if (!verdict.refusal && !target.schema.empty()) {
            pqxx::nontransaction(connection)
                .exec0("CREATE SCHEMA IF NOT EXISTS " + quoted_identifier(target.schema));
        }
    } catch (...) {
        release_quietly(connection, lease, grant);
        throw;
    }
    if (verdict.refusal) {
        release_quietly(connection, lease, grant);
        return outcome(TenantOutcome::Kind::kRefused, *std::move(verdict.refusal));
    }
    HolderSession holder(work_.holder, db, store, lease, work_.files, stop, grant);
    if (verdict.baseline) holder.baseline_first(*work_.baseline_version);
    TenantOutcome out = outcome(TenantOutcome::Kind::kAtTarget, "", stop);
    out.applied = holder.run(deadline_);
    return out;
}

}  // namespace schemagate
