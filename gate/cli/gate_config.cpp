// SPDX-License-Identifier: Apache-2.0
#include "gate_config.h"

#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <optional>
#include <utility>
#include <vector>

#include "byte_size.h"
#include "cli_options.h"
#include "exit_code.h"
#include "hazard_policy.h"
#include "help_footer.h"
#include "secret_scrubber.h"
#include "table_spec.h"
#include "utf8.h"
#include "version.h"

namespace schemagate {

namespace {

// --table, --compat-table: [schema.]name.
CLI::Validator table_spec() {
    return {
        [](std::string& value) -> std::string { return table_spec_problem(value).value_or(""); },
        "[SCHEMA.]NAME"};
}

// --max-file-size's range: the smallest real migration fits in 1KiB; beyond 4GiB the gate's
// memory (several times the file) is no longer something a pod is given.
constexpr std::uint64_t kMinFileSizeLimit = std::uint64_t{1} << 10;
constexpr std::uint64_t kMaxFileSizeLimit = std::uint64_t{4} << 30;

struct RawDurations {
    std::string lease_ttl, timeout, poll_interval, lock_timeout, statement_timeout;
};

std::string default_holder() {
    const char* host = std::getenv("HOSTNAME");
    char buffer[256] = {};
    if (host == nullptr || *host == '\0') {
        host = gethostname(buffer, sizeof buffer - 1) == 0 ? buffer : "unknown";
    }
    return std::string(host) + "/" + std::to_string(getpid());
}

void add_tenant_targets(CLI::App* sub, FleetOptions& fleet);

// Whether `flag` is on the command line itself (not only in its environment variable).
bool typed(int argc, const char* const* argv, const std::string& flag) {
    for (int i = 1; i < argc; ++i) {
        const std::string_view word(argv[i]);
        if (word == flag || word.rfind(flag + "=", 0) == 0) return true;
    }
    return false;
}

// The flag table: every subcommand and where each value lands. Durations and the log format
// arrive as text and are converted once parsing (and CLI11's checks) succeeded.
class GateFlags {
  public:
    GateFlags(GateConfig& config, int argc, const char* const* argv);
    // The command's exit code when parsing ends the run (--help, a bad flag).
    std::optional<int> parse(int argc, const char* const* argv);
    // Fills what the table holds as text into the config.
    void apply_to(GateConfig& config) const;
    std::optional<std::string> read_notify(GateConfig& config) const;

  private:
    void add_global(GateConfig& config);
    void add_inspection(GateConfig& config);
    void add_common(CLI::App* sub, GateConfig& config);
    void add_waiting(CLI::App* sub, GateConfig& config);
    CLI::App* add_migrate(GateConfig& config, const std::string& name,
                          const std::string& description, GateCommand command);
    void add_contract(GateConfig& config);
    void add_wait(GateConfig& config);
    void add_repair(GateConfig& config);
    void add_takeover(GateConfig& config);
    void add_fleet(GateConfig& config);
    void add_holder(CLI::App* sub, GateConfig& config, const std::string& ttl_help);
    void add_fleet_migrate(CLI::App* fleet, GateConfig& config);
    void give_the_command_its_own_values();
    bool is_command(const std::string& word) const;
    bool named(const CLI::App* sub) const;
    void check_wait_flags(int argc, const char* const* argv) const;

