// SPDX-License-Identifier: Apache-2.0
#include "adoption.h"

#include <map>
#include <set>

#include "errors.h"
#include "folder_layouts.h"
#include "migration_name.h"

namespace schemagate {

namespace {

// The first few of a list, for one readable line.
std::string first_few(const std::vector<std::string>& items) {
    std::string out;
    for (std::size_t i = 0; i < items.size() && i < 5; ++i) out += (i ? ", " : "") + items[i];
    if (items.size() > 5) out += " and " + std::to_string(items.size() - 5) + " more";
    return out;
}

// Whether the file is what the tool recorded: Flyway's CRC32, Prisma's or sqlx's digest.
bool same_checksum(const ForeignMigration& row, const Migration& file) {
    if (row.checksum) return *row.checksum == file.flyway_checksum;
    if (!row.tool_checksum.empty()) {
        return tool_checksum_matches(file.tool_checksums, row.tool_checksum);
    }
    return true;  // golang-migrate, dbmate, goose and diesel keep no checksum
}

struct Checked {
    std::map<MigrationVersion, const ForeignMigration*> applied;  // by version
    std::vector<std::string> refusals;
    // Flyway ran this B file (a SQL_BASELINE row): it is adopted, and covers the versioned
    // files up to its version, which get no rows of their own (as after schemagate ran it).
    const Migration* baseline_file = nullptr;
    const ForeignMigration* baseline_row = nullptr;
};

const Migration* baseline_file_of(const MigrationSet& files, const MigrationVersion& version) {
    for (const auto& file : files.baselines) {
        if (file.version == version) return &file;
    }
    return nullptr;
}

// Which versions the tool applied, and what in its rows cannot be taken over as it is.
Checked applied_versions(const MigrationSet& files, const ForeignHistory& history) {
    Checked checked;
    if (!history.problem.empty()) checked.refusals.push_back(history.problem);
    if (history.tool == OtherTool::kGolangMigrate) {
        // Only the latest version is stored: every file up to it was applied.
        if (history.latest) {
            for (const auto& file : files.migrations) {
                if (file.version <= *history.latest) checked.applied[file.version] = nullptr;
            }
            if (!checked.applied.contains(*history.latest)) {
                checked.refusals.push_back("golang-migrate is at " +
                                           version_label(*history.latest) +
                                           " but no migration file has that version");
            }
        }
        return checked;
    }
    std::optional<MigrationVersion> baseline;
    for (const auto& row : history.applied) {
        if (row.version.none()) continue;  // a Flyway repeatable, matched by description later
        if (row.baseline || (row.sql_baseline && row.success)) {
            baseline = row.version;
            if (row.sql_baseline) checked.baseline_file = baseline_file_of(files, row.version);
            if (checked.baseline_file != nullptr) checked.baseline_row = &row;
            continue;
        }
        if (row.success) checked.applied[row.version] = &row;
    }
    if (checked.baseline_file != nullptr) return checked;
    if (baseline) {
        for (const auto& file : files.migrations) {
            if (file.version <= *baseline) checked.applied.try_emplace(file.version, nullptr);
        }
    }
    return checked;
}

// Whether --accept-missing names `version` ("*": every version).
bool accepted(const std::vector<std::string>& accept_missing, const MigrationVersion& version) {
    for (const auto& item : accept_missing) {
        if (item == "*") return true;
        if (const auto listed = MigrationVersion::parse(item); listed && *listed == version) {
            return true;
        }
    }
    return false;
}

// A version the tool applied with no file here, accepted as such.
AdoptedWithoutFile without_file(const MigrationVersion& version, const ForeignMigration* row,
                                OtherTool tool) {
    AdoptedWithoutFile adopted{version, "", "", "", tool_name(tool)};
    if (row != nullptr) {
        adopted.applied_at = row->installed_on;
        if (!row->installed_by.empty()) adopted.applied_by += " (" + row->installed_by + ")";
        adopted.description = row->description;
        adopted.script = row->script;
    }
    adopted.applied_by += ", no file here (--accept-missing)";
    return adopted;
}

using FilesByVersion = std::map<MigrationVersion, const Migration*>;

// What stands between the tool's history and the files here, each a list of names.
struct Mismatches {
    std::vector<std::string> missing, skipped, changed;
};

Mismatches find_mismatches(const MigrationSet& files, const ForeignHistory& history,
                           const Checked& checked, const FilesByVersion& by_version,
                           bool accept_checksums, const std::vector<std::string>& accept_missing) {
    Mismatches found;
    for (const auto& [version, row] : checked.applied) {
        const auto file = by_version.find(version);
        if (file == by_version.end()) {
            if (!accepted(accept_missing, version)) found.missing.push_back(version_label(version));
        } else if (row != nullptr && !accept_checksums && !same_checksum(*row, *file->second)) {
            found.changed.push_back(file->second->file);
        }
    }
    const MigrationVersion latest = history.latest.value_or(MigrationVersion{});
    const MigrationVersion covered =
        checked.baseline_file ? checked.baseline_file->version : MigrationVersion{};
    if (const ForeignMigration* row = checked.baseline_row;
        row != nullptr && row->checksum && !accept_checksums &&
        *row->checksum != checked.baseline_file->flyway_checksum) {
        found.changed.push_back(checked.baseline_file->file);
    }
    for (const auto& file : files.migrations) {
        if (file.version < latest && file.version > covered &&
            !checked.applied.contains(file.version)) {
            found.skipped.push_back(file.file);
        }
    }
    return found;
}

// Throws, naming every refusal, when the history cannot be taken over as it is.
void refuse_unless_clean(const ForeignHistory& history, std::vector<std::string> refusals,
                         const Mismatches& found) {
    if (!found.missing.empty()) {
        refusals.push_back("applied by " + tool_name(history.tool) +
                           " but no file here: " + first_few(found.missing) +
                           " (point --migrations at the full set; for versions applied from "
                           "no SQL file, such as Flyway's Java migrations, --accept-missing)");
    }
    if (!found.skipped.empty()) {
        const MigrationVersion latest = history.latest.value_or(MigrationVersion{});
        refusals.push_back("never applied by " + tool_name(history.tool) + " yet below its " +
                           version_label(latest) + ": " + first_few(found.skipped) +
                           " (apply them with it first, or renumber them above " + latest.text() +
                           ")");
    }
    if (!found.changed.empty()) {
        const std::string why = history.tool == OtherTool::kFlyway
                                    ? "changed since Flyway applied them (CRC32 differs): "
                                    : "changed since " + tool_name(history.tool) +
                                          " applied them (its checksum differs): ";
        refusals.push_back(why + first_few(found.changed) +
                           " (restore them, or pass --accept-checksums)");
    }
    if (!refusals.empty()) {
        std::string message = "cannot take over from " + history.summary() + ": ";
        for (std::size_t i = 0; i < refusals.size(); ++i) {
            message += (i ? "; " : "") + refusals[i];
        }
        throw FatalError(ExitCode::kStateRefused, message + "; nothing was changed");
    }
}

// The versioned migrations adopted: the baseline file Flyway ran, then each applied version.
Adoption adopt_versions(const Checked& checked, const FilesByVersion& by_version,
                        const ForeignHistory& history) {
    Adoption adoption;
    adoption.source = tool_name(history.tool);
    if (const ForeignMigration* row = checked.baseline_row) {
        adoption.migrations.push_back(
            {checked.baseline_file, row->installed_on, "flyway (" + row->installed_by + ")"});
        adoption.up_to = row->version;
    }
    for (const auto& [version, row] : checked.applied) {
        adoption.up_to = version;
        if (!by_version.contains(version)) {
            adoption.without_file.push_back(without_file(version, row, history.tool));
            continue;
        }
        AdoptedMigration adopted{by_version.at(version), "", tool_name(history.tool)};
        if (row != nullptr) {
            adopted.applied_at = row->installed_on;
            if (!row->installed_by.empty()) adopted.applied_by += " (" + row->installed_by + ")";
        }
        adoption.migrations.push_back(adopted);
        adoption.up_to = version;
    }
    return adoption;
}

// A Flyway repeatable counts as applied while its newest row matches the file now.
void adopt_repeatables(const MigrationSet& files, const ForeignHistory& history,
                       Adoption& adoption) {
    std::map<std::string, const ForeignMigration*> newest_repeatable;
    for (const auto& row : history.applied) {
        if (row.version.none() && row.success) newest_repeatable[row.description] = &row;
    }
    for (const auto& file : files.repeatables) {
        const auto row = newest_repeatable.find(file.description);
        if (row != newest_repeatable.end() && row->second->checksum &&
            *row->second->checksum == file.flyway_checksum) {
            adoption.migrations.push_back(
                {&file, row->second->installed_on, "flyway (" + row->second->installed_by + ")"});
        }
    }
}

}  // namespace

Adoption plan_adoption(const MigrationSet& files, const ForeignHistory& history,
                       bool accept_checksums, const std::vector<std::string>& accept_missing) {
    const Checked checked = applied_versions(files, history);
    FilesByVersion by_version;
    for (const auto& file : files.migrations) by_version[file.version] = &file;
    refuse_unless_clean(
        history, checked.refusals,
        find_mismatches(files, history, checked, by_version, accept_checksums, accept_missing));
    Adoption adoption = adopt_versions(checked, by_version, history);
    adopt_repeatables(files, history, adoption);
    return adoption;
}

Adoption plan_baseline(const MigrationSet& files, const MigrationVersion& version) {
    Adoption adoption;
    adoption.source = "baseline " + version.text();
    for (const auto& file : files.migrations) {
        if (file.version > version) break;
        adoption.migrations.push_back({&file, "", "baseline"});
        adoption.up_to = file.version;
    }
    return adoption;
}

}  // namespace schemagate
