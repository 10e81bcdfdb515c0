// SPDX-License-Identifier: Apache-2.0
#include "hazard_rules.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cctype>

#include "directive.h"
#include "errors.h"
#include "sql_splitter.h"

namespace schemagate {

namespace {

constexpr std::array<HazardRule, 19> kRules = {{
    {EffectKind::kColumnType, "column-type", true, true, "changing-column-type",
     "add a new column, backfill it in batches (-- schemagate:batch), switch readers, drop the "
     "old one in a contract migration"},
    {EffectKind::kAddColumnRewrite, "add-column-rewrite", true, false, "adding-field-with-default",
     "add the column without the default (or with a constant one), SET DEFAULT, then backfill "
     "in batches (-- schemagate:batch)"},
    {EffectKind::kSetNotNull, "set-not-null", true, true, "adding-not-nullable-field",
     "ADD CONSTRAINT ... CHECK (col IS NOT NULL) NOT VALID; VALIDATE CONSTRAINT in a later "
     "migration; then SET NOT NULL (PostgreSQL 12+ skips the scan)"},
    {EffectKind::kCheckConstraint, "check-constraint", true, false, "constraint-missing-not-valid",
     "ADD CONSTRAINT ... NOT VALID, then VALIDATE CONSTRAINT in a later migration (SHARE UPDATE "
     "EXCLUSIVE: reads and writes go on)"},
    {EffectKind::kForeignKey, "foreign-key", true, false,
     "adding-foreign-key-constraint, constraint-missing-not-valid",
     "ADD CONSTRAINT ... FOREIGN KEY ... NOT VALID, then VALIDATE CONSTRAINT in a later "
     "migration"},
    {EffectKind::kUniqueConstraint, "unique-constraint", true, false,
     "disallowed-unique-constraint, adding-serial-primary-key-field",
     "CREATE UNIQUE INDEX CONCURRENTLY (its own -- schemagate:no-transaction migration), then "
     "ADD CONSTRAINT ... UNIQUE/PRIMARY KEY USING INDEX"},
    {EffectKind::kCreateIndex, "create-index", true, false, "require-concurrent-index-creation",
     "CREATE INDEX CONCURRENTLY (schemagate runs it outside a transaction)"},
    {EffectKind::kReindex, "reindex", true, false, "", "REINDEX ... CONCURRENTLY (PostgreSQL 12+)"},
    {EffectKind::kCluster, "cluster", true, false, "",
     "pg_repack, outside the deployment; or leave the table unclustered"},
    {EffectKind::kVacuumFull, "vacuum-full", true, false, "",
     "plain VACUUM (no exclusive lock), or pg_repack, outside the deployment"},
    {EffectKind::kRefreshMatview, "refresh-materialized-view", true, false, "",
     "REFRESH MATERIALIZED VIEW CONCURRENTLY (needs a unique index on the view)"},
    {EffectKind::kTableRewrite, "table-rewrite", true, false, "",
     "do it outside the deployment (pg_repack for SET TABLESPACE), or on a new table"},
    {EffectKind::kDropIndex, "drop-index", false, false, "require-concurrent-index-deletion",
     "DROP INDEX CONCURRENTLY (its own -- schemagate:no-transaction migration)"},
    {EffectKind::kEnumAddValue, "enum-add-value", true, false, "",
     "its own -- schemagate:no-transaction migration (before PostgreSQL 12 ADD VALUE cannot run "
     "in a transaction)"},
    {EffectKind::kDropColumn, "drop-column", false, true, "ban-drop-column",
     "stop reading it first; drop it in a contract migration (-- schemagate:contract)"},
    {EffectKind::kDropTable, "drop-table", false, true, "ban-drop-table",
     "stop reading it first; drop it in a contract migration (-- schemagate:contract)"},
    {EffectKind::kDropView, "drop-view", false, true, "",
     "stop reading it first; drop it in a contract migration (-- schemagate:contract)"},
    {EffectKind::kDropFunction, "drop-function", false, true, "",
     "stop calling it first; drop it in a contract migration (-- schemagate:contract)"},
    {EffectKind::kRename, "rename", false, true, "renaming-column, renaming-table",
     "add the new name beside the old (a column kept in sync, or a view), switch readers, "
     "remove the old name in a contract migration (-- schemagate:contract)"},
}};

constexpr std::string_view kAllow = "schemagate:allow";

std::string trimmed(std::string_view text) {
    while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front())) != 0) {
        text.remove_prefix(1);
    }
    while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back())) != 0) {
        text.remove_suffix(1);
    }
    return std::string(text);
}

