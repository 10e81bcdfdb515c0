// SPDX-License-Identifier: Apache-2.0
#include "atlas_liquibase_history.h"

#include <algorithm>
#include <cctype>
#include <map>
#include <pqxx/result_iterator.hxx>

#include "schema_state.h"

namespace schemagate {

namespace {

constexpr const char* kDetectSql =
    "SELECT coalesce(to_regclass('atlas_schema_revisions.atlas_schema_revisions'), "
    "to_regclass('atlas_schema_revisions'))::text, to_regclass('databasechangelog')::text";

std::string iso(const std::string& column) {
    return "coalesce(" + iso_utc_sql(column + "::timestamptz") + ", '')";
}

std::string first_few(const std::vector<std::string>& items) {
    std::string out;
    for (std::size_t i = 0; i < items.size() && i < 5; ++i) out += (i ? ", " : "") + items[i];
    if (items.size() > 5) out += " and " + std::to_string(items.size() - 5) + " more";
    return out;
}

void add_problem(std::string& problem, const std::string& reason) {
    problem += (problem.empty() ? "" : "; ") + reason;
}

// A revision Atlas applied in part: its statements before the failing one stay applied.
std::string partial_revision(const pqxx::row& row) {
    const auto version = row[0].as<std::string>();
    const auto applied = row[3].as<long long>();
    const auto total = row[4].as<long long>();
    const auto error = row[5].as<std::string>();
    if (applied >= total && error.empty()) return {};
    return "Atlas applied revision " + version + " in part (" + std::to_string(applied) + " of " +
           std::to_string(total) + " statements" +
           (error.empty() ? std::string() : ", error recorded") +
           "): finish or revert it, then `atlas migrate set`";
}

ForeignHistory read_atlas(pqxx::nontransaction& session, const std::string& table) {
    ForeignHistory history{OtherTool::kAtlas, table, {}, std::nullopt, false, ""};
    const auto rows =
        session.exec("SELECT version, description, type, applied, total, coalesce(error, ''), " +
                     iso("executed_at") + ", operator_version FROM " + table + " ORDER BY version");
    for (const auto& row : rows) {
        const auto version_text = row[0].as<std::string>();
        if (version_text.starts_with(".")) continue;  // Atlas's own bookkeeping row
        if (const auto partial = partial_revision(row); !partial.empty()) {
            add_problem(history.problem, partial);
        }
        ForeignMigration migration;
        const auto version = MigrationVersion::parse(version_text);
        if (!version || version->none()) {
            add_problem(history.problem, "Atlas revision " + version_text + " is not a number");
            continue;
        }
        migration.version = *version;
        migration.description = row[1].as<std::string>();
        migration.baseline = (row[2].as<unsigned>() & 1U) != 0;
        migration.installed_on = row[6].as<std::string>();
        migration.installed_by = row[7].as<std::string>();
        if (!history.latest || migration.version > *history.latest)
            history.latest = migration.version;
        history.applied.push_back(std::move(migration));
    }
    return history;
}

ForeignHistory read_liquibase(pqxx::nontransaction& session, const std::string& table) {
    ForeignHistory history{OtherTool::kLiquibase, table, {}, std::nullopt, false, ""};
    const auto rows = session.exec("SELECT id, author, filename, " + iso("dateexecuted") +
                                   ", exectype, coalesce(md5sum, ''), coalesce(description, '') "
                                   "FROM " +
                                   table + " ORDER BY dateexecuted, orderexecuted");
    for (const auto& row : rows) {
        ForeignMigration migration;
        migration.changeset_id = row[0].as<std::string>();
        migration.changeset_author = row[1].as<std::string>();
        migration.script = row[2].as<std::string>();
        migration.installed_on = row[3].as<std::string>();
        migration.exec_type = row[4].as<std::string>();
        migration.md5sum = row[5].as<std::string>();
        migration.description = migration.changeset_author + ":" + migration.changeset_id;
        migration.success = migration.exec_type != "FAILED";
        if (!migration.success) {
            add_problem(history.problem, "Liquibase recorded changeset " + migration.description +
                                             " (" + migration.script + ") as FAILED");
        }
        history.applied.push_back(std::move(migration));
    }
    return history;
}

// "db/changelog/001-init.sql", "classpath:/db/001-init.sql" -> "001-init.sql".
std::string base_name(std::string path) {
    std::replace(path.begin(), path.end(), '\\', '/');
    const auto slash = path.find_last_of("/:");
    return slash == std::string::npos ? path : path.substr(slash + 1);
}

bool checksum_matches(const ForeignMigration& row, const ChangesetIdentity& changeset) {
    if (row.md5sum == changeset.md5sum) return true;
    const auto& older = changeset.older_md5sums;
    if (std::find(older.begin(), older.end(), row.md5sum) != older.end()) return true;
    return std::any_of(changeset.valid_checksums.begin(), changeset.valid_checksums.end(),
                       [&](const std::string& valid) {
                           std::string lowered = valid;
                           for (char& c : lowered) c = static_cast<char>(std::tolower(c));
                           return lowered == "any" || valid == row.md5sum;
                       });
}

struct ChangesetIndex {
    std::map<std::tuple<std::string, std::string, std::string>, const Migration*> by_file;
    std::map<std::pair<std::string, std::string>, std::vector<const Migration*>> by_id;

