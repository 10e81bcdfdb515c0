// SPDX-License-Identifier: Apache-2.0
#include "liquibase_migrations.h"

#include <cctype>
#include <filesystem>

#include "delimited_sql.h"
#include "errors.h"
#include "liquibase_changelog.h"

namespace schemagate {

namespace {

[[noreturn]] void bad_input(const std::string& message) {
    throw FatalError(ExitCode::kBadInput, message);
}

std::string leading_number(const std::string& path) {
    const std::string name = std::filesystem::path(path).filename().string();
    std::size_t end = 0;
    while (end < name.size() && std::isdigit(static_cast<unsigned char>(name[end])) != 0) ++end;
    if (end == 0 || end > 30) {
        bad_input("Liquibase formatted SQL file " + path +
                  ": its name does not start with a number; schemagate orders changelog files "
                  "by it, as includeAll orders them by name (a master changelog in XML or YAML "
                  "is not read): name the files in the order they run, like "
                  "001-create-users.sql");
    }
    return name.substr(0, end);
}

Migration migration_of(const LiquibaseChangeset& changeset, const std::string& number,
                       std::size_t position, const std::string& relative) {
    Migration migration;
    migration.version = MigrationVersion::parse(number + "." + std::to_string(position)).value();
    migration.description = changeset.author + ":" + changeset.id;
    migration.file = relative;
    migration.checksum = content_checksum(changeset.text);
    migration.statements = changeset.statements();
    if (!changeset.run_in_transaction) {
        migration.no_transaction = true;
        migration.no_transaction_reason = "runInTransaction:false";
    } else if (auto reason = outside_transaction_reason(migration.statements); !reason.empty()) {
        migration.no_transaction = true;
        migration.no_transaction_reason = std::move(reason);
    }
    migration.mixed = migration.no_transaction && migration.statements.size() > 1;
    migration.changeset =
        ChangesetIdentity{changeset.author,   changeset.id,           changeset.logical_file_path,
                          changeset.md5sum(), changeset.md5sums_v8(), changeset.valid_checksums};
    return migration;
}

}  // namespace

std::vector<Migration> liquibase_migrations(std::string_view sql, const std::string& path,
                                            const std::string& relative) {
    const std::string number = leading_number(path);
    std::vector<Migration> migrations;
    try {
        const auto changesets = read_liquibase_changelog(sql);
        for (std::size_t i = 0; i < changesets.size(); ++i) {
            if (changesets[i].skipped) continue;
            migrations.push_back(migration_of(changesets[i], number, i + 1, relative));
        }
    } catch (const SqlSyntaxError& e) {
        bad_input("Liquibase formatted SQL file " + path + " line " + std::to_string(e.line()) +
                  ": " + e.what());
    }
    return migrations;
}

std::optional<std::string> liquibase_non_sql_changelog(const std::string& directory) {
    namespace fs = std::filesystem;
    std::error_code error;
    std::size_t seen = 0;
    for (fs::recursive_directory_iterator it(directory, error), end;
         !error && it != end && seen < 10000; it.increment(error), ++seen) {
        std::string name = it->path().filename().string();
        for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        const bool other_format = name.ends_with(".xml") || name.ends_with(".yaml") ||
                                  name.ends_with(".yml") || name.ends_with(".json");
        if (other_format && name.find("changelog") != std::string::npos) {
            return it->path().lexically_relative(directory).generic_string();
        }
    }
    return std::nullopt;
}

}  // namespace schemagate