std::vector<std::string_view> lines_of(std::string_view text) {
    std::vector<std::string_view> lines;
    while (true) {
        const auto end = text.find('\n');
        lines.push_back(text.substr(0, end));
        if (end == std::string_view::npos) return lines;
        text.remove_prefix(end + 1);
    }
}

std::optional<Allowance> parse_allow(std::string_view comment, int line, const std::string& file) {
    const auto directive = read_directive(comment);  // the one reading of directives
    if (!directive || directive->name != "allow") return std::nullopt;
    const std::string body(directive->arguments);
    const auto space = body.find_first_of(" \t");
    Allowance allowance{line, body.substr(0, space),
                        space == std::string::npos ? "" : trimmed(body.substr(space))};
    const auto where = file + " line " + std::to_string(line) + ": -- schemagate:allow";
    if (allowance.rule.empty() || rule_named(allowance.rule) == nullptr) {
        std::string names;
        for (const HazardRule& rule : kRules)
            names += (names.empty() ? "" : ", ") + std::string(rule.name);
        throw FatalError(ExitCode::kBadInput,
                         where + ": unknown rule '" + allowance.rule + "' (rules: " + names + ")");
    }
    if (allowance.reason.empty()) {
        throw FatalError(ExitCode::kBadInput,
                         where + " " + allowance.rule +
                             ": give a reason after the rule (it is recorded in the history)");
    }
    return allowance;
}

bool is_contract(const Migration& migration) {
    return migration.contract;
}

// Version-bound rules: a DEFAULT rewrote before 11; ADD VALUE failed in a transaction before 12.
bool applies(const Effect& effect, const Migration& migration, std::optional<int> version) {
    if (effect.kind == EffectKind::kEnumAddValue) {
        return version && *version < 120000 && !migration.no_transaction;
    }
    return true;
}

std::string normal_type_name(std::string name) {
    if (name.rfind("pg_catalog.", 0) == 0) name = name.substr(11);
    static constexpr std::array<std::pair<std::string_view, std::string_view>, 17> kAliases = {
        {{"character varying", "varchar"},
         {"decimal", "numeric"},
         {"bit varying", "varbit"},
         {"integer", "int4"},
         {"int", "int4"},
         {"bigint", "int8"},
         {"smallint", "int2"},
         {"character", "bpchar"},
         {"char", "bpchar"},
         {"timestamp with time zone", "timestamptz"},
         {"timestamp without time zone", "timestamp"},
         {"time without time zone", "time"},
         {"double precision", "float8"},
         {"real", "float4"},
         {"boolean", "bool"},
         {"int8", "int8"},
         {"int4", "int4"}}};
    for (const auto& [alias, name_of] : kAliases) {
        if (name == alias) return std::string(name_of);
    }
    return name;
}

struct TypeName {
    std::string base;
    std::vector<long> modifiers;  // varchar(40) -> {40}; numeric(10,2) -> {10, 2}
};

TypeName type_name(std::string_view spelled) {
    std::string text;
    for (const char c : spelled)
        text += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    text = trimmed(text);
    TypeName type;
    const auto open = text.find('(');
    type.base = normal_type_name(trimmed(text.substr(0, open)));
    if (open == std::string::npos) return type;
    const auto close = text.find(')', open);
    std::string args =
        text.substr(open + 1, close == std::string::npos ? std::string::npos : close - open - 1);
    std::size_t at = 0;
    while (at < args.size()) {
        const auto comma = std::min(args.find(',', at), args.size());
        try {
            type.modifiers.push_back(std::stol(args.substr(at, comma - at)));
        } catch (const std::exception&) {
            type.modifiers.push_back(-1);
        }
        at = comma + 1;
    }
    // Anything after the modifiers ("timestamp(3) with time zone", an array's "[]") is part
    // of the name.
    if (close != std::string::npos && close + 1 < text.size()) {
        type.base = normal_type_name(type.base + trimmed(text.substr(close + 1)));
    }
    return type;
}

// Same modifiers, or wider ones: varchar(20)->varchar(40), numeric(10,2)->numeric(12,2).
bool widens(const TypeName& from, const TypeName& to) {
    if (to.modifiers.empty()) return true;
    if (from.modifiers.empty() || from.modifiers.size() != to.modifiers.size()) return false;
    if (to.modifiers[0] < from.modifiers[0]) return false;
    // numeric's scale must stay the same: a different one changes every stored value.
    return to.modifiers.size() < 2 || to.modifiers[1] == from.modifiers[1];
}

