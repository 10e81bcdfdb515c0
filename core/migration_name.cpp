// SPDX-License-Identifier: Apache-2.0
#include "migration_name.h"

#include <algorithm>
#include <cctype>
#include <charconv>

namespace schemagate {

namespace {

bool ends_with(std::string_view text, std::string_view suffix) {
    return text.size() >= suffix.size() && text.substr(text.size() - suffix.size()) == suffix;
}

std::string humanize(std::string_view raw) {
    std::string out(raw);
    std::replace(out.begin(), out.end(), '_', ' ');
    return out;
}

}  // namespace

std::string version_label(std::int64_t version) {
    return version == 0 ? "no migration" : "V" + std::to_string(version);
}

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
    if (ends_with(name, ".down.sql")) return IgnoredFile{};

    std::string_view stem = name.substr(0, name.size() - 4);
    if (ends_with(stem, ".up")) stem.remove_suffix(3);

    std::string_view separator = "_";
    if (!stem.empty() && (stem.front() == 'V' || stem.front() == 'v')) {
        stem.remove_prefix(1);
        separator = "__";
    }
    const auto digits_end = static_cast<std::size_t>(
        std::find_if(stem.begin(), stem.end(),
                     [](char c) { return !std::isdigit(static_cast<unsigned char>(c)); }) -
        stem.begin());
    if (digits_end == 0) {
        return BadMigrationName{"does not start with a version number"};
    }
    MigrationName parsed;
    const auto [end, error] =
        std::from_chars(stem.data(), stem.data() + digits_end, parsed.version);
    if (error != std::errc{} || end != stem.data() + digits_end) {
        return BadMigrationName{"version number is too large"};
    }
    if (parsed.version == 0) return BadMigrationName{"version 0 is reserved for \"no migration\""};
    std::string_view rest = stem.substr(digits_end);
    if (!rest.empty()) {
        if (rest.substr(0, separator.size()) != separator) {
            return BadMigrationName{"expected '" + std::string(separator) + "' after the version"};
        }
        rest.remove_prefix(separator.size());
    }
    parsed.description = humanize(rest);
    return parsed;
}

}  // namespace schemagate
