// SPDX-License-Identifier: Apache-2.0
#include "hazard_sizing.h"

#include <fmt/format.h>

#include <map>
#include <pqxx/nontransaction>
#include <set>

#include "db_failure.h"
#include "migration_name.h"

namespace schemagate {

namespace {

// What the catalog says about one relation (an index is measured by its table: the lock and
// the work are the table's).
struct LiveRelation {
    bool exists = false;
    std::int64_t total_bytes = 0;  // with indexes and TOAST: what a rewrite copies
    std::int64_t heap_bytes = 0;   // 0: empty (never held a row)
    std::optional<std::int64_t> rows;
};

// The last part of a name: "public.orders" -> "orders" (an unqualified name in one statement
// and a qualified one in another are taken for the same relation).
std::string last_part(const std::string& name) {
    const auto dot = name.rfind('.');
    return dot == std::string::npos ? name : name.substr(dot + 1);
}

std::string unquoted(const std::string& name) {
    if (name.size() >= 2 && name.front() == '"' && name.back() == '"') {
        return name.substr(1, name.size() - 2);
    }
    return name;
}

class Catalog {
  public:
    explicit Catalog(pqxx::connection& connection) : connection_(connection) {}

    const LiveRelation& relation(const std::string& name) {
        const auto known = relations_.find(name);
        if (known != relations_.end()) return known->second;
        LiveRelation live;
        const auto rows = query(
            "SELECT pg_total_relation_size(t.oid), pg_relation_size(t.oid), "
            "t.reltuples::bigint FROM pg_class c JOIN pg_class t ON t.oid = COALESCE("
            "(SELECT indrelid FROM pg_index WHERE indexrelid = c.oid), c.oid) "
            "WHERE c.oid = to_regclass($1)",
            name);
        if (rows && !rows->empty()) {
            const auto row = (*rows)[0];
            live.exists = true;
            live.total_bytes = row[0].as<std::int64_t>();
            live.heap_bytes = row[1].as<std::int64_t>();
            // reltuples is -1 for a table never vacuumed or analyzed (PostgreSQL 14+).
            if (const auto tuples = row[2].as<std::int64_t>(); tuples >= 0) live.rows = tuples;
        }
        return relations_.emplace(name, live).first->second;
    }

    std::optional<std::string> column_type(const std::string& relation, const std::string& column) {
        const auto rows = query(
            "SELECT format_type(atttypid, atttypmod) FROM pg_attribute WHERE attrelid = "
            "to_regclass($1) AND attname = $2 AND NOT attisdropped",
            relation, unquoted(column));
        if (!rows || rows->empty()) return std::nullopt;
        return (*rows)[0][0].as<std::string>();
    }

    // A validated CHECK (column IS NOT NULL): SET NOT NULL then skips its scan (PG 12+).
    bool has_not_null_check(const std::string& relation, const std::string& column) {
        const auto rows = query(
            "SELECT 1 FROM pg_constraint WHERE conrelid = to_regclass($1) AND contype = 'c' "
            "AND convalidated AND pg_get_constraintdef(oid) = 'CHECK ((' || quote_ident($2) || "
            "' IS NOT NULL))'",
            relation, unquoted(column));
        return rows && !rows->empty();
    }

    // Whether every function of that name is STABLE or IMMUTABLE (then a DEFAULT calling it is
    // stored once, PostgreSQL 11+); false when unknown.
    bool non_volatile_function(const std::string& name) {
        const auto rows = query(
            "SELECT count(*) > 0 AND bool_and(provolatile <> 'v') FROM pg_proc WHERE proname = $1",
            name);
        return rows && !rows->empty() && !(*rows)[0][0].is_null() && (*rows)[0][0].as<bool>();
    }

  private:
    template <typename... Args>
    std::optional<pqxx::result> query(const std::string& sql, const Args&... args) {
        try {
            return translate_db_errors([&] {
                pqxx::nontransaction work(connection_);
                return work.exec_params(sql, args...);
            });
        } catch (const DbError& e) {
            // A name to_regclass cannot read ("a.b.c.d") names nothing we can size.
            if (e.failure().sqlstate.rfind("42", 0) == 0) return std::nullopt;
            throw;
        }
    }

