// SPDX-License-Identifier: Apache-2.0
#include "tenant_snapshot.h"

#include <pqxx/nontransaction>
#include <pqxx/result>

#include "db_failure.h"
#include "schema_state.h"

namespace schemagate {

namespace {

// Names per query: big enough that 10,000 tenants are 10 round trips, small enough that one
// query's parameters stay a few hundred kilobytes.
constexpr std::size_t kNamesPerQuery = 1000;

// `items` as a PostgreSQL text[] literal, each element double-quoted (names may hold anything).
std::string text_array(const std::vector<std::string>& items) {
    std::string out = "{";
    for (const auto& item : items) {
        if (out.size() > 1) out += ',';
        out += '"';
        for (const char c : item) {
            if (c == '"' || c == '\\') out += '\\';
            out += c;
        }
        out += '"';
    }
    return out + "}";
}

}  // namespace

TenantSnapshot::TenantSnapshot(const TenantTargets& targets, const MigrationSet& files,
                               const MigrationVersion& target)
    : targets_(targets) {
    // Repeatable and baseline files decide "pending" by more than the history's versions and
    // checksums: those sets keep the full per-tenant look.
    if (targets.per_database() || !files.repeatables.empty() || !files.baselines.empty()) return;
    std::vector<std::string> versions;
    std::vector<std::string> checksums;
    for (const auto& migration : files.migrations) {
        if (target.none() || migration.version > target) continue;
        versions.push_back(migration.version.sql_array());
        checksums.push_back(migration.checksum);
    }
    expected_ = static_cast<long long>(versions.size());
    enabled_ = expected_ > 0;
    versions_ = text_array(versions);
    checksums_ = text_array(checksums);
}

std::map<std::string, TenantGlance> TenantSnapshot::read(
    pqxx::connection& control, const std::vector<std::string>& tenants) const {
    std::map<std::string, TenantGlance> out;
    if (!enabled_ || tenants.empty()) return out;
    if (!state_tables_exist(control, targets_.of(tenants.front()).state)) return out;
    for (std::size_t from = 0; from < tenants.size(); from += kNamesPerQuery) {
        read_batch(control, tenants, from, out);
    }
    return out;
}

// Settled: the tenant's history is exactly the files up to the target, each applied
// successfully with the file's checksum (no unfinished row, nothing above the target, no
// drift), and no failure remembered. That is the case, and the only one, in which the
// per-tenant look finds nothing pending; anything else (drift included, which the look
// refuses) gets that look. A tenant the glance misses (no row) gets it too.
void TenantSnapshot::read_batch(pqxx::connection& control, const std::vector<std::string>& tenants,
                                std::size_t from, std::map<std::string, TenantGlance>& out) const {
    const std::size_t to = std::min(tenants.size(), from + kNamesPerQuery);
    std::map<std::string, std::string> tenant_of;  // set name -> tenant
    std::vector<std::string> names;
    for (std::size_t i = from; i < to; ++i) {
        names.push_back(targets_.of(tenants[i]).state.name);
        tenant_of[names.back()] = tenants[i];
    }
    const StateLocation where = targets_.of(tenants[from]).state;
    const auto table = [&](StateTable t) { return qualified(control, where, t); };
    const pqxx::result rows = translate_db_errors([&] {
        pqxx::nontransaction work(control);
        return work.exec_params(
            "SELECT n.name, count(h.name) FILTER (WHERE h.success AND f.v IS NOT NULL) = $4 AND "
            "count(h.name) = $4 AND NOT EXISTS (SELECT 1 FROM " +
                table(StateTable::kFailure) + " x WHERE x.name = n.name), EXISTS (SELECT 1 FROM " +
                table(StateTable::kLease) +
                " l WHERE l.name = n.name AND coalesce(l.holder, '') <> '' AND l.expires_at > "
                "clock_timestamp()) FROM unnest($1::text[]) AS n(name) LEFT JOIN " +
                table(StateTable::kHistory) +
                " h ON h.name = n.name LEFT JOIN unnest($2::text[], $3::text[]) AS f(v, c) ON "
                "f.v::numeric[] = h.version AND f.c = h.checksum GROUP BY n.name",
            text_array(names), versions_, checksums_, expected_);
    });
    for (const auto& row : rows) {
        const auto at = tenant_of.find(row[0].as<std::string>());
        if (at == tenant_of.end()) continue;
        out[at->second] = TenantGlance{row[1].as<bool>(), row[2].as<bool>()};
    }
}

}  // namespace schemagate