std::string pretty_bytes(std::int64_t bytes) {
    // pg_size_pretty's steps: a unit is used from ten of it on.
    constexpr std::int64_t kKilo = 1024;
    const auto value = static_cast<double>(bytes);
    if (bytes < 10 * kKilo) return fmt::format("{} bytes", bytes);
    if (bytes < 10 * kKilo * kKilo) return fmt::format("{:.0f} kB", value / 1024);
    if (bytes < 10 * kKilo * kKilo * kKilo) {
        return fmt::format("{:.0f} MB", value / (1024.0 * 1024));
    }
    return fmt::format("{:.0f} GB", value / (1024.0 * 1024 * 1024));
}

std::string_view work_text(Work work) {
    switch (work) {
        case Work::kRewrite:
            return "rewrites";
        case Work::kScan:
            return "scans";
        case Work::kIndexBuild:
            return "builds an index on";
        case Work::kNone:
            break;
    }
    return "locks";
}

std::string_view blocks(LockLevel lock) {
    if (lock == LockLevel::kAccessExclusive) return "blocks reads and writes";
    if (lock >= LockLevel::kShare) return "blocks writes";
    return "blocks other schema changes";
}

}  // namespace

std::span<const HazardRule> hazard_rules() {
    return kRules;
}

const HazardRule& rule_for(EffectKind kind) {
    return *std::find_if(kRules.begin(), kRules.end(),
                         [kind](const HazardRule& rule) { return rule.kind == kind; });
}

const HazardRule* rule_named(std::string_view name) {
    const auto* found = std::find_if(kRules.begin(), kRules.end(),
                                     [name](const HazardRule& rule) { return rule.name == name; });
    return found == kRules.end() ? nullptr : found;
}

std::vector<Allowance> allowances_before(const LexedStatement& statement, const std::string& file) {
    // Most statements carry no directive: a file of a million INSERTs is not split into lines.
    if (statement.text.find(kAllow) == std::string::npos) return {};
    // The statement's text starts after the previous statement's semicolon: its leading
    // comment lines are the ones just before it.
    const std::vector<std::string_view> lines = lines_of(statement.text);
    std::size_t code = 0;
    while (code < lines.size()) {
        const std::string line = trimmed(lines[code]);
        if (!line.empty() && line.rfind("--", 0) != 0) break;
        ++code;
    }
    std::vector<Allowance> allowances;
    for (std::size_t i = 0; i < code; ++i) {
        const std::string line = trimmed(lines[i]);
        if (line.rfind("--", 0) != 0) continue;
        const int number = statement.line - static_cast<int>(code - i);
        if (auto allowance = parse_allow(line, number, file)) {
            allowances.push_back(std::move(*allowance));
        }
    }
    return allowances;
}

void check_allowances(const MigrationSet& files) {
    for (const auto* set : {&files.migrations, &files.repeatables}) {
        for (const Migration& migration : *set) {
            for (const SqlStatement& statement : migration.statements) {
                allowances_before(statement, migration.file);
            }
        }
    }
}

std::vector<Hazard> statement_hazards(const Migration& migration, const LexedStatement& statement,
                                      std::optional<int> server_version) {
    std::vector<Hazard> hazards;
    if (!statement.traits.effect) return hazards;
    const bool contract = is_contract(migration);
    const std::vector<Allowance> allowances = allowances_before(statement, migration.file);
    for (const Effect& effect : statement.traits.effect->effects) {
        const HazardRule& rule = rule_for(effect.kind);
        if (!applies(effect, migration, server_version)) continue;
        if (contract && !rule.blocking && rule.breaks_readers) continue;
        Hazard hazard{migration.file, statement.line, &rule, effect};
        hazard.blocking = rule.blocking;
        for (const Allowance& allowance : allowances) {
            if (allowance.rule == rule.name) hazard.allowed = allowance.reason;
        }
        hazards.push_back(std::move(hazard));
    }
    return hazards;
}

std::vector<Hazard> migration_hazards(const Migration& migration,
                                      std::optional<int> server_version) {
    std::vector<Hazard> hazards;
    for (const SqlStatement& unit : migration.statements) {
        for (const LexedStatement& statement : statements_of(unit)) {
            for (Hazard& hazard : statement_hazards(migration, statement, server_version)) {
                hazards.push_back(std::move(hazard));
            }
        }
    }
    return hazards;
}