    CLI::App app_{
        "schemagate: keeps a Kubernetes pod from starting until the database schema is at the "
        "version the app expects.",
        "schemagate"};
    RawDurations raw_;
    std::string target_;
    std::string repair_version_;
    std::string baseline_version_;
    std::string adopt_from_;
    std::string adopt_table_;
    std::string compat_;
    std::string log_format_ = "text";
    std::string max_file_size_ = format_byte_size(LoadLimits{}.max_file_bytes);
    std::string notify_url_;
    std::string notify_url_file_;
    std::string hazards_ = "refuse";
    std::string hazard_threshold_ = "10MB";
    std::string reader_settle_ = format_duration(GateConfig{}.reader_settle);
    std::string progress_interval_ = format_duration(FleetOptions{}.progress_interval);
    bool no_steal_ = false;
    bool wait_fleet_ = false;
    CLI::App* wait_ = nullptr;
    bool remove_ = false;
    std::vector<std::pair<CLI::App*, GateCommand>> commands_;
    CLI::App* repair_ = nullptr;
    // The command line's words: only the subcommands named there get their options.
    std::vector<std::string_view> words_;
};

GateFlags::GateFlags(GateConfig& config, int argc, const char* const* argv)
    : raw_{format_duration(config.lease_ttl), format_duration(config.timeout),
           format_duration(config.poll_interval), format_duration(config.migration.lock_timeout),
           format_duration(config.migration.statement_timeout)},
      words_(argv + std::min(argc, 1), argv + argc) {
    add_global(config);
    add_migrate(config, "migrate",
                "Apply pending migrations under the lease, or wait for the pod that does",
                GateCommand::kMigrate);
    add_contract(config);
    add_wait(config);

    add_inspection(config);
    add_repair(config);
    add_takeover(config);
    add_fleet(config);

    auto* check = app_.add_subcommand(
        "check-manifests",
        "Check a rendering of your manifests (YAML or JSON): every workload labelled for "
        "schemagate really has the gate and the readiness sidecar");
    if (named(check)) {
        check->add_option("file", config.manifests_file, "The rendering (default: standard input)");
    }
    commands_.emplace_back(check, GateCommand::kCheckManifests);
}

// What every subcommand shares: the database, logging, the webhook.
void GateFlags::add_global(GateConfig& config) {
    app_.set_version_flag("--version", std::string("schemagate ") + kVersion);
    app_.require_subcommand(1);
    app_.fallthrough();
    add_database_options(app_, config.database_url, config.database_url_file, config.state);
    add_logging_options(app_, log_format_, config.verbose);
    app_.add_option("--notify-url", notify_url_,
                    "POST a JSON event here when a run fails, is refused, finds a dirty set or "
                    "breaks a lease (Slack-compatible `text`)")
        ->envname("SCHEMAGATE_NOTIFY_URL");
    app_.add_option("--notify-url-file", notify_url_file_,
                    "File holding the notify URL (a mounted Secret)")
        ->envname("SCHEMAGATE_NOTIFY_URL_FILE");
    app_.add_flag("--notify-on-success", config.notify_on_success,
                  "Also notify when migrations were applied")
        ->envname("SCHEMAGATE_NOTIFY_ON_SUCCESS");
}

// The subcommands that look and change nothing but the lease: status, plan, verify, validate,
// unlock.
void GateFlags::add_inspection(GateConfig& config) {
    auto* status =
        app_.add_subcommand("status", "Show version, pending migrations, lease, history");
    if (named(status)) {
        add_common(status, config);
        status->add_flag("--json", config.json, "Machine-readable output");
        status->add_flag(
            "--exit-code", config.status_exit_code,
            "Exit 2 when behind the target, 1 after a remembered failure, 5 when dirty (else 0)");
    }
    commands_.emplace_back(status, GateCommand::kStatus);

    auto* plan = app_.add_subcommand(
        "plan", "Show what migrate would do, in order, and what would refuse; change nothing");
    if (named(plan)) {
        add_common(plan, config);
        plan->add_flag("--json", config.json, "Machine-readable output");
    }
    commands_.emplace_back(plan, GateCommand::kPlan);

    auto* verify = app_.add_subcommand(
        "verify", "Run the checks (.verify.sql) of every applied migration against the database");
    if (named(verify)) add_common(verify, config);
    commands_.emplace_back(verify, GateCommand::kVerify);

    auto* validate = app_.add_subcommand(
        "validate", "Check the migration files; with a database, also the applied checksums");
    if (named(validate)) add_common(validate, config);
    commands_.emplace_back(validate, GateCommand::kValidate);

    auto* unlock = app_.add_subcommand("unlock", "Show the lease; with --force, break it");
    if (named(unlock)) {
        unlock->add_flag("--force", config.force, "Break the lease (fences the old holder)");
    }
    commands_.emplace_back(unlock, GateCommand::kUnlock);
}

void GateFlags::add_common(CLI::App* sub, GateConfig& config) {
    sub->add_option("--migrations", config.migrations_dir, "Directory of .sql migrations")
        ->envname("SCHEMAGATE_MIGRATIONS")
        ->capture_default_str();
    sub->add_option("--target", target_, "Version to reach (default: highest migration file)")
        ->envname("SCHEMAGATE_TARGET")
        ->check(is_version());
    sub->add_option("--max-file-size", max_file_size_,
                    "Largest migration file read (it is held in memory about four times over "
                    "while it runs); raise it with the gate's memory limit")
        ->envname("SCHEMAGATE_MAX_FILE_SIZE")
        ->check(byte_size_in(kMinFileSizeLimit, kMaxFileSizeLimit))
        ->capture_default_str();
    sub->add_option("--hazards", hazards_,
                    "A migration that locks a relation over --hazard-threshold while it "
                    "rewrites, scans or indexes it: refuse (exit 5), defer (wait for the "
                    "migration Job), warn, or off")
        ->envname("SCHEMAGATE_HAZARDS")
        ->check(CLI::IsMember({"refuse", "defer", "warn", "off"}))
        ->capture_default_str();
    sub->add_option("--hazard-threshold", hazard_threshold_,
                    "Smallest relation a hazard counts for (10MB, 1GB: PostgreSQL's units)")
        ->envname("SCHEMAGATE_HAZARD_THRESHOLD")
        ->check([](const std::string& text) {
            return parse_hazard_threshold(text) ? std::string()
                                                : "not a size like 10MB, 1GB or 512kB";
        })
        ->capture_default_str();
}

void GateFlags::add_waiting(CLI::App* sub, GateConfig& config) {
    sub->add_option("--timeout", raw_.timeout, "Give up (exit 2) after this long")
        ->envname("SCHEMAGATE_TIMEOUT")
        ->check(duration_in(Millis{1}, std::chrono::hours{24 * 7}))
        ->capture_default_str();
    sub->add_option("--poll-interval", raw_.poll_interval,
                    "Longest pause between polls while waiting")
        ->envname("SCHEMAGATE_POLL_INTERVAL")
        ->check(duration_in(Millis{10}, std::chrono::minutes{10}))
        ->capture_default_str();
    sub->add_option("--termination-log", config.termination_log,
                    "File that receives the last error (Kubernetes termination message)")
        ->envname("SCHEMAGATE_TERMINATION_LOG")
        ->capture_default_str();
}

// The holder's identity, its lease and its lock timeout: migrate, contract and fleet migrate.
void GateFlags::add_holder(CLI::App* sub, GateConfig& config, const std::string& ttl_help) {
    sub->add_option("--holder", config.holder, "Holder identity (default $HOSTNAME/pid)")
        ->envname("SCHEMAGATE_HOLDER");
    sub->add_option("--lease-ttl", raw_.lease_ttl, ttl_help)
        ->envname("SCHEMAGATE_LEASE_TTL")
        ->check(duration_in(Millis{3000}, std::chrono::hours{1}))
        ->capture_default_str();
    sub->add_option("--lock-timeout", raw_.lock_timeout, "lock_timeout for each migration")
        ->envname("SCHEMAGATE_LOCK_TIMEOUT")
        ->check(duration_in(Millis{1}, std::chrono::hours{24}))
        ->capture_default_str();
}

CLI::App* GateFlags::add_migrate(GateConfig& config, const std::string& name,
                                 const std::string& description, GateCommand command) {
    auto* migrate = app_.add_subcommand(name, description);
    commands_.emplace_back(migrate, command);
    // migrate's table is always built: CLI11 fills the options of a subcommand with no
    // callback of its own from the environment even when another one runs, and the other
    // commands take the settings they have no flag for from migrate's (SCHEMAGATE_HOLDER for
    // wait's and adopt's lease, SCHEMAGATE_TIMEOUT for fleet status, ...).
    if (command != GateCommand::kMigrate && !named(migrate)) return migrate;
    add_common(migrate, config);
    add_waiting(migrate, config);
    add_holder(migrate, config, "Lease time-to-live");
    migrate
        ->add_option("--statement-timeout", raw_.statement_timeout,
                     "statement_timeout for each statement (0 = none)")
        ->envname("SCHEMAGATE_STATEMENT_TIMEOUT")
        ->check(duration_in(Millis{0}, std::chrono::hours{24}))
        ->capture_default_str();
    migrate
        ->add_option("--compat", compat_,
                     "Also record each migration in this tool's table (to switch back, or for "
                     "apps that read it)")
        ->envname("SCHEMAGATE_COMPAT")
        ->check(CLI::IsMember({"flyway", "golang-migrate", "dbmate", "goose", "prisma", "diesel",
                               "sqlx", "atlas", "liquibase"}));
    migrate
        ->add_option("--compat-table", config.migration.compat_table,
                     "--compat's table as [schema.]name, when not the tool's default")
        ->envname("SCHEMAGATE_COMPAT_TABLE")
        ->check(table_spec())
        ->needs("--compat");
    migrate
        ->add_option("--baseline-version", baseline_version_,
                     "On a schema with tables and no history: files up to this version count "
                     "as applied")
        ->envname("SCHEMAGATE_BASELINE_VERSION")
        ->check(is_version());
    migrate
        ->add_option("--lock-retries", config.migration.lock_retries,
                     "Retries of a migration that hit its lock timeout")
        ->envname("SCHEMAGATE_LOCK_RETRIES")
        ->check(CLI::Range(0, 1000))
        ->capture_default_str();
    return migrate;
}

// `contract`: migrate's flags, and how long no live reader may lack the contract first.
void GateFlags::add_contract(GateConfig& config) {
    auto* contract = add_migrate(
        config, "contract",
        "After the rollout: apply the deferred contract migrations once no live pod's release "
        "lacks them",
        GateCommand::kContract);
    // It shares migrate's variables: without a callback of its own, CLI11 would fill (and
    // check) its options from the environment even when it is not the command run, and a
    // value migrate's own flag overrides would fail migrate through contract's check.
    contract->parse_complete_callback([] {});
    if (!named(contract)) return;
    contract
        ->add_option("--reader-settle", reader_settle_,
                     "How long no live reader may lack the contract before it is applied (a "
                     "reader reconnecting after a blip is invisible meanwhile)")
        ->envname("SCHEMAGATE_READER_SETTLE")
        ->check(duration_in(Millis{0}, std::chrono::hours{1}))
        ->capture_default_str();
}

// `wait`, and with --fleet every tenant (docs/fleet.md).
void GateFlags::add_wait(GateConfig& config) {
    wait_ = app_.add_subcommand(
        "wait",
        "Wait until the schema (with --fleet: every tenant) reaches --target; apply nothing");
    commands_.emplace_back(wait_, GateCommand::kWait);
    if (!named(wait_)) return;
    add_common(wait_, config);
    add_waiting(wait_, config);
    wait_->add_flag("--fleet", wait_fleet_,
                    "Every tenant of --tenants-file/--tenants-query (as for fleet status); exit "
                    "1 at once naming those that failed with the file they would run again or "
                    "are dirty");
    add_tenant_targets(wait_, config.fleet);
}

void GateFlags::add_repair(GateConfig& config) {
    repair_ =
        app_.add_subcommand("repair", "Resolve a dirty (interrupted non-transactional) migration");
    commands_.emplace_back(repair_, GateCommand::kRepair);
    auto* retry = app_.add_subcommand(
        "retry", "Forget a remembered failure, so that the next gate runs that migration again");
    commands_.emplace_back(retry, GateCommand::kRetry);
    if (named(retry)) {
        retry->add_option("--version", repair_version_, "The failed migration's version")
            ->required()
            ->check(is_version());
    }
    if (!named(repair_)) return;
    repair_->add_option("--version", repair_version_, "The dirty migration's version")
        ->required()
        ->check(is_version());
    auto* mark = repair_->add_flag("--mark-applied", config.repair_mark_applied,
                                   "It completed: record it as applied");
    auto* remove =
        repair_->add_flag("--remove", remove_, "It did not: remove the record so it runs again");
    mark->excludes(remove);
}

void GateFlags::add_takeover(GateConfig& config) {
    auto* adopt = app_.add_subcommand(
        "adopt",
        "Take over the history of flyway, golang-migrate, dbmate, goose, prisma, diesel, sqlx, "
        "atlas or liquibase");
    commands_.emplace_back(adopt, GateCommand::kAdopt);
    auto* baseline = app_.add_subcommand(
        "baseline", "For a database no tool manages: count files up to --version as applied");
    commands_.emplace_back(baseline, GateCommand::kBaseline);
    if (named(baseline)) {
        add_common(baseline, config);
        add_waiting(baseline, config);
        baseline->add_option("--version", baseline_version_, "The version the schema is at")
            ->required()
            ->check(is_version());
    }
    if (!named(adopt)) return;
    add_common(adopt, config);
    add_waiting(adopt, config);
    adopt->add_option("--from", adopt_from_, "The tool (default: the one whose table is found)")
        ->check(CLI::IsMember({"flyway", "golang-migrate", "dbmate", "goose", "prisma", "diesel",
                               "sqlx", "atlas", "liquibase"}));
    adopt->add_flag("--accept-checksums", config.accept_checksums,
                    "Take over migrations whose files changed since they ran (Flyway, Prisma, "
                    "sqlx checksums; Liquibase changesets)");
    adopt
        ->add_option("--table", adopt_table_,
                     "The tool's table as [schema.]name (default: its default name, in any "
                     "schema)")
        ->check(table_spec())
        ->needs("--from");
    adopt
        ->add_option("--accept-missing", config.accept_missing,
                     "Versions (comma-separated, or *) the tool applied from no file here, such "
                     "as Flyway's Java migrations: recorded as adopted without a file")
        ->delimiter(',')
        ->check(CLI::Validator(
            [](std::string& value) -> std::string {
                if (value == "*" || MigrationVersion::parse(value)) return "";
                return "'" + value + "' is not a version or *";
            },
            "VERSION|*"));
}

// The tenants and where each lives: fleet migrate, fleet status, wait --fleet.
void add_tenant_targets(CLI::App* sub, FleetOptions& fleet) {
    sub->add_option("--tenants-file", fleet.tenants_file,
                    "File of tenant names, one per line (# comments, blank lines ignored)")
        ->envname("SCHEMAGATE_TENANTS_FILE");
    sub->add_option("--tenants-query", fleet.tenants_query,
                    "SQL run on the control database (--database-url): one row per tenant, "
                    "its name first")
        ->envname("SCHEMAGATE_TENANTS_QUERY");
    sub->add_option("--tenant-schema", fleet.tenant_schema,
                    "Schema per tenant: the schema name with {tenant}, e.g. tenant_{tenant}")
        ->envname("SCHEMAGATE_TENANT_SCHEMA");
    sub->add_option("--tenant-url", fleet.tenant_url,
                    "Database per tenant: the URL with {tenant} in the database name")
        ->envname("SCHEMAGATE_TENANT_URL");
    sub->add_option("--tenant-url-file", fleet.tenant_url_file,
                    "File holding --tenant-url (a mounted Secret)")
        ->envname("SCHEMAGATE_TENANT_URL_FILE");
}

// The tenants, as both fleet subcommands take them.
void add_tenant_options(CLI::App* sub, FleetOptions& fleet) {
    add_tenant_targets(sub, fleet);
    sub->add_option("--parallel", fleet.parallel, "Sessions (threads, connections) per shard")
        ->envname("SCHEMAGATE_PARALLEL")
        ->check(CLI::Range(1, 256))
        ->capture_default_str();
}

void GateFlags::add_fleet_migrate(CLI::App* fleet, GateConfig& config) {
    auto* migrate = fleet->add_subcommand(
        "migrate", "Bring every tenant to the target: this shard's, then others' not started");
    migrate->fallthrough();
    // Shares migrate's variables: as for contract (add_contract), its options must not be
    // filled and checked from the environment when it is not the command run.
    migrate->parse_complete_callback([] {});
    add_common(migrate, config);
    add_waiting(migrate, config);
    add_tenant_options(migrate, config.fleet);
    add_holder(migrate, config, "Lease time-to-live (per tenant)");
    migrate
        ->add_option("--shard", config.fleet.shard,
                     "This shard, I/N (default from "
                     "JOB_COMPLETION_INDEX and --shards)")
        ->envname("SCHEMAGATE_SHARD");
    migrate->add_option("--shards", config.fleet.shards, "Number of shards (the Job's completions)")
        ->envname("SCHEMAGATE_SHARDS")
        ->check(CLI::Range(1, 100000));
    migrate
        ->add_option("--connection-budget", config.fleet.connection_budget,
                     "Connections the whole fleet may hold; --parallel is clamped to it")
        ->envname("SCHEMAGATE_CONNECTION_BUDGET")
        ->check(CLI::Range(1, 100000))
        ->capture_default_str();
    migrate->add_flag("--no-steal", no_steal_, "Migrate only this shard's own tenants");
    migrate
        ->add_option("--baseline-version", baseline_version_,
                     "A tenant with tables and no history: files up to this version count as "
                     "applied (each tenant under its own lease)")
        ->envname("SCHEMAGATE_BASELINE_VERSION")
        ->check(is_version());
    migrate
        ->add_flag("--retry-failed", config.fleet.retry_failed,
                   "Run again the migrations remembered as failed with the same file (their "
                   "cause fixed outside it)")
        ->envname("SCHEMAGATE_RETRY_FAILED");
    migrate->add_option("--progress-interval", progress_interval_, "Between progress lines")
        ->envname("SCHEMAGATE_PROGRESS_INTERVAL")
        ->check(duration_in(Millis{100}, std::chrono::hours{1}))
        ->capture_default_str();
    commands_.emplace_back(migrate, GateCommand::kFleetMigrate);
}

// `fleet migrate`, `fleet status` (docs/fleet.md).
void GateFlags::add_fleet(GateConfig& config) {
    auto* fleet = app_.add_subcommand("fleet", "Many tenants: migrate them, or show how far");
    fleet->require_subcommand(1);
    fleet->fallthrough();
    fleet->parse_complete_callback([] {});
    commands_.emplace_back(fleet, GateCommand::kFleetMigrate);
    if (!named(fleet)) return;
    add_fleet_migrate(fleet, config);
    auto* status = fleet->add_subcommand("status", "Every tenant's version, failures, progress");
    status->fallthrough();
    status->parse_complete_callback([] {});
    add_common(status, config);
    add_tenant_options(status, config.fleet);
    status->add_flag("--json", config.json, "Machine-readable output");
    status->add_flag("--exit-code", config.status_exit_code,
                     "Exit 2 when some tenant is behind the target, 1 when some failed or is "
                     "dirty (else 0)");
    commands_.emplace_back(status, GateCommand::kFleetStatus);
}

// Several subcommands bind a setting to one variable (--target, --migrations, --timeout, ...),
// and CLI11 fills every subcommand's options from the environment, parsed or not, in the
// order they were added: `migrate --target 8` with SCHEMAGATE_TARGET=9 ended at 9. The parsed
// subcommand's own values (the command line, else the same variable) are stored last.
void GateFlags::give_the_command_its_own_values() {
    const auto own_values = [](CLI::App* sub) {
        for (CLI::Option* option : sub->get_options()) {
            if (option->count() > 0) option->run_callback();
        }
    };
    for (CLI::App* sub : app_.get_subcommands()) {
        own_values(sub);
        for (CLI::App* nested : sub->get_subcommands()) own_values(nested);
    }
}

// A subcommand gets its options only when its name is on the command line (and migrate
// always: add_migrate): building every subcommand's table was about a quarter of
// `schemagate --version` (bench/README.md). The one run is always named there.
bool GateFlags::named(const CLI::App* sub) const {
    return std::find(words_.begin(), words_.end(), sub->get_name()) != words_.end();
}

bool GateFlags::is_command(const std::string& word) const {
    return std::any_of(commands_.begin(), commands_.end(),
                       [&word](const auto& command) { return command.first->get_name() == word; });
}

// The tenant flags mean nothing to `wait` without --fleet: a forgotten --fleet would otherwise
// wait for the control set alone.
void GateFlags::check_wait_flags(int argc, const char* const* argv) const {
    if (!wait_->parsed() || wait_fleet_) return;
    for (const char* flag : {"--tenants-file", "--tenants-query", "--tenant-schema", "--tenant-url",
                             "--tenant-url-file"}) {
        if (typed(argc, argv, flag)) {
            throw CLI::ValidationError(std::string(flag) + ": only with wait --fleet");
        }
    }
}

std::optional<int> GateFlags::parse(int argc, const char* const* argv) {
    try {
        if (argc > 1 && argv[1][0] != '-' && !is_command(argv[1])) {
            throw CLI::ValidationError(
                std::string("unknown command '") + argv[1] +
                "' (commands: migrate, contract, wait, status, plan, verify, validate, unlock, "
                "repair, retry, adopt, baseline, check-manifests, fleet)");
        }
        add_help_footer(app_, kGateExitCodes);
        record_value_sources(app_, argc, argv);
        app_.parse(argc, argv);
        give_the_command_its_own_values();
        if (repair_->parsed() && repair_->count("--mark-applied") == 0 && !remove_) {
            throw CLI::ValidationError("repair: say --mark-applied or --remove");
        }
        check_wait_flags(argc, argv);
    } catch (const CLI::ParseError& e) {
        return parse_error_exit_code(app_, e, "schemagate");
    }
    return std::nullopt;
}

void GateFlags::apply_to(GateConfig& config) const {
    for (const auto& [sub, command] : commands_) {
        if (sub->parsed()) config.command = command;
    }
    if (wait_->parsed() && wait_fleet_) {
        config.command = GateCommand::kFleetWait;
        config.migrations_given = wait_->count("--migrations") > 0;
    }
    config.lease_ttl = *parse_duration(raw_.lease_ttl);
    config.timeout = *parse_duration(raw_.timeout);
    config.poll_interval = *parse_duration(raw_.poll_interval);
    config.migration.lock_timeout = *parse_duration(raw_.lock_timeout);
    config.migration.statement_timeout = *parse_duration(raw_.statement_timeout);
    config.reader_settle = *parse_duration(reader_settle_);
    config.fleet.progress_interval = *parse_duration(progress_interval_);
    config.fleet.steal = !no_steal_;
    config.log_format = log_format_named(log_format_);
    config.limits.max_file_bytes = *parse_byte_size(max_file_size_);
    config.hazards.mode = *hazard_mode_named(hazards_);
    config.hazards.threshold_bytes = *parse_hazard_threshold(hazard_threshold_);
    if (!target_.empty()) config.target = MigrationVersion::parse(target_);
    if (!repair_version_.empty()) config.repair_version = *MigrationVersion::parse(repair_version_);
    if (!baseline_version_.empty()) {
        config.baseline_version = MigrationVersion::parse(baseline_version_);
    }
    if (!adopt_from_.empty()) config.adopt_from = adopt_from_;
    if (!adopt_table_.empty()) config.adopt_table = adopt_table_;
    if (!compat_.empty()) config.migration.compat = tool_named(compat_);
    config.termination_log_explicit =
        std::any_of(commands_.begin(), commands_.end(),
                    [](const auto& command) {
                        return command.first->get_option_no_throw("--termination-log") != nullptr &&
                               command.first->count("--termination-log") > 0;
                    }) ||
        std::getenv("SCHEMAGATE_TERMINATION_LOG") != nullptr;
    if (config.holder.empty()) config.holder = default_holder();
}

// The notify URL from the flag or the file; a problem names the flag or the file.
std::optional<std::string> read_notify_url(const std::string& url, const std::string& file,
                                           GateConfig& config) {
    std::string text = url;
    std::string flag = "--notify-url";
    if (text.empty() && !file.empty()) {
        flag = "--notify-url-file " + file;
        std::ifstream stream(file, std::ios::binary);
        if (!stream) return flag + ": cannot be read";
        std::getline(stream, text);
        while (!text.empty() && (text.back() == '\r' || text.back() == ' ')) text.pop_back();
    }
    if (text.empty()) return std::nullopt;
    std::string problem;
    config.notify = parse_notify_url(text, problem);
    if (!config.notify) return flag + ": " + problem;
    // An incoming webhook's token is its path: never printed, wherever it might be quoted.
    if (config.notify->path.size() > 1) register_secret(config.notify->path);
    return std::nullopt;
}

std::optional<std::string> GateFlags::read_notify(GateConfig& config) const {
    return read_notify_url(notify_url_, notify_url_file_, config);
}

// Values each flag's own check cannot judge alone.
std::optional<std::string> problem_with(const GateConfig& config) {
    // Renewal runs every ttl/3 and idle transactions are cut at ttl/2: below 3s those
    // intervals get too close to ordinary network hiccups.
    if (config.lease_ttl < Millis{3000}) return "--lease-ttl: must be at least 3s";
    if (config.timeout <= Millis{0}) return "--timeout: must be more than 0";
    if (config.poll_interval < Millis{10}) return "--poll-interval: must be at least 10ms";
    if (config.migration.lock_timeout <= Millis{0}) {
        return "--lock-timeout: must be more than 0 (0 would wait forever)";
    }
    if (!is_printable_utf8(config.holder) || config.holder.size() > 200) {
        return "--holder: must be 1 to 200 bytes of printable UTF-8 (it is logged, stored and "
               "shown to operators)";
    }
    return state_location_problem(config.state);
}

}  // namespace

std::variant<GateConfig, int> parse_gate_config(int argc, const char* const* argv) {
    // Before any argument is looked at: every message about the command line passes through
    // the scrubber (CLI11's quote arguments: a mistyped `--databse-url URL` is "not
    // expected"), which must know the secrets by then.
    register_secrets_in_process(argc, argv);
    GateConfig config;
    GateFlags flags(config, argc, argv);
    if (const auto exit_code = flags.parse(argc, argv)) return *exit_code;
    flags.apply_to(config);
    config.database_url_source = database_url_source(argc, argv);
    if (const auto problem = problem_with(config)) return reject_flag("schemagate", *problem);
    if (const auto problem = flags.read_notify(config)) return reject_flag("schemagate", *problem);
    return config;
}

}  // namespace schemagate
