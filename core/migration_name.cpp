// SPDX-License-Identifier: Apache-2.0
#include "migration_name.h"

#include <algorithm>
#include <cctype>

namespace schemagate {

namespace {

// Longer than any timestamp a tool writes; keeps a runaway name out of logs and the database.
constexpr std::size_t kMaxVersionLength = 64;

bool ends_with(std::string_view text, std::string_view suffix) {
    return text.size() >= suffix.size() && text.substr(text.size() - suffix.size()) == suffix;
}

bool is_digit(char c) {
    return std::isdigit(static_cast<unsigned char>(c)) != 0;
}

std::string humanize(std::string_view raw) {
    std::string out(raw);
    std::replace(out.begin(), out.end(), '_', ' ');
    return out;
}

// Flyway's SQL callbacks are named after their event (beforeMigrate.sql,
// afterEachMigrate__note.sql, createSchema.sql): lower-case "before" or "after" followed by a
// capital letter.
bool is_flyway_callback(std::string_view stem) {
    stem = stem.substr(0, stem.find("__"));
    for (std::string_view prefix : {"before", "after"}) {
        if (stem.size() > prefix.size() && stem.substr(0, prefix.size()) == prefix &&
            std::isupper(static_cast<unsigned char>(stem[prefix.size()])) != 0) {
            return true;
        }
    }
    return stem == "createSchema";
}

ParsedName versioned(std::string_view version_text, std::string_view description,
                     NameLayout layout) {
    if (version_text.size() > kMaxVersionLength) {
        return BadMigrationName{"the version is longer than 64 characters"};
    }
    const auto version = MigrationVersion::parse(version_text);
    if (!version) return BadMigrationName{"'" + std::string(version_text) + "' is not a version"};
    if (version->none()) return BadMigrationName{"version 0 is reserved for \"no migration\""};
    return MigrationName{*version, false, humanize(description), layout};
}

// V<version>__<description>, where the version is digits in parts separated by '.' or '_'.
ParsedName flyway_versioned(std::string_view rest) {
    if (rest.empty() || !is_digit(rest.front())) {
        return BadMigrationName{"does not start with a version number"};
    }
    const auto separator = rest.find("__");
    const std::string_view version = rest.substr(0, separator);
    if (separator == std::string_view::npos &&
        !std::all_of(version.begin(), version.end(),
                     [](char c) { return is_digit(c) || c == '.' || c == '_'; })) {
        return BadMigrationName{"expected '__' after the version"};
    }
    const std::string_view description =
        separator == std::string_view::npos ? std::string_view{} : rest.substr(separator + 2);
    return versioned(version, description, NameLayout::kFlyway);
}

// <digits>_<description>: golang-migrate, dbmate, goose.
ParsedName numbered(std::string_view stem) {
    const auto digits_end = static_cast<std::size_t>(
        std::find_if(stem.begin(), stem.end(), [](char c) { return !is_digit(c); }) - stem.begin());
    if (digits_end == 0) return BadMigrationName{"does not start with a version number"};
    std::string_view rest = stem.substr(digits_end);
    if (!rest.empty()) {
        if (rest.front() != '_') return BadMigrationName{"expected '_' after the version"};
        rest.remove_prefix(1);
    }
    return versioned(stem.substr(0, digits_end), rest, NameLayout::kNumbered);
}

}  // namespace

ParsedName parse_migration_name(std::string_view name) {
    // Kubernetes mounts ConfigMaps with ..data and ..<timestamp> entries beside the files.
    if (name.empty() || name.front() == '.') return IgnoredFile{};
    if (!ends_with(name, ".sql")) {
        // `V2__b.SQL` looks like a migration to anyone reading the directory: silently
        // skipping it would leave the schema short of what its author meant.
        if (name.size() > 4) {
            std::string extension(name.substr(name.size() - 4));
            std::transform(extension.begin(), extension.end(), extension.begin(),
                           [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
            if (extension == ".sql")
                return BadMigrationName{"the extension must be lower-case .sql"};
        }
        return IgnoredFile{};
    }
    if (ends_with(name, ".down.sql")) return IgnoredFile{"a down migration; only up parts run"};

    std::string_view stem = name.substr(0, name.size() - 4);
    if (ends_with(stem, ".up")) stem.remove_suffix(3);
    if (is_flyway_callback(stem)) {
        return BadMigrationName{
            "is a Flyway callback; schemagate does not run callbacks: move its SQL into a "
            "versioned (V) or repeatable (R__) migration"};
    }
    const char prefix = stem.empty() ? '\0' : stem.front();
    if (prefix == 'V' || prefix == 'v') return flyway_versioned(stem.substr(1));
    if (prefix == 'B' && stem.size() > 1 && is_digit(stem[1])) {
        ParsedName parsed = flyway_versioned(stem.substr(1));
        if (auto* baseline = std::get_if<MigrationName>(&parsed)) baseline->baseline = true;
        return parsed;
    }
    if (prefix == 'U' && stem.size() > 1 && is_digit(stem[1])) {
        return IgnoredFile{"a Flyway undo migration; schemagate only migrates forward"};
    }
    if (prefix == 'R' && stem.substr(1, 2) == "__") {
        if (stem.size() == 3) return BadMigrationName{"a repeatable migration needs a description"};
        return MigrationName{MigrationVersion{}, true, humanize(stem.substr(3)),
                             NameLayout::kFlyway};
    }
    return numbered(stem);
}

}  // namespace schemagate