    explicit ChangesetIndex(const MigrationSet& files) {
        for (const auto& file : files.migrations) {
            if (!file.changeset) continue;
            const auto& changeset = *file.changeset;
            const std::string path =
                changeset.logical_path.empty() ? file.file : changeset.logical_path;
            by_file[{changeset.author, changeset.id, base_name(path)}] = &file;
            by_id[{changeset.author, changeset.id}].push_back(&file);
        }
    }

    // By author, id and file name; by author and id alone when that names one changeset.
    const Migration* find(const ForeignMigration& row) const {
        const auto exact =
            by_file.find({row.changeset_author, row.changeset_id, base_name(row.script)});
        if (exact != by_file.end()) return exact->second;
        const auto any = by_id.find({row.changeset_author, row.changeset_id});
        return any != by_id.end() && any->second.size() == 1 ? any->second.front() : nullptr;
    }
};

}  // namespace

void read_atlas_and_liquibase(pqxx::nontransaction& session,
                              std::vector<ForeignHistory>& histories) {
    const auto found = session.exec(kDetectSql).at(0);
    if (!found[0].is_null()) histories.push_back(read_atlas(session, found[0].as<std::string>()));
    if (!found[1].is_null()) {
        histories.push_back(read_liquibase(session, found[1].as<std::string>()));
    }
}

ForeignHistory matched_to_files(const ForeignHistory& history, const MigrationSet& files,
                                bool accept_checksums) {
    if (history.tool != OtherTool::kLiquibase) return history;
    ForeignHistory matched{history.tool, history.table, {}, std::nullopt, false, history.problem};
    const ChangesetIndex index(files);
    std::vector<std::string> unmatched, changed, unverifiable;
    for (const auto& row : history.applied) {
        if (row.exec_type == "SKIPPED" || !row.success) continue;
        const Migration* file = index.find(row);
        if (file == nullptr) {
            unmatched.push_back(row.description + " (" + row.script + ")");
            continue;
        }
        if (!row.md5sum.empty() && !accept_checksums && !checksum_matches(row, *file->changeset)) {
            (row.md5sum.starts_with("9:") ? changed : unverifiable).push_back(row.description);
        }
        ForeignMigration applied = row;
        applied.version = file->version;
        if (!matched.latest || applied.version > *matched.latest) matched.latest = applied.version;
        matched.applied.push_back(std::move(applied));
    }
    if (!unmatched.empty()) {
        add_problem(matched.problem,
                    "applied by liquibase but no changeset here: " + first_few(unmatched) +
                        " (point --migrations at the full set)");
    }
    if (!changed.empty()) {
        add_problem(matched.problem,
                    "changed since Liquibase applied them (MD5SUM differs): " + first_few(changed) +
                        " (restore them, or pass --accept-checksums)");
    }
    if (!unverifiable.empty()) {
        add_problem(matched.problem,
                    "recorded with a checksum older than Liquibase 4.22's (version 9) that "
                    "matches none schemagate computes for that version: " +
                        first_few(unverifiable) +
                        " (run `liquibase update` or `validate` with Liquibase 4.22 or later "
                        "once, or pass --accept-checksums)");
    }
    return matched;
}

}  // namespace schemagate