bool binary_coercible(std::string_view from, std::string_view to) {
    const TypeName old_type = type_name(from);
    const TypeName new_type = type_name(to);
    if (old_type.base == new_type.base) {
        if (old_type.modifiers == new_type.modifiers) return true;
        return (new_type.base == "varchar" || new_type.base == "numeric" ||
                new_type.base == "varbit") &&
               widens(old_type, new_type);
    }
    // text and varchar share a representation: text, or a varchar without a limit, takes any
    // varchar or text as it is.
    const bool stringy = old_type.base == "varchar" || old_type.base == "text";
    if (stringy &&
        (new_type.base == "text" || (new_type.base == "varchar" && new_type.modifiers.empty()))) {
        return true;
    }
    return old_type.base == "cidr" && new_type.base == "inet";
}

std::string duration_class(Work work, std::int64_t bytes) {
    // Measured (README, Hazards): a jsonb-converting rewrite of a 77 MB table with its
    // indexes took 3 s on two cores, ~25 MB/s; a validating scan reads several times faster.
    // Rough by design: the class, not the figure, is what matters.
    const double rate = work == Work::kScan ? 200e6 : 25e6;
    const double seconds = static_cast<double>(bytes) / rate;
    if (work == Work::kNone) return "an instant once the lock is granted";
    if (seconds < 1) return "under a second";
    if (seconds < 60) return "seconds";
    if (seconds < 3600) return "minutes";
    return "hours";
}

std::string hazard_summary(const Hazard& hazard) {
    const Effect& effect = hazard.effect;
    std::string relation = effect.relation.empty() ? "every table" : effect.relation;
    if (!effect.column.empty()) relation += " (column " + effect.column + ")";
    if (hazard.rule->breaks_readers && !hazard.rule->blocking) {
        return fmt::format("{} {} breaks the running release's readers", hazard.rule->name,
                           relation);
    }
    std::string size;
    if (hazard.relation_bytes) {
        size = " (" + pretty_bytes(*hazard.relation_bytes) +
               (hazard.estimated_rows ? fmt::format(", ~{} rows", *hazard.estimated_rows) : "") +
               ")";
    }
    const Work work = hazard.blocking ? effect.work : Work::kNone;
    std::string text = fmt::format("{} {}{}{} under {} ({}", work_text(work), relation, size,
                                   effect.detail.empty() ? "" : " [" + effect.detail + "]",
                                   lock_name(effect.lock), blocks(effect.lock));
    if (hazard.relation_bytes) text += "; " + duration_class(work, *hazard.relation_bytes);
    return text + ")";
}

std::string hazard_line(const Hazard& hazard) {
    return fmt::format("{} line {}: {}: {}; instead: {}{}", hazard.file, hazard.line,
                       hazard.rule->name, hazard_summary(hazard), hazard.rule->alternative,
                       hazard.allowed ? " [allowed: " + *hazard.allowed + "]" : "");
}

nlohmann::json hazard_json(const Hazard& hazard) {
    using nlohmann::json;
    const auto optional = [](const std::optional<std::int64_t>& value) {
        return value ? json(*value) : json(nullptr);
    };
    return {
        {"file", hazard.file},
        {"line", hazard.line},
        {"rule", hazard.rule->name},
        {"lock", std::string(lock_name(hazard.effect.lock))},
        {"relation", hazard.effect.relation.empty() ? json(nullptr) : json(hazard.effect.relation)},
        {"column", hazard.effect.column.empty() ? json(nullptr) : json(hazard.effect.column)},
        {"relation_bytes", optional(hazard.relation_bytes)},
        {"estimated_rows", optional(hazard.estimated_rows)},
        {"rewrites", hazard.blocking && hazard.effect.work == Work::kRewrite},
        {"scans", hazard.blocking && hazard.effect.work == Work::kScan},
        {"builds_index", hazard.blocking && hazard.effect.work == Work::kIndexBuild},
        {"blocking", hazard.blocking},
        {"breaks_readers", hazard.rule->breaks_readers},
        {"alternative", hazard.rule->alternative},
        {"allowed", hazard.allowed ? json(*hazard.allowed) : json(nullptr)}};
}

std::string allowed_hazards_json(const Migration& migration) {
    nlohmann::json used = nlohmann::json::array();
    for (const Hazard& hazard : migration_hazards(migration, std::nullopt)) {
        if (!hazard.allowed) continue;
        used.push_back({{"rule", hazard.rule->name},
                        {"reason", *hazard.allowed},
                        {"line", hazard.line},
                        {"relation", hazard.effect.relation}});
    }
    return used.empty() ? std::string() : used.dump();
}

}  // namespace schemagate