    pqxx::connection& connection_;
    std::map<std::string, LiveRelation> relations_;
};

// What the run creates before the statement at hand: new relations, and new names of old ones.
class RunNames {
  public:
    bool created(const std::string& name) const {
        return created_.count(name) > 0 || created_.count(last_part(name)) > 0;
    }
    // The name the relation has in the database now, before the run renames it.
    std::string live_name(const std::string& name) const {
        const auto renamed = renamed_.find(last_part(name));
        return renamed == renamed_.end() ? name : renamed->second;
    }
    void learn(const StatementEffect& effect) {
        for (const auto& name : effect.creates) {
            created_.insert(name);
            created_.insert(last_part(name));
        }
        for (const auto& [to, from] : effect.renames) {
            if (created(from)) {
                created_.insert(last_part(to));
            } else {
                renamed_[last_part(to)] = live_name(from);
            }
        }
    }

  private:
    std::set<std::string> created_;
    std::map<std::string, std::string> renamed_;
};

// Sizes `hazard` in place; false when the live database shows it is harmless.
bool judge(Hazard& hazard, Catalog& catalog, const RunNames& run, std::uint64_t threshold) {
    const Effect& effect = hazard.effect;
    if (effect.kind == EffectKind::kEnumAddValue || effect.kind == EffectKind::kDropFunction) {
        return !run.created(effect.relation);
    }
    if (effect.relation.empty()) return true;  // every table: cannot be sized, so it counts
    if (run.created(effect.relation)) return false;
    const std::string name = run.live_name(effect.relation);
    const LiveRelation& live = catalog.relation(name);
    if (!live.exists) return false;  // created in this run by code we do not read
    hazard.relation_bytes = live.total_bytes;
    hazard.estimated_rows = live.rows;
    if (hazard.rule->breaks_readers && !hazard.rule->blocking) return true;
    if (effect.kind == EffectKind::kColumnType && !effect.using_expression) {
        const auto type = catalog.column_type(name, effect.column);
        if (type && binary_coercible(*type, effect.detail)) return false;
    }
    // A DEFAULT calling a function the offline rule could not judge: the catalog knows.
    const std::string_view call_prefix = "DEFAULT ";
    if (effect.kind == EffectKind::kAddColumnRewrite && effect.detail.rfind(call_prefix, 0) == 0 &&
        catalog.non_volatile_function(effect.detail.substr(
            call_prefix.size(), effect.detail.find('(') - call_prefix.size()))) {
        return false;
    }
    if (effect.kind == EffectKind::kSetNotNull && catalog.has_not_null_check(name, effect.column)) {
        return false;
    }
    if (live.heap_bytes == 0) return false;
    return static_cast<std::uint64_t>(live.total_bytes) >= threshold;
}

}  // namespace

const Hazard* MigrationHazards::first_unallowed_blocking() const {
    for (const Hazard& hazard : hazards) {
        if (hazard.blocking && !hazard.allowed) return &hazard;
    }
    return nullptr;
}

std::vector<MigrationHazards> size_hazards(pqxx::connection& connection,
                                           const std::vector<const Migration*>& pending,
                                           std::uint64_t threshold_bytes) {
    Catalog catalog(connection);
    RunNames run;
    const int version = connection.server_version();
    std::vector<MigrationHazards> out;
    for (const Migration* migration : pending) {
        MigrationHazards judged{migration, {}};
        for (const SqlStatement& unit : migration->statements) {
            for (const LexedStatement& statement : statements_of(unit)) {
                for (Hazard& hazard : statement_hazards(*migration, statement, version)) {
                    if (judge(hazard, catalog, run, threshold_bytes)) {
                        judged.hazards.push_back(std::move(hazard));
                    }
                }
                if (statement.traits.effect) run.learn(*statement.traits.effect);
            }
        }
        if (!judged.hazards.empty()) out.push_back(std::move(judged));
    }
    return out;
}

std::string hazard_refusal(const MigrationHazards& migration, const Hazard& hazard) {
    return fmt::format(
        "hazard: {}: {}; allow it with `-- schemagate:allow {} <reason>` on the line before "
        "the statement, or let the migration Job apply it (--hazards=warn there, "
        "--hazards=defer in the pods)",
        label(*migration.migration), hazard_line(hazard), hazard.rule->name);
}

}  // namespace schemagate
