// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "migration_set.h"
#include "statement_effect.h"

namespace schemagate {

// One rule: a kind of statement effect, its name (for `-- schemagate:allow <rule>`), and what
// to do instead.
struct HazardRule {
    EffectKind kind;
    std::string_view name;
    // blocking: holds its lock while it works on every row (refused over the threshold);
    // else a brief lock (reported) or a change that breaks the running release's readers.
    bool blocking;
    bool breaks_readers;
    std::string_view squawk;  // squawk's rule(s) for the same thing; "" when it has none
    std::string_view alternative;
};

std::span<const HazardRule> hazard_rules();
const HazardRule& rule_for(EffectKind kind);
const HazardRule* rule_named(std::string_view name);

// `-- schemagate:allow <rule> <reason>` on a comment line before a statement.
struct Allowance {
    int line = 0;
    std::string rule;
    std::string reason;
};

// The allowances on the comment lines just before `statement`. Throws FatalError(kBadInput)
// naming `file` and the line for an unknown rule or a missing reason.
std::vector<Allowance> allowances_before(const LexedStatement& statement, const std::string& file);

// Every allow directive of every file must name a rule and give a reason (exit 3 otherwise).
void check_allowances(const MigrationSet& files);

// One hazard of one statement.
struct Hazard {
    std::string file;
    int line = 0;
    const HazardRule* rule = nullptr;
    Effect effect;
    // Known only against a live database (plan, migrate); nullopt offline.
    std::optional<std::int64_t> relation_bytes = {};
    std::optional<std::int64_t> estimated_rows = {};
    bool blocking = false;  // the rule's, unless the live database shows it is not (a
                            // binary-coercible type change)
    std::optional<std::string> allowed = {};  // the reason of the allow directive before it
};

// The statement's hazards by rule, without sizes. `server_version` (server_version_num) decides
// the version-bound rule (ALTER TYPE ... ADD VALUE in a transaction before 12; schemagate
// supports 12+, where a non-volatile DEFAULT never rewrites); nullopt offline. Breaking-reader
// hazards are left out of a contract migration (first line `-- schemagate:contract`).
std::vector<Hazard> statement_hazards(const Migration& migration, const LexedStatement& statement,
                                      std::optional<int> server_version);
std::vector<Hazard> migration_hazards(const Migration& migration,
                                      std::optional<int> server_version);

// Whether changing a column from `from` (as format_type() spells it: "character varying(20)")
// to `to` (as the statement spells it: "varchar(40)", "text") needs no rewrite: PostgreSQL
// keeps the rows as they are for binary-coercible changes that do not narrow the type modifier.
bool binary_coercible(std::string_view from, std::string_view to);

// "under a second", "seconds", "minutes", "hours": a rough duration of the work at the speed of
// a modest cloud volume.
std::string duration_class(Work work, std::int64_t bytes);

// What the hazard does, one phrase: "rewrites public.orders (41.2 MB, ~500000 rows) under
// ACCESS EXCLUSIVE (blocks reads and writes; seconds)".
std::string hazard_summary(const Hazard& hazard);
// The one line a refusal or a warning gives: file, line, rule, relation, size, alternative.
std::string hazard_line(const Hazard& hazard);
nlohmann::json hazard_json(const Hazard& hazard);

// The allowances a migration's hazards used, for its history row: [{rule, reason, line,
// relation}]; "" when none.
std::string allowed_hazards_json(const Migration& migration);

}  // namespace schemagate
