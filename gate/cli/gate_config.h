// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <variant>

#include "duration.h"
#include "fleet_options.h"
#include "hazard_policy.h"
#include "load_limits.h"
#include "logging.h"
#include "migration_settings.h"
#include "migration_version.h"
#include "notify_url.h"
#include "schema_state.h"

namespace schemagate {

enum class GateCommand {
    kMigrate,
    kContract,
    kWait,
    kStatus,
    kValidate,
    kUnlock,
    kRepair,
    kAdopt,
    kBaseline,
    kCheckManifests,
    kRetry,
    kPlan,
    kVerify,
    kFleetMigrate,
    kFleetStatus,
    kFleetWait
};

// Everything the gate needs to know, from flags and SCHEMAGATE_* environment variables (one
// table in gate_config.cpp binds both).
struct GateConfig {
    GateCommand command = GateCommand::kMigrate;

    // --database-url / DATABASE_URL; a secret: never logged.
    std::string database_url;
    // Where database_url came from ("--database-url" or "DATABASE_URL"), for messages about it.
    std::string database_url_source = "--database-url";
    // --database-url-file: a mounted Secret holding the URL (trailing newline ignored).
    std::string database_url_file;
    // --schema and --name: where the lease and history live, and which migration set.
    StateLocation state;
    // --migrations: the directory of .sql files (a ConfigMap or an emptyDir in Kubernetes).
    std::string migrations_dir = "/migrations";
    // --max-file-size (in `limits`), and the directory walk's fixed bounds.
    LoadLimits limits;
    // --target: the version to reach; default the highest file in --migrations.
    std::optional<MigrationVersion> target;
    // --holder: who we are in the lease and in pg_stat_activity. Default "$HOSTNAME/pid":
    // the pod name identifies the pod, the pid the process in it.
    std::string holder;

    // --lease-ttl, default 30s: how long a holder that stopped renewing (killed, frozen,
    // cut off) blocks everyone. Shorter recovers faster but a long GC-like pause or a slow
    // network could lose a healthy holder its lease; 30s is well above both.
    Millis lease_ttl{30'000};
    // --timeout, default 10m: bounds the whole run. Kubernetes restarts a failed
    // initContainer anyway; ten minutes covers long migrations on a busy database while
    // still surfacing a stuck rollout within one coffee.
    Millis timeout{600'000};
    // --poll-interval, default 2s: the cap of the waiters' jittered backoff. LISTEN/NOTIFY
    // wakes waiters at once; polling is the fallback for poolers that drop LISTEN.
    Millis poll_interval{2000};
    // contract --reader-settle, default 10s: how long no live reader may lack the contract
    // before it is applied. A sidecar whose session broke (a failover, a blip) is invisible
    // until it reconnects, within a second or two; 10s covers that several times over.
    Millis reader_settle{10'000};
    // --lock-timeout, --statement-timeout, --lock-retries.
    MigrationSettings migration;
    // --termination-log: where the last error goes for `kubectl describe pod`.
    std::string termination_log = "/dev/termination-log";
    bool termination_log_explicit = false;

    LogFormat log_format = LogFormat::kText;  // --log-format text|json
    bool verbose = false;                     // --verbose

    bool json = false;                 // status --json, plan --json
    bool status_exit_code = false;     // status --exit-code
    bool force = false;                // unlock --force
    MigrationVersion repair_version;   // repair --version, retry --version
    bool repair_mark_applied = false;  // repair --mark-applied (else --remove)
    // adopt --from: flyway, golang-migrate, dbmate or goose; nullopt: the one found.
    std::optional<std::string> adopt_from;
    // adopt --table [schema.]name: the tool's table under another name or in another schema.
    std::optional<std::string> adopt_table;
    // adopt --accept-missing: versions (or "*") the tool applied from no file here.
    std::vector<std::string> accept_missing;
    bool accept_checksums = false;   // adopt --accept-checksums
    bool notify_on_success = false;  // --notify-on-success
    // baseline --version, and migrate --baseline-version: on a schema with tables and no
    // history, files up to this version count as applied (Flyway's baselineOnMigrate).
    std::optional<MigrationVersion> baseline_version;
    // --notify-url / --notify-url-file: where events are posted (failures, refusals, a dirty
    // set, a broken lease; successes with --notify-on-success). A secret: never logged.
    std::optional<NotifyUrl> notify;
    // --hazards, --hazard-threshold: what migrate does about a migration that would lock a
    // relation of real size while it rewrites, scans or indexes it (see hazard_policy.h).
    HazardPolicy hazards;
    // check-manifests FILE: a JSON rendering of the manifests; "-" is standard input.
    std::string manifests_file = "-";
    // fleet migrate, fleet status, wait --fleet: the tenants, their templates, shards and
    // sessions.
    FleetOptions fleet;
    // wait --fleet: --migrations (or SCHEMAGATE_MIGRATIONS) was given, so it is read even with
    // --target.
    bool migrations_given = false;
};

// Parses argv. Returns the config, or the exit code to leave with right away: 0 after
// --help/--version, 3 (with one line on stderr naming the flag) for anything malformed.
std::variant<GateConfig, int> parse_gate_config(int argc, const char* const* argv);

}  // namespace schemagate
