// SPDX-License-Identifier: Apache-2.0
#include "migration_set.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "errors.h"
#include "migration_name.h"
#include "sha256.h"
#include "utf8.h"

namespace schemagate {

namespace fs = std::filesystem;

namespace {

[[noreturn]] void bad_input(const std::string& message) {
    throw FatalError(ExitCode::kBadInput, message);
}

std::string read_file(const fs::path& path) {
    std::ifstream stream(path, std::ios::binary);
    if (!stream) bad_input("cannot read migration file " + path.string());
    std::ostringstream content;
    content << stream.rdbuf();
    if (stream.bad()) bad_input("cannot read migration file " + path.string());
    return content.str();
}

// schemagate wraps each migration in a transaction that starts with the lease fence; a COMMIT
// inside the file would end that transaction early and let the rest run unfenced.
void reject_transaction_control(const fs::path& path, const std::vector<SqlStatement>& statements) {
    for (const auto& statement : statements) {
        const std::string keyword = first_keyword(statement);
        const bool prepares = keyword == "PREPARE" && statement.leading_words.size() > 1 &&
                              statement.leading_words[1] == "TRANSACTION";
        if (keyword == "BEGIN" || keyword == "START" || keyword == "COMMIT" || keyword == "END" ||
            keyword == "ROLLBACK" || keyword == "ABORT" || prepares) {
            bad_input("migration file " + path.string() + " line " +
                      std::to_string(statement.line) + ": " +
                      (prepares ? "PREPARE TRANSACTION" : keyword) +
                      " is not allowed: each migration already runs in its own transaction "
                      "(for statements that cannot, put `-- schemagate:no-transaction` on the "
                      "first line)");
        }
    }
}

// The name with every byte that is not printable ASCII as \xNN: safe on one log line.
std::string escaped(const std::string& name) {
    std::string out;
    for (const char c : name) {
        const auto u = static_cast<unsigned char>(c);
        if (u >= 0x20 && u < 0x7F) {
            out += c;
        } else {
            char hex[5];
            std::snprintf(hex, sizeof hex, "\\x%02X", u);
            out += hex;
        }
    }
    return out;
}

}  // namespace

std::int64_t MigrationSet::highest_version() const {
    return migrations.empty() ? 0 : migrations.back().version;
}

MigrationSet load_migration_set(const std::string& directory) {
    std::error_code error;
    if (!fs::is_directory(directory, error)) {
        bad_input("--migrations: " + directory + " is not a readable directory");
    }
    std::map<std::int64_t, Migration> by_version;
    fs::directory_iterator entries(directory, error);
    if (error) bad_input("--migrations: cannot list " + directory + ": " + error.message());
    for (const auto& entry : entries) {
        const std::string name = entry.path().filename().string();
        const ParsedName parsed = parse_migration_name(name);
        // A newline in a name could forge a log line; invalid UTF-8 cannot be stored in history.
        if (!std::holds_alternative<IgnoredFile>(parsed) && !is_printable_utf8(name)) {
            bad_input("--migrations: a file name in " + directory +
                      " holds control characters or invalid UTF-8 (" + escaped(name) +
                      "); rename it");
        }
        if (std::holds_alternative<IgnoredFile>(parsed)) continue;
        const fs::path& path = entry.path();
        if (const auto* bad = std::get_if<BadMigrationName>(&parsed)) {
            bad_input("migration file " + path.string() + ": " + bad->reason +
                      "; accepted names: " + kAcceptedNamePatterns);
        }
        // ConfigMap files are symlinks into ..data; is_regular_file follows them.
        if (!fs::is_regular_file(path, error)) {
            bad_input("migration file " + path.string() + " is not a regular file");
        }
        const auto& name_parts = std::get<MigrationName>(parsed);
        Migration migration;
        migration.version = name_parts.version;
        migration.description = name_parts.description;
        migration.file = name;
        const std::string sql = read_file(path);
        migration.checksum = sha256_hex(sql);
        try {
            MigrationFile file = read_migration_file(sql);
            migration.statements = std::move(file.statements);
            migration.no_transaction = file.no_transaction;
            migration.no_transaction_reason = std::move(file.no_transaction_reason);
            migration.mixed = file.mixed;
        } catch (const SqlSyntaxError& e) {
            bad_input("migration file " + path.string() + " line " + std::to_string(e.line()) +
                      ": " + e.what());
        }
        if (migration.statements.empty()) {
            // Flyway and golang-migrate accept them; some projects keep a placeholder version.
            spdlog::warn(
                "migration file {} holds no SQL statement: it is recorded as applied "
                "and runs nothing",
                path.string());
        }
        if (!migration.no_transaction) reject_transaction_control(path, migration.statements);
        const auto [existing, inserted] = by_version.try_emplace(migration.version, migration);
        if (!inserted) {
            std::string message = "migration files " + existing->second.file + " and ";
            message.append(name).append(" in ").append(directory);
            message.append(" both have version ").append(std::to_string(migration.version));
            bad_input(message);
        }
    }
    MigrationSet set;
    set.directory = directory;
    for (auto& [version, migration] : by_version) set.migrations.push_back(std::move(migration));
    return set;
}

std::int64_t choose_target(const MigrationSet& set, std::optional<std::int64_t> requested) {
    if (requested) {
        if (*requested < 0) bad_input("--target: must be >= 0, got " + std::to_string(*requested));
        if (*requested > set.highest_version()) {
            bad_input("--target: " + std::to_string(*requested) +
                      " is above the highest migration file in " + set.directory + " (" +
                      std::to_string(set.highest_version()) + ")");
        }
        return *requested;
    }
    if (set.migrations.empty()) {
        bad_input("--migrations: no migration files in " + set.directory + " (expected " +
                  kAcceptedNamePatterns + ")");
    }
    return set.highest_version();
}

std::string label(const Migration& migration) {
    const std::string version = version_label(migration.version);
    return migration.description.empty() ? version : version + " " + migration.description;
}

}  // namespace schemagate
